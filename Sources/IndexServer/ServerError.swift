/// The single error type of the IndexServer module.
///
/// Thrown only for operational failures: a configuration the server cannot run with, a folder or
/// file it cannot read or write, a signing step that failed. `message` is one line naming what was
/// wrong and where (a path, a setting); it never carries a password or key material.
public struct ServerError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The category of failure.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// A setting is unusable (empty directory path, bad host, bad credentials format).
        case configuration
        /// Reading or writing a file or folder failed.
        case io
        /// A file that should be a distribution, attestation or publisher is not one.
        case malformedInput
        /// Building or signing an attestation failed.
        case signing
        /// The HTTP server could not start or stopped with an error.
        case server
    }

    /// What kind of failure this is.
    public let code: Code
    /// One line naming what was wrong and where.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
