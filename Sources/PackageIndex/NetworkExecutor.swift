import Dispatch

/// The threads `HTTPClient` calls run on: a task executor over a concurrent dispatch queue, apart
/// from Swift's cooperative thread pool.
///
/// Why: a call's deadline (`RequestBudget`) is wall-clock time. The cooperative pool has one
/// thread per core, and CPU-heavy or blocking work elsewhere in the process (inflating and
/// hashing wheels, waiting for an interpreter) can occupy all of them for seconds; a transfer
/// whose body loop and watchdog waited behind that work would miss its deadline through no fault
/// of the server. On these threads the body is read, hashed and written, and the deadline
/// checked, while the rest of the process is busy.
///
/// Guarantees: every job is run on a thread of this queue (never on the caller's thread), jobs
/// of one task one at a time, as the runtime requires.
final class NetworkExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = NetworkExecutor()

    private let queue = DispatchQueue(label: "wheeltrust.network", qos: .userInitiated, attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
