/// The rules of wheeltrust's SARIF output: one per ``CheckName`` (its raw value is the rule id),
/// plus `unowned-files` for files no distribution owns (with `--all`) and `not-verified` for a
/// package that did not verify while no single check says why.
///
/// Guarantees: ids are stable (the check names of the JSON report); every check has a
/// description (a test holds every case of ``CheckName`` to it).
public enum SARIFRules {
    /// Files under the environment that no distribution owns (``Report/unexpected``).
    public static let unownedFiles = "unowned-files"
    /// A package that is not verified without any failing or erroring check to say why.
    public static let notVerified = "not-verified"

    /// What `check` requires, in one line (a switch, so a new check cannot be left without one).
    public static func description(of check: CheckName) -> String? {
        switch check {
        case .installed: "The distribution is installed (its .dist-info directory is there)."
        case .policy: "A rule of the trust policy covers the package, and its requirement is met."
        case .indexFile: "The exact installed wheel is found on the index."
        case .download: "The wheel is downloaded (or found in the cache) and hashed."
        case .indexHash: "The wheel's sha256 equals the one the index publishes."
        case .lockHash: "The hashes a lock file pins for the file equal the index's and the file's."
        case .provenance: "The index publishes provenance (PEP 740 attestations) for the wheel."
        case .signature: "An attestation of the wheel is signed by a trusted signer."
        case .statement: "The signed statement names exactly this wheel and its sha256."
        case .identityPin: "The signer is the identity pinned for the project (no change of signer, no downgrade)."
        case .lockIdentity: "The signer is one of the attestation-identities the lock file names for the package."
        case .wheelContents: "The wheel's members agree with its RECORD."
        case .sdistBuild: "An sdist is built (running its own code) only when its provenance verified and building was allowed."
        case .installedFiles: "Installed files match the RECORD inside the verified wheel."
        case .unexpectedFiles: "Nothing unexplained is in the package's own directories."
        case .shadowing: "No other importable entry shadows a module or package of a verified distribution."
        case .bytecode: ".pyc files the interpreter would load match their verified sources."
        }
    }

    /// Every rule in output order: the checks in their order, then the two others.
    static var all: [(id: String, text: String)] {
        CheckName.allCases.map { ($0.rawValue, description(of: $0) ?? $0.rawValue) } + [
            (unownedFiles, "No file under the environment that no distribution owns (start-up hooks included)."),
            (notVerified, "Every package verifies; this one did not and no single check says why."),
        ]
    }
}
