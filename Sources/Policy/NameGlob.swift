import PythonPackaging

/// A `packages` entry of a rule: a project name pattern with `*` (any run, empty included) and
/// `?` (one character), compared with PEP 503-normalised names.
///
/// Guarantees: a pattern is accepted only when it is non-empty and made of the characters a
/// project name may hold (ASCII letters, digits, `-`, `_`, `.`) and `*`/`?`; its literal parts are
/// normalised as PEP 503 normalises names (lower case, every run of `-`, `_`, `.` one `-`), so
/// `Foo_Bar*` and `foo-bar*` are the same pattern; a match is of the whole normalised name.
public struct NameGlob: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as written.
    public let text: String
    /// The normalised pattern matched against.
    public let pattern: String

    /// nil when `text` is not a valid pattern (see the type's guarantees).
    public init?(_ text: String) {
        guard !text.isEmpty, text.unicodeScalars.allSatisfy({ Self.allowed($0) }) else { return nil }
        self.text = text
        var normalised = ""
        var inSeparator = false
        for scalar in text.lowercased().unicodeScalars {
            if scalar == "-" || scalar == "_" || scalar == "." {
                if !inSeparator { normalised.unicodeScalars.append("-") }
                inSeparator = true
            } else {
                normalised.unicodeScalars.append(scalar)
                inSeparator = false
            }
        }
        self.pattern = normalised
    }

    static func allowed(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
            || "-_.*?".unicodeScalars.contains(scalar)
    }

    public var description: String { text }

    /// Whether the project `name` (normalised here) matches the whole pattern.
    public func matches(_ name: ProjectName) -> Bool {
        Self.match(Array(pattern.unicodeScalars), Array(name.normalized.unicodeScalars))
    }

    /// Glob matching with backtracking to the last `*` (linear in practice, never exponential).
    static func match(_ pattern: [Unicode.Scalar], _ name: [Unicode.Scalar]) -> Bool {
        var p = 0
        var n = 0
        var star: Int?
        var resume = 0
        while n < name.count {
            if p < pattern.count, pattern[p] == "?" || pattern[p] == name[n] {
                p += 1
                n += 1
            } else if p < pattern.count, pattern[p] == "*" {
                star = p
                resume = n
                p += 1
            } else if let star {
                p = star + 1
                resume += 1
                n = resume
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
