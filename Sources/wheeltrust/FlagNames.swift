import Sigstore
import Verification

/// The command line's words for what the library reports by field. Library messages never name
/// a flag; where an error or a failure is about a setting, this maps it to the option that sets
/// it, so every message that names a flag is written here.
enum FlagNames {
    /// The option that sets `pin`.
    static func flag(_ pin: IdentityPins.Pin) -> String {
        switch pin {
        case .repository: "--repository"
        case .workflow: "--workflow"
        case .identity: "--identity"
        case .issuer: "--issuer"
        case .gcpServiceAccount: "--gcp-service-account"
        }
    }

    /// `problem` in the command line's words.
    static func message(_ problem: IdentityPins.Problem) -> String {
        switch problem {
        case .identityWithoutIssuer: "\(flag(.identity)) and \(flag(.issuer)) must be given together"
        case .empty(let pin): "\(flag(pin)) is empty"
        case .repositoryNotOwnerName(let repository): "\(flag(.repository)) \(repository) is not OWNER/NAME"
        }
    }

    /// The message of a library error, naming the option when the error is about one.
    static func message(_ error: VerificationError) -> String {
        if let problem = error.pinProblem { return message(problem) }
        return error.message
    }

    /// The reason of a bundle failure, naming the option that fits when the material did not.
    static func reason(_ failure: SigstoreFailure) -> String {
        switch failure.materialMismatch {
        case .certificateForKeyPolicy: "the bundle carries a certificate; --key verifies key-signed bundles only"
        case .keyHintForIdentityPolicy: "the bundle is key-signed (public key hint); give the key with --key"
        case nil: failure.reason
        }
    }
}
