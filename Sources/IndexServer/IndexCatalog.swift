import Foundation
import PythonPackaging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A view of the served folder: its wheels and sdists with hashes and provenance sources.
///
/// The folder's names are listed once and the listing (`CatalogListing`: parsed filenames grouped
/// by project, side files per distribution) is reused while the folder's identity — device, inode,
/// modification and status-change times with nanoseconds, from a `stat` taken before listing —
/// stays the same. A listing taken within `DirectoryIdentity.racyWindowNanoseconds` of the folder's
/// last change is not trusted (file times are coarse; two changes in one tick leave the same
/// times), so the folder is re-listed on the next request until its last change is older.
/// A request then examines only the files it needs: a project page or Integrity API request
/// `lstat`s (and, when size or modification time changed, hashes) only that project's files and
/// their side files; a download looks its file up by name. Hashes are cached by path, size and
/// modification time (`FileFactsCache`), so a file rewritten in place is re-hashed.
///
/// Folder layout, for a distribution file `F` (`*.whl` or `*.tar.gz`):
/// - `F.provenance`: a complete PEP 740 provenance object, served verbatim by the Integrity API.
/// - `F.<anything>.attestation`: PEP 740 attestation objects; when `F.provenance` is absent they are
///   wrapped as `{"version":1,"attestation_bundles":[{"publisher":…,"attestations":[…]}]}`.
/// - `F.publisher.json`: the publisher object for that wrapping (default: the configured one).
/// - `F.sha256` (test hook): 64 hex digits that the Simple API advertises instead of the real
///   hash, to model an index whose metadata disagrees with its files. Invalid content is ignored.
///
/// Guarantees: only regular files directly in the folder are served (no symlinks, no
/// subdirectories: every file is `lstat`ed by the request that serves it), names that are not
/// valid distribution filenames are skipped, a listing visits at most `maxEntries` directory
/// entries, files added or removed while the server runs are seen by the next request, and a file
/// rewritten in place is re-hashed. Thread-safe; no lock is held while listing or hashing.
final class IndexCatalog: @unchecked Sendable {
    let directory: String
    static let maxEntries = 100_000

    private let cache = FileFactsCache()
    /// `directory` with the separator, so a file's path is one concatenation.
    private let pathPrefix: String
    private let lock = NSLock()
    private var current: CurrentListing?
    private var listingsTaken = 0
    private var filesExamined = 0

    private struct CurrentListing {
        let listing: CatalogListing
        let identity: DirectoryIdentity
        let listedAt: Int64
        let settled: Bool
    }

    init(directory: String) {
        self.directory = directory
        self.pathPrefix = String((directory as NSString).appendingPathComponent("x").dropLast())
    }

    // MARK: queries

    /// Every distribution file of the folder, sorted by filename (examines every file).
    func scan() throws(ServerError) -> [CatalogEntry] {
        let listing = try listing()
        return listing.filenames.compactMap { listing.byFilename[$0].flatMap(entry(for:)) }
    }

    /// The files of one project (by normalized name), sorted by filename; only they are examined.
    func entries(ofProject normalized: String) throws(ServerError) -> [CatalogEntry] {
        let listing = try listing()
        return (listing.byProject[normalized] ?? []).compactMap { listing.byFilename[$0].flatMap(entry(for:)) }
    }

    /// The distribution file with this exact filename, or nil; only that file is examined.
    func entry(named filename: String) throws(ServerError) -> CatalogEntry? {
        try listing().byFilename[filename].flatMap(entry(for:))
    }

    /// For each project (sorted by normalized name), its first servable file by filename: enough
    /// to list the projects that have one, without examining the others.
    func firstEntryPerProject() throws(ServerError) -> [CatalogEntry] {
        let listing = try listing()
        return listing.projectNames.compactMap { project in
            for filename in listing.byProject[project] ?? [] {
                if let entry = listing.byFilename[filename].flatMap(entry(for:)) { return entry }
            }
            return nil
        }
    }

    /// The SHA-256 of the wheel's METADATA (PEP 658), or nil for sdists and unreadable wheels.
    func coreMetadataSHA256(of entry: CatalogEntry) -> SHA256Hex? {
        cache.coreMetadataSHA256(entry: entry)
    }

    /// For tests: how many listings were read and how many files were `lstat`ed so far.
    var statistics: (listingsTaken: Int, filesExamined: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (listingsTaken, filesExamined)
    }

    /// For tests: whether the hash cache holds facts for this file.
    func hasCachedFacts(forFile filename: String) -> Bool {
        cache.contains(path: path(of: filename))
    }

    // MARK: the listing

