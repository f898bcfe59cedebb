import Foundation

/// A complete HTTP response with a 2xx status, as returned by `HTTPClient.get`.
///
/// Guarantees: `body.count` is at most the client's body cap; header names are lowercased;
/// `url` is the final URL after redirects (without userinfo).
public struct HTTPResponse: Sendable {
    public let status: Int
    public let headers: [String: String]
    public let body: Data
    public let url: URL

    public init(status: Int, headers: [String: String], body: Data, url: URL) {
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url
    }

    /// The media type of `Content-Type`, lowercased, without parameters.
    public var mediaType: String? {
        guard let value = headers["content-type"] else { return nil }
        let type = value.split(separator: ";", maxSplits: 1).first.map { $0.trimmingWhitespace().lowercased() }
        return type?.isEmpty == false ? type : nil
    }
}
