import Attestations
import Foundation
import Policy
import PythonPackaging

/// The offline checks of local files against a provenance file (`verify-wheel FILE.whl`,
/// `verify-signature --provenance`): no index, no environment; only the trust of `setup`
/// (``VerificationSetup/provenanceVerifier()``).
///
/// Guarantees: problems with the arguments are usage errors, found in this order: the wheel file
/// is missing, the trust options, the provenance file; the digest judged is the one of the bytes
/// read now (a file), or the one the caller gives for a bare filename; the checks are the ones
/// `verify` makes for the same steps (``ProvenanceChecks``).
public enum LocalVerification {
    /// Steps 4 and 5a offline: the wheel at `path` against the provenance in `provenanceFile`
    /// (``Pipeline/verifyLocalWheel(at:provenance:verifier:)``).
    public static func wheel(
        at path: String, provenanceFile: String, setup: VerificationSetup
    ) async throws(VerificationError)
        -> PackageReport
    {
        guard FileManager.default.fileExists(atPath: path) else {
            throw VerificationError(.usage, "no such wheel file: \(path)")
        }
        let filename = String(path.split(separator: "/").last ?? Substring(path))
        let judged = try judge(filename, setup: setup)
        let provenance = try ProvenanceFile.read(path: provenanceFile)
        guard let verifier = judged.verifier else { return judged.report }
        var report = await Pipeline.verifyLocalWheel(at: path, provenance: provenance, verifier: verifier)
        judged.merge(into: &report)
        return report
    }

    /// What the policy says of a local file named `filename` (no index serves it: rules with an
    /// `index` do not cover it): the verifier of its provenance rule, or, when no provenance rule
    /// decides it, the finished report that says why (no rule: fails; a waiver: waived; an
    /// integrity rule: could not check, as a local file has no index hash to be judged by).
    struct Judged {
        var verifier: ProvenanceVerifier?
        var report: PackageReport
        var decision: RuleDecision
        var policy: TrustPolicy

        func merge(into report: inout PackageReport) {
            report.rule = decision.selection.rule?.position
            report.requirement = decision.selection.rule?.requirement
            if let check = decision.check { report.checks.insert(check, at: 0) }
            if let rule = decision.selection.rule, let signer = report.signer {
                report.proof = policy.proof(of: signer, rule: rule)
            }
        }
    }

    static func judge(_ filename: String, setup: VerificationSetup) throws(VerificationError) -> Judged {
        let policy = try setup.trustPolicy()
        let project = (try? DistributionFilename(parsing: filename)).map(\.name) ?? ProjectName(filename)
        let selection = policy.select(project, indexURL: nil)
        let decision = RuleDecision(selection: selection, check: policy.check(selection, project: project.raw, indexURL: nil))
        var report = PackageReport(name: filename, version: "", wheel: filename)
        report.rule = selection.rule?.position
        report.requirement = selection.rule?.requirement
        if let check = decision.check { report.checks.append(check) }
        guard let rule = selection.rule else { return Judged(verifier: nil, report: report, decision: decision, policy: policy) }
        switch rule.requirement {
        case .provenance:
            return Judged(verifier: policy.verifier(for: rule), report: report, decision: decision, policy: policy)
        case .none:
            report.proof = PolicyProof(kind: .waived, anchor: nil, detail: "waived by \(rule.label): \(rule.reason ?? "")")
        case .integrity:
            report.checks.append(
                CheckResult(
                    .indexHash, .error,
                    "\(rule.label) requires integrity: the index's wheel and its published sha256, which a local file does not have"))
        }
        return Judged(verifier: nil, report: report, decision: decision, policy: policy)
    }

    /// Step 4 offline: the signature and statement of the provenance in `provenanceFile` for
    /// `target`: a wheel file (hashed now), or when no file is there, a wheel filename whose
    /// digest is `sha256`. nil when `target` is not a file and no `sha256` is given (nothing
    /// to judge the statement's subject against: the caller says how to give one).
    public static func signature(
        of target: String, sha256: String?, provenanceFile: String,
        setup: VerificationSetup
    ) async throws(VerificationError) -> PackageReport? {
        let filename = String(target.split(separator: "/").last ?? Substring(target))
        let judged = try judge(filename, setup: setup)
        let provenance = try ProvenanceFile.read(path: provenanceFile)
        let digest: String
        if FileManager.default.fileExists(atPath: target) {
            digest = try LocalFiles.sha256(of: target)
        } else if let sha256 {
            digest = sha256.lowercased()
        } else {
            return nil
        }
        guard let verifier = judged.verifier else { return judged.report }
        let verdict = await verifier.verify(provenance, distribution: filename, sha256Hex: digest)
        var report = PackageReport(
            name: filename, version: "", wheel: filename, sha256: digest,
            checks: ProvenanceChecks.checks(for: verdict))
        report.signer = verdict.decisive?.signature.identity
        judged.merge(into: &report)
        return report
    }
}
