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
    /// digest is `sha256` (parsed where it was given: the command line), or a filename alone: then
    /// the signature and the subject's name are checked and the digest is not (the report's
    /// `download` check is a `skip` that says so, and `sha256` stays empty), as the seed's script
    /// checks a signature alone; when no statement states a sha256 (64 hex digits) for it, the
    /// `statement` check fails saying so.
    public static func signature(
        of target: String, sha256: SHA256Hex?, provenanceFile: String,
        setup: VerificationSetup
    ) async throws(VerificationError) -> PackageReport {
        let filename = String(target.split(separator: "/").last ?? Substring(target))
        let judged = try judge(filename, setup: setup)
        let provenance = try ProvenanceFile.read(path: provenanceFile)
        let digest: SHA256Hex
        var skipped: CheckResult?
        if FileManager.default.fileExists(atPath: target) {
            digest = try LocalFiles.sha256(of: target)
        } else if let sha256 {
            digest = sha256
        } else {
            // No bytes to judge: the statement's own digest is taken, so only its name is compared.
            let skip = CheckResult(.download, .skip, "no file given: \(filename)'s sha256 is not checked", remedy: .giveFileDigest)
            guard let stated = statedDigest(in: provenance, naming: filename) else {
                guard judged.verifier != nil else { return judged.report }
                var report = PackageReport(
                    name: filename, version: "", wheel: filename,
                    checks: [
                        skip,
                        CheckResult(
                            .statement, .fail, "no attestation's single subject states a sha256 (64 hex digits) for \(filename)",
                            remedy: .giveFileDigest),
                    ])
                judged.merge(into: &report)
                return report
            }
            digest = stated
            skipped = skip
        }
        guard let verifier = judged.verifier else { return judged.report }
        let verdict = await verifier.verify(provenance, distribution: filename, sha256Hex: digest)
        var checks = ProvenanceChecks.checks(for: verdict)
        if let skipped {
            checks.insert(skipped, at: 0)
            checks = checks.map { check in
                guard check.name == .statement, check.status == .pass else { return check }
                return CheckResult(
                    .statement, .pass, check.detail.replacingOccurrences(of: " sha256 matches", with: " (digest not checked)"))
            }
        }
        var report = PackageReport(
            name: filename, version: "", wheel: filename, sha256: skipped == nil ? digest.text : nil, checks: checks)
        report.signer = verdict.decisive?.signature.identity
        report.build = verdict.decisive?.statement.flatMap(SourceBuildFacts.init(statement:))
        judged.merge(into: &report)
        return report
    }

    /// The sha256 the first attestation whose single subject names `filename` states for it;
    /// else the first single subject's (then the name check fails, and says why). A stated
    /// digest that is not 64 hex digits is never taken; nil when no single subject states one.
    static func statedDigest(in provenance: Provenance, naming filename: String) -> SHA256Hex? {
        let stated = provenance.attestationBundles.flatMap(\.attestations).compactMap { attestation -> (Statement, SHA256Hex)? in
            guard let statement = try? Statement(parsing: attestation.envelope.statement), statement.subjects.count == 1,
                let digest = statement.subjects.first?.digest["sha256"].flatMap({ SHA256Hex(normalizing: $0) })
            else { return nil }
            return (statement, digest)
        }
        let naming = stated.first { statement, digest in
            StatementChecks.evaluate(statement, distribution: filename, sha256Hex: digest).allSatisfy(\.passed)
        }
        return (naming ?? stated.first)?.1
    }
}
