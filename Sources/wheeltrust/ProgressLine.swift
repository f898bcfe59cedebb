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

    /// `[done/total] name (seconds)`; with `bytes`, how much was read so far too.
    func update(done: Int, total: Int, name: String, bytes: Int64? = nil) {
        lock.lock()
        defer { lock.unlock() }
        let elapsed = Date().timeIntervalSince(start)
        let seconds = (elapsed * 10).rounded() / 10
        let read = bytes.map { ", \(Self.size($0)) read" } ?? ""
        // The cursor codes are ours; the name is escaped like any untrusted text.
        emitError("\r\u{1B}[2K[\(done)/\(total)] \(name) (\(seconds)s\(read))")
    }

    /// `512 B`, `3.4 MB`, `1.2 GB` (decimal units, one decimal).
    static func size(_ bytes: Int64) -> String {
        if bytes < 1000 { return "\(bytes) B" }
        var value = Double(bytes)
        for unit in ["kB", "MB", "GB", "TB"] {
            value /= 1000
            if value < 1000 || unit == "TB" { return "\((value * 10).rounded() / 10) \(unit)" }
        }
        return "\(bytes) B"
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        emitError("\r\u{1B}[2K")
    }
}
