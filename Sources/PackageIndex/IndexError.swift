/// The one error type of the PackageIndex module.
///
/// Guarantees: `message` is a single line (line breaks are replaced by spaces) and names what
/// was wrong and where. Every URL in a message has gone through `URL.redacted` /
/// `URLMasking.redact(_:)` first, so messages never carry passwords or tokens.
public struct IndexError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is.
    public enum Code: String, Sendable, Hashable {
        /// pip configuration, netrc or an argument is unusable (bad URL, unreadable file, syntax).
        case configuration
        /// Connection refused or reset, DNS failure, timeout, TLS failure, or 5xx / 429 after the
        /// last retry.
        case network
        /// The index answered 401 or 403.
        case authentication
        /// The index answered 404 (or 410), or no candidate URL had the resource.
        case notFound
        /// The index answered with something we cannot use (unexpected status, malformed page,
        /// hash mismatch, too many redirects).
        case badResponse
        /// The local content cache or a local file could not be read or written.
        case cache
        /// A response body exceeded its size cap.
        case tooLarge
        /// The index refused an upload (a 4xx other than 401, 403, 404) and said why.
        case refused
    }

    /// Why no index could be chosen, for the `configuration` error of that kind, so a caller can
    /// name its own way of giving one (`message` says it in the library's words).
    public enum NoIndex: Sendable, Hashable {
        /// Nothing names an index URL (pip's configuration files and variables) and the
        /// interpreter has no pip default.
        case pipNamesNone
        /// uv's configuration sets no-index (`origin` says where).
        case uvSetsNoIndex(origin: String)
        /// uv's configuration names no default index and there is no pip to read uv's built-in
        /// default from.
        case uvNamesNoDefault
    }

    public let code: Code
    public let message: String
    /// Set when the error is that no index could be chosen.
    public let noIndex: NoIndex?

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = IndexError.oneLine(message)
        self.noIndex = nil
    }

    /// A `configuration` error: no index could be chosen (an origin is kept on one line).
    public init(noIndex: NoIndex) {
        self.code = .configuration
        switch noIndex {
        case .pipNamesNone:
            self.noIndex = noIndex
            self.message = "no index URL: name one, or set PIP_INDEX_URL or index-url in pip.conf"
        case .uvSetsNoIndex(let origin):
            self.noIndex = .uvSetsNoIndex(origin: IndexError.oneLine(origin))
            self.message = IndexError.oneLine("uv's configuration sets no-index (\(origin)): no index to verify against; name one")
        case .uvNamesNoDefault:
            self.noIndex = noIndex
            self.message =
                "uv's configuration names no default index and the interpreter has no pip to read uv's built-in default from: "
                + "set UV_DEFAULT_INDEX or a [[index]] with default = true, or name an index"
        }
    }

    public var description: String { "\(code.rawValue): \(message)" }

    static func oneLine(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if scalar == "\n" || scalar == "\r" || scalar == "\t" {
                out.unicodeScalars.append(" ")
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
