/// The line on which each key and table of a TOML document is written, for error messages.
///
/// TOMLKit 0.6.0 (toml++ underneath) reports source positions only for syntax errors: toml++
/// keeps a `source()` region on every node, but TOMLKit's C layer does not export it. So the
/// document TOMLKit already accepted is scanned once more, lexically only (strings, comments,
/// brackets, keys, headers; no values are interpreted here, TOMLKit's values are the ones used),
/// to note where each key path begins. Paths name array-of-tables elements by their 0-based
/// position (`[[rule]]` number n is `rule`, `#n-1`), for both `[[rule]]` headers and inline
/// arrays of inline tables.
///
/// Guarantees: `line(of:)` gives the 1-based line of the exact path when it was seen, else of
/// its nearest recorded ancestor, else nil; a document the scanner cannot follow gives fewer
/// lines, never a wrong value used for anything but a message.
struct TOMLSourceLines: Sendable {
    enum Component: Hashable, Sendable, CustomStringConvertible {
        case key(String)
        case index(Int)

        var description: String {
            switch self {
            case .key(let key): key
            case .index(let index): "#\(index)"
            }
        }
    }

    private var lines: [[Component]: Int] = [:]

    init(_ text: String) {
        var scanner = Scanner(Array(text.unicodeScalars))
        scanner.run()
        lines = scanner.lines
    }

    /// The line of `path`, or of its nearest ancestor that was seen.
    func line(of path: [Component]) -> Int? {
        var path = path
        while true {
            if let line = lines[path] { return line }
            if path.isEmpty { return nil }
            path.removeLast()
        }
    }

    private struct Scanner {
        let text: [Unicode.Scalar]
        var position = 0
        var line = 1
        var lines: [[Component]: Int] = [:]
        /// Elements so far of each array of tables, by path (its elements' paths end in `#n`).
        var arrayCounts: [[Component]: Int] = [:]

        init(_ text: [Unicode.Scalar]) {
            self.text = text
        }

        var current: Unicode.Scalar? { position < text.count ? text[position] : nil }

        func peek(_ offset: Int) -> Unicode.Scalar? {
            position + offset < text.count ? text[position + offset] : nil
        }

        mutating func advance() {
            if current == "\n" { line += 1 }
            position += 1
        }

        mutating func skipSpaces() {
            while let c = current, c == " " || c == "\t" { advance() }
        }

        /// Spaces, newlines and comments.
        mutating func skipBlank() {
            while let c = current {
                if c == " " || c == "\t" || c == "\r" || c == "\n" {
                    advance()
                } else if c == "#" {
                    skipToEndOfLine()
                } else {
                    return
                }
            }
        }

        mutating func skipToEndOfLine() {
            while let c = current, c != "\n" { advance() }
        }

        mutating func record(_ path: [Component], at line: Int) {
            if lines[path] == nil { lines[path] = line }
        }

        mutating func run() {
            var table: [Component] = []
            while true {
                skipBlank()
                guard let c = current else { return }
                if c == "[" {
                    let headerLine = line
                    let isArray = peek(1) == "["
                    advance()
                    if isArray { advance() }
                    skipSpaces()
                    let keys = readKey()
                    table = resolve(keys, isArrayElement: isArray)
                    record(table, at: headerLine)
                    skipToEndOfLine()
                } else {
                    keyValue(in: table)
                }
            }
        }

        /// A header's dotted key as a path: each array of tables along it names its last element;
        /// a `[[…]]` header starts a new element.
        mutating func resolve(_ keys: [String], isArrayElement: Bool) -> [Component] {
            var path: [Component] = []
            for (index, key) in keys.enumerated() {
                path.append(.key(key))
                let last = index == keys.count - 1
                if last && isArrayElement {
                    let count = arrayCounts[path, default: 0]
                    arrayCounts[path] = count + 1
                    path.append(.index(count))
                } else if let count = arrayCounts[path], count > 0 {
                    path.append(.index(count - 1))
                }
            }
            return path
        }

        /// `key = value` within `table`; the key's line is recorded for its full path.
        mutating func keyValue(in table: [Component]) {
            let keyLine = line
            let keys = readKey()
            guard !keys.isEmpty else {
                // Not a key: step over one character so the scan always progresses.
                advance()
                return
            }
            let path = table + keys.map { .key($0) }
            record(path, at: keyLine)
            skipSpaces()
            guard current == "=" else { return skipToEndOfLine() }
            advance()
            skipSpaces()
            value(at: path)
        }

