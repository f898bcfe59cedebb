import Foundation

/// An INI file as Python's `configparser.RawConfigParser` reads pip's `pip.conf`.
///
/// Guarantees: section and key names are lowercased, `_` in key names becomes `-` and a leading
/// `--` is dropped (pip's key normalisation); `key = value` and `key: value` both work; full-line
/// comments start with `#` or `;` (also when indented); indented lines continue the previous
/// value (joined with `\n`, so multi-line `extra-index-url` works); empty lines inside a value are
/// kept only when an indented continuation follows. A later key overrides an earlier one. A line
/// that is none of these, or a key before any section, is a `configuration` error naming the
/// file and line.
struct ConfigFile: Sendable {
    /// `section -> key -> value`, in the order keys were set.
    private(set) var sections: [String: [String: String]] = [:]

    static let maxSize = 1 << 20

    init(parsing text: String, origin: String) throws(IndexError) {
        var section: String?
        var key: String?
        var pendingBlankLines = 0
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine[...]
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty {
                if key != nil { pendingBlankLines += 1 }
                continue
            }
            if trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            let indented = line.first == " " || line.first == "\t"
            if indented, let section, let key {
                let previous = sections[section]?[key] ?? ""
                let blanks = String(repeating: "\n", count: pendingBlankLines)
                sections[section, default: [:]][key] = previous + blanks + "\n" + trimmed
                pendingBlankLines = 0
                continue
            }
            pendingBlankLines = 0
            if trimmed.hasPrefix("[") {
                guard let close = trimmed.firstIndex(of: "]") else {
                    throw IndexError(.configuration, "\(origin):\(lineNumber): unterminated section header")
                }
                let name = trimmed[trimmed.index(after: trimmed.startIndex)..<close]
                section = String(name).lowercased()
                key = nil
                if let section, sections[section] == nil { sections[section] = [:] }
                continue
            }
            guard let separator = trimmed.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw IndexError(.configuration, "\(origin):\(lineNumber): expected 'key = value'")
            }
            guard let currentSection = section else {
                throw IndexError(.configuration, "\(origin):\(lineNumber): key outside of any [section]")
            }
            let name = ConfigFile.normalizeKey(String(trimmed[..<separator]))
            let value = trimmed[trimmed.index(after: separator)...].trimmingWhitespace()
            sections[currentSection, default: [:]][name] = String(value)
            key = name
        }
    }

    /// pip's `_normalize_name`: lowercase, `_` → `-`, leading `--` dropped.
    static func normalizeKey(_ raw: String) -> String {
        var name = raw.trimmingWhitespace().lowercased().replacingOccurrences(of: "_", with: "-")
        if name.hasPrefix("--") { name.removeFirst(2) }
        return name
    }

    func value(section: String, key: String) -> String? { sections[section]?[key] }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) ?? first
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
