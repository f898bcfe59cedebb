import Attestations
import Foundation
import PackageIndex
import Policy
import PythonPackaging

/// The policy a run judges packages by, ready to use: the rules, and for each rule that requires
/// provenance the verifier built for it (``RuleVerifier``), or for the trust flags today's verifier.
///
/// Guarantees: every `require = "provenance"` rule has a verifier made before any package is
/// judged (a trusted root that cannot be read fails the run up front, as before); a package is
/// judged by the first rule that covers it on `date` (``Policy/select(_:indexURL:on:)``) and by no
/// other rule's keys or identities.
public struct TrustPolicy: Sendable {
    public let policy: Policy
    /// Provenance verifiers by rule position.
    let verifiers: [Int: ProvenanceVerifier]
    /// The day rules' `expires` are judged against.
    public let date: Date

    public init(policy: Policy, verifiers: [Int: ProvenanceVerifier], date: Date = Date()) {
        self.policy = policy
        self.verifiers = verifiers
        self.date = date
    }

    /// The rule that decides `project` served by the index at `indexURL`.
    public func select(_ project: ProjectName, indexURL: URL?) -> RuleSelection {
        policy.select(project, indexURL: indexURL, on: date)
    }

    /// The provenance verifier of `rule` (nil for rules that require none).
    public func verifier(for rule: Rule) -> ProvenanceVerifier? {
        verifiers[rule.position]
    }

    /// The `policy` check for a selection: a failure when no rule matches (`no policy rule
    /// matches`); a pass naming the rule when it requires less than provenance or when an expired
    /// rule was skipped (the check says so); nil for a provenance rule with nothing to add (the
    /// report's `rule`, `requirement` and `proof` name it, and the checks stay those of `verify`).
    public func check(_ selection: RuleSelection, project: String, indexURL: URL?) -> CheckResult? {
        guard let rule = selection.rule else {
            let index = indexURL.map { " served by \(URLMasking.redact($0.absoluteString))" } ?? ""
            return CheckResult(.policy, .fail, "no policy rule matches \(project)\(index): \(selection.summary)")
        }
        if rule.requirement == .provenance && selection.expired.isEmpty { return nil }
        return CheckResult(.policy, .pass, selection.summary)
    }

    /// What the report says of the policy.
    public var summary: PolicySummary {
        PolicySummary(path: policy.path, sha256: policy.sha256, source: policy.origin.rawValue)
    }

    /// The proof a verified signer gives under `rule`.
    public func proof(of signer: SignerIdentity, rule: Rule) -> PolicyProof {
        RuleVerifier.proof(of: signer, rule: rule, in: policy)
    }
}

/// The policy a report was made under: its file (nil for the built-in one and for flags), the
/// SHA-256 of the exact bytes parsed (nil for flags), and where it came from (`option`,
/// `environment`, `user-configuration`, `built-in`, `flags`).
public struct PolicySummary: Codable, Sendable, Equatable {
    public var path: String?
    public var sha256: String?
    public var source: String

    public init(path: String?, sha256: String?, source: String) {
        self.path = path
        self.sha256 = sha256
        self.source = source
    }
}
