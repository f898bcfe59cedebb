import Foundation

/// Runs blocking work (a child process's whole lifetime: its wait, its pipes) on a thread of its
/// own, and lets an `async` caller await the result without holding a thread of Swift's
/// cooperative pool.
///
/// Why: the cooperative pool has one thread per core (two on a 2-core machine). A child waited
/// for on one of them holds it for the child's lifetime; two such waits starve every other task
/// of the process, among them an in-process index server that the very child may be talking to.
///
/// Guarantees: `work` runs exactly once, on a new thread that is not one of the pool's (never on
/// the caller's thread); the caller resumes with what `work` returned or threw, and no pool
/// thread waits in between. The work is not cancelled with the task (its own timeout bounds it).
public enum DedicatedThread {
    public static func run<Value: Sendable, Failure: Error>(
        _ work: @escaping @Sendable () throws(Failure) -> Value
    ) async throws(Failure) -> Value {
        let result: Result<Value, Failure> = await withCheckedContinuation { continuation in
            Thread {
                do throws(Failure) {
                    continuation.resume(returning: .success(try work()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }.start()
        }
        return try result.get()
    }
}
