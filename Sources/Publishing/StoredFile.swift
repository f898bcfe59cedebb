import Foundation
import PythonPackaging

/// One published distribution file, as the store's database describes it.
///
/// Guarantees: `sha256` is 64 lowercase hex digits and is the digest of the bytes at `blobPath`
/// when the file was published (the store hashed what it wrote); `filename` parses as a wheel or
/// sdist name of `project` and `version`; `blobPath` lies inside the store's `blobs/` folder.
public struct StoredFile: Sendable, Equatable {
    public let filename: String
    /// The project's normalized name (PEP 503).
    public let project: String
    /// The version exactly as the filename spells it.
    public let version: String
    public let sha256: String
    public let size: Int64
    public let uploadTime: Date
    /// The token name (or admin) that published it.
    public let uploader: String
    public let yanked: Bool
    /// The reason given when it was yanked (PEP 592), nil when none was given.
    public let yankedReason: String?
    /// SHA-256 of the wheel's METADATA (PEP 658), stored as its own blob; nil when absent.
    public let coreMetadataSHA256: String?
    /// `Requires-Python` from the core metadata, when it has one.
    public let requiresPython: String?
    /// Whether a (verified) provenance document is attached.
    public let hasProvenance: Bool
    /// Where the bytes are: `<store>/blobs/<aa>/<sha256>`.
    public let blobPath: String

    /// The parsed filename (cannot fail: only parsable names are stored).
    public var distribution: DistributionFilename? { try? DistributionFilename(parsing: filename) }

    /// Whether this is a wheel (`.whl`).
    public var isWheel: Bool { filename.hasSuffix(".whl") }
}

/// One project of the store.
///
/// Guarantees: `name` is normalized; `serial` grows with every change to the project (publish,
/// provenance attached, yank, delete), so two equal serials mean unchanged pages.
public struct StoredProject: Sendable, Equatable {
    /// The normalized name (PEP 503).
    public let name: String
    /// The name as first published.
    public let displayName: String
    /// The journal id of the project's latest change.
    public let serial: Int64
    /// How many files it has now (0 when every file was deleted).
    public let fileCount: Int
}
