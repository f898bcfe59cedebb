import Foundation
import PythonPackaging

/// The served folder as an `IndexSource`: pages declare `api-version` 1.1 as Pulp does (even
/// though `provenance` is a 1.3 field), metadata is read from the wheel, provenance from the side
/// files next to it (`ProvenanceDocument`).
struct FolderSource: IndexSource {
    let catalog: IndexCatalog
    /// The publisher of wrapped attestation files without a `<file>.publisher.json`.
    let defaultPublisherJSON: [UInt8]

    var apiVersion: String { "1.1" }

    func projectNames() throws(ServerError) -> [String] {
        // One servable file per project is enough to list it, without examining the others.
        Array(Set(try catalog.firstEntryPerProject().map(\.project.normalized))).sorted()
    }

    func entries(ofProject normalized: String) throws(ServerError) -> [CatalogEntry] {
        try catalog.entries(ofProject: normalized)
    }

    func entry(named filename: String) throws(ServerError) -> CatalogEntry? {
        try catalog.entry(named: filename)
    }

    func coreMetadataSHA256(of entry: CatalogEntry) -> SHA256Hex? {
        catalog.coreMetadataSHA256(of: entry)
    }

    func coreMetadata(of entry: CatalogEntry) -> [UInt8]? {
        guard entry.isWheel else { return nil }
        return try? CoreMetadataReader.metadataBytes(ofWheelAt: entry.path)
    }

    func provenance(of entry: CatalogEntry) throws(ServerError) -> [UInt8]? {
        try ProvenanceDocument.bytes(for: entry.provenance, defaultPublisherJSON: defaultPublisherJSON)
    }
}
