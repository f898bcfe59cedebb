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
}

/// One distribution file (wheel or sdist) in the served folder, as seen by the latest scan.
struct CatalogEntry: Sendable {
    let filename: String
    let path: String
    let distribution: DistributionFilename
    let size: Int64
    /// The file's real SHA-256 (lowercase hex).
    let sha256Hex: String
    /// The hash the index advertises: `sha256Hex`, unless `<file>.sha256` overrides it (test hook).
    let advertisedSHA256Hex: String
    let provenance: ProvenanceSource
    let modified: Date

    var project: ProjectName { distribution.name }
    /// The version exactly as the filename spells it (the Integrity API path uses it verbatim).
    var version: String { distribution.version.string }
    var isWheel: Bool {
        if case .wheel = distribution { return true }
        return false
    }
}
