import Verification

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

    /// The setting behind a `.usage` error about one, so a caller can name its own option
    /// (`message` names the setting in the library's words).
    public enum SetupProblem: Sendable {
        /// The one package asked to be built is not a package of the resolved tree.
        case onlyNotInTree(String)
        /// The verification setup (the index, the trust) refused; its error says which setting.
        case verification(VerificationError)
    }

    public let code: Code
    public let message: String
    public let setupProblem: SetupProblem?

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
        self.setupProblem = nil
    }

    /// An error about a setting: `.usage`, or for a verification setup that could not be
    /// completed, `.operational`.
    public init(setupProblem: SetupProblem) {
        self.setupProblem = setupProblem
        switch setupProblem {
        case .onlyNotInTree(let name):
            self.code = .usage
            self.message = "\(name) is not a package of the resolved tree"
        case .verification(let error):
            self.code = error.code == .usage ? .usage : .operational
            self.message = error.message
        }
    }

    public var description: String { message }
}
