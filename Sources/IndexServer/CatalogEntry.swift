import Foundation
import PythonPackaging

/// Where the provenance of one distribution file comes from.
enum ProvenanceSource: Sendable, Equatable {
    /// No provenance: the Simple API says `provenance: null` and the Integrity API answers 404.
    case none
    /// `<file>.provenance`, served byte for byte.
    case file(path: String)
    /// `<file>.*.attestation` files (sorted by name), wrapped in one bundle whose publisher is read
    /// from `publisherPath` (`<file>.publisher.json`) when present, else the configured default.
    case attestations(paths: [String], publisherPath: String?)
    /// Held by the publishing store (verified at the door), read from it by filename.
    case stored
}

/// One distribution file (wheel or sdist) the index serves: from the served folder (as seen by the
/// latest scan) or from the publishing store (as its database describes it).
struct CatalogEntry: Sendable {
    let filename: String
    let path: String
    let distribution: DistributionFilename
    let size: Int64
    /// The file's real SHA-256.
    let sha256Hex: SHA256Hex
    /// The hash the index advertises: `sha256Hex`, unless `<file>.sha256` overrides it (test hook).
    let advertisedSHA256Hex: SHA256Hex
    let provenance: ProvenanceSource
    /// The upload time (PEP 700 `upload-time`): the modification time of a folder's file.
    let modified: Date
    /// PEP 592: yanked files stay installable by exact pin; a folder's files are never yanked.
    var yanked: Bool = false
    var yankedReason: String? = nil
    /// `Requires-Python` of the file's core metadata, when the source knows it (PEP 503 `data-requires-python`).
    var requiresPython: String? = nil
    /// The core-metadata digest when the source recorded it (the store does; a folder computes it).
    var recordedCoreMetadataSHA256: SHA256Hex? = nil

    var project: ProjectName { distribution.name }
    /// The version exactly as the filename spells it (the Integrity API path uses it verbatim).
    var version: String { distribution.version.string }
    var isWheel: Bool {
        if case .wheel = distribution { return true }
        return false
    }
}
