import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

extension HTTPClient {
    /// POSTs `form` to `url` once and returns the 2xx response (its body capped as `get`'s is).
    ///
    /// Guarantees: one attempt, never retried and never redirected (a POST is not repeated behind
    /// the caller's back, and credentials are never sent on to another URL: a 3xx is a
    /// `badResponse` naming the `Location`); the credentials bound to `url`'s origin are sent, no
    /// others; the call ends within `timeout` seconds plus one second per `minimumTransferRate`
    /// bytes sent. A 400–499 other than 401/403/404 is `refused` with the server's reason (the
    /// first line of its body, at most 300 characters; the reason phrase of the status line is
    /// not kept by the HTTP parser); 401/403 are `authentication`.
    public func post(_ form: MultipartFormBody, to url: URL, what: String) async throws(IndexError) -> HTTPResponse {
        let roots: [NIOSSLCertificate]?
        switch trust {
        case .success(let value): roots = value
        case .failure(let error): throw error
        }
        guard Self.isFetchable(url) else {
            throw IndexError(.configuration, "\(what): \(url.redacted) is not an absolute http(s) URL")
        }
        let target = url.removingUserInfo
        let budget = RequestBudget(timeout: timeout, minimumRate: minimumTransferRate)
        let progress = TransferProgress(url: url.redacted)
        var sentHeaders = [("User-Agent", userAgent), ("Content-Type", form.contentType)]
        if let header = credentials(for: target)?.authorizationHeader(for: target) { sentHeaders.append(("Authorization", header)) }
        let headers = sentHeaders
        let client = SharedTransports.client(trust: trustKey, roots: roots, timeout: timeout, proxy: proxies.proxy(for: target))
        let cap = maxBodySize
        let timeout = self.timeout
        let outcome: TransferOutcome
        do {
            outcome = try await withTaskExecutorPreference(NetworkExecutor.shared) {
                try await DeadlineWatchdog.run(budget: budget, progress: progress, what: what) {
                    var request = HTTPClientRequest(url: target.absoluteString)
                    request.method = .POST
                    for (name, value) in headers { request.headers.add(name: name, value: value) }
                    request.body = .stream(form.chunks { progress.add($0) }, length: .known(form.length))
                    let response: HTTPClientResponse
                    do {
                        // The overall deadline is the watchdog's, which grows with the bytes sent.
                        response = try await client.execute(request, deadline: .distantFuture)
                    } catch let error as IndexError {
                        throw error
                    } catch {
                        throw TransportFailure.classify(error, timeout: timeout)
                    }
                    var outcome = TransferOutcome(status: Int(response.status.code), headers: [:])
                    for (name, value) in response.headers { outcome.headers[name.lowercased()] = value }
                    let keep = (200..<300).contains(outcome.status) ? cap : HTTPTransfer.errorBodyCap
                    do {
                        for try await chunk in response.body where outcome.body.count < keep {
                            outcome.body.append(contentsOf: chunk.readableBytesView.prefix(keep - outcome.body.count))
                        }
                    } catch {
                        throw TransportFailure.classify(error, timeout: timeout)
                    }
                    return outcome
                }
            }
        } catch let error as IndexError {
            throw error
        } catch let failure as TransportFailure {
            throw IndexError(.network, "\(what): \(url.redacted): \(failure.reason)")
        } catch {
            throw IndexError(.network, "\(what): cancelled while sending to \(url.redacted)")
        }
        let status = outcome.status
        if (200..<300).contains(status) {
            return HTTPResponse(status: status, headers: outcome.headers, body: outcome.body, url: target)
        }
        if (300..<400).contains(status) {
            let location = outcome.headers["location"].map { " to \(URLMasking.redact($0))" } ?? ""
            throw IndexError(
                .badResponse, "\(what): HTTP \(status)\(location) from \(url.redacted): uploads do not follow redirects; give the final URL"
            )
        }
        if (400..<500).contains(status), ![401, 403, 404].contains(status) {
            throw IndexError(.refused, "\(what): HTTP \(status) from \(url.redacted): \(Self.reason(outcome.body))")
        }
        throw statusError(status, url: url, what: what, attempts: 1)
    }

    /// The first non-blank line of a refusal's body, at most 300 characters ("no reason given").
    static func reason(_ body: Data) -> String {
        let text = String(decoding: body.prefix(4096), as: UTF8.self)
        let line = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty }
        guard let line else { return "no reason given" }
        return line.count > 300 ? String(line.prefix(300)) + "…" : line
    }
}
