import Foundation
import PythonPackaging
import Publishing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A publishing store as an `IndexSource`: every page, file, metadata file and provenance comes
/// from the store's database and content-addressed blobs.
///
/// Pages declare `api-version` 1.3 (they carry PEP 740 `provenance`). A file's bytes are its blob;
/// its metadata is the stored core-metadata blob; its provenance is the document stored with it
/// (verified at the door, served byte for byte). Yanks and `Requires-Python` come from the
/// database. A file whose blob is missing is not listed (fsck reports it), so the index never
/// advertises a file it cannot serve.
struct StoreCatalog: IndexSource {
    let store: PublishingStore

    var apiVersion: String { "1.3" }

    func projectNames() throws(ServerError) -> [String] {
        try wrap { () throws(PublishingError) in try store.projects().filter { $0.fileCount > 0 }.map(\.name) }
    }

    func entries(ofProject normalized: String) throws(ServerError) -> [CatalogEntry] {
        try wrap { () throws(PublishingError) in try store.files(ofProject: normalized) }.compactMap(Self.entry)
    }

    func entry(named filename: String) throws(ServerError) -> CatalogEntry? {
        try wrap { () throws(PublishingError) in try store.file(named: filename) }.flatMap(Self.entry)
    }

    func coreMetadataSHA256(of entry: CatalogEntry) -> SHA256Hex? {
        entry.recordedCoreMetadataSHA256
    }

    func coreMetadata(of entry: CatalogEntry) -> [UInt8]? {
        guard let digest = coreMetadataSHA256(of: entry), let path = store.blobPath(sha256: digest.text) else { return nil }
        return FileManager.default.contents(atPath: path).map { [UInt8]($0) }
    }

    func provenance(of entry: CatalogEntry) throws(ServerError) -> [UInt8]? {
        try wrap { () throws(PublishingError) in try store.provenance(ofFile: entry.filename) }
    }

    /// The served form of a stored file; nil when its name does not parse, its recorded sha256 is
    /// not 64 lowercase hex digits (then it has no blob either) or its blob is missing. A recorded
    /// core-metadata digest that is not one is not advertised.
    static func entry(_ file: StoredFile) -> CatalogEntry? {
        guard let distribution = file.distribution, let sha256 = SHA256Hex(file.sha256) else { return nil }
        var info = stat()
        guard lstat(file.blobPath, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return CatalogEntry(
            filename: file.filename, path: file.blobPath, distribution: distribution, size: file.size,
            sha256Hex: sha256, advertisedSHA256Hex: sha256, provenance: file.hasProvenance ? .stored : .none,
            modified: file.uploadTime, yanked: file.yanked, yankedReason: file.yankedReason, requiresPython: file.requiresPython,
            recordedCoreMetadataSHA256: file.coreMetadataSHA256.flatMap { SHA256Hex($0) })
    }

    private func wrap<T>(_ body: () throws(PublishingError) -> T) throws(ServerError) -> T {
        do {
            return try body()
        } catch {
            throw ServerError(.io, "the store cannot be read: \(error.message)")
        }
    }
}
