/// One wheel compatibility tag triple (`python-abi-platform`, e.g. `cp312-cp312-manylinux_2_17_x86_64`).
///
/// Guarantees: the three parts are lowercased, non-empty and contain only ASCII letters,
/// digits and `_` when created through `init(parsing:)` or from a parsed `WheelFilename`.
public struct WheelTag: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let python: String
    public let abi: String
    public let platform: String

    public init(python: String, abi: String, platform: String) {
        self.python = python.lowercased()
        self.abi = abi.lowercased()
        self.platform = platform.lowercased()
    }

    /// Parses one `python-abi-platform` triple (no compressed `.` sets).
    public init(parsing text: String) throws(PackagingError) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, parts.allSatisfy(WheelTag.isValidComponent) else {
            throw PackagingError(.invalidMetadata, "invalid wheel tag '\(ProjectName.excerpt(text))'")
        }
        self.init(python: parts[0], abi: parts[1], platform: parts[2])
    }

    /// Expands a possibly compressed tag triple (`py2.py3-none-any`) into its tags.
    public static func expand(_ text: String) throws(PackagingError) -> Set<WheelTag> {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw PackagingError(.invalidMetadata, "invalid wheel tag '\(ProjectName.excerpt(text))'")
        }
        let sets = parts.map { tagSet(String($0)) }
        guard let py = sets[0], let abi = sets[1], let plat = sets[2],
            py.count * abi.count * plat.count <= maxExpandedTags
        else {
            throw PackagingError(.invalidMetadata, "invalid wheel tag '\(ProjectName.excerpt(text))'")
        }
        return product(py, abi, plat)
    }

    public var description: String { "\(python)-\(abi)-\(platform)" }

    public static func < (l: WheelTag, r: WheelTag) -> Bool {
        (l.python, l.abi, l.platform) < (r.python, r.abi, r.platform)
    }

    /// Upper bound on the number of triples a compressed tag set may expand to.
    public static let maxExpandedTags = 4096

    static func isValidComponent(_ s: String) -> Bool {
        !s.isEmpty
            && s.utf8.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
            }
    }

    /// Splits a compressed tag set on `.`; nil when any member is empty or has bad characters.
    static func tagSet(_ s: String) -> Set<String>? {
        let members = s.split(separator: ".", omittingEmptySubsequences: false).map { String($0).lowercased() }
        guard members.allSatisfy(isValidComponent) else { return nil }
        return Set(members)
    }

    static func product(_ py: Set<String>, _ abi: Set<String>, _ plat: Set<String>) -> Set<WheelTag> {
        var out = Set<WheelTag>()
        for p in py { for a in abi { for f in plat { out.insert(WheelTag(python: p, abi: a, platform: f)) } } }
        return out
    }
}
