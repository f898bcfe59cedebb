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

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = IndexError.oneLine(message)
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
