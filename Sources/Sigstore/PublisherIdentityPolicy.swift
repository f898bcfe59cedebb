import Attestations
import Foundation
import PythonPackaging

/// Whether a Fulcio certificate's identity is the one a PEP 740 publisher names.
public enum PublisherIdentityVerdict: Verdict, Hashable {
    /// The certificate was issued to this publisher; the text names the identity.
    case matches(String)
    /// It was not (or the publisher cannot be checked); the text says why.
    case mismatch(String)

    public var isMatch: Bool {
        if case .matches = self { return true }
        return false
    }

    /// The same as `isMatch`: the certificate was issued to this publisher.
    public var isVerified: Bool { isMatch }

    /// Why the certificate does not bind the publisher, nil when it matches.
    public var failure: String? {
        if case .mismatch(let reason) = self { return reason }
        return nil
    }
}

/// The identity rule of one publisher kind: how the publisher's fields bind a (chain-verified)
/// Fulcio certificate.
///
/// Guarantees (for the rules this module defines): `evaluate` is `.matches` only when every field
/// the rule needs is a non-empty string and every claim it compares is present and equal; a
/// missing, empty or non-string required field, or a missing claim, is `.mismatch` — never a pass.
public struct PublisherIdentityRule: Sendable {
    /// The publisher `kind` this rule handles (exact, e.g. `GitHub`).
    public let kind: String
    /// Checks the identity against a publisher of this kind.
    public let evaluate: @Sendable (Publisher, FulcioIdentity) -> PublisherIdentityVerdict

    public init(kind: String, evaluate: @escaping @Sendable (Publisher, FulcioIdentity) -> PublisherIdentityVerdict) {
        self.kind = kind
        self.evaluate = evaluate
    }
}

/// Binds the publisher the index returned to the identity in a (chain-verified) Fulcio certificate,
/// as PEP 740 Trusted Publishers define it. One `PublisherIdentityRule` per kind (`rules`); a kind
/// without a rule never passes.
///
/// Guarantees: `.matches` only when the rule of the publisher's kind matches:
/// - GitHub `{repository, workflow}`: every OIDC issuer extension present (`.1.8`, legacy `.1.1`,
///   at least one) is `https://token.actions.githubusercontent.com`; Source Repository URI equals
///   `https://github.com/<repository>` (case-insensitive); Build Config URI is exactly
///   `https://github.com/<repository>/.github/workflows/<workflow>@<ref or digest>` (repository part
///   case-insensitive, the rest exact), where the suffix is the certificate's own Source Repository
///   Ref (`.1.14`) or Source Repository Digest (`.1.13`) — at least one must be present.
///   `environment` is not in the certificate and is not checked.
/// - GitLab `{repository, workflow_filepath}`: the same with issuer `https://gitlab.com`, host
///   `https://gitlab.com/` and the double-slash path `<repository>//<workflow_filepath>@<ref or digest>`.
/// - Google `{email}`: issuer `https://accounts.google.com` and the SAN is exactly that email.
/// - CircleCI `{organization_id, project_id, pipeline_definition_id, vcs_origin?, vcs_ref?}`:
///   issuer `https://oidc.circleci.com/org/<organization_id>`; a URI SAN exactly
///   `https://circleci.com/api/v2/projects/<project_id>/pipeline-definitions/<pipeline_definition_id>`
///   (as Fulcio maps CircleCI tokens), and the Build Signer URI, when present, the same; the
///   Runner Environment is not `ssh-rerun` (a human had a shell in the job); `vcs_origin` /
///   `vcs_ref`, when set, equal the Source Repository URI / Ref exactly.
/// - ActiveState `{organization, project}`: issuer
///   `https://platform.activestate.com/api/v1/oauth/oidc` and a URI SAN exactly
///   `https://platform.activestate.com/<organization>/<project>`.
/// CircleCI ids and ActiveState names must each be one URL path segment (no `/`, `?`, `#`, `@`).
/// The index does not yet publish PEP 740 publishers for CircleCI and ActiveState (its Trusted
/// Publishers exist, but have no attestation identity): their field names follow the index's
/// publisher configuration, and the claims follow Fulcio's CircleCI mapping; ActiveState has no
/// public-good Fulcio issuer, so its SAN form is the platform's project URL (a private Sigstore).
public enum PublisherIdentityPolicy {
    public static let gitHubIssuer = "https://token.actions.githubusercontent.com"
    public static let gitLabIssuer = "https://gitlab.com"
    public static let googleIssuer = "https://accounts.google.com"
    /// CircleCI's per-organization issuer is this followed by the organization id.
    public static let circleCIIssuerPrefix = "https://oidc.circleci.com/org/"
    public static let activeStateIssuer = "https://platform.activestate.com/api/v1/oauth/oidc"

