import Attestations
import Foundation
import PackageIndex
import PythonPackaging

/// The single-step commands against the index (`fetch-attestation`, `verify-signature`,
/// `verify-wheel`, `verify-installed`): each runs the steps `verify` runs, in the same order and
/// with the same checks, and stops after its own.
///
/// Guarantees: the distribution is looked up in this environment first (not installed: a usage
/// error); steps 1–2 (locate, download) are ``Pipeline/locateAndFetch(_:)`` for each, and a later
/// step runs only on the wheel they found, its checks appended to the same report; nothing here
/// skips a check `verify` would make on the steps it reports.
extension EnvironmentVerifier {
    /// Steps 1–3: the provenance of the wheel as the index serves it (fetched, not verified), one
    /// report per file (see ``stepSubject(_:allFiles:)`` for which); the provenance nil when no
    /// file was found or no provenance could be fetched (the report says why).
    public func fetchAttestations(
        of name: String, allFiles: Bool = false
    ) async throws(VerificationError)
        -> [(report: PackageReport, provenance: FetchedProvenance?)]
    {
        let pipeline = self.pipeline
        return try await afterDownload(of: name, allFiles: allFiles) { file, project, version in
            let (fetched, check) = await pipeline.fetchProvenance(for: file.file, project: project, version: version)
            return ([check], fetched)
        }.map { ($0.report, $0.value) }
    }

    /// Steps 1–4: the wheel's provenance fetched and its signature and statement verified, one
    /// report per file.
    public func verifySignatures(of name: String, allFiles: Bool = false) async throws(VerificationError) -> [PackageReport] {
        let pipeline = self.pipeline
        return try await underRule(of: name, allFiles: allFiles) { file, project, version in
            let outcome = await pipeline.provenance(for: file, project: project, version: version)
            return (outcome.checks, outcome.isVerified ? outcome.signer : nil)
        }
    }

    /// Steps 1–4 and, for a wheel, its own consistency (every member recorded in its RECORD and
    /// matching), without any installed file; an sdist gets steps 1–4.
    public func verifyWheels(of name: String, allFiles: Bool = false) async throws(VerificationError) -> [PackageReport] {
        let pipeline = self.pipeline
        return try await underRule(of: name, allFiles: allFiles) { file, project, version in
            let outcome = await pipeline.provenance(for: file, project: project, version: version)
            let signer = outcome.isVerified ? outcome.signer : nil
            guard (try? WheelFilename(parsing: file.file.filename)) != nil else { return (outcome.checks, signer) }
            return (outcome.checks + [Pipeline.openWheel(at: file.path, filename: file.file.filename).check], signer)
        }
    }

    /// Step 5 alone (no provenance, no signature: the report has no such checks): the installed
    /// files against the RECORD of the index's wheel (steps 1–2), or of `localWheel`, and with
    /// `checkBytecode` each `.pyc` of a verified source against it, as ``run(_:)`` does for every
    /// package (one ``BytecodeVerification`` batch). A `localWheel` that does not exist is a usage
    /// error.
    public func verifyInstalled(
        _ name: String, localWheel: String?, checkBytecode: Bool
    ) async throws(VerificationError)
        -> PackageReport
    {
        let installed = try installed(named: name)
        var report: PackageReport
        let path: String
        var filename: String?
        if let localWheel {
            guard FileManager.default.fileExists(atPath: localWheel) else {
                throw VerificationError(.usage, "no such wheel file: \(localWheel)")
            }
            report = PackageReport(name: installed.name.raw, version: installed.rawVersion, wheel: localWheel)
            path = localWheel
        } else {
            let (located, fetched) = await pipeline.locateAndFetch(installed)
            guard let fetched else { return located }
            report = located
            path = fetched.path
            filename = fetched.file.filename
        }
        let outcome = await pipeline.installedChecks(
            wheelAt: path, filename: filename, installed: installed,
            files: filesVerifier(checkingBytecode: checkBytecode), into: &report)
        var reports = [report]
        await BytecodeVerification.apply(checker: checkBytecode ? bytecodeChecker : nil, to: &reports, outcomes: [outcome])
        return reports[0]
    }

    /// What a single step works on: the installed distribution's wheel, or files of a release on
    /// the index (``ReleaseSelection``).
    public enum StepSubject: Sendable {
        case installed(InstalledDistribution)
        /// `files` of `request`'s release: one (the best for this interpreter) or all of them.
        case release(ReleaseRequest, allFiles: Bool)
    }

