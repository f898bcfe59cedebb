import Attestations
import Foundation
import Policy
import PythonPackaging

/// The outcome of one check, as shown to people and written to JSON.
public enum CheckStatus: String, Codable, Sendable, Comparable {
    /// The check ran and passed.
    case pass
    /// The check ran and found something wrong: tampering, a mismatch, a missing signature.
    case fail
    /// The check did not apply (it says why in its detail); a skip never makes a package verified
    /// on its own: the required checks must pass.
    case skip
    /// The check could not run (network, I/O, malformed input): "could not check", not "tampered".
    case error

    private var rank: Int {
        switch self {
        case .pass: 0
        case .skip: 1
        case .error: 2
        case .fail: 3
        }
    }

    public static func < (lhs: CheckStatus, rhs: CheckStatus) -> Bool { lhs.rank < rhs.rank }
}

/// The checks a package report can hold: the one source of their names, which are stable
/// identifiers in text and JSON output (the raw values), and of the step each belongs to.
public enum CheckName: String, Codable, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// [1/5] The distribution is installed (its `.dist-info`).
    case installed
    /// [1/5] The policy rule that decides the package (or that none matches).
    case policy
    /// [1/5] The exact wheel found on the index.
    case indexFile = "index-file"
    /// [2/5] The wheel downloaded (or found in the cache) and hashed.
    case download
    /// [2/5] That hash equal to the one the index publishes.
    case indexHash = "index-hash"
    /// [2/5] With a lock file: the file's hashes in the lock equal to the index's and the bytes'.
    case lockHash = "lock-hash"
    /// [3/5] The wheel's provenance fetched.
    case provenance
    /// [4/5] An attestation signed by a trusted signer.
    case signature
    /// [4/5] That attestation's statement names this wheel and digest.
    case statement
    /// [4/5] With a pins file: the signer is the one pinned for the project (`IdentityPinCheck`).
    case identityPin = "identity-pin"
    /// [4/5] With a lock file naming `attestation-identities`: the signer is one of them.
    case lockIdentity = "lock-identity"
    /// [5/5] The wheel's members agree with its RECORD.
    case wheelContents = "wheel-contents"
    /// [5/5] With `install`: an sdist whose provenance verified may be built (building runs its code).
    case sdistBuild = "sdist-build"
    /// [5/5] Installed files match the verified RECORD.
    case installedFiles = "installed-files"
    /// [5/5] Nothing unexplained in the package's directories.
    case unexpectedFiles = "unexpected-files"
    /// [5/5] No other importable name shadows a verified module or package.
    case shadowing
    /// [5/5] `.pyc` files the interpreter would load match their verified sources.
    case bytecode

    /// The 1-based step of the seed scripts' `[n/5]` shape this check belongs to.
    public var step: Int {
        switch self {
        case .installed, .policy, .indexFile: 1
        case .download, .indexHash, .lockHash: 2
        case .provenance: 3
        case .signature, .statement, .identityPin, .lockIdentity: 4
        case .wheelContents, .sdistBuild, .installedFiles, .unexpectedFiles, .shadowing, .bytecode: 5
        }
    }

    public var description: String { rawValue }

    private var order: Int { Self.allCases.firstIndex(of: self) ?? 0 }
    public static func < (lhs: CheckName, rhs: CheckName) -> Bool { lhs.order < rhs.order }
}

/// One named check of one package with its verdict and a one-line detail for people.
public struct CheckResult: Codable, Sendable, Equatable {
    /// Which check (its raw value is the stable identifier, e.g. `index-file`).
    public var name: CheckName
    public var status: CheckStatus
    /// What was checked and what was found, in one line.
    public var detail: String
    /// What a reader can do about it, beside the fact (not part of the JSON document: a reader's
    /// words for it go into `detail` first, ``worded(by:)``).
    public var remedy: Remedy? = nil

    public init(_ name: CheckName, _ status: CheckStatus, _ detail: String, remedy: Remedy? = nil) {
        self.name = name
        self.status = status
        self.detail = detail
        self.remedy = remedy
    }

    enum CodingKeys: String, CodingKey { case name, status, detail }