        /// A dotted key: bare, "basic" or 'literal' parts separated by dots.
        mutating func readKey() -> [String] {
            var parts: [String] = []
            while true {
                skipSpaces()
                guard let c = current else { return parts }
                if c == "\"" {
                    advance()
                    parts.append(readBasicString())
                } else if c == "'" {
                    advance()
                    var value = ""
                    while let c = current, c != "'", c != "\n" {
                        value.unicodeScalars.append(c)
                        advance()
                    }
                    if current == "'" { advance() }
                    parts.append(value)
                } else if Self.isBare(c) {
                    var value = ""
                    while let c = current, Self.isBare(c) {
                        value.unicodeScalars.append(c)
                        advance()
                    }
                    parts.append(value)
                } else {
                    return parts
                }
                skipSpaces()
                guard current == "." else { return parts }
                advance()
            }
        }

        static func isBare(_ c: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "-"
        }

        /// The rest of a one-line basic string after its opening quote (escapes decoded as far
        /// as a key needs: `\"`, `\\` and the rest kept as the escaped character).
        mutating func readBasicString() -> String {
            var value = ""
            while let c = current, c != "\"", c != "\n" {
                if c == "\\" {
                    advance()
                    if let escaped = current {
                        switch escaped {
                        case "n": value.unicodeScalars.append("\n")
                        case "t": value.unicodeScalars.append("\t")
                        case "u", "U":
                            let width = escaped == "u" ? 4 : 8
                            var hex = ""
                            for offset in 1...width {
                                if let digit = peek(offset) { hex.unicodeScalars.append(digit) }
                            }
                            if let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) {
                                value.unicodeScalars.append(scalar)
                                for _ in 0..<width { advance() }
                            }
                        default: value.unicodeScalars.append(escaped)
                        }
                        advance()
                    }
                } else {
                    value.unicodeScalars.append(c)
                    advance()
                }
            }
            if current == "\"" { advance() }
            return value
        }

        /// Steps over one value; inline tables and arrays record the paths inside them.
        mutating func value(at path: [Component]) {
            guard let c = current else { return }
            switch c {
            case "\"", "'":
                skipString(quote: c)
            case "[":
                advance()
                var index = 0
                while true {
                    skipBlank()
                    guard let c = current else { return }
                    if c == "]" {
                        advance()
                        return
                    }
                    if c == "," {
                        advance()
                        index += 1
                        continue
                    }
                    let elementLine = line
                    if c == "{" {
                        let count = arrayCounts[path, default: 0]
                        arrayCounts[path] = max(count, index + 1)
                        record(path + [.index(index)], at: elementLine)
                    }
                    value(at: path + [.index(index)])
                }
            case "{":
                advance()
                while true {
                    skipSpaces()
                    guard let c = current else { return }
                    if c == "}" {
                        advance()
                        return
                    }
                    if c == "," {
                        advance()
                        continue
                    }
                    if c == "\n" {
                        // Not valid TOML 1.0 (TOMLKit refused it already); do not run past the line.
                        return
                    }
                    let keyLine = line
                    let keys = readKey()
                    guard !keys.isEmpty else {
                        advance()
                        continue
                    }
                    let inner = path + keys.map { .key($0) }
                    record(inner, at: keyLine)
                    skipSpaces()
                    if current == "=" {
                        advance()
                        skipSpaces()
                        value(at: inner)
                    }
                }
            default:
                // A number, boolean, date or time: up to a delimiter.
                while let c = current, !(c == "," || c == "]" || c == "}" || c == "\n" || c == "#") {
                    advance()
                }
            }
        }

        /// Steps over a basic, literal or multi-line string starting at its first quote.
        mutating func skipString(quote: Unicode.Scalar) {
            if peek(1) == quote && peek(2) == quote {
                advance()
                advance()
                advance()
                while let c = current {
                    if c == "\\" && quote == "\"" {
                        advance()
                        advance()
                        continue
                    }
                    if c == quote && peek(1) == quote && peek(2) == quote {
                        advance()
                        advance()
                        advance()
                        // Up to two more quotes may belong to the content.
                        while current == quote { advance() }
                        return
                    }
                    advance()
                }
                return
            }
            advance()
            while let c = current, c != quote, c != "\n" {
                if c == "\\" && quote == "\"" { advance() }
                advance()
            }
            if current == quote { advance() }
        }
    }
}
