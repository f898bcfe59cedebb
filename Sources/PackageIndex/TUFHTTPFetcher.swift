import Attestations
import Foundation
import TUF

/// Fetches TUF repository files over HTTP(S) with the index `HTTPClient` (TLS verified, bounded
/// retries, body cap).
///
/// Guarantees: `path` is resolved under `baseURL` only (a path that is absolute, has a scheme,
/// an empty, `.` or `..` segment, a query or a fragment is refused with `configuration` before
/// anything is sent); 404/410 return nil (the root loop stops there); a body longer than
/// `maxLength` (or the client's cap) is a `TUFResponseTooLarge` error and no response is ever read past the client's
/// `maxBodySize` (an endless response costs bounded memory). Each file is a document under the
/// client's deadline (`RequestBudget`): a trickling or stalled repository fails with `network`
/// after `timeout` seconds. No credentials are sent (the client is built without any in
/// `client(limits:timeout:)`).
public struct TUFHTTPFetcher: TUFFetcher {
    public let baseURL: URL
    public let http: HTTPClient

    public init(baseURL: URL, http: HTTPClient) {
        self.baseURL = baseURL
        self.http = http
    }

    /// An HTTP client sized for TUF: no credentials, the system trust store (or `certificateBundle`),
    /// a body cap of the largest role bound.
    public static func client(
        limits: TUFLimits = .default, timeout: TimeInterval = 30,
        certificateBundle: String? = nil
    ) -> HTTPClient {
        HTTPClient(
            credentials: nil, certificateBundle: certificateBundle, timeout: timeout,
            retry: RetryPolicy(maxRetries: 3), maxBodySize: limits.largest)
    }

    public func fetch(_ path: String, maxLength: Int) async throws -> [UInt8]? {
        let url = try Self.resolve(path, under: baseURL)
        let response: HTTPResponse
        do {
            response = try await http.get(url, accept: nil, what: "TUF \(path)")
        } catch {
            if error.code == .notFound { return nil }
            if error.code == .tooLarge { throw TUFResponseTooLarge(path: path, maxLength: min(maxLength, http.maxBodySize)) }
            throw error
        }
        guard response.body.count <= maxLength else {
            throw TUFResponseTooLarge(path: path, maxLength: maxLength)
        }
        return [UInt8](response.body)
    }

    /// `baseURL` + `/` + `path`, refusing paths that could leave the repository.
    static func resolve(_ path: String, under baseURL: URL) throws(IndexError) -> URL {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        let safe =
            !path.isEmpty && !path.contains("?") && !path.contains("#") && !path.contains("\\") && !path.contains(":")
            && segments.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
        guard safe else {
            throw IndexError(.configuration, "TUF path \"\(path.prefix(100))\" is not a plain relative path")
        }
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        let encoded = segments.map { $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? String($0) }
        guard let url = URL(string: base + "/" + encoded.joined(separator: "/")) else {
            throw IndexError(.configuration, "TUF path \"\(path.prefix(100))\" does not form a URL under \(baseURL.redacted)")
        }
        return url
    }
}
