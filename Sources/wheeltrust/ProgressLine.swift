import Foundation
import Lock

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A one-line progress display on stderr, shown only when stderr is a terminal and the output is
/// text (never in `--format json`, never in logs or pipes).
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private var start = Date()

    /// nil when progress must not be shown.
    static func make(format: OutputFormat, quiet: Bool) -> ProgressLine? {
        guard format == .text, !quiet, isatty(STDERR_FILENO) == 1 else { return nil }
        return ProgressLine()
    }

    /// `[done/total] name (seconds)`; with `bytes`, how much was read so far too.
    func update(done: Int, total: Int, name: String, bytes: Int64? = nil) {
        lock.lock()
        defer { lock.unlock() }
        let elapsed = Date().timeIntervalSince(start)
        let seconds = (elapsed * 10).rounded() / 10
        let read = bytes.map { ", \(FileProgress.byteText($0)) read" } ?? ""
        // The cursor codes are ours; the name is escaped like any untrusted text.
        emitError("\r\u{1B}[2K[\(done)/\(total)] \(name) (\(seconds)s\(read))")
    }

    /// A file of a run over files finished.
    func update(_ progress: FileProgress) {
        update(done: progress.done, total: progress.total, name: progress.name, bytes: progress.bytes)
    }

    /// Clears the line; the next update counts seconds from here (a new phase).
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        start = Date()
        emitError("\r\u{1B}[2K")
    }
}
