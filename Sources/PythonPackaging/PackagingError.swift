/// The single error type of the PythonPackaging module.
///
/// Thrown only for operational failures: unreadable files, input so malformed that a check
/// cannot be performed, limits exceeded, or an interpreter that cannot be run. The `message`
/// is one line naming what was wrong and where (a file name, a path, a field), never a secret.
public struct PackagingError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The category of failure.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        case invalidName
        case invalidFilename
        case invalidRecord
        /// A digest is not in the form required (e.g. `SHA256Hex`: 64 lowercase hex digits).
        case invalidDigest
        case invalidMetadata
        case zip
        case io
        case limitExceeded
        case pathEscape
        case interpreter
        /// The environment's interpreter could not be established as one not under the
        /// environment's control (a `pyvenv.cfg`, a base interpreter or a `bin/python` that does
        /// not check out, or an interpreter's answer that contradicts itself): nothing was run
        /// that should not have been, and nothing can be verified.
        case interpreterNotTrusted
    }

    /// What kind of failure this is.
    public let code: Code
    /// A one-line human-readable explanation naming what was wrong and where.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
