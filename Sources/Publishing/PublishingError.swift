/// The single error type of the Publishing module.
///
/// Thrown only for operational failures: a store that cannot be opened or written, a database
/// error, an upload whose own description is inconsistent (its bytes do not hash to the digest it
/// claims, its filename does not parse). A file that already exists, a token that does not match
/// or a corrupted blob are returned values, never thrown. `message` is one line naming what was
/// wrong and where; it never carries a token secret.
public struct PublishingError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The category of failure.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// A setting or argument is unusable (an empty store path, a bad token name or role).
        case configuration
        /// Reading or writing a file or folder of the store failed.
        case io
        /// The database could not be opened, migrated, read or written.
        case database
        /// An upload's description disagrees with its bytes or cannot be a distribution
        /// (filename, digest, size).
        case invalidUpload
        /// The named file, project or token does not exist.
        case notFound
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
