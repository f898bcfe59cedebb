/// The header block of a distribution's core metadata (`METADATA` / `PKG-INFO`).
///
/// Guarantees: `Name` and `Version` are present and non-empty (else `invalidMetadata`); only
/// the header block is read (parsing stops at the first blank line, the description body is
/// never decoded). `name` and `version` are the parsed forms of `rawName` and `rawVersion`.
public struct CoreMetadata: Sendable {
    public let name: ProjectName
    public let version: PythonVersion
    public let rawName: String
    public let rawVersion: String
    /// `Metadata-Version`, if present.
    public let metadataVersion: String?
    /// All headers, for fields not modelled above.
    public let headers: MessageHeaders

    public init(parsing bytes: some Collection<UInt8>) throws(PackagingError) {
        try self.init(parsing: bytes, origin: "METADATA")
    }

    /// Parses core metadata; `origin` names the file in error messages.
    public init(parsing bytes: some Collection<UInt8>, origin: String) throws(PackagingError) {
        let headers = try MessageHeaders(parsing: bytes, origin: origin)
        guard let name = headers.first("Name"), !name.isEmpty else {
            throw PackagingError(.invalidMetadata, "\(origin): missing Name")
        }
        guard let version = headers.first("Version"), !version.isEmpty else {
            throw PackagingError(.invalidMetadata, "\(origin): missing Version")
        }
        self.rawName = name
        self.rawVersion = version
        self.name = ProjectName(name)
        self.version = PythonVersion(version)
        self.metadataVersion = headers.first("Metadata-Version")
        self.headers = headers
    }
}
