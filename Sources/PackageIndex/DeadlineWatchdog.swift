import Foundation

/// Runs one `HTTPClient` call against its `RequestBudget`.
///
/// Guarantees: `run` returns or throws no later than the budget's deadline plus the time the
/// cancelled transfer takes to unwind (AsyncHTTPClient closes the connection on cancellation):
/// when the deadline passes, the operation is cancelled and an `IndexError(.network)` naming
/// `what`, the masked URL and the timeout is thrown, whatever the operation was doing (connecting,
/// waiting for a head, reading a body, waiting to retry). The operation's own result is never
/// returned after its deadline has been declared passed.
enum DeadlineWatchdog {
    static func run<Value: Sendable>(
        budget: RequestBudget, progress: TransferProgress, what: String,
        _ operation: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        try await withThrowingTaskGroup(of: Value?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await watch(budget: budget, progress: progress, what: what)
                return nil
            }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let value = next { return value }
            }
            throw IndexError(.network, "\(what): cancelled while fetching \(progress.url)")
        }
    }

    /// Sleeps until the deadline, looks again (a file's deadline may have moved on meanwhile) and
    /// throws once it has passed; returns only when cancelled.
    private static func watch(budget: RequestBudget, progress: TransferProgress, what: String) async throws {
        while true {
            let received = progress.received
            let deadline = budget.deadline(received: received)
            if ContinuousClock.now >= deadline {
                throw IndexError(.network, "\(what): \(progress.url): \(budget.exhaustedReason(received: received))")
            }
            do {
                try await Task.sleep(until: deadline, clock: .continuous)
            } catch {
                return
            }
        }
    }
}
