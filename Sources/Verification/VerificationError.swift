import Sigstore

/// The single error type of the Verification module.
///
/// Thrown only when a run cannot go on at all (the interpreter cannot be inspected, the index is
/// not configured). Everything that concerns one package, including operational trouble with
/// that package, is recorded in its ``PackageReport`` instead, so one bad package never hides
/// the others.
public struct VerificationError: Error, CustomStringConvertible, Sendable {
    /// The category of failure; it decides the exit code.
    public enum Code: String, Sendable {
        /// Bad arguments or configuration (exit 2).
        case usage
        /// The work could not be completed: network, interpreter, I/O (exit 3).
        case operational
    }

    public let code: Code
    /// One line naming what was wrong and where; never contains a secret.
    public let message: String
    /// The identity-pin problem behind a `.usage` error, so a caller can name its own options
    /// (`message` names the pins only by their library names).
    public let pinProblem: IdentityPins.Problem?

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
        self.pinProblem = nil
    }

    /// A usage error: the identity pins are not a usable configuration.
    public init(pinProblem: IdentityPins.Problem) {
        self.code = .usage
        self.message = pinProblem.description
        self.pinProblem = pinProblem
    }

    public var description: String { message }
}
