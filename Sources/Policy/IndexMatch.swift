import Foundation

/// A rule's `index`: the simple-index URL whose files the rule covers, compared normalised.
///
/// Guarantees: a policy's URL is accepted only when it is `http` or `https` with a host, and has
/// no credentials, query or fragment (a policy is shared; credentials belong in the index
/// configuration). Two URLs are the same index when their normalised forms are equal: scheme and
/// host lower case, the scheme's default port dropped, credentials dropped (the served side's
/// URL may carry them), the path compared exactly with one trailing `/` (so `…/simple` and
/// `…/simple/` are the same index, and `…/simple/x/` is another).
public struct IndexMatch: Sendable, Hashable, CustomStringConvertible {
    /// The URL as written in the policy.
    public let text: String
    /// Its normalised form.
    public let normalized: String

    /// nil with the reason when `text` is not an acceptable index URL.
    public static func parse(_ text: String) -> Result<IndexMatch, Problem> {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https"
        else { return .failure(Problem("\(text) is not an http(s) URL")) }
        guard let host = components.host, !host.isEmpty else { return .failure(Problem("\(text) has no host")) }
        if components.user != nil || components.password != nil {
            return .failure(Problem("the index URL carries credentials; give them in the index configuration, not the policy"))
        }
        if components.query != nil || components.fragment != nil {
            return .failure(Problem("\(text) has a query or fragment; an index URL has neither"))
        }
        guard let normalized = normalize(components) else { return .failure(Problem("\(text) is not an http(s) URL")) }
        return .success(IndexMatch(text: text, normalized: normalized))
    }

    /// Why a URL is refused.
    public struct Problem: Error, Sendable {
        public let message: String
        init(_ message: String) { self.message = message }
    }

    private init(text: String, normalized: String) {
        self.text = text
        self.normalized = normalized
    }

    /// The normalised form of a served index URL (credentials, query and fragment dropped).
    public static func normalize(_ url: URL) -> String? {
        guard let components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return nil }
        return normalize(components)
    }

    static func normalize(_ components: URLComponents) -> String? {
        guard let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host?.lowercased(), !host.isEmpty
        else { return nil }
        var port = ""
        if let value = components.port, !(scheme == "http" && value == 80), !(scheme == "https" && value == 443) {
            port = ":\(value)"
        }
        var path = components.percentEncodedPath
        if path.isEmpty || !path.hasSuffix("/") { path += "/" }
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(scheme)://\(bracketed)\(port)\(path)"
    }

    /// Whether the index at `url` (the one that served the file) is this one.
    public func matches(_ url: URL) -> Bool {
        Self.normalize(url) == normalized
    }

    public var description: String { text }
}
