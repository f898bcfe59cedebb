/// Where the keys and tables of a TOML document are written in its text: the line of each key
/// path (for error messages of the policy and lock readers) and each table section's extent
/// (where ``IdentityRewrite``-style edits insert a key).
///
/// TOMLKit 0.6.0 (toml++ underneath) reports source positions only for syntax errors: toml++
/// keeps a `source()` region on every node, but TOMLKit's C layer does not export it. So the
/// document TOMLKit already accepted is scanned once more, lexically only (strings, comments,
/// brackets, keys, headers; no value is interpreted here: TOMLKit's values are the ones used).
/// Paths name array-of-tables elements by their 0-based position (`[[rule]]` number n is `rule`,
/// `#n-1`), for both `[[rule]]` headers and inline arrays of inline tables.
///
/// Guarantees: `line(of:)` gives the 1-based line of the exact path when it was seen, else of its
/// nearest recorded ancestor, else nil; section offsets are UTF-8 byte offsets into the scanned
/// text; a section runs from its header to the next header (or the end); `contentEnd` is the
/// offset just after the line holding the section's last key/value (never inside a string,
/// array or comment), so text inserted there becomes part of that section and of no value. A
/// document the scanner cannot follow gives fewer lines and sections, never a wrong value used
/// for anything but a message or a rewrite that is checked again after it is made.
public struct TOMLLayout: Sendable {
    /// One step of a key path: a key, or the position of an element of an array of tables.
    public enum Component: Hashable, Sendable, CustomStringConvertible {
        case key(String)
        case index(Int)

        public var description: String {
            switch self {
            case .key(let key): key
            case .index(let index): "#\(index)"
            }
        }
    }

    /// One table header and the section it opens.
    public struct Section: Sendable, Equatable {
        /// The header's dotted key, unquoted (`["packages"]` for `[[packages]]`).
        public var path: [String]
        /// `[[...]]` rather than `[...]`.
        public var isArrayElement: Bool
        /// 1-based line of the header.
        public var line: Int
        /// Byte offset just after the line of the section's last key/value (or of the header).
        public var contentEnd: Int
        /// The keys set directly in this section (first component of each dotted key).
        public var keys: [String]
    }

    private var lines: [[Component]: Int] = [:]
    /// Sections in document order; the key/values before the first header are not a section.
    public private(set) var sections: [Section] = []

    public init(_ text: String) {
        var scanner = Scanner(Array(text.utf8))
        scanner.run()
        lines = scanner.lines
        sections = scanner.sections
    }

    /// The line of `path`, or of its nearest ancestor that was seen.
    public func line(of path: [Component]) -> Int? {
        var path = path
        while true {
            if let line = lines[path] { return line }
            if path.isEmpty { return nil }
            path.removeLast()
        }
    }

    /// The sections opened by `[[name]]` at the top level (the elements of that array of tables).
    public func arrayElements(_ name: String) -> [Section] {
        sections.filter { $0.isArrayElement && $0.path == [name] }
    }

    private struct Scanner {
        let bytes: [UInt8]
        var position = 0
        var line = 1
        var lines: [[Component]: Int] = [:]
        var sections: [Section] = []
        /// Elements so far of each array of tables, by path (its elements' paths end in `#n`).
        var arrayCounts: [[Component]: Int] = [:]

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
        }

        var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        func peek(_ offset: Int) -> UInt8? {
            position + offset < bytes.count ? bytes[position + offset] : nil
        }

        mutating func advance() {
            if current == UInt8(ascii: "\n") { line += 1 }
            position += 1
        }

        mutating func skipSpaces() {
            while let c = current, c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") { advance() }
        }

