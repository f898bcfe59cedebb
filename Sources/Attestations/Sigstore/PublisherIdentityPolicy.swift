import Foundation

/// Whether a Fulcio certificate's identity is the one a PEP 740 publisher names.
public enum PublisherIdentityVerdict: Sendable, Hashable {
    /// The certificate was issued to this publisher; the text names the identity.
    case matches(String)
    /// It was not (or the publisher cannot be checked); the text says why.
    case mismatch(String)

    public var isMatch: Bool {
        if case .matches = self { return true }
        return false
    }
}

/// Binds the publisher the index returned to the identity in a (chain-verified) Fulcio certificate,
/// as PEP 740 Trusted Publishers define it.
///
/// Guarantees: `.matches` only when
/// - GitHub `{repository, workflow}`: every OIDC issuer extension present (`.1.8`, legacy `.1.1`,
///   at least one) is `https://token.actions.githubusercontent.com`; Source Repository URI equals
///   `https://github.com/<repository>` (case-insensitive); Build Config URI starts with
///   `https://github.com/<repository>/.github/workflows/<workflow>@` (repository part
///   case-insensitive, workflow exact). `environment` is not in the certificate and is not checked.
/// - GitLab `{repository, workflow_filepath}`: issuer `https://gitlab.com`; Source Repository URI
///   `https://gitlab.com/<repository>`; Build Config URI starts with
///   `https://gitlab.com/<repository>//<workflow_filepath>@`.
/// - Google `{email}`: issuer `https://accounts.google.com` and the SAN is exactly that email.
/// Any other kind, a missing or empty field, or a field that is not a string is `.mismatch` —
/// never a pass.
public enum PublisherIdentityPolicy {
    public static let gitHubIssuer = "https://token.actions.githubusercontent.com"
    public static let gitLabIssuer = "https://gitlab.com"
    public static let googleIssuer = "https://accounts.google.com"

    /// Checks `identity` (from a certificate whose chain verified) against `publisher`.
    public static func evaluate(_ publisher: Publisher, identity: FulcioIdentity) -> PublisherIdentityVerdict {
        switch publisher.kind {
        case "GitHub":
            return repositoryWorkflow(publisher, identity: identity, host: "https://github.com/", issuer: gitHubIssuer,
                                      workflowField: "workflow", workflowPrefix: "/.github/workflows/")
        case "GitLab":
            return repositoryWorkflow(publisher, identity: identity, host: "https://gitlab.com/", issuer: gitLabIssuer,
                                      workflowField: "workflow_filepath", workflowPrefix: "//")
        case "Google":
            guard let email = field(publisher, "email") else {
                return .mismatch("Google publisher has no email")
            }
            if let problem = issuerProblem(identity, expected: googleIssuer) { return .mismatch(problem) }
            guard case .email(let san) = identity.subjectAlternativeName, san == email else {
                return .mismatch("certificate SAN \(identity.subjectAlternativeName?.value ?? "(none)") is not the publisher email \(email)")
            }
            return .matches("Google \(email) (issuer \(googleIssuer))")
        default:
            return .mismatch("no identity policy for publisher kind \(publisher.kind)")
        }
    }

    private static func repositoryWorkflow(_ publisher: Publisher, identity: FulcioIdentity, host: String, issuer: String,
                                           workflowField: String, workflowPrefix: String) -> PublisherIdentityVerdict {
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
        let expected = "\(repositoryURI)\(workflowPrefix)\(workflow)@"
        guard let config = identity.buildConfigURI, hasPrefix(config, repositoryPart: repositoryURI, rest: "\(workflowPrefix)\(workflow)@") else {
            return .mismatch("certificate build config \(identity.buildConfigURI ?? "(none)") does not start with \(expected)")
        }
        return .matches("\(kind) \(repository) (\(config), issuer \(issuer))")
    }

    /// `text` starts with `repositoryPart` (case-insensitive) immediately followed by `rest` (exact).
    private static func hasPrefix(_ text: String, repositoryPart: String, rest: String) -> Bool {
        let characters = Array(text)
        let head = Array(repositoryPart)
        guard characters.count > head.count else { return false }
        guard String(characters[..<head.count]).lowercased() == repositoryPart.lowercased() else { return false }
        return String(characters[head.count...]).hasPrefix(rest)
    }

    /// Every issuer extension present must be `expected`, and at least one must be present.
    private static func issuerProblem(_ identity: FulcioIdentity, expected: String) -> String? {
        let present = [identity.issuer, identity.issuerV1].compactMap { $0 }
        guard !present.isEmpty else { return "certificate has no OIDC issuer extension" }
        if let other = present.first(where: { $0 != expected }) {
            return "certificate OIDC issuer \(other) is not \(expected)"
        }
        return nil
    }

    /// A non-empty string field of the publisher.
    private static func field(_ publisher: Publisher, _ name: String) -> String? {
        guard case .string(let value)? = publisher.fields[name], !value.isEmpty else { return nil }
        return value
    }
}