    /// How the `provenance` check's detail starts when the index answered that it has no
    /// provenance for the file (not found), as opposed to one that could not be fetched or read.
    public static let noProvenancePrefix = "no provenance on the index for "

    /// The index has no provenance for the file: a failed `provenance` check saying so.
    public var isNoProvenanceOnIndex: Bool {
        name == .provenance && status == .fail && detail.hasPrefix(Self.noProvenancePrefix)
    }
}

/// Where each installed file of a package stands after comparison with the verified wheel's RECORD.
///
/// Paths are absolute install paths, sorted. `generated` lists files an installer legitimately adds
/// (INSTALLER, REQUESTED, direct_url.json, the installed RECORD, `.pyc` of verified sources whose
/// header and code match them (or, with bytecode checks off, unchecked),
/// console-script wrappers of declared entry points); they are not failures.
public struct FileFindings: Codable, Sendable, Equatable {
    /// Files whose bytes differ from the verified RECORD.
    public var modified: [String] = []
    /// Files the verified RECORD lists that are not installed.
    public var missing: [String] = []
    /// Files inside the package's own directories that nothing accounts for.
    public var unexpected: [String] = []
    /// Installer-generated files, accounted for but not verified against the wheel.
    public var generated: [String] = []
    /// Entries in site-packages importable under a name this distribution provides (a directory,
    /// module, extension, `.pyc` or `.pth` of that name) that its verified RECORD does not list.
    public var shadowing: [String] = []
    /// Files whose bytes matched the verified RECORD.
    public var verified: Int = 0
    /// Why each listed `modified`, `missing`, `unexpected` or `shadowing` path is there, when more
    /// can be said than the list it is in (e.g. "reached through a symbolic link", "a name that is
    /// not UTF-8", "claimed only by the installed RECORD of zzfake-1.0"), keyed by path.
    public var notes: [String: String] = [:]

    public init() {}

    enum CodingKeys: String, CodingKey { case modified, missing, unexpected, generated, shadowing, verified, notes }

    /// Reads a report's `files`; `shadowing` and `notes` may be absent (reports written before
    /// they existed: the schema only ever adds fields).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        modified = try container.decode([String].self, forKey: .modified)
        missing = try container.decode([String].self, forKey: .missing)
        unexpected = try container.decode([String].self, forKey: .unexpected)
        generated = try container.decode([String].self, forKey: .generated)
        shadowing = try container.decodeIfPresent([String].self, forKey: .shadowing) ?? []
        verified = try container.decode(Int.self, forKey: .verified)
        notes = try container.decodeIfPresent([String: String].self, forKey: .notes) ?? [:]
    }

    /// True when nothing was modified, missing, unexpected or shadowing.
    public var isClean: Bool { modified.isEmpty && missing.isEmpty && unexpected.isEmpty && shadowing.isEmpty }

    /// Sorts every list (byte order), so output is the same whatever order the work finished in.
    public mutating func normalize() {
        for keyPath in [\FileFindings.modified, \.missing, \.unexpected, \.generated, \.shadowing] {
            self[keyPath: keyPath].sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        }
    }
}

/// The final state of a package: verified only when every required check passed.
public enum PackageStatus: String, Codable, Sendable {
    case verified
    /// Its rule requires integrity only, and it met it: the installed files match the index's
    /// wheel and that wheel the sha256 the index publishes; no provenance was checked (exit 0).
    case integrityOnly = "integrity-only"
    /// Its rule requires nothing (`require = "none"`, with a reason): not checked (exit 0).
    case waived
    /// Some check found tampering or a mismatch (exit 1).
    case failed
    /// Some check could not run and none failed (exit 3).
    case error
}

