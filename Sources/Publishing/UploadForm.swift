/// The fields of one legacy-API upload form (`multipart/form-data`), with the file already
/// streamed to the store's staging folder.
///
/// Guarantees: nothing beyond what the reader that filled it states (`UploadFormReader` in
/// IndexServer: every text field capped, the file written to `content.path` and hashed as it
/// arrived, never held in memory).
public struct UploadForm: Sendable {
    /// Text fields by name, every value in the order sent (core metadata fields such as
    /// `classifiers` repeat).
    public var fields: [String: [String]]
    /// The `attestations` field's raw bytes, when sent.
    public var attestations: [UInt8]?
    /// The `content` part: the distribution file.
    public var content: StagedContent?

    public init(fields: [String: [String]] = [:], attestations: [UInt8]? = nil, content: StagedContent? = nil) {
        self.fields = fields
        self.attestations = attestations
        self.content = content
    }

    /// The one value of a field; nil when absent.
    public func value(_ name: String) -> String? { fields[name]?.first }
}

/// An uploaded file on disk in the staging folder.
///
/// Guarantees: `digests` are of exactly the bytes at `path` (computed while they were written).
public struct StagedContent: Sendable, Hashable {
    /// The filename the client gave in the part's `Content-Disposition`.
    public var filename: String
    public var path: String
    public var digests: UploadDigests

    public init(filename: String, path: String, digests: UploadDigests) {
        self.filename = filename
        self.path = path
        self.digests = digests
    }
}
