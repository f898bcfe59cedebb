import Foundation

/// A parsed `.netrc` file (the format of ftp(1)/curl/Python's `netrc`).
///
/// Guarantees: parsing never throws and never crashes; unknown tokens are skipped; `macdef`
/// bodies (up to the next empty line) are skipped; `#` starts a comment that runs to the end of
/// the line; tokens may be double-quoted (with `\` escapes). Input beyond `maxSize` bytes is
/// ignored. Lookup: the first `machine` whose name equals the host (case-insensitive), else
/// `default`, as curl and Python do.
public struct Netrc: Sendable {
    public struct Entry: Sendable, Equatable {
        /// nil for the `default` entry.
        public var machine: String?
        public var login: String?
        public var password: String?
    }

    public static let maxSize = 1 << 20

    public private(set) var entries: [Entry] = []

    public init(parsing text: String) {
        let tokens = Netrc.tokenize(text)
        var current: Entry?
        var index = 0
        func finish() {
            if let entry = current { entries.append(entry) }
            current = nil
        }
        /// The next real token (empty-line markers only matter inside `macdef`).
        func nextValue() -> String? {
            while index < tokens.count, tokens[index].endsMacro { index += 1 }
            guard index < tokens.count else { return nil }
            defer { index += 1 }
            return tokens[index].text
        }
        while index < tokens.count {
            let token = tokens[index]
            index += 1
            if token.endsMacro || token.quoted { continue }
            switch token.text {
            case "machine":
                finish()
                guard let name = nextValue() else { break }
                current = Entry(machine: name, login: nil, password: nil)
            case "default":
                finish()
                current = Entry(machine: nil, login: nil, password: nil)
            case "login", "password", "account":
                guard let value = nextValue() else { break }
                if token.text == "login" { current?.login = value }
                if token.text == "password" { current?.password = value }
            case "macdef":
                // A name, then a body that runs to the next empty line.
                _ = nextValue()
                while index < tokens.count, !tokens[index].endsMacro { index += 1 }
            default:
                continue
            }
        }
        finish()
    }

    /// Reads `$NETRC` or, when `NETRC` is not set, `<home>/.netrc` (as pip does: a `NETRC` that is
    /// set, even empty, is the only place looked at); at most `maxSize` bytes are read. Nil when
    /// the file is absent or unreadable.
    public static func load(environment: [String: String], homeDirectory: String) -> Netrc? {
        let path = environment["NETRC"] ?? (homeDirectory + "/.netrc")
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: maxSize) else { return nil }
        return Netrc(parsing: String(decoding: data, as: UTF8.self))
    }

    /// The login and password for `host` (machine entry, else default); nil when there is none
    /// or it lacks a login.
    public func credentials(forHost host: String) -> (login: String, password: String)? {
        let wanted = host.lowercased()
        let entry =
            entries.first(where: { $0.machine?.lowercased() == wanted })
            ?? entries.first(where: { $0.machine == nil })
        guard let entry, let login = entry.login else { return nil }
        return (login, entry.password ?? "")
    }

    private struct Token {
        var text: String
        var quoted: Bool
        /// Set on a synthetic marker token produced at an empty line (ends a macdef body).
        var endsMacro: Bool = false
    }

    private static func tokenize(_ text: String) -> [Token] {
        var tokens: [Token] = []
        let bytes = Array(text.utf8.prefix(maxSize))
        var i = 0
        var lineHasContent = false
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\n") {
                if !lineHasContent { tokens.append(Token(text: "", quoted: true, endsMacro: true)) }
                lineHasContent = false
                i += 1
                continue
            }
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") {
                i += 1
                continue
            }
            lineHasContent = true
            if byte == UInt8(ascii: "#") {
                while i < bytes.count, bytes[i] != UInt8(ascii: "\n") { i += 1 }
                continue
            }
            var value: [UInt8] = []
            if byte == UInt8(ascii: "\"") {
                i += 1
                while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
                    if bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count { i += 1 }
                    value.append(bytes[i])
                    i += 1
                }
                i += 1
                tokens.append(Token(text: String(decoding: value, as: UTF8.self), quoted: true))
            } else {
                while i < bytes.count {
                    let b = bytes[i]
                    if b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\r") || b == UInt8(ascii: "\n") { break }
                    if b == UInt8(ascii: "\\"), i + 1 < bytes.count { i += 1 }
                    value.append(bytes[i])
                    i += 1
                }
                tokens.append(Token(text: String(decoding: value, as: UTF8.self), quoted: false))
            }
        }
        return tokens
    }
}
