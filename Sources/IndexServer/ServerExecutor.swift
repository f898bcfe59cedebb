import Dispatch

/// The threads an embedded server (``IndexServer/start()``) answers on: a task executor over a
/// concurrent dispatch queue of its own quality of service, apart from the default pool that Swift's
/// tasks (and, on Linux, GCD's default global queue) share.
///
/// Why: an embedded server lives in a process that does other work: a test run hashing, signing,
/// parsing and waiting at once, a tool that serves while it verifies. On a 2-core machine that
/// pool has two threads; work that holds both for a while (CPU-bound, or a blocking call) would
/// leave the server's requests unanswered until their clients give up. `serve` (``IndexServer/run(handlingSignals:onStarted:)``)
/// runs in a process of its own and keeps the default pool.
///
/// Guarantees: every job is run on a thread of this queue (never on the caller's thread), jobs of
/// one task one at a time, as the runtime requires.
final class ServerExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = ServerExecutor()

    private let queue = DispatchQueue(label: "wheeltrust.embedded-server", qos: .userInitiated, attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
