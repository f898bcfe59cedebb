/// A Python project (distribution) name.
///
/// Guarantees: equality, hashing and ordering use only the PEP 503 normalized form
/// (lowercase, every run of `-`, `_` and `.` collapsed to a single `-`), so `Foo.Bar_baz`,
/// `foo-bar-baz` and `FOO__bar.baz` are the same project. The raw spelling is kept for display.
/// `init(_:)` never fails; use `init(validating:)` or `isValid` to enforce the PEP 508 name rule.
public struct ProjectName: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The name exactly as it was given.
    public let raw: String
    /// The PEP 503 normalized name.
    public let normalized: String

    public init(_ raw: String) {
        self.raw = raw
        self.normalized = ProjectName.normalize(raw)
    }

    /// Creates a name and throws `invalidName` unless it matches the PEP 508 name rule
    /// (ASCII letters and digits, with `.`, `_`, `-` allowed only between them).
    public init(validating raw: String) throws(PackagingError) {
        guard ProjectName.isValidName(raw) else {
            throw PackagingError(.invalidName, "invalid project name '\(ProjectName.excerpt(raw))'")
        }
        self.init(raw)
    }

    /// Whether `raw` matches the PEP 508 name rule.
    public var isValid: Bool { ProjectName.isValidName(raw) }

    /// The normalized name with `-` replaced by `_`, as wheel filenames and `.dist-info` directories spell it.
    public var underscored: String {
        String(normalized.map { $0 == "-" ? "_" : $0 })
    }

    public var description: String { raw }

    public static func == (lhs: ProjectName, rhs: ProjectName) -> Bool {
        lhs.normalized == rhs.normalized
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(normalized)
    }

    public static func < (lhs: ProjectName, rhs: ProjectName) -> Bool {
        lhs.normalized < rhs.normalized
    }

    /// PEP 503 normalization: lowercase and collapse runs of `-_.` into one `-`.
    public static func normalize(_ name: String) -> String {
        var out = ""
        out.reserveCapacity(name.utf8.count)
        var inSeparatorRun = false
        for ch in name.lowercased() {
            if ch == "-" || ch == "_" || ch == "." {
                if !inSeparatorRun { out.append("-") }
                inSeparatorRun = true
            } else {
                out.append(ch)
                inSeparatorRun = false
            }
        }
        return out
    }

    /// The PEP 508 rule: `^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$`, case-insensitive.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, let last = bytes.last else { return false }
        func isAlnum(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
        }
        guard isAlnum(first), isAlnum(last) else { return false }
        return bytes.allSatisfy { isAlnum($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }

    /// A short, printable excerpt of untrusted text for error messages.
    static func excerpt(_ text: String, limit: Int = 120) -> String {
        let cleaned = String(
            text.unicodeScalars.map { scalar -> Character in
                scalar.properties.generalCategory == .control ? "?" : Character(scalar)
            })
        return cleaned.count > limit ? String(cleaned.prefix(limit)) + "…" : cleaned
    }
}
