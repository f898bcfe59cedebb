import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An advisory `flock(2)` on a lock file of the store.
///
/// - `publish.lock`: every publish holds it shared from storing its blob until its transaction
///   ends; `fsck --repair` holds it exclusively while it decides which blobs no row references
///   and removes them, so it never removes a blob that a publish in flight is about to reference.
/// - `server.lock`: a server holds it exclusively while it runs (one server per store), so a
///   repair removes staging leftovers only when no upload can be in flight.
///
/// Guarantees: the lock is held from a successful init until `release()` (or the process ends:
/// the kernel drops it with the descriptor, so a killed process never leaves it held).
final class StoreLock {
    private var fd: Int32

    init(path: String, exclusive: Bool, wait: Bool = true) throws(PublishingError) {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw PublishingError(.io, "cannot open the lock file \(path): \(String(cString: strerror(errno)))") }
        var operation = exclusive ? LOCK_EX : LOCK_SH
        if !wait { operation |= LOCK_NB }
        while flock(fd, operation) != 0 {
            if errno == EINTR { continue }
            let reason = errno == EWOULDBLOCK ? "it is held by another process" : String(cString: strerror(errno))
            close(fd)
            fd = -1
            throw PublishingError(.io, "cannot lock \(path): \(reason)")
        }
    }

    func release() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
    }

    deinit { release() }
}
