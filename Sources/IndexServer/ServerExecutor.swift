import Foundation

/// The threads an embedded server (``IndexServer/start()``) answers on: a task executor over a
/// fixed set of threads of its own, apart from the pool that Swift's tasks (and, on Linux, GCD's
/// global queues) share.
///
/// Why: an embedded server lives in a process that does other work — a test run hashing,
/// signing, parsing and waiting all at once, a tool that serves while it verifies. On a 2-core
/// machine the shared pool runs two jobs at a time; work that holds both for a while (CPU-bound,
/// or a blocking call) would leave the server's requests unanswered until their clients give up.
/// The server's own handlers block too (a store's `fsync` and SQLite calls), so it gets several
/// threads: a slow disk holds some of them, never the rest of the process. `serve`
/// (``IndexServer/run(handlingSignals:onStarted:)``) runs in a process of its own and keeps the
/// shared pool.
///
/// Guarantees: every job is run on one of this executor's threads (never on the caller's
/// thread), in the order enqueued; a task has one job enqueued at a time, so its jobs run one
/// at a time, as the runtime requires. The threads start on first use and live as long as the
/// process.
final class ServerExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = ServerExecutor(threads: 8)

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var head = 0
    private let threadCount: Int
    private var started = false

    init(threads: Int) {
        threadCount = threads
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        if !started {
            started = true
            for index in 0..<threadCount {
                let thread = Thread { [unowned self] in self.work() }
                thread.name = "wheeltrust-server-\(index)"
                thread.start()
            }
        }
        condition.signal()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while head >= jobs.count { condition.wait() }
            let job = jobs[head]
            head += 1
            if head > 1024 && head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
