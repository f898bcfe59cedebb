import Foundation

/// How long one `HTTPClient` call may take in all, counted from the moment it starts: every
/// attempt, every redirect hop, every backoff and `Retry-After` wait and every byte of every body
/// fall inside it. `--timeout T` sets `timeout`.
///
/// Guarantees (the rule, stated once here and in the README):
/// - A document (`HTTPClient.get`: a project page, a provenance, a TUF file; at most the client's
///   `maxBodySize`) has a flat deadline: the call ends within `T` seconds, whatever the server does.
/// - A file (`HTTPClient.download`: a wheel of any size) may take `T + n / R` seconds, where `n` is
///   the number of body bytes received so far by the call (all attempts) and `R` the client's
///   `minimumTransferRate`: after the first `T` seconds the download must keep an average of at
///   least `R` bytes a second. A trickling or stalled server fails at about `T` (1 byte a second
///   buys 1/R of a second each); a real download of any size at `R` or faster never hits it. As
///   `n` never exceeds the attempts times `maxDownloadSize`, the call is bounded in every case.
/// - The deadline only moves forward (it grows with `n`), so checking it when it is reached is
///   enough (see `DeadlineWatchdog`).
struct RequestBudget: Sendable {
    let timeout: TimeInterval
    /// `R` in bytes per second for files; nil for documents (flat deadline).
    let minimumRate: Double?
    let start: ContinuousClock.Instant

    init(timeout: TimeInterval, minimumRate: Int64?, start: ContinuousClock.Instant = .now) {
        self.timeout = timeout
        self.minimumRate = minimumRate.map { Double(max(1, $0)) }
        self.start = start
    }

    /// The instant the call must have ended by, having received `received` body bytes.
    func deadline(received: Int64) -> ContinuousClock.Instant {
        var seconds = timeout
        if let minimumRate { seconds += Double(max(0, received)) / minimumRate }
        return start + .milliseconds(Int64((min(seconds, 1e12) * 1000).rounded(.up)))
    }

    /// Seconds left before the deadline (negative once it has passed).
    func remaining(received: Int64, now: ContinuousClock.Instant = .now) -> TimeInterval {
        let left = now.duration(to: deadline(received: received))
        return TimeInterval(left.components.seconds) + TimeInterval(left.components.attoseconds) / 1e18
    }

    /// Seconds since the call started.
    func elapsed(now: ContinuousClock.Instant = .now) -> TimeInterval {
        let spent = start.duration(to: now)
        return TimeInterval(spent.components.seconds) + TimeInterval(spent.components.attoseconds) / 1e18
    }

    /// The one-line reason a call that ran out of time failed: it names the timeout (and, for a
    /// file, the minimum rate and what arrived). The caller puts `what` and the masked URL first.
    func exhaustedReason(received: Int64) -> String {
        let limit = "the \(Self.seconds(timeout)) s timeout"
        guard let minimumRate else {
            return "timed out: no complete response within \(limit)"
        }
        return "timed out: received \(received) bytes in \(Self.seconds(elapsed())) s, more than \(limit) "
            + "plus 1 s per \(Self.amount(minimumRate)) received allows"
    }

    /// `2`, `0.5`, `12.3`: seconds for messages.
    static func seconds(_ value: TimeInterval) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e9 { return String(Int(value)) }
        return String(format: "%.1f", value)
    }

    /// `64 KiB`, `1 MiB`, `500 bytes`.
    static func amount(_ bytes: Double) -> String {
        let whole = Int(bytes)
        if whole >= 1 << 20, whole % (1 << 20) == 0 { return "\(whole >> 20) MiB" }
        if whole >= 1 << 10, whole % (1 << 10) == 0 { return "\(whole >> 10) KiB" }
        return "\(whole) bytes"
    }
}

/// What a call has received so far and which URL it is on, shared between the transfer and its
/// watchdog (the deadline of a file grows with the bytes received).
final class TransferProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: Int64 = 0
    private var currentURL: String

    /// `url` already masked (`URL.redacted`).
    init(url: String) {
        currentURL = url
    }

    func add(_ count: Int) {
        lock.lock()
        bytes += Int64(count)
        lock.unlock()
    }

    var received: Int64 {
        lock.lock()
        defer { lock.unlock() }
        return bytes
    }

    /// The masked URL the call is fetching now (the last redirect target).
    var url: String {
        get {
            lock.lock()
            defer { lock.unlock() }
            return currentURL
        }
        set {
            lock.lock()
            currentURL = newValue
            lock.unlock()
        }
    }
}
