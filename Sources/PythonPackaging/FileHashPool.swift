import Foundation

/// Hashes files on a fixed set of threads shared by every caller, so that a whole run keeps
/// about `width` reads in flight whatever the sizes of the files and of the packages they
/// belong to (one big file holds one thread while the others go on with the rest).
///
/// Guarantees: at most `width` files are open and read at once across all callers; each thread
/// owns one read buffer, so memory stays flat (`width` × `bufferSize`) whatever the file sizes;
/// ``digests(_:)`` returns one result per request in request order (deterministic whatever the
/// scheduling) and suspends its task, never a thread of the concurrency pool; a file that is not a regular file, is missing or unreadable gives that result
/// for that request only. Threads are started on first use and live as long as the pool.
public final class FileHashPool: @unchecked Sendable {
    /// One file to hash with one algorithm.
    public struct Request: Sendable {
        public var path: String
        public var algorithm: HashAlgorithm
        /// When set, a regular file larger than this is not read at all (``Outcome/larger(size:)``):
        /// a sparse terabyte where a small file belongs costs one `lstat`, not an hour of hashing.
        public var maxBytes: Int64?
        public init(path: String, algorithm: HashAlgorithm, maxBytes: Int64? = nil) {
            self.path = path
            self.algorithm = algorithm
            self.maxBytes = maxBytes
        }
    }

    /// What became of one request.
    public enum Outcome: Sendable, Equatable {
        case digest(FileDigest, size: Int64)
        /// Nothing at the path (not even a dangling link).
        case missing
        /// A directory, link, FIFO, device or socket: never read.
        case notRegularFile
        /// A regular file that could not be read.
        case unreadable(String)
        /// A regular file larger than the request's ``Request/maxBytes``: never read.
        case larger(size: Int64)
    }

    public let width: Int
    public let bufferSize: Int
    private let condition = NSCondition()
    private var queue: [Job] = []
    private var head = 0
    private var started = false

    /// The results of one call, filled in by the workers; `finish` runs once, on the worker
    /// that stores the last result.
    private final class Batch: @unchecked Sendable {
        var outcomes: [Outcome?]
        var remaining: Int
        let lock = NSLock()
        let finish: @Sendable ([Outcome]) -> Void
        init(count: Int, finish: @escaping @Sendable ([Outcome]) -> Void) {
            outcomes = Array(repeating: nil, count: count)
            remaining = count
            self.finish = finish
        }

        /// Stores results of this batch (one lock for several); the last store finishes it.
        func store(_ results: [(index: Int, outcome: Outcome)]) {
            lock.lock()
            for result in results { outcomes[result.index] = result.outcome }
            remaining -= results.count
            let complete = remaining == 0
            lock.unlock()
            if complete { finish(outcomes.map { $0 ?? .unreadable("not hashed") }) }
        }
    }

    private struct Job {
        let request: Request
        let index: Int
        let batch: Batch
    }

    public init(width: Int, bufferSize: Int = 64 << 10) {
        self.width = max(1, width)
        self.bufferSize = max(4096, bufferSize)
    }

    /// Hashes every request on the pool's threads; the caller's task is suspended, not its
    /// thread, so other tasks go on (and feed the pool) while these files are hashed.
    public func digests(_ requests: [Request]) async -> [Outcome] {
        if requests.isEmpty { return [] }
        return await withCheckedContinuation { (continuation: CheckedContinuation<[Outcome], Never>) in
            enqueue(requests, batch: Batch(count: requests.count) { continuation.resume(returning: $0) })
        }
    }

    /// Hashes every request on the pool's threads and blocks the calling thread until all are done.
    /// For callers outside Swift concurrency; a task should use the `async` form.
    public func digestsBlocking(_ requests: [Request]) -> [Outcome] {
        if requests.isEmpty { return [] }
        let done = NSCondition()
        nonisolated(unsafe) var result: [Outcome]?
        enqueue(
            requests,
            batch: Batch(count: requests.count) { outcomes in
                done.lock()
                result = outcomes
                done.signal()
                done.unlock()
            })
        done.lock()
        while result == nil { done.wait() }
        let outcomes = result ?? []
        done.unlock()
        return outcomes
    }

    private func enqueue(_ requests: [Request], batch: Batch) {
        condition.lock()
        if !started {
            started = true
            for _ in 0..<width {
                let thread = Thread { [unowned self] in self.work() }
                thread.stackSize = 256 << 10
                thread.start()
            }
        }
        for (index, request) in requests.enumerated() {
            queue.append(Job(request: request, index: index, batch: batch))
        }
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
        defer { buffer.deallocate() }
        var taken: [Job] = []
        var results: [(index: Int, outcome: Outcome)] = []
        while true {
            // A long queue is taken a few jobs at a time (fewer lock round trips between the
            // threads); a short one a job at a time, so the last files spread over every thread.
            condition.lock()
            while head >= queue.count { condition.wait() }
            let count = min(Self.maxJobsPerTake, max(1, (queue.count - head) / (2 * width)))
            taken.removeAll(keepingCapacity: true)
            taken.append(contentsOf: queue[head..<(head + count)])
            head += count
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.unlock()

            for (position, job) in taken.enumerated() {
                results.append((job.index, Self.hash(job.request, buffer: buffer)))
                // A caller's jobs are queued together: store each run of them under one lock.
                if position + 1 == taken.count || taken[position + 1].batch !== job.batch {
                    job.batch.store(results)
                    results.removeAll(keepingCapacity: true)
                }
            }
        }
    }

    /// The most jobs one thread takes from the queue at once.
    static let maxJobsPerTake = 16

    /// One request on the calling thread, with a buffer of its own: what the pool would give
    /// for it (for callers that hash without a pool).
    public static func hashOnCallingThread(_ request: Request) -> Outcome {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
        defer { buffer.deallocate() }
        return hash(request, buffer: buffer)
    }

    static func hash(_ request: Request, buffer: UnsafeMutableRawBufferPointer) -> Outcome {
        var info = stat()
        guard lstat(request.path, &info) == 0 else { return .missing }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return .notRegularFile }
        if let maxBytes = request.maxBytes, Int64(info.st_size) > maxBytes { return .larger(size: Int64(info.st_size)) }
        do {
            let fd = try SystemIO.openReadOnly(request.path)
            defer { SystemIO.close(fd) }
            _ = try SystemIO.fileSize(fd, path: request.path)  // refuses what was swapped for a non-file
            // The limit holds while reading too: a file grown since the lstat is not followed.
            let (digest, size) = try FileHashing.hashToEnd(
                fd, path: request.path, algorithm: request.algorithm, buffer: buffer, stopAfter: request.maxBytes)
            if let maxBytes = request.maxBytes, size > maxBytes { return .larger(size: size) }
            return .digest(digest, size: size)
        } catch {
            return .unreadable(error.message)
        }
    }
}
