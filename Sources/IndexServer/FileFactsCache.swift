import Foundation
import PythonPackaging

/// What the server has learned about one file, valid while its size and modification time stay the same.
struct FileFacts: Sendable {
    let size: Int64
    let modified: Date
    let sha256Hex: SHA256Hex
    /// SHA-256 of the wheel's METADATA (PEP 658), once computed; `.some(nil)` when the file has none
    /// (an sdist, or a wheel we could not read).
    var coreMetadataSHA256: SHA256Hex??
}

/// A thread-safe cache of file hashes keyed by path, size and modification time.
///
/// Guarantees: a hit is returned only when the path's current size and modification time equal
/// those recorded with the hash; any change re-hashes, and a file modified less than
/// ``settledAfter`` seconds before it was hashed is not cached at all (so a same-size rewrite
/// within one file-time tick is never served with the old hash). `retain(paths:)` drops entries for files
/// that have disappeared, so memory follows the folder's size.
final class FileFactsCache: @unchecked Sendable {
    private let lock = NSLock()
    private var facts: [String: FileFacts] = [:]
    /// How old a modification time must be before a hash keyed by it is kept.
    static let settledAfter: TimeInterval = 2

    func sha256(path: String, size: Int64, modified: Date) throws(PackagingError) -> SHA256Hex {
        if let hit = lookup(path: path, size: size, modified: modified) { return hit.sha256Hex }
        let (digest, hashedSize) = try FileHashing.digest(ofFileAt: path, algorithm: .sha256)
        let hex = SHA256Hex(digest)
        // Record the hash only if the file did not change size while we read it, and only once
        // its modification time is settled: file times are coarse, so a file rewritten with the
        // same size within one tick of the hashing would otherwise keep its old hash (the same
        // racy window the listing guards against).
        if hashedSize == size, Date().timeIntervalSince(modified) >= Self.settledAfter {
            store(FileFacts(size: size, modified: modified, sha256Hex: hex, coreMetadataSHA256: nil), path: path)
        }
        return hex
    }

    /// The SHA-256 of the wheel's METADATA, or nil when the wheel cannot be read.
    func coreMetadataSHA256(entry: CatalogEntry) -> SHA256Hex? {
        guard entry.isWheel else { return nil }
        if let hit = lookup(path: entry.path, size: entry.size, modified: entry.modified),
            let known = hit.coreMetadataSHA256
        {
            return known
        }
        let computed: SHA256Hex? = (try? CoreMetadataReader.metadataBytes(ofWheelAt: entry.path))
            .map { SHA256Hex(FileDigest.compute($0, algorithm: .sha256)) }
        lock.lock()
        if var current = facts[entry.path], current.size == entry.size, current.modified == entry.modified {
            current.coreMetadataSHA256 = .some(computed)
            facts[entry.path] = current
        }
        lock.unlock()
        return computed
    }

    func retain(paths: Set<String>) {
        lock.lock()
        defer { lock.unlock() }
        facts = facts.filter { paths.contains($0.key) }
    }

    /// Whether facts are recorded for this path (whatever its size and modification time).
    func contains(path: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return facts[path] != nil
    }

    private func lookup(path: String, size: Int64, modified: Date) -> FileFacts? {
        lock.lock()
        defer { lock.unlock() }
        guard let hit = facts[path], hit.size == size, hit.modified == modified else { return nil }
        return hit
    }

    private func store(_ fact: FileFacts, path: String) {
        lock.lock()
        facts[path] = fact
        lock.unlock()
    }
}
