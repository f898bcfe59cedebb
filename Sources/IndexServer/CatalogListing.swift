import Foundation
import PythonPackaging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One listing of the served folder: its distribution filenames, parsed once, grouped by
/// normalized project name, with the side files each distribution has.
///
/// Guarantees: holds only names directly in the folder that parse as `.whl` / `.tar.gz`
/// distribution filenames and that were not reported as directories, symlinks or other non-regular
/// kinds; at most `IndexCatalog.maxEntries` directory entries were visited. The listing says what
/// names existed when it was taken; callers still `lstat` a file before serving it.
struct CatalogListing: Sendable {
    /// One distribution file and the side files found next to it.
    struct Distribution: Sendable {
        let filename: String
        let parsed: DistributionFilename
        /// `F.provenance` exists.
        let hasProvenance: Bool
        /// `F.<something>.attestation` names, sorted.
        let attestations: [String]
        /// `F.publisher.json` exists.
        let hasPublisher: Bool
        /// `F.sha256` (the hash-override test hook) exists.
        let hasHashOverride: Bool
    }

    /// Every distribution by its filename.
    let byFilename: [String: Distribution]
    /// Filenames of each project (key: normalized name), sorted.
    let byProject: [String: [String]]
    /// Normalized project names, sorted.
    let projectNames: [String]
    /// All distribution filenames, sorted.
    let filenames: [String]

    /// Reads the folder's names (one `readdir` pass) and builds the listing.
    static func read(directory: String, maxEntries: Int) throws(ServerError) -> CatalogListing {
        let names = try directoryNames(directory, maxEntries: maxEntries)
        return CatalogListing(names: names)
    }

    /// Builds the listing from a folder's names (exposed for tests).
    init(names: [String]) {
        let nameSet = Set(names)
        let attestationsByFile = IndexCatalog.attestationNames(in: names)
        var byFilename: [String: Distribution] = [:]
        var byProject: [String: [String]] = [:]
        for name in names where name.hasSuffix(".whl") || name.hasSuffix(".tar.gz") {
            guard let parsed = try? DistributionFilename(parsing: name) else { continue }
            byFilename[name] = Distribution(
                filename: name,
                parsed: parsed,
                hasProvenance: nameSet.contains(name + ".provenance"),
                attestations: (attestationsByFile[name] ?? []).sorted(),
                hasPublisher: nameSet.contains(name + ".publisher.json"),
                hasHashOverride: nameSet.contains(name + ".sha256"))
            byProject[parsed.name.normalized, default: []].append(name)
        }
        for key in byProject.keys { byProject[key]?.sort() }
        self.init(
            byFilename: byFilename, byProject: byProject,
            projectNames: byProject.keys.sorted(), filenames: byFilename.keys.sorted())
    }

    private init(byFilename: [String: Distribution], byProject: [String: [String]], projectNames: [String], filenames: [String]) {
        self.byFilename = byFilename
        self.byProject = byProject
        self.projectNames = projectNames
        self.filenames = filenames
    }

    /// The names in `directory` (without `.` and `..`), skipping entries the kernel reports as
    /// directories or symlinks and names that are not valid UTF-8; at most `maxEntries` visited.
    private static func directoryNames(_ directory: String, maxEntries: Int) throws(ServerError) -> [String] {
        guard let stream = opendir(directory) else {
            throw ServerError(.io, "cannot list the served folder \(directory)")
        }
        defer { closedir(stream) }
        var names: [String] = []
        var visited = 0
        while visited < maxEntries, let entry = readdir(stream) {
            let type = entry.pointee.d_type
            let name: String? = withUnsafeBytes(of: &entry.pointee.d_name) { raw in
                raw.withMemoryRebound(to: CChar.self) { chars in chars.baseAddress.flatMap { String(validatingCString: $0) } }
            }
            guard let name, name != ".", name != ".." else { continue }
            visited += 1
            // DT_UNKNOWN (filesystems without d_type) is kept: the per-request `lstat` decides.
            if type == UInt8(DT_DIR) || type == UInt8(DT_LNK) { continue }
            names.append(name)
        }
        return names
    }
}

/// What identifies one state of the served folder: device, inode, and the modification and
/// status-change times with nanoseconds, from a `stat(2)` of the folder.
struct DirectoryIdentity: Sendable, Equatable {
    let device: UInt64
    let inode: UInt64
    /// Modification time in nanoseconds since the epoch.
    let modifiedNanoseconds: Int64
    /// Status-change time in nanoseconds since the epoch.
    let changedNanoseconds: Int64

    /// The folder's current identity, or nil when it cannot be `stat`ed.
    static func of(_ directory: String) -> DirectoryIdentity? {
        var info = stat()
        guard stat(directory, &info) == 0 else { return nil }
        return DirectoryIdentity(
            device: UInt64(info.st_dev),
            inode: UInt64(info.st_ino),
            modifiedNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
            changedNanoseconds: Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec))
    }

    /// Wall-clock time in nanoseconds since the epoch (the clock file times are taken from).
    static func nowNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    /// How close to the moment of listing a folder change makes the listing untrusted (git's
    /// "racy" rule): file times are coarse, so two changes within one tick leave the same times.
    static let racyWindowNanoseconds: Int64 = 2_000_000_000

    /// Whether a listing taken at `listedAt` (read just before this identity's `stat`) can be
    /// reused while the identity stays the same: only when the folder's last change is at least
    /// `racyWindowNanoseconds` older than the listing. A change time in the future is never trusted.
    func isSettled(listedAt: Int64) -> Bool {
        let lastChange = max(modifiedNanoseconds, changedNanoseconds)
        return lastChange <= listedAt - Self.racyWindowNanoseconds
    }
}
