/// The `WHEEL` file of a wheel's `.dist-info` directory.
///
/// Guarantees: `Wheel-Version` is present (else `invalidMetadata`); every `Tag:` line is a
/// valid tag triple (compressed sets are expanded), in file order without duplicates;
/// `rootIsPurelib` is true only for a case-insensitive `true` (as installers read it).
public struct WheelMetadata: Sendable {
    public let wheelVersion: String
    public let generator: String?
    public let rootIsPurelib: Bool
    public let tags: [WheelTag]
    public let build: String?
    /// All headers, for fields not modelled above.
    public let headers: MessageHeaders

    public init(parsing bytes: some Collection<UInt8>) throws(PackagingError) {
        try self.init(parsing: bytes, origin: "WHEEL")
    }

    /// Parses a `WHEEL` file; `origin` names it in error messages.
    public init(parsing bytes: some Collection<UInt8>, origin: String) throws(PackagingError) {
        let headers = try MessageHeaders(parsing: bytes, origin: origin)
        guard let version = headers.first("Wheel-Version"), !version.isEmpty else {
            throw PackagingError(.invalidMetadata, "\(origin): missing Wheel-Version")
        }
        var tags: [WheelTag] = []
        var seen = Set<WheelTag>()
        for value in headers.all("Tag") {
            let expanded: Set<WheelTag>
            do { expanded = try WheelTag.expand(value) } catch {
                throw PackagingError(.invalidMetadata, "\(origin): invalid Tag '\(ProjectName.excerpt(value))'")
            }
            for tag in expanded.sorted() where seen.insert(tag).inserted { tags.append(tag) }
        }
        self.wheelVersion = version
        self.generator = headers.first("Generator")
        self.rootIsPurelib = headers.first("Root-Is-Purelib")?.lowercased() == "true"
        self.tags = tags
        self.build = headers.first("Build")
        self.headers = headers
    }
}
