import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A one-line progress display on stderr, shown only when stderr is a terminal and the output is
/// text (never in `--format json`, never in logs or pipes).
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private let start = Date()

    /// nil when progress must not be shown.
    static func make(format: OutputFormat, quiet: Bool) -> ProgressLine? {
        guard format == .text, !quiet, isatty(STDERR_FILENO) == 1 else { return nil }
        return ProgressLine()
    }

    func update(done: Int, total: Int, name: String) {
        lock.lock()
        defer { lock.unlock() }
        let elapsed = Date().timeIntervalSince(start)
        let seconds = (elapsed * 10).rounded() / 10
        // The cursor codes are ours; the name is escaped like any untrusted text.
        emitError("\r\u{1B}[2K[\(done)/\(total)] \(name) (\(seconds)s)")
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        emitError("\r\u{1B}[2K")
    }
}
