import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An HTTP GET client for package indexes, on Foundation's URLSession (libcurl on Linux).
///
/// Guarantees:
/// - `Authorization: Basic …` is set per request, and again on every redirect, only for URLs
///   whose scheme, host and port equal the credentials' origin; a redirect elsewhere drops it.
///   Userinfo is stripped from every request URL (credentials never travel in URLs).
/// - At most 10 redirects (more is a `badResponse` error). No cookies, no response cache.
/// - TLS is always verified (see `CertificateBundle` for how a custom CA bundle is applied on
///   each platform; an unreadable or empty bundle fails every request with `configuration`).
/// - Bounded retries (`RetryPolicy`): connection failures, timeouts, 429 (honouring
///   `Retry-After` up to a cap) and 5xx are retried with exponential backoff and jitter; other
///   4xx never are.
/// - `get` bodies are capped (`maxBodySize`, default 32 MiB → `tooLarge`); `download` streams
///   to a temporary file beside the destination while hashing, then renames it into place only
///   when complete and (if given) matching the expected SHA-256; otherwise the temporary file is
///   deleted.
/// - Status mapping: 401/403 → `authentication`, 404/410 → `notFound`, other non-2xx →
///   `badResponse`, 429/5xx after the last retry and transport failures → `network`.
/// - Error messages are one line: what was fetched, the masked URL, the status or reason.
///
/// `timeout` is the per-request idle timeout in seconds (corelibs-foundation rounds it down to
/// whole seconds; values under 1 become 1).
public final class HTTPClient: Sendable {
    public let credentials: IndexCredentials?
    public let certificateBundle: String?
    public let timeout: TimeInterval
    public let retry: RetryPolicy
    public let maxBodySize: Int
    public let maxDownloadSize: Int64
    public let userAgent: String

    private let bundleError: IndexError?
    private let delegate: SessionDelegate
    private let session: URLSession

    public convenience init(credentials: IndexCredentials?, certificateBundle: String?, timeout: TimeInterval = 30, maxRetries: Int = 3) {
        self.init(credentials: credentials, certificateBundle: certificateBundle, timeout: timeout,
                  retry: RetryPolicy(maxRetries: maxRetries))
    }

    public init(credentials: IndexCredentials?, certificateBundle: String?, timeout: TimeInterval, retry: RetryPolicy,
                maxBodySize: Int = 32 << 20, maxDownloadSize: Int64 = 8 << 30, userAgent: String = "wheeltrust") {
        self.credentials = credentials
        self.certificateBundle = certificateBundle
        self.timeout = max(1, timeout)
        self.retry = retry
        self.maxBodySize = maxBodySize
        self.maxDownloadSize = maxDownloadSize
        self.userAgent = userAgent

        var bundle: CertificateBundle?
        var bundleError: IndexError?
        CertificateBundle.refuseInsecureEnvironment()
        if let certificateBundle {
            do {
                bundle = try CertificateBundle.load(path: certificateBundle)
                bundle?.applyToEnvironment()
            } catch {
                bundleError = error
            }
        }
        self.bundleError = bundleError

        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = self.timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.urlCredentialStorage = nil
        configuration.httpAdditionalHeaders = ["User-Agent": userAgent]
        let delegate = SessionDelegate(bundle: bundle)
        self.delegate = delegate
        self.session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
    }

    deinit {
        session.invalidateAndCancel()
    }

    /// GET `url` with an optional `Accept`; returns the 2xx response with its whole body.
    public func get(_ url: URL, accept: String?, what: String = "resource") async throws(IndexError) -> HTTPResponse {
        let outcome = try await perform(url, accept: accept, what: what, sink: .memory(cap: maxBodySize))
        guard let response = outcome.response else {
            throw IndexError(.badResponse, "\(what): no HTTP response from \(url.redacted)")
        }
        var headers: [String: String] = [:]
        for (key, value) in response.allHeaderFields {
            if let key = key as? String { headers[key.lowercased()] = "\(value)" }
        }
        return HTTPResponse(status: response.statusCode, headers: headers, body: outcome.body,
                            url: response.url?.removingUserInfo ?? url.removingUserInfo)
    }

