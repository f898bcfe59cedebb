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

    /// `Retry-After` as seconds from `now`: delta-seconds or an IMF-fixdate.
    public static func parseRetryAfter(_ value: String, now: Date) -> TimeInterval? {
        let trimmed = value.trimmingWhitespace()
        if let seconds = Int(trimmed), seconds >= 0 { return TimeInterval(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
