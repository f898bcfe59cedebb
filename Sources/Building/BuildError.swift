/// The single error type of the Building module.
///
/// Guarantees: `message` is one line naming what was wrong and where (a file, a requirement, the
/// log to read), with index credentials masked; `code` says which stage refused or failed, and
/// with it the exit code a command line gives.
public struct BuildError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        /// Bad arguments or configuration (exit 2).
        case usage
        /// The source did not check out: its sha256 differs from the index's, or its own
        /// provenance did not verify (exit 1: a verification failed).
        case sourceRejected = "source-rejected"
        /// A build requirement could not be found as a wheel where the build was told to look (exit 1).
        case requirementUnavailable = "requirement-unavailable"
        /// The backend's hook failed; the message names the build log (exit 1).
        case backendFailed = "backend-failed"
        /// The work could not be completed: a process, the file system, the index (exit 3).
        case operational
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