/// Everything wheeltrust learned about one installed distribution.
///
/// `status` is derived from `checks`, `files` and the rule's requirement, never set by hand: any
/// failed check or unclean file list gives `failed`; else any check that could not run gives
/// `error`; else, with at least one passing check, what the rule required was met: `verified`
/// (provenance, or no policy), `integrity-only` (integrity) or `waived` (none).
public struct PackageReport: Codable, Sendable {
    public var name: String
    public var version: String
    /// The index file the installed distribution was matched to, when one was found.
    public var wheel: String?
    /// The sha256 of that wheel as downloaded.
    public var sha256: String?
    public var checks: [CheckResult]
    public var files: FileFindings
    /// Who signed the attestation that verified the wheel's provenance (nil when none did).
    public var signer: SignerIdentity?
    /// The 1-based position of the policy rule that decided the package (nil: no policy, or no
    /// rule matched).
    public var rule: Int?
    /// What that rule requires (nil: no policy or no rule).
    public var requirement: Requirement?
    /// The proof the package met under its rule (which anchor), when it met one.
    public var proof: PolicyProof?
    /// The provenance document as received from the index (its sha256 and where it came from),
    /// whenever one was received, verified or not; nil when none was.
    public var provenanceDocument: ProvenanceDocumentDigest?
    /// What the wheel was built from, when the statement that verified is a `wheeltrust build`
    /// provenance (the sdist and every build-environment wheel by sha256); nil otherwise, and
    /// always nil when nothing verified.
    public var build: SourceBuildFacts?
    /// Per-file verdicts for `-v` text output; not part of the JSON document.
    public var fileLines: [InstalledFilesVerifier.FileLine] = []

    public init(
        name: String, version: String, wheel: String? = nil, sha256: String? = nil,
        checks: [CheckResult] = [], files: FileFindings = FileFindings()
    ) {
        self.name = name
        self.version = version
        self.wheel = wheel
        self.sha256 = sha256
        self.checks = checks
        self.files = files
    }

    /// Failed only because its index publishes no provenance for its wheel: every other check
    /// passed or did not apply and no file finding was made (what most packages of a public index
    /// look like; the summary counts them apart and names the next step).
    public var failedOnlyForMissingProvenance: Bool {
        checks.contains(where: \.isNoProvenanceOnIndex)
            && checks.allSatisfy { $0.isNoProvenanceOnIndex || $0.status == .pass || $0.status == .skip } && files.isClean
    }

    public var status: PackageStatus {
        if checks.contains(where: { $0.status == .fail }) || !files.isClean { return .failed }
        if checks.contains(where: { $0.status == .error }) || checks.isEmpty { return .error }
        if !checks.contains(where: { $0.status == .pass }) { return .error }
        switch requirement {
        case .integrity?: return .integrityOnly
        case .none?: return .waived
        case .provenance?, nil: return .verified
        }
    }

    enum CodingKeys: String, CodingKey {
        case name, version, status, wheel, sha256, signer, rule, requirement, proof, provenanceDocument, build, checks, files
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(version, forKey: .version)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(wheel, forKey: .wheel)
        try container.encodeIfPresent(sha256, forKey: .sha256)
        try container.encodeIfPresent(signer, forKey: .signer)
        try container.encodeIfPresent(rule, forKey: .rule)
        try container.encodeIfPresent(requirement?.rawValue, forKey: .requirement)
        try container.encodeIfPresent(proof, forKey: .proof)
        try container.encodeIfPresent(provenanceDocument, forKey: .provenanceDocument)
        try container.encodeIfPresent(build, forKey: .build)
        try container.encode(checks, forKey: .checks)
        try container.encode(files, forKey: .files)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        version = try container.decode(String.self, forKey: .version)
        wheel = try container.decodeIfPresent(String.self, forKey: .wheel)
        sha256 = try container.decodeIfPresent(String.self, forKey: .sha256)
        signer = try container.decodeIfPresent(SignerIdentity.self, forKey: .signer)
        rule = try container.decodeIfPresent(Int.self, forKey: .rule)
        requirement = try container.decodeIfPresent(String.self, forKey: .requirement).flatMap(Requirement.init(rawValue:))
        proof = try container.decodeIfPresent(PolicyProof.self, forKey: .proof)
        provenanceDocument = try container.decodeIfPresent(ProvenanceDocumentDigest.self, forKey: .provenanceDocument)
        build = try container.decodeIfPresent(SourceBuildFacts.self, forKey: .build)
        checks = try container.decode([CheckResult].self, forKey: .checks)
        files = try container.decode(FileFindings.self, forKey: .files)
    }
}

/// A file under the environment that no distribution accounts for (only with `--all`).
public struct EnvironmentFinding: Codable, Sendable, Equatable {
    public var path: String
    /// Why it matters, e.g. "start-up hook: .pth line executes code".
    public var detail: String

