import Foundation
import PackageIndex
import PythonPackaging
import Verification

/// Where the pipeline for each file's index comes from: the one place that decides which index
/// (and so which trust, once a policy names rules per index) judges a file.
///
/// Guarantees: a package's `index` from the lock selects a pipeline for exactly that index;
/// without one, the default pipeline (`--index-url`, else pip's configuration) is used; indexes
/// are set up once, before any file is worked on, so a bad URL stops the run (exit 2) before
/// anything is fetched.
public struct IndexPipelines: Sendable {
    public let defaultPipeline: Pipeline
    private var byIndex: [String: Pipeline]

    /// `make` builds the pipeline for an index URL (VerificationSetup's context for it).
    public init(
        defaultPipeline: Pipeline, indexes: [String],
        make: (URL) throws(VerificationError) -> Pipeline
    ) throws(VerificationError) {
        self.defaultPipeline = defaultPipeline
        var byIndex: [String: Pipeline] = [:]
        let defaultKey = Self.key(defaultPipeline.context.index.configuration.indexURL.absoluteString)
        for index in Set(indexes) {
            let key = Self.key(index)
            if key == defaultKey { byIndex[key] = defaultPipeline; continue }
            guard byIndex[key] == nil else { continue }
            guard let url = HTTPURL.parse(index) else {
                throw VerificationError(.usage, "the lock names an index that is not an http(s) URL: \(URLMasking.redact(index))")
            }
            byIndex[key] = try make(url)
        }
        self.byIndex = byIndex
    }

    /// The pipeline for a file listed by `index` (nil: the default index).
    public func pipeline(forIndex index: String?) -> Pipeline {
        guard let index else { return defaultPipeline }
        return byIndex[Self.key(index)] ?? defaultPipeline
    }

    /// Two spellings of one index are one key: scheme and host without case, no credentials (a
    /// lock records an index without them; the configured one may carry them), no trailing `/`.
    static func key(_ url: String) -> String {
        guard var parts = URLComponents(string: url) else { return url }
        parts.user = nil
        parts.password = nil
        parts.scheme = parts.scheme?.lowercased()
        parts.host = parts.host?.lowercased()
        var key = parts.string ?? url
        while key.hasSuffix("/") { key.removeLast() }
        return key
    }
}

/// `verify-lock`: every file a PEP 751 lock would install on the target interpreter, verified on
/// its index before anything is installed.
///
/// Guarantees: one ``PackageReport`` per applicable package (``LockSelection``); for a file
/// entry: `index-file` (the index lists a file of exactly that name in that release), then
/// `lock-hash` failed at once when the index's sha256 is not the lock's (nothing downloaded),
/// `download` and `index-hash` (``Pipeline/fetchWheel(_:knownSize:)``: bytes in the
/// content-addressed cache, hashed; at most the lock's `size`, one byte more fails `lock-hash`),
/// `lock-hash` (``LockHashCheck``), `provenance`/`signature`/`statement` (the pipeline's steps 3-4
/// on those bytes), `lock-identity` when the lock names `attestation-identities` (the decisive
/// signer must be one of them; a mismatch names the lock's identities and the signer), and for a
/// wheel `wheel-contents`; a `vcs`/`directory`/`archive` entry gets an `error` `index-file` check
/// (not verifiable against an index: exit 3 unless something failed). Nothing is installed or run.
public struct LockVerifier: Sendable {
    public let pipelines: IndexPipelines
    public let facts: InterpreterTagFacts?
    public var jobs: Int = 4
    /// Whether a wheel's members are read against its RECORD (`wheel-contents`); see
    /// ``FileLocation/provenanceAndContents(of:project:version:identities:checkContents:on:into:)``.
    public var checkWheelContents = false
    /// The extras and dependency groups asked for (markers see them).
    public var request = LockSelection.Request()
    /// Called as each package finishes.
    public var progress: (@Sendable (FileProgress) -> Void)?

    public init(pipelines: IndexPipelines, facts: InterpreterTagFacts?) {
        self.pipelines = pipelines
        self.facts = facts
    }

    /// The indexes a lock's packages name (for ``IndexPipelines``).
    public static func indexes(of lock: PylockFile) -> [String] {
        lock.packages.compactMap(\.index)
    }

    public func verify(_ lock: PylockFile) async throws(LockError) -> [PackageReport] {
        let chosen = try LockSelection.choose(in: lock, facts: facts, request: request)
        let total = chosen.count
        let counter = ProgressCounter()
        let progress = self.progress
        return await orderedConcurrentMap(count: total, jobs: jobs) { [self] index in
            let (package, choice) = chosen[index]
            let report = await verify(package, choice)
            let cache = pipelines.pipeline(forIndex: package.index).context.cache
            let size = report.sha256.flatMap { SHA256Hex(normalizing: $0) }.map { ProgressCounter.size(of: cache.path(sha256Hex: $0)) } ?? 0
            progress?(counter.finished(package.name.raw, size: size, total: total))
            return report
        }
    }

    /// One package of the lock.
    public func verify(_ package: LockedPackage, _ choice: LockSelection.Choice) async -> PackageReport {
        var report = PackageReport(name: package.name.raw, version: package.version?.description ?? "")
        switch choice {
        case .notVerifiable(let kind, let detail):
            report.checks.append(
                CheckResult(
                    .indexFile, .error,
                    "a \(kind) entry (\(URLMasking.redact(detail))) is not an index file: not verifiable against an index"))
            return report
        case .noFile(let reason):
            report.checks.append(CheckResult(.indexFile, .fail, reason))
            return report
        case .file(let locked):
            return await verifyFile(locked, of: package, into: report)
        }
    }

