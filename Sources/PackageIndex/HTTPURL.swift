import Foundation

/// The check every http(s) URL a user names goes through (an index, a TUF repository), in one place.
public enum HTTPURL {
    /// `text` as a URL when it parses, its scheme is `http` or `https` (in any case) and it names
    /// a host; nil otherwise (`ftp://x`, `https:///path`, `index.example/simple`).
    public static func parse(_ text: String) -> URL? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            url.host != nil
        else { return nil }
        return url
    }
}
