import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import PythonPackaging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An HTTP GET client for package indexes, on AsyncHTTPClient (SwiftNIO + BoringSSL).
///
/// Guarantees:
/// - `Authorization: Basic …` is set per request, and again on every redirect hop, only for URLs
///   whose scheme, host and port equal the credentials' origin; a redirect elsewhere drops it.
///   With several indexes, each index's credentials are bound to its own origin (the first
///   credentials given for an origin are the ones used there).
///   Userinfo is stripped from every request URL (credentials never travel in URLs).
/// - Redirects (301, 302, 303, 307, 308) are followed here, at most 10 (more is `badResponse`).
///   No cookies, no response cache, no content decoding.
/// - TLS is always verified (chain and host name). With a CA bundle (pip's `cert`) exactly its
///   certificates are trusted, as pip does; without one, the system trust store. An unreadable,
///   empty or invalid bundle fails every request with `configuration`, before any connection.
/// - Proxies come from the environment as pip reads them (`ProxySettings`); loopback is direct.
/// - Bounded retries (`RetryPolicy`): connection failures, timeouts, 429 (honouring
///   `Retry-After` up to a cap) and 5xx are retried with exponential backoff and jitter; other
///   4xx and TLS failures never are. No retry wait runs past the call's deadline: a `Retry-After`
///   longer than the time left fails the call at once.
/// - `get` bodies are capped (`maxBodySize`, default 32 MiB → `tooLarge`); `download` streams
///   to a temporary file beside the destination while hashing, then renames it into place only
///   when complete and (if given) matching the expected SHA-256; otherwise the temporary file is
///   deleted. A body shorter than its `Content-Length` is a failed attempt, never a result.
/// - Status mapping: 401/403 → `authentication`, 404/410 → `notFound`, other non-2xx →
///   `badResponse`, 429/5xx after the last retry and transport failures → `network`.
/// - Error messages are one line: what was fetched, the masked URL, the status or reason.
///
/// Time (`timeout` = `T`, `--timeout`): `T` is the connect timeout and the idle read timeout of
/// each attempt, and every call also has an overall deadline covering all its attempts, redirect
/// hops, retry waits and bodies (`RequestBudget`): `get` (project pages, provenance, TUF files)
/// ends within `T` seconds; `download` (wheels, any size) within `T` seconds plus one second per
/// `minimumTransferRate` bytes received (64 KiB by default), i.e. after its first `T` seconds a
/// download must average at least that rate. A call that runs out of time fails with `network`
/// naming the masked URL and the timeout; a download that fails leaves no file behind. Each call
/// runs on `NetworkExecutor`'s threads, so work on the cooperative pool cannot stall it.
public final class HTTPClient: Sendable {
    /// The first of ``credentialSet`` (the primary index's).
    public var credentials: IndexCredentials? { credentialSet.first }
    /// Every index's credentials, each sent only to its own origin.
    public let credentialSet: [IndexCredentials]
    public let certificateBundle: String?
    public let timeout: TimeInterval
    public let retry: RetryPolicy
    public let maxBodySize: Int
    public let maxDownloadSize: Int64
    /// `R` of the download deadline `T + received / R`, in bytes per second.
    public let minimumTransferRate: Int64
    /// The default `minimumTransferRate`: 64 KiB/s, far below any real link to an index.
    public static let defaultMinimumTransferRate: Int64 = 64 << 10
    public let userAgent: String
    public let proxies: ProxySettings

    static let maxRedirects = 10

    /// The bundle's trust roots, or why the bundle cannot be used (then every request fails).
    let trust: Result<[NIOSSLCertificate]?, IndexError>
    /// The bundle's content identity (SHA-256 over its certificates), so clients share a transport
    /// only when they trust exactly the same roots; nil for the system store.
    let trustKey: String?

    public convenience init(credentials: IndexCredentials?, certificateBundle: String?, timeout: TimeInterval = 30, maxRetries: Int = 3) {
        self.init(
            credentials: credentials, certificateBundle: certificateBundle, timeout: timeout,
            retry: RetryPolicy(maxRetries: maxRetries))
    }

