/// Where the tables of a TOML document are written in its text: each header's line and byte
/// range, and for each table section whether it holds a given key directly.
///
/// TOMLKit 0.6.0 reports positions only for syntax errors, so a document TOMLKit already accepted
/// is scanned once more, lexically (strings, comments, brackets, headers and the keys before `=`;
/// no value is interpreted: TOMLKit's values are the ones used). The scan is what the lock's
/// error messages take their line numbers from and what ``IdentityRewrite`` edits at.
///
/// Guarantees: offsets are UTF-8 byte offsets into the scanned text; a section runs from its
/// header to the next header (or the end); `contentEnd` is the offset just after the line
/// holding the section's last key/value (never inside a string, array or comment), so text
/// inserted there becomes part of that section and of no value.
struct TOMLTableLayout: Sendable {
    /// One table header and the section it opens.
    struct Section: Sendable, Equatable {
        /// The header's dotted key, unquoted (`["packages"]` for `[[packages]]`).
        var path: [String]
        /// `[[...]]` rather than `[...]`.
        var isArrayElement: Bool
        /// 1-based line of the header.
        var line: Int
        /// Byte offset of the header's first `[`.
        var headerStart: Int
        /// Byte offset just after the line of the section's last key/value (or of the header).
        var contentEnd: Int
        /// The keys set directly in this section (first component of each dotted key).
        var keys: [String]
    }

    /// Sections in document order; the key/values before the first header are not a section.
    private(set) var sections: [Section] = []
    /// The keys set before the first header.
    private(set) var rootKeys: [String] = []

    init(_ text: String) {
        var scanner = Scanner(Array(text.utf8))
        scanner.run()
        sections = scanner.sections
        rootKeys = scanner.rootKeys
    }

    /// The sections opened by `[[name]]` at the top level (the elements of that array of tables).
    func arrayElements(_ name: String) -> [Section] {
        sections.filter { $0.isArrayElement && $0.path == [name] }
    }

    /// The sections of the sub-tables of the element that starts at `element` (headers whose path
    /// begins with `name.` before the next `[[name]]`).
    func subsections(of element: Section, in name: String) -> [Section] {
        guard let start = sections.firstIndex(of: element) else { return [] }
        var result: [Section] = []
        for section in sections[(start + 1)...] {
            if section.path.first != name || section.path.count == 1 { break }
            result.append(section)
        }
        return result
    }

    private struct Scanner {
        let bytes: [UInt8]
        var position = 0
        var line = 1
        var sections: [Section] = []
        var rootKeys: [String] = []

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var current: UInt8? { position < bytes.count ? bytes[position] : nil }
        func peek(_ offset: Int) -> UInt8? { position + offset < bytes.count ? bytes[position + offset] : nil }

        mutating func advance() {
            if current == UInt8(ascii: "\n") { line += 1 }
            position += 1
        }

        mutating func skipSpaces() {
            while let c = current, c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") { advance() }
        }

        mutating func skipToEndOfLine() {
            while let c = current, c != UInt8(ascii: "\n") { advance() }
        }

        /// Past the end of the current line (its newline included).
        mutating func finishLine() {
            skipToEndOfLine()
            if current != nil { advance() }
        }

        mutating func run() {
            while current != nil {
                skipSpaces()
                guard let c = current else { break }
                switch c {
                case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                    advance()
                case UInt8(ascii: "#"):
                    finishLine()
                case UInt8(ascii: "["):
                    header()
                default:
                    keyValue()
                }
            }
        }

        mutating func header() {
            let start = position
            let headerLine = line
            advance()
            let isArray = current == UInt8(ascii: "[")
            if isArray { advance() }
            let path = keyPath(until: UInt8(ascii: "]"))
            if current == UInt8(ascii: "]") { advance() }
            if isArray, current == UInt8(ascii: "]") { advance() }
            finishLine()
            sections.append(
                Section(
                    path: path, isArrayElement: isArray, line: headerLine, headerStart: start, contentEnd: position,
                    keys: []))
        }

        /// A dotted key (bare or quoted parts) up to `terminator` or `=`; the scanner stops on it.
        mutating func keyPath(until terminator: UInt8) -> [String] {
            var parts: [String] = []
            var bare: [UInt8] = []
            func flush() {
                if !bare.isEmpty { parts.append(String(decoding: bare, as: UTF8.self)) }
                bare = []
            }
            while let c = current, c != terminator, c != UInt8(ascii: "\n") {
                if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                    flush()
                    parts.append(quotedKey())
                } else if c == UInt8(ascii: ".") {
                    flush()
                    advance()
                } else if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") {
                    flush()
                    advance()
                } else {
                    bare.append(c)
                    advance()
                }
            }
            flush()
            return parts
        }

        /// A quoted key; basic strings' escapes are decoded for the common cases only (a key
        /// needing more is compared as written, which can only miss a match, never make one).
        mutating func quotedKey() -> String {
            let quote = current
            advance()
            var value: [UInt8] = []
            while let c = current, c != quote, c != UInt8(ascii: "\n") {
                if quote == UInt8(ascii: "\""), c == UInt8(ascii: "\\"), let next = peek(1) {
                    value.append(next)
                    advance()
                    advance()
                    continue
                }
                value.append(c)
                advance()
            }
            if current == quote { advance() }
            return String(decoding: value, as: UTF8.self)
        }

        mutating func keyValue() {
            let key = keyPath(until: UInt8(ascii: "="))
            if current == UInt8(ascii: "=") { advance() }
            value()
            finishLineAfterValue()
            if let first = key.first {
                if sections.isEmpty {
                    rootKeys.append(first)
                } else {
                    sections[sections.count - 1].keys.append(first)
                }
            }
            if !sections.isEmpty { sections[sections.count - 1].contentEnd = position }
        }

        /// After a value: spaces and a comment to the end of the line.
        mutating func finishLineAfterValue() {
            finishLine()
        }

        /// One value, whatever it spans: strings, arrays and inline tables nested to any depth.
        mutating func value() {
            var depth = 0
            skipSpaces()
            while let c = current {
                switch c {
                case UInt8(ascii: "\""), UInt8(ascii: "'"):
                    string()
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    depth += 1
                    advance()
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    depth -= 1
                    advance()
                case UInt8(ascii: "#"):
                    // A comment inside an array runs to the end of its line; after a value it ends it.
                    if depth == 0 { return }
                    skipToEndOfLine()
                case UInt8(ascii: "\n"):
                    if depth <= 0 { return }
                    advance()
                default:
                    advance()
                }
                if depth <= 0, let next = current, next == UInt8(ascii: "\n") || next == UInt8(ascii: "#") { return }
            }
        }

        /// A basic, literal or multi-line string, quotes included.
        mutating func string() {
            guard let quote = current else { return }
            let multi = peek(1) == quote && peek(2) == quote
            if multi {
                advance()
                advance()
                advance()
                while let c = current {
                    if quote == UInt8(ascii: "\""), c == UInt8(ascii: "\\") {
                        advance()
                        advance()
                        continue
                    }
                    if c == quote, peek(1) == quote, peek(2) == quote {
                        advance()
                        advance()
                        advance()
                        // Up to two more quotes may close a multi-line string (`""""` ends with one in it).
                        while current == quote { advance() }
                        return
                    }
                    advance()
                }
                return
            }
            advance()
            while let c = current, c != UInt8(ascii: "\n") {
                if quote == UInt8(ascii: "\""), c == UInt8(ascii: "\\") {
                    advance()
                    advance()
                    continue
                }
                advance()
                if c == quote { return }
            }
        }
    }
}
