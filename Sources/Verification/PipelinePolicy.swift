import Attestations
import Foundation
import PackageIndex
import Policy
import PythonPackaging

/// The rule that decides a package, and its `policy` check.
public struct RuleDecision: Sendable {
    public var selection: RuleSelection
    /// The `policy` check, when it has something to say (``TrustPolicy/check(_:project:indexURL:)``).
    public var check: CheckResult?
}

/// How the pipeline follows a policy (``VerificationContext/policy``): which rule decides each
/// package, and what `require = "integrity"` and `"none"` check.
///
/// Guarantees: a package no rule covers fails with the `policy` check `no policy rule matches`
/// and nothing else is looked at; a waived package (`none`) gets only its `installed` and
/// `policy` checks (status `waived`, the reason in the proof); an integrity package gets steps 1,
/// 2 and 5 — the index's published sha256 is required and must match (a missing one fails, as it
/// is the only anchor), no provenance is fetched (`provenance` is `skip`, saying why) — and
/// status `integrity-only`; a provenance package is judged by its rule's verifier only.
extension Pipeline {
    /// The index a project's files are looked up on first, when which index served its file is
    /// not known (yet): the first index of the configuration that applies to projects.
    public func servingIndexURL(for project: ProjectName) -> URL {
        context.indexForProjects.configuration.lookupIndexes.first?.url ?? context.index.configuration.indexURL
    }

    /// Whether some rule names an `index` (then which index served a file decides its rule, and
    /// the file is located before the rule is chosen).
    var rulesNameIndexes: Bool {
        context.policy?.policy.rules.contains { $0.index != nil } ?? false
    }

    /// The rule for `project` whose file `servedBy` served (nil: ``servingIndexURL(for:)``);
    /// nil when the context has no policy.
    public func ruleDecision(for project: ProjectName, servedBy: URL? = nil) -> RuleDecision? {
        guard let policy = context.policy else { return nil }
        let indexURL = servedBy ?? servingIndexURL(for: project)
        let selection = policy.select(project, indexURL: indexURL)
        return RuleDecision(selection: selection, check: policy.check(selection, project: project.raw, indexURL: indexURL))
    }

    /// The verifier of `project`'s provenance for a file `servedBy` served: its rule's, else (no
    /// policy) the context's. A project whose rule requires no provenance, or that no rule covers,
    /// gets a verifier that accepts nothing.
    public func provenanceVerifier(for project: ProjectName, servedBy: URL? = nil) -> ProvenanceVerifier {
        guard let policy = context.policy else { return context.provenanceVerifier }
        guard let rule = policy.select(project, indexURL: servedBy ?? servingIndexURL(for: project)).rule,
            let verifier = policy.verifier(for: rule)
        else {
            return ProvenanceVerifier(verifiers: [])
        }
        return verifier
    }

    /// The rule for an installed distribution: when rules name indexes, its wheel is located first
    /// and the index that served it decides (the located files are returned for
    /// ``locateAndFetch(_:located:)`` to reuse); else the first index decides.
    func ruleDecision(
        for installed: InstalledDistribution
    ) async -> (decision: RuleDecision?, located: (candidates: [IndexFile], check: CheckResult)?) {
        guard context.policy != nil, rulesNameIndexes else { return (ruleDecision(for: installed.name), nil) }
        let located = await locate(installed)
        return (ruleDecision(for: installed.name, servedBy: located.candidates.first?.servedBy), located)
    }

    /// Puts the rule, its requirement and the `policy` check (after `installed`) into `report`.
    public func apply(_ decision: RuleDecision, to report: inout PackageReport) {
        report.rule = decision.selection.rule?.position
        report.requirement = decision.selection.rule?.requirement
        if let check = decision.check {
            let position = report.checks.firstIndex { $0.name == .installed }.map { $0 + 1 } ?? 0
            report.checks.insert(check, at: position)
        }
        if let rule = decision.selection.rule {
            switch rule.requirement {
            case .none:
                report.proof = PolicyProof(kind: .waived, anchor: nil, detail: "waived by \(rule.label): \(rule.reason ?? "")")
            case .integrity:
                report.proof = PolicyProof(
                    kind: .integrity, anchor: nil, detail: "integrity by \(rule.label): \(rule.reason ?? "")")
            case .provenance:
                break
            }
        }
    }

    /// The report of a package decided without looking further: no rule, or a waiver.
    func decidedOnly(_ installed: InstalledDistribution, _ decision: RuleDecision) -> PackageReport {
        var report = PackageReport(name: installed.name.raw, version: installed.rawVersion)
        report.checks.append(CheckResult(.installed, .pass, installed.distInfoPath))
        apply(decision, to: &report)
        return report
    }

    /// The `index-hash` check an integrity rule needs: the one of the download, with a missing
    /// published hash turned into a failure (it is the only thing the wheel is judged by).
    public static func integrityHashCheck(_ checks: [CheckResult]) -> CheckResult {
        guard let hash = checks.first(where: { $0.name == .indexHash }) else {
            return CheckResult(.indexHash, .error, "the wheel's hash was not compared with the index's")
        }
        if hash.status == .skip {
            return CheckResult(
                .indexHash, .fail, "\(hash.detail); an integrity rule needs the index's sha256, the only reference the wheel has")
        }
        return hash
    }

    /// What `rule` (`require = "integrity"`) makes of a file's report after download: its
    /// `index-hash` check becomes ``integrityHashCheck(_:)`` (a missing published sha256 fails)
    /// and `provenance` is a `skip` saying why; the one place this is decided for `verify`, the
    /// single steps and the lock commands. Returns the hash check.
    @discardableResult
    public static func applyIntegrity(_ rule: Rule, to report: inout PackageReport) -> CheckResult {
        let hash = integrityHashCheck(report.checks)
        if let position = report.checks.firstIndex(where: { $0.name == .indexHash }) {
            report.checks[position] = hash
        } else {
            report.checks.append(hash)
        }
        report.checks.append(CheckResult(.provenance, .skip, "not required: \(rule.label) requires integrity only"))
        return hash
    }

    /// `require = "integrity"`: steps 1, 2 (the published sha256 required) and 5.
    func verifyIntegrity(
        _ installed: InstalledDistribution, decision: RuleDecision,
        located: (candidates: [IndexFile], check: CheckResult)? = nil, files verifier: InstalledFilesVerifier,
        claims: PathClaims
    ) async -> (report: PackageReport, outcome: InstalledFilesVerifier.Outcome?) {
        var (report, fetched) = await locateAndFetch(installed, located: located)
        apply(decision, to: &report)
        guard let fetched, let rule = decision.selection.rule else { return (report, nil) }
        let hash = Self.applyIntegrity(rule, to: &report)
        guard hash.status == .pass else {
            report.checks.append(CheckResult(.wheelContents, .skip, "not read: the wheel is not the one the index publishes"))
            return (report, nil)
        }
        let outcome = await installedChecks(
            wheelAt: fetched.path, filename: fetched.file.filename, sha256: fetched.sha256,
            installed: installed, files: verifier, claims: claims, into: &report)
        return (report, outcome)
    }
}
