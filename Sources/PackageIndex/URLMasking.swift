import Foundation

/// Masking of credentials in URLs, for every message and log line this project writes.
///
/// Guarantees: the output of `redact(_:)` never contains the password of the input's userinfo.
/// A userinfo with a password becomes `user:****@`; a userinfo without a password (a bare
/// token used as user name) becomes `****@`. Works on any string, parseable as a URL or not.
public enum URLMasking {
    /// Masks the userinfo of `text` if it looks like `scheme://userinfo@host…`.
    public static func redact(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://") else {
            // No scheme: could still be `user:pass@host/…`; mask conservatively.
            return redactAuthority(in: text, from: text.startIndex)
        }
        return redactAuthority(in: text, from: schemeEnd.upperBound)
    }

    private static func redactAuthority(in text: String, from start: String.Index) -> String {
        let rest = text[start...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return text }
        let userinfo = authority[..<at]
        let masked: String
        if let colon = userinfo.firstIndex(of: ":") {
            masked = String(userinfo[..<colon]) + ":****"
        } else {
            masked = "****"
        }
        return String(text[..<start]) + masked + String(authority[at...]) + String(rest[authorityEnd...])
    }
}

extension URL {
    /// This URL as a string with its credentials masked (`user:****@host`, or `****@host` when
    /// the userinfo is a bare token). Safe to print.
    public var redacted: String { URLMasking.redact(absoluteString) }

    /// This URL without any userinfo (credentials travel in headers, never in request URLs).
    public var removingUserInfo: URL {
        guard user != nil || password != nil,
              var parts = URLComponents(url: self, resolvingAgainstBaseURL: true)
        else { return self }
        parts.percentEncodedUser = nil
        parts.percentEncodedPassword = nil
        return parts.url ?? self
    }

    /// `scheme://host:port` with the default port made explicit, lowercased; nil without a host.
    var origin: (scheme: String, host: String, port: Int)? {
        guard let scheme = scheme?.lowercased(), let host = host?.lowercased(), !host.isEmpty else { return nil }
        let port = self.port ?? URL.defaultPort(forScheme: scheme)
        return (scheme, host, port)
    }

    static func defaultPort(forScheme scheme: String) -> Int {
        switch scheme {
        case "https": return 443
        case "http": return 80
        default: return -1
        }
    }
}
