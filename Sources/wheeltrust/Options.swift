import ArgumentParser
import Attestations
import Sigstore
import Verification

/// Which Python environment to check.
struct EnvironmentOptions: ParsableArguments {
    @Option(name: .long, help: "The interpreter whose environment to check (default: the active virtualenv, else python3 on PATH).")
    var python: String?
}

/// Where the index is and how to reach it.
struct IndexOptions: ParsableArguments {
    @Option(name: .long, help: "The simple index URL (default: pip's configuration for this environment).")
    var indexURL: String?

    @Option(name: .long, help: "Where downloads are cached (default: $XDG_CACHE_HOME/wheeltrust or ~/.cache/wheeltrust).")
    var cacheDir: String?

    @Option(name: .long, help: "Seconds each index request may take in all (a wheel download: plus 1 s per 64 KiB received).")
    var timeout: Double = 30

    @Flag(
        name: .long,
        help: ArgumentHelp(
            "No network: locate, wheel and provenance come from the cache of an earlier online run; the provenance is verified again."))
    var offline = false
}

/// Who is trusted to sign.
struct TrustOptions: ParsableArguments {
    @Option(
        name: .customLong("key"),
        help: ArgumentHelp(
            "A PEM public key file to trust (repeatable). When given, only these keys are trusted.",
            valueName: "PEM"))
    var keys: [String] = []

    @Flag(name: .long, help: "Do not trust the embedded Red Hat release key 3 (with no --key, nothing verifies).")
    var noDefaultKeys = false

    @Flag(
        name: .long,
        help: ArgumentHelp(
            "Also accept Sigstore keyless attestations when --key or --no-default-keys names the trusted keys (identity pins imply it)."))
    var allowKeyless = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A Sigstore trusted_root.json (a private Sigstore) for keyless attestations, instead of the embedded production root.",
            valueName: "FILE"))
    var trustedRoot: String?

    @Flag(name: .long, help: "Verify keyless attestations against the embedded Sigstore staging root.")
    var staging = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Keyless: also require this source repository (added to the publisher's identity).", valueName: "OWNER/NAME"))
    var repository: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Keyless: also require this workflow (GitHub workflow file name or GitLab workflow path).", valueName: "FILE"))
    var workflow: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Keyless: also require exactly this certificate SAN (with --issuer).", valueName: "SAN"))
    var identity: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Keyless: also require exactly this OIDC issuer (with --identity).", valueName: "URL"))
    var issuer: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Keyless: also require this Google service account as the signer.", valueName: "EMAIL"))
    var gcpServiceAccount: String?

    /// The identity pins given on the command line.
    var pins: IdentityPins {
        IdentityPins(
            repository: repository, workflow: workflow, identity: identity, issuer: issuer,
            gcpServiceAccount: gcpServiceAccount)
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, sarif
}

/// How results are shown.
struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: text, json, or sarif (SARIF 2.1.0: one result per failed check or file).")
    var format: OutputFormat = .text

    @Flag(name: .shortAndLong, help: "Show a line per file.")
    var verbose = false

    @Flag(name: .shortAndLong, help: "Show only each package's result line and the summary.")
    var quiet = false

    /// Prints the report and returns the exit code it implies.
    /// `stepTitles`: the text report's step titles (default: those of installed packages).
    func finish(_ report: Report, stepTitles: [String] = TextReport.steps) throws -> Never {
        let report = report.worded(by: FlagWording())
        switch format {
        case .json:
            guard let data = try? report.jsonData() else { throw fail("cannot encode the report", code: Exit.incomplete) }
            emitJSON(data)
        case .sarif:
            let log = SARIFLog(report: report, toolVersion: Wheeltrust.configuration.version)
            guard let data = try? log.jsonData() else { throw fail("cannot encode the SARIF log", code: Exit.incomplete) }
            emitJSON(data)
        case .text:
            var text = TextReport(detail: quiet ? .quiet : verbose ? .verbose : .normal)
            text.stepTitles = stepTitles
            text.wording = FlagWording()
            emit(text.renderText(report))
        }
        throw ExitCode(report.exitCode)
    }
}

/// Which policy judges the packages.
struct PolicyOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The trust policy (TOML) that says, per index and project, what proves a package "
                + "(default: $WHEELTRUST_POLICY, else $XDG_CONFIG_HOME/wheeltrust/policy.toml or ~/.config/wheeltrust/policy.toml, "
                + "else the built-in policy). Not with --key, --no-default-keys, --allow-keyless or identity pins.",
            valueName: "FILE"))
    var policy: String?
}

/// The option groups every verifying command shares.
struct VerifyingOptions: ParsableArguments {
    @OptionGroup var environment: EnvironmentOptions
    @OptionGroup var index: IndexOptions
    @OptionGroup var trust: TrustOptions
    @OptionGroup var policy: PolicyOptions
    @OptionGroup var output: OutputOptions

    /// The library setup these options describe.
    var setup: VerificationSetup {
        var setup = VerificationSetup(environment: environment, index: index, trust: trust)
        setup.policyFile = policy.policy
        return setup
    }
}

extension VerificationSetup {
    init(environment: EnvironmentOptions, index: IndexOptions, trust: TrustOptions) {
        self.init(
            python: environment.python, indexURL: index.indexURL, keyFiles: trust.keys,
            noDefaultKeys: trust.noDefaultKeys, cacheDirectory: index.cacheDir, timeout: index.timeout,
            trustedRootFile: trust.trustedRoot, staging: trust.staging, identityPins: trust.pins)
        self.offline = index.offline
        self.allowKeyless = trust.allowKeyless
        self.indexURLOrigin = FlagNames.indexURLOrigin
    }
}

/// Runs library setup, turning its errors into the right exit code.
func prepare<T>(_ body: () throws(VerificationError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw fail("\(FlagNames.message(error))", code: error.code == .usage ? Exit.usage : Exit.incomplete)
    }
}

/// Runs a library flow, turning its errors into the right exit code.
func prepare<T>(_ body: () async throws(VerificationError) -> T) async throws -> T {
    do {
        return try await body()
    } catch {
        throw fail("\(FlagNames.message(error))", code: error.code == .usage ? Exit.usage : Exit.incomplete)
    }
}