        /// Spaces, newlines and comments.
        mutating func skipBlank() {
            while let c = current {
                if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") || c == UInt8(ascii: "\n") {
                    advance()
                } else if c == UInt8(ascii: "#") {
                    skipToEndOfLine()
                } else {
                    return
                }
            }
        }

        mutating func skipToEndOfLine() {
            while let c = current, c != UInt8(ascii: "\n") { advance() }
        }

        /// Past the end of the current line (its newline included).
        mutating func finishLine() {
            skipToEndOfLine()
            if current != nil { advance() }
        }

        mutating func record(_ path: [Component], at line: Int) {
            if lines[path] == nil { lines[path] = line }
        }

        mutating func run() {
            var table: [Component] = []
            while true {
                skipBlank()
                guard let c = current else { return }
                if c == UInt8(ascii: "[") {
                    table = header()
                } else {
                    keyValue(in: table)
                }
            }
        }

        /// A `[table]` or `[[array element]]` header: its path, line and section.
        mutating func header() -> [Component] {
            let headerLine = line
            let isArray = peek(1) == UInt8(ascii: "[")
            advance()
            if isArray { advance() }
            skipSpaces()
            let keys = readKey()
            let table = resolve(keys, isArrayElement: isArray)
            record(table, at: headerLine)
            finishLine()
            sections.append(Section(path: keys, isArrayElement: isArray, line: headerLine, contentEnd: position, keys: []))
            return table
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

        /// `key = value` within `table`; the key's line is recorded for its full path, the key
        /// noted in the current section, and the section extended past the value's line.
        mutating func keyValue(in table: [Component]) {
            let keyLine = line
            let keys = readKey()
            guard let first = keys.first else {
                // Not a key: step over one character so the scan always progresses.
                advance()
                return
            }
            let path = table + keys.map { .key($0) }
            record(path, at: keyLine)
            skipSpaces()
            guard current == UInt8(ascii: "=") else { return skipToEndOfLine() }
            advance()
            skipSpaces()
            value(at: path)
            // After a value only spaces and a comment remain on its line (TOMLKit accepted it).
            finishLine()
            if !sections.isEmpty {
                sections[sections.count - 1].keys.append(first)
                sections[sections.count - 1].contentEnd = position
            }
        }

        /// A dotted key: bare, "basic" or 'literal' parts separated by dots.
        mutating func readKey() -> [String] {
            var parts: [String] = []
            while true {
                skipSpaces()
                guard let c = current else { return parts }
                if c == UInt8(ascii: "\"") {
                    advance()
                    parts.append(readBasicString())
                } else if c == UInt8(ascii: "'") {
                    advance()
                    var value: [UInt8] = []
                    while let c = current, c != UInt8(ascii: "'"), c != UInt8(ascii: "\n") {
                        value.append(c)
                        advance()
                    }
                    if current == UInt8(ascii: "'") { advance() }
                    parts.append(String(decoding: value, as: UTF8.self))
                } else if Self.isBare(c) {
                    var value: [UInt8] = []
                    while let c = current, Self.isBare(c) {
                        value.append(c)
                        advance()
                    }
                    parts.append(String(decoding: value, as: UTF8.self))
                } else {
                    return parts
                }
                skipSpaces()
                guard current == UInt8(ascii: ".") else { return parts }
                advance()
            }
        }

        static func isBare(_ c: UInt8) -> Bool {
            (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
                || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
        }

        /// The rest of a one-line basic string after its opening quote (escapes decoded as far
        /// as a key needs: `\n`, `\t`, `\uXXXX`, `\UXXXXXXXX`, the rest kept as the escaped character).
        mutating func readBasicString() -> String {
            var value: [UInt8] = []
            while let c = current, c != UInt8(ascii: "\""), c != UInt8(ascii: "\n") {
                guard c == UInt8(ascii: "\\") else {
                    value.append(c)
                    advance()
                    continue
                }
                advance()
                guard let escaped = current else { break }
                switch escaped {
                case UInt8(ascii: "n"): value.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "t"): value.append(UInt8(ascii: "\t"))
                case UInt8(ascii: "u"), UInt8(ascii: "U"):
                    let width = escaped == UInt8(ascii: "u") ? 4 : 8
                    var hex: [UInt8] = []
                    for offset in 1...width {
                        if let digit = peek(offset) { hex.append(digit) }
                    }
                    if let code = UInt32(String(decoding: hex, as: UTF8.self), radix: 16), let scalar = Unicode.Scalar(code) {
                        value.append(contentsOf: Array(String(Character(scalar)).utf8))
                        for _ in 0..<width { advance() }
                    }
                default: value.append(escaped)
                }
                advance()
            }
            if current == UInt8(ascii: "\"") { advance() }
            return String(decoding: value, as: UTF8.self)
        }

        /// Steps over one value; inline tables and arrays record the paths inside them.
        mutating func value(at path: [Component]) {
            guard let c = current else { return }
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                skipString(quote: c)
            case UInt8(ascii: "["):
                advance()
                var index = 0
                while true {
                    skipBlank()
                    guard let c = current else { return }
                    if c == UInt8(ascii: "]") {
                        advance()
                        return
                    }
                    if c == UInt8(ascii: ",") {
                        advance()
                        index += 1
                        continue
                    }
                    let elementLine = line
                    if c == UInt8(ascii: "{") {
                        let count = arrayCounts[path, default: 0]
                        arrayCounts[path] = max(count, index + 1)
                        record(path + [.index(index)], at: elementLine)
                    }
                    value(at: path + [.index(index)])
                }
            case UInt8(ascii: "{"):
                advance()
                while true {
                    skipSpaces()
                    guard let c = current else { return }
                    if c == UInt8(ascii: "}") {
                        advance()
                        return
                    }
                    if c == UInt8(ascii: ",") {
                        advance()
                        continue
                    }
                    if c == UInt8(ascii: "\n") {
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
                    if current == UInt8(ascii: "=") {
                        advance()
                        skipSpaces()
                        value(at: inner)
                    }
                }
            default:
                // A number, boolean, date or time: up to a delimiter.
                while let c = current,
                    !(c == UInt8(ascii: ",") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}") || c == UInt8(ascii: "\n")
                        || c == UInt8(ascii: "#"))
                {
                    advance()
                }
            }
        }

        /// Steps over a basic, literal or multi-line string starting at its first quote.
        mutating func skipString(quote: UInt8) {
            let basic = quote == UInt8(ascii: "\"")
            if peek(1) == quote && peek(2) == quote {
                advance()
                advance()
                advance()
                while let c = current {
                    if c == UInt8(ascii: "\\") && basic {
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
            while let c = current, c != quote, c != UInt8(ascii: "\n") {
                if c == UInt8(ascii: "\\") && basic { advance() }
                advance()
            }
            if current == quote { advance() }
        }
    }
}