    /// The rules this module knows, one per kind.
    public static let rules: [PublisherIdentityRule] = [.gitHub, .gitLab, .google, .circleCI, .activeState]

    /// Checks `identity` (from a certificate whose chain verified) against `publisher` with the
    /// rule for its kind among `rules`.
    public static func evaluate(
        _ publisher: Publisher, identity: FulcioIdentity,
        rules: [PublisherIdentityRule] = rules
    ) -> PublisherIdentityVerdict {
        guard let rule = rules.first(where: { $0.kind == publisher.kind }) else {
            return .mismatch("no identity policy for publisher kind \(publisher.kind)")
        }
        return rule.evaluate(publisher, identity)
    }

    // MARK: - Shared pieces of the rules

    /// GitHub / GitLab: repository + workflow file at the certificate's ref or digest.
    static func repositoryWorkflow(
        _ publisher: Publisher, identity: FulcioIdentity, host: String, issuer: String,
        workflowField: String, workflowPrefix: String
    ) -> PublisherIdentityVerdict {
        let kind = publisher.kind
        guard let repository = field(publisher, "repository") else {
            return .mismatch("\(kind) publisher has no repository")
        }
        guard let workflow = field(publisher, workflowField) else {
            return .mismatch("\(kind) publisher has no \(workflowField)")
        }
        if let problem = issuerProblem(identity, expected: issuer) { return .mismatch(problem) }
        let repositoryURI = host + repository
        guard let source = identity.sourceRepositoryURI, source.lowercased() == repositoryURI.lowercased() else {
            return .mismatch("certificate source repository \(identity.sourceRepositoryURI ?? "(none)") is not \(repositoryURI)")
        }
        let suffixes = [identity.sourceRepositoryRef, identity.sourceRepositoryDigest].compactMap { $0 }.filter { !$0.isEmpty }
        guard !suffixes.isEmpty else {
            return .mismatch("certificate has neither a source repository ref nor a digest to pin the build config to")
        }
        let expected = "\(repositoryURI)\(workflowPrefix)\(workflow)@"
        guard let config = identity.buildConfigURI,
            suffixes.contains(where: { equals(config, repositoryPart: repositoryURI, rest: "\(workflowPrefix)\(workflow)@\($0)") })
        else {
            let choices = suffixes.map { expected + $0 }.joined(separator: " or ")
            return .mismatch("certificate build config \(identity.buildConfigURI ?? "(none)") is not \(choices)")
        }
        return .matches("\(kind) \(repository) (\(config), issuer \(issuer))")
    }

    /// `text` is `repositoryPart` (case-insensitive) immediately followed by exactly `rest`.
    private static func equals(_ text: String, repositoryPart: String, rest: String) -> Bool {
        let characters = Array(text)
        let head = Array(repositoryPart)
        guard characters.count > head.count else { return false }
        guard String(characters[..<head.count]).lowercased() == repositoryPart.lowercased() else { return false }
        return String(characters[head.count...]) == rest
    }

    /// Every issuer extension present must be `expected`, and at least one must be present.
    static func issuerProblem(_ identity: FulcioIdentity, expected: String) -> String? {
        let present = [identity.issuer, identity.issuerV1].compactMap { $0 }
        guard !present.isEmpty else { return "certificate has no OIDC issuer extension" }
        if let other = present.first(where: { $0 != expected }) {
            return "certificate OIDC issuer \(other) is not \(expected)"
        }
        return nil
    }

    /// A non-empty string field of the publisher.
    static func field(_ publisher: Publisher, _ name: String) -> String? {
        guard case .string(let value)? = publisher.fields[name], !value.isEmpty else { return nil }
        return value
    }

    /// The first field (by name) whose value is not one URL path segment (contains `/`, `?`, `#`,
    /// `@`, or is `.`/`..`): such a value could make two publishers name the same URI.
    static func pathSegmentProblem(_ values: [String: String]) -> String? {
        values.keys.sorted().first { name in
            let value = values[name] ?? ""
            return value == "." || value == ".." || value.contains(where: { "/?#@".contains($0) })
        }
    }

    /// An optional constraint: `.absent` when missing, null or empty (the index's "not set"),
    /// `.invalid` when present with another type (which never passes).
    enum OptionalField: Equatable {
        case absent
        case value(String)
        case invalid
    }

    static func optionalField(_ publisher: Publisher, _ name: String) -> OptionalField {
        switch publisher.fields[name] {
        case nil, .null?: return .absent
        case .string(let value)?: return value.isEmpty ? .absent : .value(value)
        default: return .invalid
        }
    }
}

extension PublisherIdentityRule {
    /// GitHub Actions: `{repository, workflow}`.
    public static let gitHub = PublisherIdentityRule(kind: "GitHub") { publisher, identity in
        PublisherIdentityPolicy.repositoryWorkflow(
            publisher, identity: identity, host: "https://github.com/", issuer: PublisherIdentityPolicy.gitHubIssuer,
            workflowField: "workflow", workflowPrefix: "/.github/workflows/")
    }