    func verifyFile(_ locked: LockedFile, of package: LockedPackage, into report: PackageReport) async -> PackageReport {
        var report = report
        report.wheel = locked.filename
        let pipeline = pipelines.pipeline(forIndex: package.index)
        guard let parsed = try? DistributionFilename(parsing: locked.filename) else {
            report.checks.append(CheckResult(.indexFile, .fail, "\(locked.filename) is not a distribution file name"))
            return report
        }
        if report.version.isEmpty { report.version = parsed.version.description }
        let located = await FileLocation.find(locked.filename, project: parsed.name, version: parsed.version, on: pipeline)
        report.checks.append(located.check)
        guard let file = located.file else { return report }
        // The index names other bytes than the lock: nothing to download.
        if let disagreement = LockHashCheck.indexDisagreement(lockHashes: locked.hashes, indexSHA256: file.sha256) {
            report.checks.append(disagreement)
            return report
        }
        let fetched: FetchedWheel
        // The lock's size, when it records one, bounds the download (one byte more fails it).
        switch await pipeline.fetchWheel(file, knownSize: locked.size.map { (Int64($0), "the lock records", .lockHash) }) {
        case .failed(let checks):
            report.checks.append(contentsOf: checks)
            return report
        case .fetched(let wheel):
            fetched = wheel
        }
        report.sha256 = fetched.sha256.text
        report.checks.append(contentsOf: fetched.checks)
        report.checks.append(
            LockHashCheck.check(lockHashes: locked.hashes, indexSHA256: file.sha256, path: fetched.path, sha256: fetched.sha256))
        return await FileLocation.provenanceAndContents(
            of: fetched, project: parsed.name, version: report.version, identities: package.identities,
            checkContents: checkWheelContents, on: pipeline, into: report)
    }
}

/// Finds files on an index and runs the steps after download; shared by `verify-lock` and
/// `verify-files`.
enum FileLocation {
    /// The index file of exactly this name in the release, or the `index-file` check saying why not.
    static func find(
        _ filename: String, project: ProjectName, version: PythonVersion, on pipeline: Pipeline
    ) async -> (file: IndexFile?, check: CheckResult) {
        let located = await pipeline.locate(ReleaseRequest(name: project, version: version), tags: [], allFiles: true)
        let files = located.compactMap(\.file)
        guard !files.isEmpty else {
            return (
                nil, located.first?.report.checks.last ?? CheckResult(.indexFile, .fail, "\(project.raw) \(version) is not on the index")
            )
        }
        guard let file = files.first(where: { $0.filename == filename }) else {
            return (
                nil,
                CheckResult(
                    .indexFile, .fail,
                    "the index lists no \(filename) for \(project.raw) \(version): "
                        + files.map(\.filename).sorted().joined(separator: ", "))
            )
        }
        let yanked = file.yanked ? " (yanked)" : ""
        let index = URLMasking.redact((file.indexURL ?? pipeline.context.index.configuration.indexURL).absoluteString)
        return (file, CheckResult(.indexFile, .pass, "\(filename)\(yanked) on \(index)"))
    }

    /// Steps 3–4 on `fetched` (its bytes), `lock-identity` when `identities` is given, and for a
    /// wheel whose provenance verified, with `checkContents`, its members against its RECORD.
    ///
    /// Without `checkContents` the members are not read (`wheel-contents: skip`): the verified
    /// digest already fixes every byte the installer will take, so a member that disagrees with
    /// RECORD can only come from the signer itself, and `verify` after installing checks each
    /// installed file against this RECORD anyway. Reading 400 MiB of wheel members would
    /// otherwise cost more than the downloads (bench/results-lock.txt).
    static func provenanceAndContents(
        of fetched: FetchedWheel, project: ProjectName, version: String, identities: [LockedIdentity]?,
        checkContents: Bool, on pipeline: Pipeline, into report: PackageReport
    ) async -> PackageReport {
        var report = report
        // The policy's rule for the project, by the index that served the file (none: no policy).
        let decision = pipeline.ruleDecision(for: project, servedBy: fetched.file.servedBy)
        if let decision {
            pipeline.apply(decision, to: &report)
            guard let rule = decision.selection.rule, rule.requirement != .none else { return report }
            if rule.requirement == .integrity {
                // The lock's, the index's and the bytes' hashes are the whole proof: no provenance.
                Pipeline.applyIntegrity(rule, to: &report)
                return report
            }
        }
        let (checks, verified, signer) = await pipeline.provenance(for: fetched, project: project, version: version)
        report.checks.append(contentsOf: checks)
        report.signer = signer
        if let rule = decision?.selection.rule, let signer, verified, let policy = pipeline.context.policy {
            report.proof = policy.proof(of: signer, rule: rule)
        }
        if let identities {
            report.checks.append(LockIdentityCheck.check(identities: identities, signer: verified ? signer : nil))
        }
        if (try? WheelFilename(parsing: fetched.file.filename)) != nil {
            if verified && !checkContents {
                report.checks.append(
                    CheckResult(
                        .wheelContents, .skip,
                        "members not read: the verified sha256 fixes the bytes; installed files are checked against this RECORD"))
            } else if verified {
                report.checks.append(
                    Pipeline.openWheel(
                        at: fetched.path, filename: fetched.file.filename, sha256: fetched.sha256, memo: pipeline.contentsMemo
                    ).check)
            } else {
                report.checks.append(CheckResult(.wheelContents, .skip, "not read: the wheel's provenance did not verify"))
            }
        }
        return report
    }
}
