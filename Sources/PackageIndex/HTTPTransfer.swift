import Foundation
import PythonPackaging
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

/// Where a transfer's 2xx body goes.
enum TransferSink: Sendable {
    /// Kept in memory, at most `cap` bytes (more is a `tooLarge` failure).
    case memory(cap: Int)
    /// Written to `path` (created exclusively) while hashed with SHA-256, at most `cap` bytes.
    case file(path: String, cap: Int64)
}

/// What one HTTP exchange (one attempt) produced.
struct TransferOutcome: @unchecked Sendable {
    var response: HTTPURLResponse?
    var body = Data()
    /// The transport error reported by URLSession, if any.
    var error: (any Error)?
    /// A failure we caused on purpose (size cap, redirect limit, local write error).
    var failure: IndexError?
    var sha256Hex: String?
    var size: Int64 = 0
}

/// The mutable state of one in-flight task, touched from URLSession's delegate queue and the
/// awaiting caller; every access holds `lock`.
final class TransferState: @unchecked Sendable {
    static let maxRedirects = 10
    /// Bytes of a non-2xx body kept (never shown; only for completeness of the outcome).
    static let errorBodyCap = 64 << 10

    private let lock = NSLock()
    let sink: TransferSink
    let credentials: IndexCredentials?
    let what: String
    private var continuation: CheckedContinuation<TransferOutcome, Never>?
    private var outcome = TransferOutcome()
    private var redirects = 0
    private var fd: Int32 = -1
    private var hasher = StreamingHasher(algorithm: .sha256)
    private var successStatus = false
    private var finished = false
    private var rejectedChallenge = false

    init(sink: TransferSink, credentials: IndexCredentials?, what: String, continuation: CheckedContinuation<TransferOutcome, Never>) {
        self.sink = sink
        self.credentials = credentials
        self.what = what
        self.continuation = continuation
    }

    /// Returns false when the transfer must be cancelled.
    func receive(response: URLResponse) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let http = response as? HTTPURLResponse else {
            outcome.failure = IndexError(.badResponse, "\(what): not an HTTP response from \(response.url?.redacted ?? "?")")
            return false
        }
        outcome.response = http
        successStatus = (200..<300).contains(http.statusCode)
        guard successStatus else { return true }
        let declared = http.expectedContentLength
        switch sink {
        case .memory(let cap):
            if declared > Int64(cap) {
                outcome.failure = IndexError(.tooLarge, "\(what): \(http.url?.redacted ?? "?") declares \(declared) bytes, more than the \(cap)-byte cap")
                return false
            }
        case .file(let path, let cap):
            if declared > cap {
                outcome.failure = IndexError(.tooLarge, "\(what): \(http.url?.redacted ?? "?") declares \(declared) bytes, more than the \(cap)-byte cap")
                return false
            }
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            if fd < 0 {
                outcome.failure = IndexError(.cache, "\(what): cannot create \(path): \(String(cString: strerror(errno)))")
                return false
            }
        }
        return true
    }

    /// Returns false when the transfer must be cancelled.
    func receive(data: Data) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard outcome.failure == nil else { return false }
        let url = outcome.response?.url?.redacted ?? "?"
        guard successStatus else {
            if outcome.body.count < TransferState.errorBodyCap {
                outcome.body.append(data.prefix(TransferState.errorBodyCap - outcome.body.count))
            }
            return true
        }
        switch sink {
        case .memory(let cap):
            if outcome.body.count + data.count > cap {
                outcome.failure = IndexError(.tooLarge, "\(what): \(url) is larger than the \(cap)-byte cap")
                return false
            }
            outcome.body.append(data)
        case .file(let path, let cap):
            if outcome.size + Int64(data.count) > cap {
                outcome.failure = IndexError(.tooLarge, "\(what): \(url) is larger than the \(cap)-byte cap")
                return false
            }
            var ok = true
            data.withUnsafeBytes { raw in
                hasher.update(raw)
                var offset = 0
                while offset < raw.count, let base = raw.baseAddress {
                    let written = write(fd, base + offset, raw.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        ok = false
                        return
                    }
                    offset += written
                }
            }
            guard ok else {
                outcome.failure = IndexError(.cache, "\(what): cannot write \(path): \(String(cString: strerror(errno)))")
                return false
            }
            outcome.size += Int64(data.count)
        }
        return true
    }

    /// The request to follow a redirect with, or nil to stop (limit reached).
    func redirect(_ request: URLRequest) -> URLRequest? {
        lock.lock()
        defer { lock.unlock() }
        redirects += 1
        if redirects > TransferState.maxRedirects {
            outcome.failure = IndexError(.badResponse, "\(what): more than \(TransferState.maxRedirects) redirects, last to \(request.url?.redacted ?? "?")")
            return nil
        }
        var next = request
        guard let url = request.url else { return nil }
        let clean = url.removingUserInfo
        next.url = clean
        // Credentials go only to the index's own origin, never across a redirect elsewhere.
        next.setValue(credentials?.authorizationHeader(for: clean), forHTTPHeaderField: "Authorization")
        return next
    }

    /// An HTTP authentication challenge (401 with `WWW-Authenticate`) was rejected: we never
    /// answer challenges (credentials are sent pre-emptively, and only to the index origin).
    func noteRejectedChallenge() {
        lock.lock()
        rejectedChallenge = true
        lock.unlock()
    }

    func complete(error: (any Error)?) {
        lock.lock()
        if finished {
            lock.unlock()
            return
        }
        finished = true
        if fd >= 0 {
            if close(fd) != 0, outcome.failure == nil, error == nil, case .file(let path, _) = sink {
                outcome.failure = IndexError(.cache, "\(what): cannot finish writing \(path)")
            }
            fd = -1
        }
        outcome.error = error
        // corelibs-foundation reports a rejected challenge as a cancelled task after it already
        // delivered the 401 response; that response is the outcome.
        if rejectedChallenge, outcome.failure == nil, outcome.response != nil,
           let urlError = error as? URLError, urlError.code == .cancelled {
            outcome.error = nil
        }
        if successStatus, case .file = sink {
            outcome.sha256Hex = hasher.finalize().hex
        }
        let result = outcome
        let waiting = continuation
        continuation = nil
        lock.unlock()
        waiting?.resume(returning: result)
    }
}