    public init(path: String, detail: String) {
        self.path = path
        self.detail = detail
    }
}

/// Counts over all packages.
public struct ReportSummary: Codable, Sendable, Equatable {
    public var total: Int
    public var verified: Int
    /// Packages whose rule required integrity only and that met it.
    public var integrityOnly: Int = 0
    /// Packages whose rule waived every check.
    public var waived: Int = 0
    public var failed: Int
    public var errors: Int
    /// Files under site-packages that no distribution owns.
    public var unexpectedFiles: Int
    /// Of `failed`, the packages that failed only because their index publishes no provenance.
    public var withoutProvenance: Int = 0
}

/// The whole result of a run: one entry per package in name order, plus environment-wide findings.
///
/// The exit code follows from it: 0 when every package met its rule (verified, integrity-only or
/// waived) and nothing is unexpected; 1 when anything failed; 3 when nothing failed but something
/// could not be checked.
public struct Report: Codable, Sendable {
    /// Version of this JSON document's schema.
    public var schemaVersion: Int = 1
    public var python: String?
    /// The interpreter that answered for the environment (the one run) and why it is trusted.
    public var interpreter: TrustedInterpreter?
    public var index: String?
    /// The indexes packages were looked up on (credentials removed), in lookup order; empty when
    /// none was (a local file).
    public var indexes: [String] = []
    public var packages: [PackageReport]
    /// Files no distribution owns (with `--all`), sorted by path.
    public var unexpected: [EnvironmentFinding]
    /// The policy the packages were judged by (nil when none was in play).
    public var policy: PolicySummary?

    public init(
        python: String? = nil, index: String? = nil, packages: [PackageReport],
        unexpected: [EnvironmentFinding] = []
    ) {
        self.python = python
        self.index = index
        self.packages = packages.sorted { ($0.name.lowercased(), $0.version) < ($1.name.lowercased(), $1.version) }
        self.unexpected = unexpected.sorted { $0.path < $1.path }
    }

    public var summary: ReportSummary {
        ReportSummary(
            total: packages.count,
            verified: packages.filter { $0.status == .verified }.count,
            integrityOnly: packages.filter { $0.status == .integrityOnly }.count,
            waived: packages.filter { $0.status == .waived }.count,
            failed: packages.filter { $0.status == .failed }.count,
            errors: packages.filter { $0.status == .error }.count,
            unexpectedFiles: unexpected.count,
            withoutProvenance: packages.filter(\.failedOnlyForMissingProvenance).count)
    }

    /// 0 verified, 1 verification failed, 3 could not complete.
    public var exitCode: Int32 {
        let summary = summary
        if summary.failed > 0 || summary.unexpectedFiles > 0 { return 1 }
        if summary.errors > 0 || summary.total == 0 { return 3 }
        return 0
    }

    enum CodingKeys: String, CodingKey { case schemaVersion, python, interpreter, index, indexes, policy, packages, unexpected, summary }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schemaVersion, forKey: .schemaVersion)
        try container.encodeIfPresent(python, forKey: .python)
        try container.encodeIfPresent(interpreter, forKey: .interpreter)
        try container.encodeIfPresent(index, forKey: .index)
        if !indexes.isEmpty { try container.encode(indexes, forKey: .indexes) }
        try container.encodeIfPresent(policy, forKey: .policy)
        try container.encode(packages, forKey: .packages)
        try container.encode(unexpected, forKey: .unexpected)
        try container.encode(summary, forKey: .summary)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try container.decode(Int.self, forKey: .schemaVersion)
        python = try container.decodeIfPresent(String.self, forKey: .python)
        interpreter = try container.decodeIfPresent(TrustedInterpreter.self, forKey: .interpreter)
        index = try container.decodeIfPresent(String.self, forKey: .index)
        indexes = try container.decodeIfPresent([String].self, forKey: .indexes) ?? []
        policy = try container.decodeIfPresent(PolicySummary.self, forKey: .policy)
        packages = try container.decode([PackageReport].self, forKey: .packages)
        unexpected = try container.decode([EnvironmentFinding].self, forKey: .unexpected)
    }

    /// The report as one JSON document, keys sorted so output is byte-for-byte reproducible.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
