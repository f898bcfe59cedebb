import Building
import PackageIndex
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
        if let (fact, remedy) = error.remedy { return "\(fact); \(FlagWording().hint(remedy))" }
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
        case .noIndex(let noIndex): message(noIndex)
        }
    }

    /// Why no index could be chosen, naming `--index-url` as one way to give one.
    static func message(_ noIndex: IndexError.NoIndex) -> String {
        switch noIndex {
        case .pipNamesNone: "no index URL: set --index-url, PIP_INDEX_URL or index-url in pip.conf"
        case .uvSetsNoIndex(let origin):
            "uv's configuration sets no-index (\(origin)): no index to verify against; name one with --index-url"
        case .uvNamesNoDefault:
            "uv's configuration names no default index and the interpreter has no pip to read uv's built-in default from: "
                + "set UV_DEFAULT_INDEX, a [[index]] with default = true, or --index-url"
        }
    }

    /// A build error as `code: message`, naming the option when the error is about one.
    static func message(_ error: BuildError) -> String {
        let text =
            switch error.setupProblem {
            case .onlyNotInTree(let name)?: "--only \(name): not a package of the resolved tree"
            case .verification(let cause)?: message(cause)
            case nil: error.message
            }
        return "\(error.code.rawValue): \(text)"
    }

    /// What a tree build says of a package it did not build: the options that chose so.
    static func detail(_ outcome: TreePackageOutcome, plan: Bool) -> String {
        guard outcome.state == .skipped else { return outcome.detail }
        return plan ? "planned, not built (--plan)" : "not selected by --only"
    }

    /// The option `--index-url` as the origin of the index it names (the report's index line).
    static let indexURLOrigin = "--index-url"

    /// The reason of a bundle failure, naming the option that fits when the material did not.
    static func reason(_ failure: SigstoreFailure) -> String {
        switch failure.materialMismatch {
        case .certificateForKeyPolicy: "the bundle carries a certificate; --key verifies key-signed bundles only"
        case .keyHintForIdentityPolicy: "the bundle is key-signed (public key hint); give the key with --key"
        case nil: failure.reason
        }
    }
}

/// The command line's words for remedies (``Remedy``): each names the option that applies it.
struct FlagWording: RemedyWording {
    func hint(_ remedy: Remedy) -> String {
        switch remedy {
        case .allowKeyless: "keyless needs --allow-keyless or an identity pin"
        case .checkBytecode: "off: --check-bytecode turns it on"
        case .giveFileDigest: "give the file, or --sha256"
        case .nameSubject: "name the file with --subject"
        case .writePolicy: "say what each package needs: `wheeltrust policy init --out policy.toml`, then `--policy policy.toml`"
        case .usePolicy: "`wheeltrust policy check` and `verify --all --policy FILE`"
        case .updateTrust: "run `wheeltrust trust update`"
        }
    }

    func detail(_ fact: String, _ remedy: Remedy) -> String {
        // The subject check's fact is only that no subject was named: the option says it all.
        if remedy == .nameSubject { return "no --subject given" }
        return "\(fact) (\(hint(remedy)))"
    }
}