    /// The current listing: reused while the folder's identity is unchanged and the listing is
    /// settled (outside the racy window), else read again.
    private func listing() throws(ServerError) -> CatalogListing {
        let listedAt = DirectoryIdentity.nowNanoseconds()
        guard let identity = DirectoryIdentity.of(directory) else {
            throw ServerError(.io, "cannot list the served folder \(directory)")
        }
        lock.lock()
        if let current, current.settled, current.identity == identity {
            lock.unlock()
            return current.listing
        }
        lock.unlock()

        let listing = try CatalogListing.read(directory: directory, maxEntries: Self.maxEntries)
        let fresh = CurrentListing(
            listing: listing, identity: identity, listedAt: listedAt,
            settled: identity.isSettled(listedAt: listedAt))
        lock.lock()
        listingsTaken += 1
        let previous = current
        // Concurrent readers may race; keep the listing taken last.
        if previous.map({ $0.listedAt <= listedAt }) ?? true { current = fresh }
        lock.unlock()
        if previous?.listing.filenames != listing.filenames {
            cache.retain(paths: Set(listing.filenames.map(path(of:))))
        }
        return listing
    }

    // MARK: one file

    private func entry(for item: CatalogListing.Distribution) -> CatalogEntry? {
        let path = path(of: item.filename)
        guard let stat = regularFileStat(path) else { return nil }
        guard let sha256 = try? cache.sha256(path: path, size: stat.size, modified: stat.modified) else { return nil }
        return CatalogEntry(
            filename: item.filename,
            path: path,
            distribution: item.parsed,
            size: stat.size,
            sha256Hex: sha256,
            advertisedSHA256Hex: (item.hasHashOverride ? hashOverride(for: item.filename) : nil) ?? sha256,
            provenance: provenanceSource(for: item),
            modified: stat.modified
        )
    }

    private func provenanceSource(for item: CatalogListing.Distribution) -> ProvenanceSource {
        if item.hasProvenance {
            let provenance = path(of: item.filename + ".provenance")
            if regularFileStat(provenance) != nil { return .file(path: provenance) }
        }
        let paths = item.attestations.map(path(of:)).filter { regularFileStat($0) != nil }
        guard !paths.isEmpty else { return .none }
        let publisher = item.hasPublisher ? path(of: item.filename + ".publisher.json") : nil
        return .attestations(paths: paths, publisherPath: publisher)
    }

    /// `F.<something>.attestation` names grouped by their distribution `F` (a `.whl` or `.tar.gz`
    /// name), in one pass over the folder instead of one pass per distribution. Every occurrence
    /// of `.whl.` / `.tar.gz.` may end `F`; occurrences are found from the end, each search
    /// continuing before the previous match (so overlapping ones are not counted twice).
    static func attestationNames(in names: some Sequence<String>) -> [String: [String]] {
        var grouped: [String: [String]] = [:]
        for name in names where name.hasSuffix(".attestation") {
            let bytes = name.utf8
            for marker in [Array(".whl.".utf8), Array(".tar.gz.".utf8)] {
                var searchEnd = bytes.endIndex
                while let start = lastOccurrence(of: marker, in: bytes[bytes.startIndex..<searchEnd]) {
                    let upper = bytes.index(start, offsetBy: marker.count)
                    let rest = name[upper...]
                    if rest.count > ".attestation".count {
                        grouped[String(name[..<upper].dropLast()), default: []].append(name)
                    }
                    searchEnd = start
                }
            }
        }
        return grouped
    }

    /// The start of the last occurrence of `marker` inside `bytes`, or nil.
    private static func lastOccurrence(of marker: [UInt8], in bytes: Substring.UTF8View) -> String.Index? {
        guard bytes.count >= marker.count, let first = marker.first else { return nil }
        var start = bytes.index(bytes.endIndex, offsetBy: -marker.count)
        while true {
            if bytes[start] == first, bytes[start...].starts(with: marker) { return start }
            if start == bytes.startIndex { return nil }
            start = bytes.index(before: start)
        }
    }

    private func hashOverride(for name: String) -> SHA256Hex? {
        let overrideName = name + ".sha256"
        guard let data = FileManager.default.contents(atPath: path(of: overrideName)), data.count <= 1024,
            let text = String(data: data, encoding: .utf8)
        else { return nil }
        return SHA256Hex(normalizing: text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private func path(of name: String) -> String {
        pathPrefix + name
    }

    /// Size and modification time of a regular file, from one `lstat(2)`: a symlink is not a
    /// regular file, so nothing outside the folder is ever served through one.
    private func regularFileStat(_ path: String) -> (size: Int64, modified: Date)? {
        lock.lock()
        filesExamined += 1
        lock.unlock()
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let modified = Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec) + TimeInterval(info.st_mtim.tv_nsec) / 1e9)
        return (Int64(info.st_size), modified)
    }
}
