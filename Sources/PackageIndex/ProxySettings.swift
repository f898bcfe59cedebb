import Foundation

/// The HTTP proxy a request goes through, read from the environment as pip (requests) and curl
/// read it: `https_proxy`/`HTTPS_PROXY` for https URLs, `http_proxy`/`HTTP_PROXY` for http URLs,
/// bypassed for hosts in `no_proxy`/`NO_PROXY` (comma-separated; `*` matches all; a name matches
/// itself and its subdomains, with or without a leading dot).
///
/// Guarantees: loopback hosts (`localhost`, `127.0.0.0/8`, `::1`) never go through a proxy; a
/// proxy URL that is not `http://host[:port]` is ignored (never half-applied); proxy credentials
/// are kept out of `description`.
public struct ProxySettings: Sendable, Equatable {
    public struct Proxy: Sendable, Hashable, CustomStringConvertible {
        public let host: String
        public let port: Int
        public let user: String?
        public let password: String?

        public var description: String { "http://\(user != nil ? "****@" : "")\(host):\(port)" }
    }

    public let https: Proxy?
    public let http: Proxy?
    public let bypass: [String]

    public init(environment: [String: String]) {
        func value(_ name: String) -> String? {
            let raw = environment[name] ?? environment[name.uppercased()]
            return raw.flatMap { $0.trimmingWhitespace().isEmpty ? nil : $0.trimmingWhitespace() }
        }
        https = value("https_proxy").flatMap(ProxySettings.parse)
        http = value("http_proxy").flatMap(ProxySettings.parse)
        bypass = (value("no_proxy") ?? "").split(separator: ",")
            .map { $0.trimmingWhitespace().lowercased() }
            .filter { !$0.isEmpty }
    }

    /// The proxy for `url`, or nil for a direct connection.
    public func proxy(for url: URL) -> Proxy? {
        guard let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased() else { return nil }
        let chosen = scheme == "https" ? https : (scheme == "http" ? http : nil)
        guard let chosen else { return nil }
        if ProxySettings.isLoopback(host) || bypasses(host) { return nil }
        return chosen
    }

    func bypasses(_ host: String) -> Bool {
        for entry in bypass {
            if entry == "*" { return true }
            let name = entry.hasPrefix(".") ? String(entry.dropFirst()) : entry
            let bare = name.split(separator: ":").first.map(String.init) ?? name
            if host == bare || host.hasSuffix("." + bare) { return true }
        }
        return false
    }

    static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return bare == "localhost" || bare == "::1" || bare.hasPrefix("127.")
    }

    static func parse(_ text: String) -> Proxy? {
        let withScheme = text.contains("://") ? text : "http://" + text
        guard let url = URL(string: withScheme), url.scheme?.lowercased() == "http",
            let host = url.host, !host.isEmpty
        else { return nil }
        return Proxy(
            host: host, port: url.port ?? 80,
            user: url.user.map { $0.removingPercentEncoding ?? $0 },
            password: url.password.map { $0.removingPercentEncoding ?? $0 })
    }
}
