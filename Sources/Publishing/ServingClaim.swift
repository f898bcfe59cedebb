import Foundation

/// A server's claim on a store: while it is held no other server serves the same store, so files
/// left in `staging/` can only be the leftovers of a server that was killed, and are removed when
/// the claim is taken.
///
/// Guarantees: at most one live claim per store across processes (an exclusive `flock` on
/// `<store>/server.lock`, dropped by the kernel if the process dies); `release()` (or deinit) ends it.
public final class ServingClaim: @unchecked Sendable {
    private let lock: StoreLock

    init(lock: StoreLock) {
        self.lock = lock
    }

    /// Ends the claim.
    public func release() {
        lock.release()
    }
}

extension PublishingStore {
    /// Claims the store for one server and clears the staging leftovers of a killed one. Throws
    /// `configuration` when another process serves the store.
    public func claimForServing() throws(PublishingError) -> ServingClaim {
        let lock: StoreLock
        do {
            lock = try StoreLock(path: serverLockPath, exclusive: true, wait: false)
        } catch {
            throw PublishingError(.configuration, "another server is already serving the store \(directory.path)")
        }
        clearStaging()
        return ServingClaim(lock: lock)
    }
}
