import Foundation
import PythonPackaging

/// Where the index's files come from: what the Simple API pages, the file and metadata routes and
/// the Integrity API read, whether the files are a folder's (`IndexCatalog`) or a publishing
/// store's (`StoreCatalog`). One set of pages and routes serves both.
///
/// Guarantees asked of every source: only files it lists are ever served (a request path names a
/// filename, never a path); `projectNames` lists only projects that have a file now; a file's
/// `path` is a regular file whose bytes hash to its `sha256Hex` when it was listed.
protocol IndexSource: Sendable {
    /// The PEP 691 `api-version` (and PEP 629 `pypi:repository-version`) the pages declare.
    var apiVersion: String { get }
    /// Every project with at least one servable file, by normalized name, sorted.
    func projectNames() throws(ServerError) -> [String]
    /// The files of one project (normalized name), sorted by filename.
    func entries(ofProject normalized: String) throws(ServerError) -> [CatalogEntry]
    /// The file with this exact filename, or nil.
    func entry(named filename: String) throws(ServerError) -> CatalogEntry?
    /// The SHA-256 of the file's core metadata (PEP 658), nil when it has none.
    func coreMetadataSHA256(of entry: CatalogEntry) -> SHA256Hex?
    /// The file's core metadata bytes (PEP 658 `<file>.metadata`), nil when it has none.
    func coreMetadata(of entry: CatalogEntry) -> [UInt8]?
    /// The file's provenance document (Integrity API), nil when it has none.
    func provenance(of entry: CatalogEntry) throws(ServerError) -> [UInt8]?
}
