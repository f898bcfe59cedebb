import Verification

/// Why a lock file or a wheelhouse could not be read, edited or worked on.
///
/// Guarantees: `message` is one line naming the file, the line when the problem is at a known
/// place (`file:line: problem`), and the problem; it never quotes more of the file than the name
/// or value at fault. `malformed`, `notApplicable` and `cannotEdit` are configuration errors
/// (exit 2); `operational` could not complete (exit 3). Tamper findings are never errors: they
/// are failed checks in the reports. An error of the verification setup (the index, the trust,
/// the interpreter) keeps its cause in ``verificationProblem`` (its message is the cause's), so a
/// caller can word the setting behind it in its own terms.
public struct LockError: Error, Sendable, Equatable {
    public enum Code: Sendable, Equatable {
        /// The file cannot be read, is not TOML, or is not a PEP 751 lock as the PEP defines it.
        case malformed
        /// The lock does not apply to the target interpreter (`requires-python`, `environments`).
        case notApplicable
        /// The file cannot be edited in place (a shape the text-preserving rewrite does not follow).
        case cannotEdit
        /// Something outside the file failed (the interpreter, the index's configuration, writing).
        case operational
        /// A setting of the verification setup was refused (``verificationProblem`` says which).
        case setup
    }

    public let code: Code
    public let message: String
    /// The verification setup's own error, when that is what stopped the flow: `.setup` for a
    /// usage error of it, `.operational` for one that could not complete.
    public let verificationProblem: VerificationError?

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
        self.verificationProblem = nil
    }

    /// The verification setup's error, kept as the cause.
    public init(verification error: VerificationError) {
        self.code = error.code == .usage ? .setup : .operational
        self.message = error.message
        self.verificationProblem = error
    }

    public static func == (a: LockError, b: LockError) -> Bool {
        a.code == b.code && a.message == b.message
    }

    /// `file:line: problem`, or `file: problem` when no line is known.
    public init(_ code: Code, file: String, line: Int?, _ problem: String) {
        self.init(code, line.map { "\(file):\($0): \(problem)" } ?? "\(file): \(problem)")
    }
}