    public convenience init(
        credentials: IndexCredentials?, certificateBundle: String?, timeout: TimeInterval, retry: RetryPolicy,
        maxBodySize: Int = 32 << 20, maxDownloadSize: Int64 = 8 << 30,
        minimumTransferRate: Int64 = HTTPClient.defaultMinimumTransferRate, userAgent: String = "wheeltrust",
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.init(
            credentialSet: credentials.map { [$0] } ?? [], certificateBundle: certificateBundle, timeout: timeout, retry: retry,
            maxBodySize: maxBodySize, maxDownloadSize: maxDownloadSize, minimumTransferRate: minimumTransferRate,
            userAgent: userAgent, environment: environment)
    }

    public init(
        credentialSet: [IndexCredentials], certificateBundle: String?, timeout: TimeInterval, retry: RetryPolicy,
        maxBodySize: Int = 32 << 20, maxDownloadSize: Int64 = 8 << 30,
        minimumTransferRate: Int64 = HTTPClient.defaultMinimumTransferRate, userAgent: String = "wheeltrust",
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.credentialSet = credentialSet
        self.certificateBundle = certificateBundle
        // At least 0.1 s; at most about 115 days, so every deadline computed from it stays finite.
        self.timeout = min(max(0.1, timeout), 1e7)
        self.retry = retry
        self.maxBodySize = maxBodySize
        self.maxDownloadSize = maxDownloadSize
        self.minimumTransferRate = max(1, minimumTransferRate)
        self.userAgent = userAgent
        self.proxies = ProxySettings(environment: environment)
        if let certificateBundle {
            do throws(IndexError) {
                let bundle = try CertificateBundle.load(path: certificateBundle)
                trust = .success(try bundle.trustRoots())
                trustKey = FileDigest.compute(bundle.certificates.flatMap { $0 }, algorithm: .sha256).hex
            } catch {
                trust = .failure(error)
                trustKey = nil
            }
        } else {
            trust = .success(nil)
            trustKey = nil
        }
    }

    /// The credentials bound to `url`'s origin (the first given for it), nil when none is.
    public func credentials(for url: URL) -> IndexCredentials? {
        credentialSet.first { $0.matches(url) }
    }

    /// Why this client cannot make any request (an unusable CA bundle), nil when it can. Every
    /// request would fail with this error; callers may report it once, up front, as configuration.
    public var configurationProblem: IndexError? {
        if case .failure(let error) = trust { return error }
        return nil
    }

    /// GET `url` with an optional `Accept`; returns the 2xx response with its whole body.
    public func get(_ url: URL, accept: String?, what: String = "resource") async throws(IndexError) -> HTTPResponse {
        let fetched = try await perform(url, accept: accept, what: what, sink: .memory(cap: maxBodySize))
        return HTTPResponse(
            status: fetched.outcome.status, headers: fetched.outcome.headers, body: fetched.outcome.body,
            url: fetched.url)
    }

