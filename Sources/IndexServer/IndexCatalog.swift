import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PythonPackaging

/// A view of the served folder: its wheels and sdists with hashes and provenance sources.
///
/// The folder is re-listed on every `scan()` (so files can be added or removed while the server
/// runs); hashes are cached by path, size and modification time, so a re-scan of unchanged files
/// costs one `stat` each.
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
/// subdirectories), names that are not valid distribution filenames are skipped, and a scan
/// visits at most `maxEntries` directory entries.
final class IndexCatalog: Sendable {
    let directory: String
    private let cache = FileFactsCache()
    static let maxEntries = 100_000

    init(directory: String) {
        self.directory = directory
    }

    /// Lists the folder and returns its distribution files sorted by filename.
    func scan() throws(ServerError) -> [CatalogEntry] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw ServerError(.io, "cannot list the served folder \(directory)")
        }
        let limited = names.prefix(Self.maxEntries)
        let nameSet = Set(limited)
        let attestationsByFile = Self.attestationNames(in: limited)
        var entries: [CatalogEntry] = []
        var seenPaths: Set<String> = []
        for name in limited.sorted() where name.hasSuffix(".whl") || name.hasSuffix(".tar.gz") {
            guard let distribution = try? DistributionFilename(parsing: name) else { continue }
            let path = (directory as NSString).appendingPathComponent(name)
            guard let stat = regularFileStat(path) else { continue }
            guard let sha256 = try? cache.sha256(path: path, size: stat.size, modified: stat.modified) else { continue }
            seenPaths.insert(path)
            entries.append(CatalogEntry(
                filename: name,
                path: path,
                distribution: distribution,
                size: stat.size,
                sha256Hex: sha256,
                advertisedSHA256Hex: hashOverride(for: name, in: nameSet) ?? sha256,
                provenance: provenanceSource(for: name, in: nameSet, attestations: attestationsByFile[name] ?? []),
                modified: stat.modified
            ))
        }
        cache.retain(paths: seenPaths)
        return entries
    }

    /// The SHA-256 of the wheel's METADATA (PEP 658), or nil for sdists and unreadable wheels.
    func coreMetadataSHA256(of entry: CatalogEntry) -> String? {
        cache.coreMetadataSHA256(entry: entry)
    }

    private func provenanceSource(for name: String, in names: Set<String>, attestations: [String]) -> ProvenanceSource {
        let provenanceName = name + ".provenance"
        if names.contains(provenanceName), regularFileStat(path(of: provenanceName)) != nil {
            return .file(path: path(of: provenanceName))
        }
        let paths = attestations.sorted().map(path(of:)).filter { regularFileStat($0) != nil }
        guard !paths.isEmpty else { return .none }
        let publisherName = name + ".publisher.json"
        let publisher = names.contains(publisherName) ? path(of: publisherName) : nil
        return .attestations(paths: paths, publisherPath: publisher)
    }

    /// `F.<something>.attestation` names grouped by their distribution `F` (a `.whl` or `.tar.gz`
    /// name), in one pass over the folder instead of one pass per distribution.
    static func attestationNames(in names: some Sequence<String>) -> [String: [String]] {
        var grouped: [String: [String]] = [:]
        for name in names where name.hasSuffix(".attestation") {
            for marker in [".whl.", ".tar.gz."] {
                var searchEnd = name.endIndex
                // Every occurrence of the marker could end the distribution's name; try each.
                while let range = name.range(of: marker, options: .backwards, range: name.startIndex..<searchEnd) {
                    let distribution = String(name[..<range.upperBound].dropLast())
                    let rest = name[range.upperBound...]
                    if rest.count > ".attestation".count { grouped[distribution, default: []].append(name) }
                    searchEnd = range.lowerBound
                }
            }
        }
        return grouped
    }

    private func hashOverride(for name: String, in names: Set<String>) -> String? {
        let overrideName = name + ".sha256"
        guard names.contains(overrideName),
              let data = FileManager.default.contents(atPath: path(of: overrideName)), data.count <= 1024,
              let text = String(data: data, encoding: .utf8) else { return nil }
        let hex = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else { return nil }
        return hex
    }

    private func path(of name: String) -> String {
        (directory as NSString).appendingPathComponent(name)
    }

    /// Size and modification time of a regular file (not following symlinks), or nil.
    /// Size and modification time of a regular file, from one `lstat(2)`: a symlink is not a
    /// regular file, so nothing outside the folder is ever served through one.
    private func regularFileStat(_ path: String) -> (size: Int64, modified: Date)? {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let modified = Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec) + TimeInterval(info.st_mtim.tv_nsec) / 1e9)
        return (Int64(info.st_size), modified)
    }
}
