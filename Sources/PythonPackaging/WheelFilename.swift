/// A parsed wheel filename: `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`
/// (PEP 427 and the binary distribution format specification).
///
/// Guarantees: the name matches the PEP 508 name rule, the version is valid PEP 440, the build
/// tag (if any) starts with a digit, and every compressed tag set (`py2.py3`) has non-empty
/// members of ASCII letters, digits and `_`, expanding to at most `WheelTag.maxExpandedTags`
/// triples. Equality and hashing are *parsed*: normalized name,
/// PEP 440 version, build tag and the three tag sets (order-insensitive, lowercased), so
/// `…-manylinux_2_17_x86_64.manylinux2014_x86_64.whl` equals the tag-reordered spelling.
public struct WheelFilename: Hashable, Sendable, CustomStringConvertible {
    /// The filename exactly as given.
    public let filename: String
    public let name: ProjectName
    public let version: PythonVersion
    public let buildTag: BuildTag?
    /// The python tag set (`py2.py3` → `["py2", "py3"]`), lowercased.
    public let pythonTags: Set<String>
    /// The ABI tag set, lowercased.
    public let abiTags: Set<String>
    /// The platform tag set, lowercased.
    public let platformTags: Set<String>

    /// Longest filename accepted (bounds the work done on hostile input).
    public static let maxLength = 1024

    public init(parsing filename: String) throws(PackagingError) {
        func fail(_ why: String) -> PackagingError {
            PackagingError(.invalidFilename, "invalid wheel filename '\(ProjectName.excerpt(filename))': \(why)")
        }
        guard filename.utf8.count <= WheelFilename.maxLength else { throw fail("longer than \(WheelFilename.maxLength) bytes") }
        guard filename.hasSuffix(".whl") else { throw fail("does not end in .whl") }
        let stem = filename.dropLast(4)
        let parts = stem.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5 || parts.count == 6 else {
            throw fail("expected 5 or 6 dash-separated parts, found \(parts.count)")
        }
        guard ProjectName.isValidName(parts[0]) else { throw fail("invalid project name '\(ProjectName.excerpt(parts[0]))'") }
        let version = PythonVersion(parts[1])
        guard version.isValid else { throw fail("version '\(ProjectName.excerpt(parts[1]))' is not PEP 440") }
        var build: BuildTag?
        if parts.count == 6 {
            do { build = try BuildTag(parsing: parts[2]) } catch {
                throw fail("build tag '\(ProjectName.excerpt(parts[2]))' must start with a digit")
            }
        }
        let tagParts = parts.suffix(3)
        guard let py = WheelTag.tagSet(tagParts[tagParts.startIndex]),
            let abi = WheelTag.tagSet(tagParts[tagParts.startIndex + 1]),
            let plat = WheelTag.tagSet(tagParts[tagParts.startIndex + 2])
        else {
            throw fail("malformed compatibility tags")
        }
        guard py.count * abi.count * plat.count <= WheelTag.maxExpandedTags else {
            throw fail("compressed tag sets expand to more than \(WheelTag.maxExpandedTags) tags")
        }
        self.filename = filename
        self.name = ProjectName(parts[0])
        self.version = version
        self.buildTag = build
        self.pythonTags = py
        self.abiTags = abi
        self.platformTags = plat
    }

    /// Every expanded `python-abi-platform` triple the filename declares.
    public var tags: Set<WheelTag> { WheelTag.product(pythonTags, abiTags, platformTags) }

    public var description: String { filename }

    public static func == (l: WheelFilename, r: WheelFilename) -> Bool {
        l.name == r.name && l.version == r.version && l.buildTag == r.buildTag
            && l.pythonTags == r.pythonTags && l.abiTags == r.abiTags && l.platformTags == r.platformTags
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(version)
        hasher.combine(buildTag)
        hasher.combine(pythonTags)
        hasher.combine(abiTags)
        hasher.combine(platformTags)
    }
}