    /// Streams `url` to `file` (replacing it atomically); returns its SHA-256 and size. With
    /// `expectedSHA256`, a different digest is a `badResponse` error and nothing is written. With
    /// `maxSize` (a size known beforehand, as a lock records it), a body or a declared length over
    /// it stops the transfer there (`tooLarge`), as the `maxDownloadSize` cap does.
    public func download(
        _ url: URL, to file: String, expectedSHA256 expected: SHA256Hex?, what: String = "file", maxSize: Int64? = nil
    ) async throws(IndexError) -> (sha256: SHA256Hex, size: Int64) {
        let slash = file.lastIndex(of: "/")
        let directory = slash.map { String(file[..<$0]) } ?? "."
        let base = slash.map { String(file[file.index(after: $0)...]) } ?? file
        let temporary = "\(directory.isEmpty ? "/" : directory)/.\(base).part-\(UUID().uuidString)"
        do throws(IndexError) {
            let outcome = try await perform(url, accept: nil, what: what, sink: .file(path: temporary, cap: min(maxDownloadSize, maxSize ?? maxDownloadSize))).outcome
            guard let hex = outcome.sha256 else {
                throw IndexError(.badResponse, "\(what): \(url.redacted) produced no body")
            }
            if let expected, expected != hex {
                throw IndexError(.badResponse, "\(what): sha256 mismatch for \(url.redacted): expected \(expected), received \(hex)")
            }
            guard rename(temporary, file) == 0 else {
                throw IndexError(.cache, "\(what): cannot move download into \(file): \(String(cString: strerror(errno)))")
            }
            return (hex, outcome.size)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    // MARK: - Attempts and redirects

    private func perform(_ url: URL, accept: String?, what: String, sink: TransferSink) async throws(IndexError) -> Fetched {
        let roots: [NIOSSLCertificate]?
        switch trust {
        case .success(let value): roots = value
        case .failure(let error): throw error
        }
        guard Self.isFetchable(url) else {
            throw IndexError(.configuration, "\(what): \(url.redacted) is not an absolute http(s) URL")
        }
        let budget: RequestBudget
        switch sink {
        case .memory: budget = RequestBudget(timeout: timeout, minimumRate: nil)
        case .file: budget = RequestBudget(timeout: timeout, minimumRate: minimumTransferRate)
        }
        let progress = TransferProgress(url: url.redacted)
        do {
            // On threads of their own, so busy cores elsewhere in the process cannot make the call
            // miss its deadline (see `NetworkExecutor`).
            return try await withTaskExecutorPreference(NetworkExecutor.shared) {
                try await DeadlineWatchdog.run(budget: budget, progress: progress, what: what) {
                    try await self.attempts(
                        url, accept: accept, what: what, sink: sink, roots: roots, budget: budget,
                        progress: progress)
                }
            }
        } catch let error as IndexError {
            throw error
        } catch {
            throw IndexError(.network, "\(what): cancelled while fetching \(progress.url)")
        }
    }

    /// A 2xx outcome and the URL that gave it (after redirects).
    struct Fetched: Sendable {
        let outcome: TransferOutcome
        let url: URL
    }

    /// The attempts and redirects of one call, inside its budget: a retry whose wait would end
    /// past the deadline is not waited for (the call fails at once, naming the timeout).
    private func attempts(
        _ url: URL, accept: String?, what: String, sink: TransferSink, roots: [NIOSSLCertificate]?,
        budget: RequestBudget, progress: TransferProgress
    ) async throws(IndexError) -> Fetched {
        var current = url.removingUserInfo
        // Messages name the URL as the user wrote it (credentials masked), later the redirect target.
        var shown = url
        var attempt = 0
        var redirects = 0
        while true {
            if Task.isCancelled { throw IndexError(.network, "\(what): cancelled while fetching \(shown.redacted)") }
            progress.url = shown.redacted
            var headers = [("User-Agent", userAgent)]
            if let accept { headers.append(("Accept", accept)) }
            if let header = credentials(for: current)?.authorizationHeader(for: current) { headers.append(("Authorization", header)) }
            let client = SharedTransports.client(
                trust: trustKey, roots: roots, timeout: timeout,
                proxy: proxies.proxy(for: current))
            let left = max(0, budget.remaining(received: progress.received))
            let headDeadline = NIODeadline.now() + .milliseconds(Int64((left * 1000).rounded(.up)))
            let outcome: TransferOutcome
            do {
                outcome = try await HTTPTransfer.exchange(
                    client, url: current, headers: headers, sink: sink,
                    what: what, timeout: timeout, deadline: headDeadline, progress: progress)
            } catch let error as IndexError {
                throw error
            } catch {
                let failure = TransportFailure.classify(error, timeout: timeout)
                if failure.kind == .cancelled || Task.isCancelled {
                    throw IndexError(.network, "\(what): cancelled while fetching \(shown.redacted)")
                }
                if failure.kind == .timedOut, budget.remaining(received: progress.received) <= 0 {
                    throw IndexError(.network, "\(what): \(shown.redacted): \(budget.exhaustedReason(received: progress.received))")
                }
                let tried = attempt > 0 ? " after \(attempt + 1) attempts" : ""
                if failure.isRetryable, attempt < retry.maxRetries {
                    let delay = retry.delay(attempt: attempt, retryAfter: nil)
                    guard delay < budget.remaining(received: progress.received) else {
                        throw IndexError(
                            .network,
                            "\(what): \(shown.redacted): \(failure.reason)\(tried); "
                                + "no time left to retry within the \(RequestBudget.seconds(timeout)) s timeout")
                    }
                    try await pause(delay, what: what, url: shown)
                    attempt += 1
                    continue
                }
                throw IndexError(.network, "\(what): \(shown.redacted): \(failure.reason)\(tried)")
            }
            let status = outcome.status
            if (200..<300).contains(status) { return Fetched(outcome: outcome, url: current) }
            if [301, 302, 303, 307, 308].contains(status) {
                redirects += 1
                guard redirects <= Self.maxRedirects else {
                    throw IndexError(.badResponse, "\(what): more than \(Self.maxRedirects) redirects, last from \(current.redacted)")
                }
                guard let location = outcome.headers["location"],
                    let next = URL(string: location, relativeTo: current)?.absoluteURL, Self.isFetchable(next)
                else {
                    throw IndexError(.badResponse, "\(what): HTTP \(status) from \(current.redacted) without a usable Location")
                }
                current = next.removingUserInfo
                shown = current
                continue
            }
            if RetryPolicy.isRetryable(status: status), attempt < retry.maxRetries {
                let retryAfter = outcome.headers["retry-after"]
                let left = budget.remaining(received: progress.received)
                let limit = "the \(RequestBudget.seconds(timeout)) s timeout"
                if let retryAfter, let asked = RetryPolicy.parseRetryAfter(retryAfter, now: Date()), asked >= left {
                    throw IndexError(
                        .network,
                        "\(what): HTTP \(status) from \(shown.redacted) with Retry-After "
                            + "\(RequestBudget.seconds(asked.rounded(.up))) s, longer than \(limit) leaves")
                }
                let delay = retry.delay(attempt: attempt, retryAfter: retryAfter)
                guard delay < left else {
                    throw IndexError(
                        .network,
                        "\(what): HTTP \(status) from \(shown.redacted)\(attempt > 0 ? " after \(attempt + 1) attempts" : ""); "
                            + "no time left to retry within \(limit)")
                }
                try await pause(delay, what: what, url: shown)
                attempt += 1
                continue
            }
            throw statusError(status, url: shown, what: what, attempts: attempt + 1)
        }
    }

    static func isFetchable(_ url: URL) -> Bool {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else { return false }
        return true
    }

    private func pause(_ seconds: TimeInterval, what: String, url: URL) async throws(IndexError) {
        guard seconds > 0 else { return }
        do {
            try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
        } catch {
            throw IndexError(.network, "\(what): cancelled while waiting to retry \(url.redacted)")
        }
    }

    func statusError(_ status: Int, url: URL, what: String, attempts: Int) -> IndexError {
        let tried = attempts > 1 ? " after \(attempts) attempts" : ""
        switch status {
        case 401, 403:
            let sent =
                credentials(for: url.removingUserInfo) != nil
                ? "credentials were sent and refused"
                : "no credentials configured for this host"
            return IndexError(.authentication, "\(what): HTTP \(status) from \(url.redacted) (\(sent))")
        case 404, 410:
            return IndexError(.notFound, "\(what): HTTP \(status) from \(url.redacted)")
        case 429, 500...599:
            return IndexError(.network, "\(what): HTTP \(status) from \(url.redacted)\(tried)")
        default:
            return IndexError(.badResponse, "\(what): unexpected HTTP \(status) from \(url.redacted)")
        }
    }
}
