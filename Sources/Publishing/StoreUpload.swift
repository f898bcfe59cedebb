import Foundation

/// A distribution file waiting in the store's staging folder, to be published.
///
/// The caller streams the upload into a file under `PublishingStore.stagingDirectory`, checks the
/// attestations (the provenance must ALREADY be verified: the store stores it as given) and hands
/// this to `PublishingStore.publish(_:)`, which re-hashes what it stores.
public struct StoreUpload: Sendable {
    /// The staged bytes (a file in the store's staging folder, or anywhere readable).
    public var stagedFile: URL
    /// The distribution filename (wheel or sdist).
    public var filename: String
    /// The SHA-256 the uploader declared (hex); the stored bytes must hash to it.
    public var sha256: String
    /// The size the uploader declared; the stored bytes must have it.
    public var size: Int64
    /// The wheel's METADATA bytes for PEP 658 (nil for sdists or when unavailable).
    public var coreMetadata: [UInt8]?
    /// A PEP 740 provenance object, already verified for this very file by the caller.
    public var provenance: [UInt8]?
    /// Who uploads (a token name), recorded with the file.
    public var uploader: String

    public init(
        stagedFile: URL, filename: String, sha256: String, size: Int64, coreMetadata: [UInt8]?, provenance: [UInt8]?,
        uploader: String
    ) {
        self.stagedFile = stagedFile
        self.filename = filename
        self.sha256 = sha256
        self.size = size
        self.coreMetadata = coreMetadata
        self.provenance = provenance
        self.uploader = uploader
    }
}

/// What became of one `publish`.
public enum PublishOutcome: Sendable, Equatable {
    /// The file (and its provenance, when given) is now visible.
    case published(StoredFile)
    /// A file of that name is already published (maybe by a concurrent upload that won); nothing
    /// changed. Its record is given so the caller can tell identical bytes from different ones.
    case alreadyExists(StoredFile)
    /// A file whose name is another spelling of this one (the same project, version, build tag
    /// and tags, or sdist format) is published; nothing changed. Its record is given.
    case equivalentExists(StoredFile)
    /// That filename (given: this one or another spelling of it) was published once and deleted:
    /// filenames are never reused, so nothing changed.
    case filenameRetired(String)
}

/// What became of one `attachProvenance`.
public enum AttachOutcome: Sendable, Equatable {
    /// The provenance is now attached to the file.
    case attached(StoredFile)
    /// The file already has a provenance; it is immutable, so nothing changed.
    case alreadyHasProvenance(StoredFile)
    /// No file of that name is published.
    case noSuchFile
}