    /// Streams `url` to `file` (replacing it atomically); returns its SHA-256 and size. With
    /// `expectedSHA256`, a different digest is a `badResponse` error and nothing is written.
    public func download(_ url: URL, to file: String, expectedSHA256: String?, what: String = "file") async throws(IndexError) -> (sha256Hex: String, size: Int64) {
        var expected: String?
        if let expectedSHA256 {
            guard let hex = SimpleAPI.normalizedSHA256(expectedSHA256) else {
                throw IndexError(.configuration, "\(what): expected sha256 '\(expectedSHA256.prefix(80))' is not 64 hex digits")
            }
            expected = hex
        }
        let slash = file.lastIndex(of: "/")
        let directory = slash.map { String(file[..<$0]) } ?? "."
        let base = slash.map { String(file[file.index(after: $0)...]) } ?? file
        let temporary = "\(directory.isEmpty ? "/" : directory)/.\(base).part-\(UUID().uuidString)"
        do throws(IndexError) {
            let outcome = try await perform(url, accept: nil, what: what, sink: .file(path: temporary, cap: maxDownloadSize))
            guard let hex = outcome.sha256Hex else {
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

    // MARK: - Attempts

    private func perform(_ url: URL, accept: String?, what: String, sink: TransferSink) async throws(IndexError) -> TransferOutcome {
        if let bundleError { throw bundleError }
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
            throw IndexError(.configuration, "\(what): \(url.redacted) is not an absolute http(s) URL")
        }
        let clean = url.removingUserInfo
        var request = URLRequest(url: clean, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.httpMethod = "GET"
        request.setValue(userAgent, forHTTPHeaderField: "User-Agent")
        if let accept { request.setValue(accept, forHTTPHeaderField: "Accept") }
        if let header = credentials?.authorizationHeader(for: clean) {
            request.setValue(header, forHTTPHeaderField: "Authorization")
        }
        var attempt = 0
        while true {
            let outcome = await transfer(request, sink: sink, what: what)
            if let failure = outcome.failure { throw failure }
            if Task.isCancelled { throw IndexError(.network, "\(what): cancelled while fetching \(url.redacted)") }
            if let error = outcome.error {
                if RetryPolicy.isRetryable(error), attempt < retry.maxRetries {
                    try await pause(retry.delay(attempt: attempt, retryAfter: nil), what: what, url: url)
                    attempt += 1
                    continue
                }
                throw describe(error, url: url, what: what, attempts: attempt + 1)
            }
            guard let response = outcome.response else {
                throw IndexError(.badResponse, "\(what): no HTTP response from \(url.redacted)")
            }
            let status = response.statusCode
            if (200..<300).contains(status) { return outcome }
            if RetryPolicy.isRetryable(status: status), attempt < retry.maxRetries {
                let delay = retry.delay(attempt: attempt, retryAfter: response.value(forHTTPHeaderField: "Retry-After"))
                try await pause(delay, what: what, url: url)
                attempt += 1
                continue
            }
            throw statusError(status, url: url, what: what, attempts: attempt + 1)
        }
    }

    private func pause(_ seconds: TimeInterval, what: String, url: URL) async throws(IndexError) {
        guard seconds > 0 else { return }
        do {
            try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
        } catch {
            throw IndexError(.network, "\(what): cancelled while waiting to retry \(url.redacted)")
        }
    }

    private func transfer(_ request: URLRequest, sink: TransferSink, what: String) async -> TransferOutcome {
        let handle = TaskHandle()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<TransferOutcome, Never>) in
                let task = session.dataTask(with: request)
                let state = TransferState(sink: sink, credentials: credentials, what: what, continuation: continuation)
                delegate.register(task, state: state)
                handle.set(task)
                task.resume()
            }
        } onCancel: {
            handle.cancel()
        }
    }

    private func statusError(_ status: Int, url: URL, what: String, attempts: Int) -> IndexError {
        let tried = attempts > 1 ? " after \(attempts) attempts" : ""
        switch status {
        case 401, 403:
            let sent = credentials?.matches(url.removingUserInfo) == true
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

    private func describe(_ error: any Error, url: URL, what: String, attempts: Int) -> IndexError {
        let tried = attempts > 1 ? " after \(attempts) attempts" : ""
        guard let urlError = error as? URLError else {
            return IndexError(.network, "\(what): transfer of \(url.redacted) failed (\(type(of: error)))\(tried)")
        }
        let reason: String
        switch urlError.code {
        case .timedOut: reason = "timed out after \(Int(timeout)) s"
        case .cannotConnectToHost: reason = "connection refused"
        case .cannotFindHost, .dnsLookupFailed: reason = "host not found"
        case .networkConnectionLost: reason = "connection lost"
        case .notConnectedToInternet: reason = "no network"
        case .cancelled: reason = "cancelled"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateHasUnknownRoot, .serverCertificateNotYetValid, .clientCertificateRejected,
             .clientCertificateRequired:
            if certificateBundle != nil, !CertificateBundle.isApplied {
                reason = "TLS verification failed (the CA bundle cannot be applied by this platform's URLSession; add the CA to the system trust store)"
            } else {
                reason = "TLS verification failed"
            }
        default: reason = "URL error \(urlError.code.rawValue)"
        }
        return IndexError(.network, "\(what): \(url.redacted): \(reason)\(tried)")
    }
}

/// Holds a task for cancellation that may arrive before the task exists.
private final class TaskHandle: @unchecked Sendable {
    private let lock = NSLock()
    private var task: URLSessionTask?
    private var cancelled = false

    func set(_ task: URLSessionTask) {
        lock.lock()
        self.task = task
        let cancelNow = cancelled
        lock.unlock()
        if cancelNow { task.cancel() }
    }

    func cancel() {
        lock.lock()
        cancelled = true
        let current = task
        lock.unlock()
        current?.cancel()
    }
}
