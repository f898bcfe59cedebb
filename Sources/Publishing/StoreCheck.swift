import Foundation
import GRDB
import PythonPackaging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One thing `PublishingStore.check` found.
public enum StoreFinding: Sendable, Equatable, CustomStringConvertible {
    /// A published file (or its core-metadata file) whose blob is missing: corruption.
    case missingBlob(filename: String, sha256: String, what: BlobRole)
    /// A published file (or its core-metadata file) whose blob does not hash to its digest: corruption.
    case corruptBlob(filename: String, expected: String, actual: String, what: BlobRole)
    /// SQLite's own integrity or foreign-key check failed: corruption.
    case databaseProblem(String)
    /// A blob no row references (an upload killed between its rename and its commit, or a deleted
    /// file): harmless, reclaimable.
    case orphanBlob(path: String, size: Int64)
    /// A file left in `staging/` (an upload killed in flight): harmless, reclaimable.
    case stagingLeftover(path: String, size: Int64)
    /// A published file whose name is another spelling of an earlier published file's, or of a
    /// deleted one's (the same distribution: `PublishOutcome.equivalentExists`); what a store
    /// written before uploads were checked for it may hold (a yanked or deleted file served again
    /// under another name). Never repaired: `serve delete` the one that should not be there.
    case respelledName(filename: String, sameAs: String, deleted: Bool)

    /// Which blob of a file.
    public enum BlobRole: String, Sendable, Equatable {
        case distribution = "file"
        case coreMetadata = "core metadata"
    }

    /// Whether this finding means data is wrong or lost (as opposed to reclaimable space).
    public var isCorruption: Bool {
        switch self {
        case .missingBlob, .corruptBlob, .databaseProblem, .respelledName: return true
        case .orphanBlob, .stagingLeftover: return false
        }
    }

    /// A stable machine-readable name of the kind of finding.
    public var kind: String {
        switch self {
        case .missingBlob: return "missing-blob"
        case .corruptBlob: return "corrupt-blob"
        case .databaseProblem: return "database"
        case .orphanBlob: return "orphan-blob"
        case .stagingLeftover: return "staging-leftover"
        case .respelledName: return "respelled-name"
        }
    }

    public var description: String {
        switch self {
        case .missingBlob(let filename, let sha256, let what):
            return "\(filename): the \(what.rawValue) blob \(sha256) is missing"
        case .corruptBlob(let filename, let expected, let actual, let what):
            return "\(filename): the \(what.rawValue) blob should have sha256 \(expected) but has \(actual)"
        case .databaseProblem(let text):
            return "database: \(text)"
        case .orphanBlob(let path, let size):
            return "unreferenced blob \(path) (\(size) bytes, reclaimable)"
        case .stagingLeftover(let path, let size):
            return "staging leftover \(path) (\(size) bytes, reclaimable)"
        case .respelledName(let filename, let sameAs, let deleted):
            return "\(filename) is another spelling of the \(deleted ? "deleted" : "published") \(sameAs): one distribution, two names"
        }
    }
}

/// What `PublishingStore.check` found and, with repair, removed.
///
/// Guarantees: `findings` lists every missing or mismatching blob of every published file (each
/// blob was re-hashed), SQLite's integrity and foreign-key problems, every published file that is
/// another spelling of an earlier or a deleted one, and every unreferenced blob and staging file; `isConsistent` is false exactly when one of them is corruption.
public struct StoreCheckReport: Sendable, Equatable {
    public let findings: [StoreFinding]
    /// Paths removed by the repair (orphans and, when no server held the store, staging leftovers).
    public let removed: [String]
    /// How many published files were checked.
    public let filesChecked: Int

    /// No corruption (reclaimable leftovers do not count).
    public var isConsistent: Bool { !findings.contains(where: \.isCorruption) }
    /// Bytes that reclaimable findings occupy.
    public var reclaimableBytes: Int64 {
        findings.reduce(0) { total, finding in
            switch finding {
            case .orphanBlob(_, let size), .stagingLeftover(_, let size): return total + size
            default: return total
            }
        }
    }
}

extension PublishingStore {
    /// Compares the database with the blobs: every file's blob (and core-metadata blob) must exist
    /// and hash to its digest; SQLite's integrity and foreign-key checks must pass; no published
    /// name may be another spelling of an earlier published or a deleted one; blobs no row
    /// references and staging leftovers are reported as reclaimable. With `repair`, unreferenced
    /// blobs are removed (under the exclusive publish lock, so no publish in flight loses its
    /// blob) and staging leftovers too when no server holds the store. Corruption is never
    /// "repaired": it is reported.
    public func check(repair: Bool = false) throws(PublishingError) -> StoreCheckReport {
        var findings: [StoreFinding] = []
        let problems = try read("check the database") { db -> [String] in
            var problems = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
            for row in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") {
                problems.append("table \(row[0] as String? ?? "?") row \(row[1] as Int64? ?? -1) points at a missing \(row[2] as String? ?? "?")")
            }
            return problems
        }
        findings += problems.map(StoreFinding.databaseProblem)

