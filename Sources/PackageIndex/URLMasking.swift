import Foundation

/// Masking of credentials in URLs, for every message and log line this project writes.
///
/// Guarantees: the output of `redact(_:)` never contains the password of any userinfo in the
/// input, nor anything shaped like one. Two passes, both linear:
/// 1. every `//` starts an authority whose userinfo (up to its last `@` before the next `/`, `?`
///    or `#`) is masked, not only the first URL's (a value holding two URLs, as a mistaken
///    `index-url` line can; a URL inside another's query); a text without `//` is read as a
///    schemeless `user:pass@host…`;
/// 2. then any other `x:secret@` (a run without `/`, `?`, `#` or `@` that holds a `:` and ends in
///    `@`) is masked too, wherever it stands: what a typo (`https:/user:pass@host`) or a URL
///    parser's normalisation (a `//user:pass@` left in a path) leaves of a credential.
/// A userinfo with a password becomes `user:****@`; a userinfo without a password (a bare token
/// used as user name, after `//`) becomes `****@`. The text is scanned by Unicode scalars, not
/// Characters, so a combining mark after `/`, `:` or `@` (one Character with it) cannot hide a
/// separator that a URL parser sees. Works on any string, parseable as a URL or not; masking more
/// than a URL parser would is accepted, masking less is not.
public enum URLMasking {
    /// Masks the userinfo of every authority in `text`.
    public static func redact(_ text: String) -> String {
        let scalars = text.unicodeScalars
        var out = String.UnicodeScalarView()
        var cursor = scalars.startIndex
        var sawAuthority = false
        while let authorityStart = authorityStart(in: scalars, from: cursor) {
            sawAuthority = true
            let authorityEnd = endOfAuthority(in: scalars, from: authorityStart)
            out.append(contentsOf: scalars[cursor..<authorityStart])
            appendMasked(scalars[authorityStart..<authorityEnd], to: &out)
            cursor = authorityEnd
        }
        if !sawAuthority {
            // No `//`: could still be `user:pass@host/…`; mask conservatively.
            let authorityEnd = endOfAuthority(in: scalars, from: cursor)
            appendMasked(scalars[cursor..<authorityEnd], to: &out)
            cursor = authorityEnd
        }
        out.append(contentsOf: scalars[cursor...])
        return String(maskingColonRuns(out))
    }

    /// Pass 2: each `@` whose run (back to the previous `/`, `?`, `#` or `@`) holds a `:` keeps
    /// the run up to that first `:` and `:****` in place of the rest.
    private static func maskingColonRuns(_ scalars: String.UnicodeScalarView) -> String.UnicodeScalarView {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(scalars.count)
        var firstColon: Int?
        for scalar in scalars {
            switch scalar {
            case "@":
                if let colon = firstColon {
                    out.removeSubrange((colon + 1)...)
                    out.append(contentsOf: "****".unicodeScalars)
                }
                out.append(scalar)
                firstColon = nil
            case "/", "?", "#":
                out.append(scalar)
                firstColon = nil
            case ":":
                if firstColon == nil { firstColon = out.count }
                out.append(scalar)
            default:
                out.append(scalar)
            }
        }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: out)
        return view
    }

    /// The index just after the next `//` at or after `start`.
    private static func authorityStart(
        in scalars: String.UnicodeScalarView, from start: String.UnicodeScalarView.Index
    )
        -> String.UnicodeScalarView.Index?
    {
        var index = start
        while index < scalars.endIndex {
            let next = scalars.index(after: index)
            if scalars[index] == "/", next < scalars.endIndex, scalars[next] == "/" { return scalars.index(after: next) }
            index = next
        }
        return nil
    }

    /// Where the authority starting at `start` ends: the next `/`, `?` or `#`, else the end.
    private static func endOfAuthority(
        in scalars: String.UnicodeScalarView, from start: String.UnicodeScalarView.Index
    )
        -> String.UnicodeScalarView.Index
    {
        scalars[start...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? scalars.endIndex
    }

    /// Appends `authority` with its userinfo (everything before its last `@`) masked.
    private static func appendMasked(_ authority: Substring.UnicodeScalarView, to out: inout String.UnicodeScalarView) {
        guard let at = authority.lastIndex(of: "@") else {
            out.append(contentsOf: authority)
            return
        }
        let userinfo = authority[..<at]
        if let colon = userinfo.firstIndex(of: ":") {
            out.append(contentsOf: userinfo[..<colon])
            out.append(contentsOf: ":****".unicodeScalars)
        } else {
            out.append(contentsOf: "****".unicodeScalars)
        }
        out.append(contentsOf: authority[at...])
    }
}

extension URL {
    /// This URL as a string with its credentials masked (`user:****@host`, or `****@host` when
    /// the userinfo is a bare token). Safe to print.
    public var redacted: String { URLMasking.redact(absoluteString) }

    /// This URL without any userinfo (credentials travel in headers, never in request URLs).
    /// Guarantees: the result has no user and no password. When `URLComponents` cannot rebuild
    /// the URL (an empty scheme, say), the userinfo is cut out of its text; when even that does not
    /// parse, the result is `about:blank`, which names nothing to fetch.
    public var removingUserInfo: URL {
        guard user != nil || password != nil else { return self }
        if var parts = URLComponents(url: self, resolvingAgainstBaseURL: true) {
            parts.percentEncodedUser = nil
            parts.percentEncodedPassword = nil
            if let url = parts.url, url.user == nil, url.password == nil { return url }
        }
        let scalars = absoluteString.unicodeScalars
        var start = scalars.startIndex
        while start < scalars.endIndex,
            !(scalars[start] == "/" && scalars.index(after: start) < scalars.endIndex
                && scalars[scalars.index(after: start)] == "/")
        {
            start = scalars.index(after: start)
        }
        if start < scalars.endIndex {
            let authority = scalars.index(start, offsetBy: 2)
            let end = scalars[authority...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? scalars.endIndex
            if let at = scalars[authority..<end].lastIndex(of: "@") {
                let text = String(Substring(scalars[..<authority])) + String(Substring(scalars[scalars.index(after: at)...]))
                if let url = URL(string: text), url.user == nil, url.password == nil { return url }
            }
        }
        return URL(string: "about:blank")!
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
