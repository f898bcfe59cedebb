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

    /// What each check requires, in one line.
    static let descriptions: [CheckName: String] = [
        .installed: "The distribution is installed (its .dist-info directory is there).",
        .indexFile: "The exact installed wheel is found on the index.",
        .download: "The wheel is downloaded (or found in the cache) and hashed.",
        .indexHash: "The wheel's sha256 equals the one the index publishes.",
        .provenance: "The index publishes provenance (PEP 740 attestations) for the wheel.",
        .signature: "An attestation of the wheel is signed by a trusted signer.",
        .statement: "The signed statement names exactly this wheel and its sha256.",
        .wheelContents: "The wheel's members agree with its RECORD.",
        .installedFiles: "Installed files match the RECORD inside the verified wheel.",
        .unexpectedFiles: "Nothing unexplained is in the package's own directories.",
        .shadowing: "No other importable entry shadows a module or package of a verified distribution.",
        .bytecode: ".pyc files the interpreter would load match their verified sources.",
    ]

    /// The description of `check`; its name when none was written (a test keeps that from happening).
    public static func description(of check: CheckName) -> String? {
        descriptions[check]
    }

    /// Every rule in output order: the checks in their order, then the two others.
    static var all: [(id: String, text: String)] {
        CheckName.allCases.map { ($0.rawValue, descriptions[$0] ?? $0.rawValue) } + [
            (unownedFiles, "No file under the environment that no distribution owns (start-up hooks included)."),
            (notVerified, "Every package verifies; this one did not and no single check says why."),
        ]
    }
}
