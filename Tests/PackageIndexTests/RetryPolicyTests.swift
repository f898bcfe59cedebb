import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import Testing

@testable import PackageIndex

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

@Suite struct RetryPolicyTests {
    @Test func retryableStatuses() {
        #expect(RetryPolicy.isRetryable(status: 429))
        #expect(RetryPolicy.isRetryable(status: 500))
        #expect(RetryPolicy.isRetryable(status: 503))
        for status in [400, 401, 403, 404, 410, 418] { #expect(!RetryPolicy.isRetryable(status: status)) }
        #expect(RetryPolicy.isRetryable(IOError(errnoCode: ECONNREFUSED, reason: "connect")))
        #expect(RetryPolicy.isRetryable(HTTPClientError.readTimeout))
        #expect(RetryPolicy.isRetryable(HTTPClientError.remoteConnectionClosed))
        #expect(!RetryPolicy.isRetryable(NIOSSLExtraError.failedToValidateHostname))
        #expect(!RetryPolicy.isRetryable(HTTPClientError.cancelled))
        #expect(!RetryPolicy.isRetryable(IndexError(.network, "x")))
    }

    @Test func backoffGrowsWithJitterAndRetryAfterIsCapped() {
        let policy = RetryPolicy(maxRetries: 3, baseDelay: 0.25, maxRetryAfter: 10)
        for attempt in 0..<3 {
            let delay = policy.delay(attempt: attempt, retryAfter: nil)
            let floor = 0.25 * pow(2, Double(attempt))
            #expect(delay >= floor && delay < floor + 0.25)
        }
        #expect(policy.delay(attempt: 0, retryAfter: "2") == 2)
        #expect(policy.delay(attempt: 0, retryAfter: "3600") == 10)
        let date = RetryPolicy.parseRetryAfter(
            "Wed, 21 Oct 2015 07:28:00 GMT",
            now: Date(timeIntervalSince1970: 1_445_412_470))
        #expect(date == 10)
        #expect(RetryPolicy.parseRetryAfter("soon", now: Date()) == nil)
        // Only the IMF-fixdate shape reaches DateFormatter (it traps on some non-ASCII text).
        #expect(RetryPolicy.parseRetryAfter("t\u{670}/\u{FFFD}+4+44/\0\0\0in:", now: Date()) == nil)
        #expect(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT\u{301}", now: Date()) == nil)
        #expect(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28 GMT", now: Date()) == nil)
        #expect(RetryPolicy.parseRetryAfter("  Wed, 21 Oct 2015 07:28:00 GMT ", now: Date(timeIntervalSince1970: 1_445_412_470)) == 10)
    }
}
