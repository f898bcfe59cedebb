import Foundation

/// HTTP Basic credentials bound to one origin (scheme, host, port) of a package index.
///
/// Guarantees: `authorizationHeader(for:)` returns a header only for URLs whose scheme, host
/// (case-insensitive) and effective port equal this origin's, so credentials are never sent to
/// another host (a CDN, a redirect target). `description` and `debugDescription` mask the
/// password.
public struct IndexCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let user: String
    public let password: String
    public let scheme: String
    public let host: String
    /// The effective port (443 for https, 80 for http when the URL has none).
    public let port: Int

    public init(user: String, password: String, scheme: String, host: String, port: Int?) {
        self.user = user
        self.password = password
        self.scheme = scheme.lowercased()
        self.host = host.lowercased()
        self.port = port ?? URL.defaultPort(forScheme: self.scheme)
    }

    /// Credentials for `indexURL`: its userinfo (percent-decoded, so `12345%7Csvc` becomes
    /// `12345|svc`), else the netrc entry for its host. nil when neither has any.
    public static func forIndex(_ indexURL: URL, netrc: Netrc?) -> IndexCredentials? {
        guard let origin = indexURL.origin else { return nil }
        if let user = indexURL.user(percentEncoded: false) {
            let password = indexURL.password(percentEncoded: false) ?? ""
            if !user.isEmpty || !password.isEmpty {
                return IndexCredentials(
                    user: user, password: password, scheme: origin.scheme,
                    host: origin.host, port: origin.port)
            }
        }
        if let netrc, let found = netrc.credentials(forHost: origin.host) {
            return IndexCredentials(
                user: found.login, password: found.password, scheme: origin.scheme,
                host: origin.host, port: origin.port)
        }
        return nil
    }

    /// Whether `url` has exactly this origin.
    public func matches(_ url: URL) -> Bool {
        guard let origin = url.origin else { return false }
        return origin.scheme == scheme && origin.host == host && origin.port == port
    }

    /// `Basic <base64(user:password)>` when `url` has this origin, else nil.
    public func authorizationHeader(for url: URL) -> String? {
        guard matches(url) else { return nil }
        let token = Data("\(user):\(password)".utf8).base64EncodedString()
        return "Basic \(token)"
    }

    public var description: String { "\(user):****@\(scheme)://\(host):\(port)" }
    public var debugDescription: String { description }
}