    /// GitLab CI/CD: `{repository, workflow_filepath}`.
    public static let gitLab = PublisherIdentityRule(kind: "GitLab") { publisher, identity in
        PublisherIdentityPolicy.repositoryWorkflow(
            publisher, identity: identity, host: "https://gitlab.com/", issuer: PublisherIdentityPolicy.gitLabIssuer,
            workflowField: "workflow_filepath", workflowPrefix: "//")
    }

    /// Google service accounts: `{email}`.
    public static let google = PublisherIdentityRule(kind: "Google") { publisher, identity in
        let issuer = PublisherIdentityPolicy.googleIssuer
        guard let email = PublisherIdentityPolicy.field(publisher, "email") else {
            return .mismatch("Google publisher has no email")
        }
        if let problem = PublisherIdentityPolicy.issuerProblem(identity, expected: issuer) { return .mismatch(problem) }
        guard case .email(let san) = identity.subjectAlternativeName, san == email else {
            return .mismatch("certificate SAN \(identity.subjectAlternativeName?.value ?? "(none)") is not the publisher email \(email)")
        }
        return .matches("Google \(email) (issuer \(issuer))")
    }

    /// CircleCI: `{organization_id, project_id, pipeline_definition_id, vcs_origin?, vcs_ref?}`.
    public static let circleCI = PublisherIdentityRule(kind: "CircleCI") { publisher, identity in
        typealias Policy = PublisherIdentityPolicy
        for name in ["organization_id", "project_id", "pipeline_definition_id"] where Policy.field(publisher, name) == nil {
            return .mismatch("CircleCI publisher has no \(name)")
        }
        let organization = Policy.field(publisher, "organization_id") ?? ""
        let project = Policy.field(publisher, "project_id") ?? ""
        let definition = Policy.field(publisher, "pipeline_definition_id") ?? ""
        if let name = Policy.pathSegmentProblem([
            "organization_id": organization, "project_id": project,
            "pipeline_definition_id": definition,
        ]) {
            return .mismatch("CircleCI publisher \(name) is not a single path segment")
        }
        let issuer = Policy.circleCIIssuerPrefix + organization
        if let problem = Policy.issuerProblem(identity, expected: issuer) { return .mismatch(problem) }
        let signer = "https://circleci.com/api/v2/projects/\(project)/pipeline-definitions/\(definition)"
        guard case .uri(let san) = identity.subjectAlternativeName, san == signer else {
            return .mismatch(
                "certificate SAN \(identity.subjectAlternativeName?.value ?? "(none)") is not the CircleCI pipeline definition \(signer)")
        }
        if let buildSigner = identity.buildSignerURI, buildSigner != signer {
            return .mismatch("certificate build signer \(buildSigner) is not the CircleCI pipeline definition \(signer)")
        }
        if identity.runnerEnvironment == "ssh-rerun" {
            return .mismatch("certificate was issued to an SSH re-run of the CircleCI job")
        }
        for (name, claim, label) in [
            ("vcs_origin", identity.sourceRepositoryURI, "source repository"),
            ("vcs_ref", identity.sourceRepositoryRef, "source repository ref"),
        ] {
            switch Policy.optionalField(publisher, name) {
            case .absent: continue
            case .invalid: return .mismatch("CircleCI publisher \(name) is not a string")
            case .value(let expected):
                guard claim == expected else {
                    return .mismatch("certificate \(label) \(claim ?? "(none)") is not the publisher's \(name) \(expected)")
                }
            }
        }
        return .matches("CircleCI project \(project) pipeline definition \(definition) (issuer \(issuer))")
    }

    /// ActiveState Platform: `{organization, project}`.
    public static let activeState = PublisherIdentityRule(kind: "ActiveState") { publisher, identity in
        typealias Policy = PublisherIdentityPolicy
        guard let organization = Policy.field(publisher, "organization") else {
            return .mismatch("ActiveState publisher has no organization")
        }
        guard let project = Policy.field(publisher, "project") else {
            return .mismatch("ActiveState publisher has no project")
        }
        if let name = Policy.pathSegmentProblem(["organization": organization, "project": project]) {
            return .mismatch("ActiveState publisher \(name) is not a single path segment")
        }
        if let problem = Policy.issuerProblem(identity, expected: Policy.activeStateIssuer) { return .mismatch(problem) }
        let expected = "https://platform.activestate.com/\(organization)/\(project)"
        guard case .uri(let san) = identity.subjectAlternativeName, san == expected else {
            return .mismatch(
                "certificate SAN \(identity.subjectAlternativeName?.value ?? "(none)") is not the ActiveState project \(expected)")
        }
        return .matches("ActiveState \(organization)/\(project) (issuer \(Policy.activeStateIssuer))")
    }
}
