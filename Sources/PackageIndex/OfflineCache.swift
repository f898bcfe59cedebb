import Foundation
import PythonPackaging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What re-verifying a wheel offline needs, kept after it verified online:
/// `<cache>/verdicts/<aa>/<sha256>.json`.
///
/// Guarantees: `provenance` holds the provenance bytes exactly as the index sent them, so the
/// signature and statement are checked again from them; no verdict ("it passed") is stored.
public struct CachedProvenance: Codable, Sendable, Hashable {
    public var filename: String
    public var sha256: String
    public var projectName: String
    public var version: String
    public var provenanceBase64: String
    /// Where the provenance was fetched from (credentials removed).
    public var fetchedFrom: String

    public init(filename: String, sha256: String, projectName: String, version: String, provenance: Data, fetchedFrom: URL) {
        self.filename = filename
        self.sha256 = sha256.lowercased()
        self.projectName = projectName
        self.version = version
        self.provenanceBase64 = provenance.base64EncodedString()
        self.fetchedFrom = OfflineCache.withoutUserinfo(fetchedFrom).absoluteString
    }

    /// The provenance bytes; nil when the stored base64 is not valid.
    public var provenance: Data? { Data(base64Encoded: provenanceBase64) }
}

/// A project's page as cached for offline locating: `<cache>/index/<sha256 of index URL + name>.json`.
struct CachedProjectPage: Codable {
    struct File: Codable {
        var filename: String
        var url: String
        var sha256: String?
        var provenanceURL: String?
        var coreMetadata: Bool
        var yanked: Bool
        var indexURL: String?
    }
    var indexURL: String
    var project: String
    var name: String
    var url: String
    var files: [File]
}

/// The cache entries that make `--offline` possible, beside ``ContentCache``'s wheels.
///
/// Guarantees: every entry is written to a temporary file in its own directory and renamed into
/// place, so a reader sees a whole entry or none; leftover temporary files (`.tmp-*`) are never
/// read. No URL stored here carries credentials. A missing, unreadable or malformed entry reads
/// as absent (nil), never as a crash. Keys that are not sha256 hex never touch the file system.
public struct OfflineCache: Sendable {
    public let root: String
    /// Entries larger than this are not read (bounded work on a hostile cache).
    public static let maxEntryBytes = 64 << 20

    public init(root: String) {
        self.root = root
    }

    public init(_ cache: ContentCache) {
        self.root = cache.root
    }

    // MARK: provenance

    public func provenancePath(sha256Hex: SHA256Hex) -> String {
        sha256Hex.shardedPath(under: root + "/verdicts", suffix: ".json")
    }

    public func storeProvenance(_ entry: CachedProvenance) throws(IndexError) {
        guard let path = SHA256Hex(normalizing: entry.sha256).map({ provenancePath(sha256Hex: $0) }) else {
            throw IndexError(.cache, "cache key '\(entry.sha256.prefix(80))' is not a sha256 hex digest")
        }
        guard let data = try? Self.encoder.encode(entry) else {
            throw IndexError(.cache, "cannot encode the cached provenance of \(entry.filename)")
        }
        try Self.writeAtomically(data, to: path)
    }

    /// The cached provenance of the wheel with this sha256; nil when absent or unreadable.
    public func provenance(sha256Hex: SHA256Hex) -> CachedProvenance? {
        guard let data = Self.read(provenancePath(sha256Hex: sha256Hex)),
            let entry = try? JSONDecoder().decode(CachedProvenance.self, from: data)
        else { return nil }
        return entry
    }

    // MARK: project pages

    public func projectPagePath(indexURL: URL, project: ProjectName) -> String {
        let key = Self.withoutUserinfo(indexURL).absoluteString + "\n" + project.normalized
        let hex = FileDigest.compute(Array(key.utf8), algorithm: .sha256).hex
        return "\(root)/index/\(hex).json"
    }

    public func storeProjectPage(_ page: ProjectPage, indexURL: URL, project: ProjectName) throws(IndexError) {
        func clean(_ url: URL?) -> String? { url.map { Self.withoutUserinfo($0).absoluteString } }
        let cached = CachedProjectPage(
            indexURL: clean(indexURL) ?? "", project: project.normalized, name: page.name, url: clean(page.url) ?? "",
            files: page.files.map {
                CachedProjectPage.File(
                    filename: $0.filename, url: clean($0.url) ?? "", sha256: $0.sha256?.text,
                    provenanceURL: clean($0.provenanceURL), coreMetadata: $0.coreMetadata,
                    yanked: $0.yanked, indexURL: clean($0.indexURL))
            })
        guard let data = try? Self.encoder.encode(cached) else {
            throw IndexError(.cache, "cannot encode the cached project page of \(project.normalized)")
        }
        try Self.writeAtomically(data, to: projectPagePath(indexURL: indexURL, project: project))
    }

    /// The cached page of `project` on `indexURL`; nil when absent, unreadable or for another project.
    public func projectPage(indexURL: URL, project: ProjectName) -> ProjectPage? {
        guard let data = Self.read(projectPagePath(indexURL: indexURL, project: project)),
            let cached = try? JSONDecoder().decode(CachedProjectPage.self, from: data),
            cached.project == project.normalized,
            cached.indexURL == Self.withoutUserinfo(indexURL).absoluteString,
            let pageURL = URL(string: cached.url)
        else { return nil }
        var files: [IndexFile] = []
        for file in cached.files {
            guard let url = URL(string: file.url) else { return nil }
            var sha256: SHA256Hex?
            if let text = file.sha256 {
                guard let hex = SHA256Hex(normalizing: text) else { return nil }
                sha256 = hex
            }
            files.append(
                IndexFile(
                    filename: file.filename, url: url, sha256: sha256,
                    provenanceURL: file.provenanceURL.flatMap(URL.init(string:)),
                    coreMetadata: file.coreMetadata, yanked: file.yanked,
                    indexURL: file.indexURL.flatMap(URL.init(string:))))
        }
        return ProjectPage(name: cached.name, files: files, url: pageURL)
    }

    // MARK: helpers

    static func withoutUserinfo(_ url: URL) -> URL {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false),
            components.user != nil || components.password != nil
        else { return url }
        components.user = nil
        components.password = nil
        return components.url ?? url
    }

    /// Sorted keys: the same entry always encodes to the same bytes, so an unchanged one is
    /// recognised and not rewritten.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    static func read(_ path: String) -> Data? {
        // Bounded and regular-only while reading, not only when looked at (a file swapped for a
        // FIFO or a larger one after a stat would otherwise block or be read whole).
        (try? BoundedFile.read(path, cap: maxEntryBytes)).map { Data($0) }
    }

    /// Writes `data` to a temporary file beside `path`, then renames it into place; an entry
    /// that already holds exactly these bytes is left as it is (a warm run rewrites nothing).
    static func writeAtomically(_ data: Data, to path: String) throws(IndexError) {
        if data.count <= maxEntryBytes, let current = read(path), current == data { return }
        do {
            try AtomicFile.write(data, to: path)
        } catch {
            throw IndexError(.cache, "cache entry: \(error.message)")
        }
    }
}