    /// `PKG==VERSION` names a release on the index; `PKG` the installed distribution when there is
    /// one, else the project's newest final release on the index; `allFiles` every file of the
    /// release (the installed version's when installed). A name that is neither is a usage error.
    public func stepSubject(_ name: String, allFiles: Bool) throws(VerificationError) -> StepSubject {
        guard let request = ReleaseRequest(name) else {
            throw VerificationError(.usage, "\(name) is not a project name or PROJECT==VERSION")
        }
        if request.version != nil { return .release(request, allFiles: allFiles) }
        guard let installed = try installedIfPresent(named: name) else { return .release(request, allFiles: allFiles) }
        if allFiles { return .release(ReleaseRequest(name: installed.name, version: installed.version), allFiles: true) }
        return .installed(installed)
    }

    /// Steps 1–2 for each file the name stands for (``stepSubject(_:allFiles:)``), then `next` on
    /// each file they fetched: its checks appended to that file's report, its value returned beside it.
    private func afterDownload<Value>(
        of name: String, allFiles: Bool,
        _ next: (FetchedWheel, ProjectName, String) async -> (checks: [CheckResult], value: Value?)
    ) async throws(VerificationError)
        -> [(report: PackageReport, value: Value?)]
    {
        switch try stepSubject(name, allFiles: allFiles) {
        case .installed(let installed):
            var (report, wheel) = await pipeline.locateAndFetch(installed)
            guard let wheel else { return [(report, nil)] }
            let (checks, value) = await next(wheel, installed.name, installed.rawVersion)
            report.checks.append(contentsOf: checks)
            return [(report, value)]
        case .release(let request, let allFiles):
            var results: [(report: PackageReport, value: Value?)] = []
            for (report, file) in await pipeline.locate(request, tags: supportedTags, allFiles: allFiles) {
                var report = report
                guard let file else {
                    results.append((report, nil))
                    continue
                }
                switch await pipeline.fetchWheel(file) {
                case .failed(let checks):
                    report.checks.append(contentsOf: checks)
                    results.append((report, nil))
                case .fetched(let wheel):
                    report.sha256 = wheel.sha256.text
                    report.checks.append(contentsOf: wheel.checks)
                    let (checks, value) = await next(wheel, request.name, report.version)
                    report.checks.append(contentsOf: checks)
                    results.append((report, value))
                }
            }
            return results
        }
    }

    /// ``afterDownload(of:allFiles:_:)`` judged by the project's policy rule (when the context has
    /// a policy): the rule and its `policy` check go into each report; a project no rule covers
    /// fails there and a waived one is decided there (nothing fetched); under an integrity rule
    /// `next` (the provenance steps) does not run, the `provenance` check says why (`skip`) and
    /// the index's published sha256 is required; otherwise `next` runs with the rule's verifier.
    /// `next` returns its checks and who signed, when the provenance verified: the report's
    /// `signer`, and under a rule its `proof`.
    private func underRule(
        of name: String, allFiles: Bool,
        _ next: (FetchedWheel, ProjectName, String) async -> (checks: [CheckResult], signer: SignerIdentity?)
    ) async throws(VerificationError) -> [PackageReport] {
        let subject = try stepSubject(name, allFiles: allFiles)
        let project: ProjectName
        switch subject {
        case .installed(let installed): project = installed.name
        case .release(let request, _): project = request.name
        }
        guard let decision = pipeline.ruleDecision(for: project) else {
            return try await afterDownload(of: name, allFiles: allFiles) { wheel, project, version in
                let (checks, signer) = await next(wheel, project, version)
                return (checks, signer)
            }.map { result in
                var report = result.report
                report.signer = result.value
                return report
            }
        }
        guard let rule = decision.selection.rule, rule.requirement != .none else {
            switch subject {
            case .installed(let installed):
                return [pipeline.decidedOnly(installed, decision)]
            case .release(let request, _):
                var report = PackageReport(name: request.name.raw, version: request.version?.description ?? "")
                pipeline.apply(decision, to: &report)
                return [report]
            }
        }
        let integrityOnly = rule.requirement == .integrity
        let results = try await afterDownload(of: name, allFiles: allFiles) { wheel, project, version in
            if integrityOnly { return ([], nil as SignerIdentity?) }
            let (checks, signer) = await next(wheel, project, version)
            return (checks, signer)
        }
        var reports = results.map(\.report)
        for index in reports.indices {
            pipeline.apply(decision, to: &reports[index])
            if let signer = results[index].value {
                reports[index].signer = signer
                if let policy = pipeline.context.policy { reports[index].proof = policy.proof(of: signer, rule: rule) }
            }
            // Only files that were downloaded have an index hash to judge.
            if integrityOnly, reports[index].checks.contains(where: { $0.name == .indexHash }) {
                Pipeline.applyIntegrity(rule, to: &reports[index])
            }
        }
        return reports
    }

    /// The wheel tags this environment's interpreter accepts, most preferred first.
    var supportedTags: [WheelTag] { environment.tagFacts.map(CompatibleTags.supported) ?? [] }
}
