/// A Python distribution version.
///
/// Guarantees: construction never fails. When the string is valid PEP 440, equality, hashing
/// and ordering follow PEP 440 (`1.0 == 1.0.0`, `1.0RC1 == 1.0rc1`, `v1.0 == 1.0`,
/// `1.0-1 == 1.0.post1`, `1.0.dev0 < 1.0a1 < 1.0 < 1.0.post1`) and `normalized` is the PEP 440
/// normal form. Otherwise the version compares by its lowercased, whitespace-trimmed string,
/// and invalid versions sort before every valid one.
public struct PythonVersion: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The version exactly as it was given.
    public let string: String
    let parsed: PEP440Version?

    public init(_ string: String) {
        self.string = string
        self.parsed = PEP440Version(parsing: string)
    }

    /// Whether the string is a valid PEP 440 version.
    public var isValid: Bool { parsed != nil }

    /// The PEP 440 normal form when valid, else the lowercased, trimmed string.
    public var normalized: String {
        parsed?.normalForm ?? string.trimmedOfASCIIWhitespace().lowercased()
    }

    /// Whether this is a pre-release or development release (PEP 440).
    public var isPrerelease: Bool { parsed.map { $0.pre != nil || $0.dev != nil } ?? false }

    /// Whether this version carries a local version label (`+…`).
    public var hasLocalLabel: Bool { parsed?.local != nil }

    public var description: String { string }

    public static func == (lhs: PythonVersion, rhs: PythonVersion) -> Bool {
        switch (lhs.parsed, rhs.parsed) {
        case let (l?, r?): return l == r
        case (nil, nil): return lhs.normalized == rhs.normalized
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        if let parsed {
            hasher.combine(true)
            hasher.combine(parsed)
        } else {
            hasher.combine(false)
            hasher.combine(normalized)
        }
    }

    public static func < (lhs: PythonVersion, rhs: PythonVersion) -> Bool {
        switch (lhs.parsed, rhs.parsed) {
        case let (l?, r?): return PEP440Version.compare(l, r) < 0
        case (nil, nil): return lhs.normalized < rhs.normalized
        case (nil, _): return true
        case (_, nil): return false
        }
    }
}
