import PackageIndex
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
    /// The setting behind a `.usage` error about one, so a caller can name its own option
    /// (`message` names the setting in the library's words).
    public let setupProblem: SetupProblem?
    /// What would mend an operational error, with the fact it mends (`message` is
    /// `fact; remedy` in the library's words; a caller words the remedy its own way).
    public let remedy: (fact: String, remedy: Remedy)?

    /// A usage error about how the settings are combined, in the library's words (a command line
    /// names its own options for it).
    public enum SetupProblem: Sendable, Hashable {
        /// The index URL given (shown masked) is not an http(s) URL.
        case indexURLNotHTTP(shown: String)
        /// A trusted root file and the staging instance were both chosen.
        case trustedRootWithStaging
        /// No package named and not every package asked for.
        case nothingToVerify
        /// Trust settings given together with a policy file named explicitly or by the environment.
        case trustSettingsWithPolicy(path: String, fromEnvironment: Bool)
        /// No index could be chosen (the index configuration names none usable).
        case noIndex(IndexError.NoIndex)
    }

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
        self.pinProblem = nil
        self.setupProblem = nil
        self.remedy = nil
    }

    /// An operational error that `remedy` mends: `fact; remedy` in the library's words.
    public init(_ code: Code, _ fact: String, remedy: Remedy) {
        self.code = code
        self.message = "\(fact); \(remedy)"
        self.pinProblem = nil
        self.setupProblem = nil
        self.remedy = (fact, remedy)
    }

    /// A usage error: the identity pins are not a usable configuration.
    public init(pinProblem: IdentityPins.Problem) {
        self.code = .usage
        self.message = pinProblem.description
        self.pinProblem = pinProblem
        self.setupProblem = nil
        self.remedy = nil
    }

    /// A usage error from reading the index configuration, keeping why no index could be chosen
    /// when that is the error.
    public init(indexError: IndexError) {
        if let noIndex = indexError.noIndex {
            self.init(setupProblem: .noIndex(noIndex))
        } else {
            self.init(.usage, indexError.message)
        }
    }

    /// A usage error: the settings do not go together.
    public init(setupProblem: SetupProblem) {
        self.code = .usage
        self.pinProblem = nil
        self.setupProblem = setupProblem
        self.remedy = nil
        switch setupProblem {
        case .indexURLNotHTTP(let shown): self.message = "the index URL is not an http(s) URL: \(shown)"
        case .trustedRootWithStaging: self.message = "a trusted root file and the staging instance cannot be used together"
        case .nothingToVerify: self.message = "no package named, and not every package asked for"
        case .trustSettingsWithPolicy(let path, let fromEnvironment):
            self.message =
                "trust settings (keys, keyless, identity pins) cannot be combined with a policy file "
                + "(\(fromEnvironment ? "from the environment" : "named") \(path)): name the keys and identities in the policy"
        case .noIndex(let noIndex): self.message = IndexError(noIndex: noIndex).message
        }
    }

    public var description: String { message }
}