/// The session delegate: routes URLSession callbacks to the `TransferState` of each task.
final class SessionDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private var states: [Int: TransferState] = [:]
    let bundle: CertificateBundle?

    init(bundle: CertificateBundle?) {
        self.bundle = bundle
    }

    func register(_ task: URLSessionTask, state: TransferState) {
        lock.lock()
        states[task.taskIdentifier] = state
        lock.unlock()
    }

    private func state(for task: URLSessionTask) -> TransferState? {
        lock.lock()
        defer { lock.unlock() }
        return states[task.taskIdentifier]
    }

    private func remove(_ task: URLSessionTask) -> TransferState? {
        lock.lock()
        defer { lock.unlock() }
        return states.removeValue(forKey: task.taskIdentifier)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
        guard let state = state(for: dataTask) else {
            completionHandler(.cancel)
            return
        }
        completionHandler(state.receive(response: response) ? .allow : .cancel)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let state = state(for: dataTask) else { return }
        if !state.receive(data: data) { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        guard let state = state(for: task) else {
            completionHandler(nil)
            return
        }
        completionHandler(state.redirect(request))
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        remove(task)?.complete(error: error)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
                    completionHandler: @escaping @Sendable (URLSession.AuthChallengeDisposition, URLCredential?) -> Void) {
        #if canImport(Security)
        if challenge.protectionSpace.authenticationMethod == NSURLAuthenticationMethodServerTrust {
            urlSession(session, didReceive: challenge, completionHandler: completionHandler)
            return
        }
        #endif
        // HTTP Basic/Digest/NTLM/Negotiate, client certificates: never answered. (Answering with
        // default handling hangs corelibs-foundation; rejecting yields the 401 response.)
        state(for: task)?.noteRejectedChallenge()
        completionHandler(.rejectProtectionSpace, nil)
    }

    func urlSession(_ session: URLSession, didReceive challenge: URLAuthenticationChallenge,
                    completionHandler: @escaping @Sendable (URLSession.AuthChallengeDisposition, URLCredential?) -> Void) {
        #if canImport(Security)
        if challenge.protectionSpace.authenticationMethod == NSURLAuthenticationMethodServerTrust,
           let bundle, let trust = challenge.protectionSpace.serverTrust {
            let trusted = TrustEvaluation.evaluate(trust, anchors: bundle.certificates)
            completionHandler(trusted ? .useCredential : .cancelAuthenticationChallenge,
                              trusted ? URLCredential(trust: trust) : nil)
            return
        }
        #endif
        completionHandler(.performDefaultHandling, nil)
    }
}
