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
        if let problem = error.setupProblem { return message(problem) }
        return error.message
    }

    /// `problem` in the command line's words.
    static func message(_ problem: VerificationError.SetupProblem) -> String {
        switch problem {
        case .indexURLNotHTTP(let shown): "--index-url is not an http(s) URL: \(shown)"
        case .trustedRootWithStaging: "--trusted-root and --staging cannot be used together"
        case .nothingToVerify: "name at least one package, or use --all"
        case .trustSettingsWithPolicy(let path, let fromEnvironment):
            "trust flags (--key, --no-default-keys, --allow-keyless, identity pins) cannot be combined with a policy file "
                + "(\(fromEnvironment ? "WHEELTRUST_POLICY" : "--policy") \(path)): name the keys and identities in the policy"
        }
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
