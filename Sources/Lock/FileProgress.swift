import Foundation

/// How far a run over many files has come, for a progress display: files finished of all, the
/// last one's name and the bytes of the files hashed so far.
///
/// Guarantees: `done` counts up by one per finished file and never exceeds `total`; `bytes` is
/// the sum of the sizes of the files read so far (0 for a file that could not be read).
public struct FileProgress: Sendable, Equatable {
    public var done: Int
    public var total: Int
    /// The package (or file) just finished; untrusted text, escaped where shown.
    public var name: String
    public var bytes: Int64

    public init(done: Int, total: Int, name: String, bytes: Int64) {
        self.done = done
        self.total = total
        self.name = name
        self.bytes = bytes
    }

    /// `512 B`, `3.4 MB`, `1.2 GB` (decimal units, one decimal), for people.
    public static func byteText(_ bytes: Int64) -> String {
        if bytes < 1000 { return "\(bytes) B" }
        var value = Double(bytes)
        for unit in ["kB", "MB", "GB"] {
            value /= 1000
            if value < 999.95 { return "\((value * 10).rounded() / 10) \(unit)" }
        }
        return "\((value / 1000 * 10).rounded() / 10) TB"
    }
}

/// A thread-safe count of finished files and their bytes (for progress only).
final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0
    private var bytes: Int64 = 0

    /// One more file finished, of `size` bytes; the progress so far.
    func finished(_ name: String, size: Int64, total: Int) -> FileProgress {
        lock.lock()
        defer { lock.unlock() }
        done += 1
        bytes += size
        return FileProgress(done: done, total: total, name: name, bytes: bytes)
    }

    /// The size of the file at `path` (0 when it cannot be read).
    static func size(of path: String) -> Int64 {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return 0 }
        return (attributes[.size] as? NSNumber)?.int64Value ?? 0
    }
}

/// Runs `work` for each of `count` items with at most `jobs` at once; the results in item order.
func orderedConcurrentMap<T: Sendable>(
    count: Int, jobs: Int, _ work: @escaping @Sendable (Int) async -> T
) async -> [T] {
    var results = [T?](repeating: nil, count: count)
    await withTaskGroup(of: (Int, T).self) { group in
        var next = 0
        func start() {
            guard next < count else { return }
            let index = next
            next += 1
            group.addTask { (index, await work(index)) }
        }
        for _ in 0..<min(max(1, jobs), count) { start() }
        while let (index, result) = await group.next() {
            results[index] = result
            start()
        }
    }
    return results.compactMap { $0 }
}