        let rows = try read("list files") { db in
            try Row.fetchAll(db, sql: "SELECT filename, sha256, size, core_metadata_sha256 FROM files ORDER BY filename")
                .map { row in (filename: row["filename"] as String, sha256: row["sha256"] as String, metadata: row["core_metadata_sha256"] as String?) }
        }
        for row in rows {
            findings += checkBlob(filename: row.filename, sha256: row.sha256, what: .distribution)
            if let metadata = row.metadata { findings += checkBlob(filename: row.filename, sha256: metadata, what: .coreMetadata) }
        }

        findings += try respelledNames()

        var removed: [String] = []
        // Orphans: decided (and removed) under the exclusive publish lock.
        let lock = repair ? try StoreLock(path: publishLockPath, exclusive: true) : nil
        defer { lock?.release() }
        let referenced = try referencedDigests()
        for (path, size) in blobFiles() where !referenced.contains((path as NSString).lastPathComponent) {
            findings.append(.orphanBlob(path: path, size: size))
            if repair, unlink(path) == 0 { removed.append(path) }
        }
        let serverLock = repair ? try? StoreLock(path: serverLockPath, exclusive: true, wait: false) : nil
        defer { serverLock?.release() }
        for (path, size) in files(in: stagingDirectory.path) {
            findings.append(.stagingLeftover(path: path, size: size))
            if serverLock != nil, unlink(path) == 0 { removed.append(path) }
        }
        return StoreCheckReport(findings: findings, removed: removed, filesChecked: rows.count)
    }

    /// Removes every file in `staging/`. Only for a server that holds `server.lock` (no upload
    /// can then be in flight): the leftovers of a killed server.
    func clearStaging() {
        for (path, _) in files(in: stagingDirectory.path) { unlink(path) }
    }

    private func checkBlob(filename: String, sha256: String, what: StoreFinding.BlobRole) -> [StoreFinding] {
        guard let digest = SHA256Hex(sha256) else {
            return [.corruptBlob(filename: filename, expected: sha256, actual: "not a digest", what: what)]
        }
        let path = blobs.path(of: digest)
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            return [.missingBlob(filename: filename, sha256: sha256, what: what)]
        }
        guard let actual = try? FileHashing.digest(ofFileAt: path, algorithm: .sha256) else {
            return [.missingBlob(filename: filename, sha256: sha256, what: what)]
        }
        let hex = SHA256Hex(actual.digest).text
        return hex == sha256 ? [] : [.corruptBlob(filename: filename, expected: sha256, actual: hex, what: what)]
    }

    /// Published files whose names parse to the same distribution as an earlier published file
    /// (by upload order) or as a retired filename.
    private func respelledNames() throws(PublishingError) -> [StoreFinding] {
        let (published, retired) = try read("list filenames") { db in
            (
                try String.fetchAll(db, sql: "SELECT filename FROM files ORDER BY id"),
                try String.fetchAll(db, sql: "SELECT filename FROM retired_filenames ORDER BY filename")
            )
        }
        var findings: [StoreFinding] = []
        var first: [DistributionFilename: String] = [:]
        var deleted: [DistributionFilename: String] = [:]
        for name in retired {
            guard let parsed = try? DistributionFilename(parsing: name) else { continue }
            if deleted[parsed] == nil { deleted[parsed] = name }
        }
        for name in published {
            guard let parsed = try? DistributionFilename(parsing: name) else { continue }
            if let gone = deleted[parsed], gone != name {
                findings.append(.respelledName(filename: name, sameAs: gone, deleted: true))
            } else if let earlier = first[parsed] {
                findings.append(.respelledName(filename: name, sameAs: earlier, deleted: false))
            }
            if first[parsed] == nil { first[parsed] = name }
        }
        return findings
    }

    private func referencedDigests() throws(PublishingError) -> Set<String> {
        try read("list referenced blobs") { db in
            Set(
                try String.fetchAll(
                    db, sql: "SELECT sha256 FROM files UNION SELECT core_metadata_sha256 FROM files WHERE core_metadata_sha256 IS NOT NULL"))
        }
    }

    /// Every regular file two levels under `blobs/` (`<aa>/<name>`), with its size.
    private func blobFiles() -> [(String, Int64)] {
        var out: [(String, Int64)] = []
        let root = blobs.blobsDirectory
        for shard in ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted() {
            out += files(in: root + "/" + shard)
        }
        return out
    }

    /// The regular files directly in `folder`, sorted, with their sizes.
    private func files(in folder: String) -> [(String, Int64)] {
        var out: [(String, Int64)] = []
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted() {
            let path = folder + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            out.append((path, Int64(info.st_size)))
        }
        return out
    }
}
