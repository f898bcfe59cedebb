import Foundation

/// When and how long `HTTPClient` waits before trying a request again.
///
/// Guarantees: retries happen only for connection-level failures (refused, reset, DNS, timeout),
/// HTTP 429 and HTTP 5xx — never for any other 4xx, TLS trust failures or local failures. The
/// delay for attempt `n` (0-based) is `baseDelay * 2^n` plus up to `baseDelay` of random jitter,
/// or the server's `Retry-After` (seconds or HTTP date) when given, capped at `maxRetryAfter`.
/// `HTTPClient` never begins a wait that would end past the call's deadline (`RequestBudget`):
/// a `Retry-After` longer than the time left fails the call at once instead.
public struct RetryPolicy: Sendable, Equatable {
    public var maxRetries: Int
    public var baseDelay: TimeInterval
    public var maxRetryAfter: TimeInterval

    public init(maxRetries: Int = 3, baseDelay: TimeInterval = 0.25, maxRetryAfter: TimeInterval = 30) {
        self.maxRetries = max(0, maxRetries)
        self.baseDelay = max(0, baseDelay)
        self.maxRetryAfter = max(0, maxRetryAfter)
    }

    public static func isRetryable(status: Int) -> Bool {
        status == 429 || (500...599).contains(status)
    }

    /// Whether a transport error (AsyncHTTPClient, SwiftNIO, NIOSSL) is worth another attempt.
    public static func isRetryable(_ error: any Error) -> Bool {
        TransportFailure.classify(error, timeout: 0).isRetryable
    }

    /// The wait before retry number `attempt + 1`.
    public func delay(attempt: Int, retryAfter: String?) -> TimeInterval {
        if let retryAfter, let seconds = RetryPolicy.parseRetryAfter(retryAfter, now: Date()) {
            return min(max(0, seconds), maxRetryAfter)
        }
        let exponential = baseDelay * pow(2, Double(min(attempt, 16)))
        let jitter = baseDelay > 0 ? Double.random(in: 0..<baseDelay) : 0
        return min(exponential + jitter, max(maxRetryAfter, baseDelay))
    }

    /// `Retry-After` as seconds from `now`: delta-seconds or an IMF-fixdate (RFC 9110 5.6.7:
    /// `Sun, 06 Nov 1994 08:49:37 GMT`, always 29 ASCII characters). The value comes from the
    /// index: anything else is nil (the caller backs off exponentially). Only that shape reaches
    /// Foundation's `DateFormatter`, which traps on some non-ASCII input (found by the `url`
    /// fuzz target: `Fuzz/Regressions/url/retry-after-non-ascii`).
    public static func parseRetryAfter(_ value: String, now: Date) -> TimeInterval? {
        let trimmed = value.trimmingWhitespace()
        if let seconds = Int(trimmed), seconds >= 0 { return TimeInterval(seconds) }
        guard isIMFFixdateShape(trimmed) else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }

    /// `Www, DD Mmm YYYY HH:MM:SS GMT`: letters, digits and separators in their fixed places.
    static func isIMFFixdateShape(_ text: String) -> Bool {
        let pattern = Array("Aaa, 00 Aaa 0000 00:00:00 GMT".utf8)
        let bytes = Array(text.utf8)
        guard bytes.count == pattern.count else { return false }
        for (byte, shape) in zip(bytes, pattern) {
            switch shape {
            case UInt8(ascii: "A"): guard (0x41...0x5A).contains(byte) else { return false }
            case UInt8(ascii: "a"): guard (0x61...0x7A).contains(byte) else { return false }
            case UInt8(ascii: "0"): guard (0x30...0x39).contains(byte) else { return false }
            default: guard byte == shape else { return false }
            }
        }
        return true
    }
}
