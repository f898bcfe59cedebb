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
    /// Steps 1–3: the provenance of the installed wheel as the index serves it (fetched, not
    /// verified); nil when no wheel was found or no provenance could be fetched (the report says why).
    public func fetchAttestation(
        of name: String
    ) async throws(VerificationError)
        -> (report: PackageReport, provenance: FetchedProvenance?)
    {
        let installed = try installed(named: name)
        let pipeline = self.pipeline
        let (report, fetched) = await afterDownload(of: installed) { wheel in
            let (fetched, check) = await pipeline.fetchProvenance(
                for: wheel.file, project: installed.name,
                version: installed.rawVersion)
            return ([check], fetched)
        }
        return (report, fetched)
    }

    /// Steps 1–4: the installed wheel's provenance fetched and its signature and statement verified.
    public func verifySignature(of name: String) async throws(VerificationError) -> PackageReport {
        let installed = try installed(named: name)
        let pipeline = self.pipeline
        return await underRule(of: installed) { wheel in
            await pipeline.provenanceChecks(for: wheel, installed: installed)
        }
    }

    /// Steps 1–4 and the wheel's own consistency (every member recorded in its RECORD and
    /// matching), without the installed files.
    public func verifyWheel(of name: String) async throws(VerificationError) -> PackageReport {
        let installed = try installed(named: name)
        let pipeline = self.pipeline
        return await underRule(of: installed) { wheel in
            let checks = await pipeline.provenanceChecks(for: wheel, installed: installed)
            return checks + [Pipeline.openWheel(at: wheel.path, filename: wheel.file.filename).check]
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

    /// Steps 1–2 for `installed`, then `next` on the wheel they found (when they found one): its
    /// checks appended to the report, its value returned beside it.
    private func afterDownload<Value>(
        of installed: InstalledDistribution,
        _ next: (FetchedWheel) async -> (checks: [CheckResult], value: Value?)
    ) async
        -> (report: PackageReport, value: Value?)
    {
        var (report, wheel) = await pipeline.locateAndFetch(installed)
        guard let wheel else { return (report, nil) }
        let (checks, value) = await next(wheel)
        report.checks.append(contentsOf: checks)
        return (report, value)
    }

    /// ``afterDownload(of:_:)`` judged by the package's policy rule (when the context has a
    /// policy): the rule and its `policy` check go into the report; a package no rule covers
    /// fails there; under a rule that requires no provenance, `next` (the provenance steps) does
    /// not run and the `provenance` check says why (`skip`), the status following the rule.
    private func underRule(
        of installed: InstalledDistribution,
        _ next: (FetchedWheel) async -> [CheckResult]
    ) async -> PackageReport {
        guard let decision = pipeline.ruleDecision(for: installed.name) else {
            return await afterDownload(of: installed) { (await next($0), nil as Never?) }.report
        }
        guard let rule = decision.selection.rule else { return pipeline.decidedOnly(installed, decision) }
        if rule.requirement == .none { return pipeline.decidedOnly(installed, decision) }
        var (report, wheel) = await pipeline.locateAndFetch(installed)
        pipeline.apply(decision, to: &report)
        guard let wheel else { return report }
        if rule.requirement == .integrity {
            let hash = Pipeline.integrityHashCheck(wheel.checks)
            if let position = report.checks.firstIndex(where: { $0.name == .indexHash }) { report.checks[position] = hash }
            report.checks.append(CheckResult(.provenance, .skip, "not required: \(rule.label) requires integrity only"))
            return report
        }
        report.checks.append(contentsOf: await next(wheel))
        return report
    }
}
