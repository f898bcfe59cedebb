import Foundation

/// Identity constraints the user adds ON TOP of the publisher the index names, checked against a
/// (chain-verified) Fulcio certificate after `PublisherIdentityPolicy` has matched.
///
/// Guarantees: `evaluate` is `.matches` only when EVERY pin that is set agrees with the
/// certificate; a pin never replaces or relaxes the publisher policy, and a pin the certificate
/// cannot satisfy (a claim is missing) is a `.mismatch`, never a pass. With no pin set,
/// `evaluate` matches (nothing was added).
/// - `repository` `OWNER/NAME`: the Source Repository URI is `https://<host>/OWNER/NAME`
///   (case-insensitive).
/// - `workflow`: the Build Config URI is the source repository followed by
///   `/.github/workflows/<workflow>@` (GitHub), `//<workflow>@` (GitLab) or `/<workflow>@`
///   (a full path), the workflow part compared exactly.
/// - `identity` + `issuer` (set together, see `problem`): the SAN is exactly `identity` and every
///   OIDC issuer extension present (at least one) is exactly `issuer`.
/// - `gcpServiceAccount`: issuer `https://accounts.google.com` and an email SAN exactly equal.
public struct IdentityPins: Sendable, Hashable {
    public var repository: String?
    public var workflow: String?
    public var identity: String?
    public var issuer: String?
    public var gcpServiceAccount: String?

    public init(
        repository: String? = nil, workflow: String? = nil, identity: String? = nil, issuer: String? = nil,
        gcpServiceAccount: String? = nil
    ) {
        self.repository = repository
        self.workflow = workflow
        self.identity = identity
        self.issuer = issuer
        self.gcpServiceAccount = gcpServiceAccount
    }

    /// True when no pin is set.
    public var isEmpty: Bool {
        repository == nil && workflow == nil && identity == nil && issuer == nil && gcpServiceAccount == nil
    }

    /// Whether these pins name a signer on their own — a complete identity (`identity` +
    /// `issuer`), a source `repository` or a GCP service account — as a lone attestation with no
    /// publisher needs. A `workflow` alone does not (any repository may have that workflow).
    public var bindsSigner: Bool {
        (identity != nil && issuer != nil) || repository != nil || gcpServiceAccount != nil
    }

    /// One pin, by its name in this library (a command line names it by its own option).
    public enum Pin: String, Sendable, Hashable, CaseIterable {
        case repository, workflow, identity, issuer, gcpServiceAccount
    }

    /// Why a set of pins is not a usable configuration (a usage error).
    public enum Problem: Sendable, Hashable, CustomStringConvertible {
        /// `identity` is set without `issuer`, or the reverse.
        case identityWithoutIssuer
        /// This pin is set to the empty string.
        case empty(Pin)
        /// `repository` (this value) is not `OWNER/NAME`.
        case repositoryNotOwnerName(String)

        /// One line naming the pins by their names here, never by a command-line flag.
        public var description: String {
            switch self {
            case .identityWithoutIssuer: "the identity and issuer pins must be given together"
            case .empty(let pin): "the \(pin.rawValue) pin is empty"
            case .repositoryNotOwnerName(let repository): "the repository pin \(repository) is not OWNER/NAME"
            }
        }
    }

    /// Why these pins are not a usable configuration (a usage error), nil when they are.
    public var problem: Problem? {
        if (identity == nil) != (issuer == nil) { return .identityWithoutIssuer }
        for (pin, value) in [
            (Pin.repository, repository), (.workflow, workflow), (.identity, identity),
            (.issuer, issuer), (.gcpServiceAccount, gcpServiceAccount),
        ] {
            if let value, value.isEmpty { return .empty(pin) }
        }
        if let repository {
            let parts = repository.split(separator: "/", omittingEmptySubsequences: false)
            if parts.count < 2 || parts.contains(where: \.isEmpty) {
                return .repositoryNotOwnerName(repository)
            }
        }
        return nil
    }

    /// A short description of the pins that are set (for the verified line).
    public var summary: String {
        var parts: [String] = []
        if let repository { parts.append("repository \(repository)") }
        if let workflow { parts.append("workflow \(workflow)") }
        if let identity { parts.append("identity \(identity)") }
        if let issuer { parts.append("issuer \(issuer)") }
        if let gcpServiceAccount { parts.append("GCP service account \(gcpServiceAccount)") }
        return parts.joined(separator: ", ")
    }

    /// Checks every pin that is set against `certificate`.
    public func evaluate(_ certificate: FulcioIdentity) -> PublisherIdentityVerdict {
        if let repository {
            guard let source = certificate.sourceRepositoryURI, Self.repositoryPath(of: source)?.lowercased() == repository.lowercased()
            else {
                return .mismatch(
                    "pinned repository \(repository) is not the certificate's source repository \(certificate.sourceRepositoryURI ?? "(none)")"
                )
            }
        }
        if let workflow {
            guard let source = certificate.sourceRepositoryURI, let config = certificate.buildConfigURI,
                Self.workflowPath(config: config, source: source).map({ path in
                    ["/.github/workflows/\(workflow)", "//\(workflow)", "/\(workflow)"].contains(path)
                }) == true
            else {
                return .mismatch(
                    "pinned workflow \(workflow) is not the certificate's build config \(certificate.buildConfigURI ?? "(none)")")
            }
        }
        if let identity {
            guard let san = certificate.subjectAlternativeName?.value, san == identity else {
                return .mismatch(
                    "pinned identity \(identity) is not the certificate SAN \(certificate.subjectAlternativeName?.value ?? "(none)")")
            }
        }
        if let issuer, let problem = PublisherIdentityPolicy.issuerProblem(certificate, expected: issuer) {
            return .mismatch("pinned issuer: \(problem)")
        }
        if let gcpServiceAccount {
            if let problem = PublisherIdentityPolicy.issuerProblem(certificate, expected: PublisherIdentityPolicy.googleIssuer) {
                return .mismatch("pinned GCP service account: \(problem)")
            }
            guard case .email(let email) = certificate.subjectAlternativeName, email == gcpServiceAccount else {
                return .mismatch(
                    "pinned GCP service account \(gcpServiceAccount) is not the certificate SAN \(certificate.subjectAlternativeName?.value ?? "(none)")"
                )
            }
        }
        return .matches(summary)
    }

    /// `OWNER/NAME` of `https://host/OWNER/NAME`, nil when the URI has another shape.
    static func repositoryPath(of uri: String) -> String? {
        let scheme = "https://"
        guard uri.lowercased().hasPrefix(scheme) else { return nil }
        let rest = uri.dropFirst(scheme.count)
        guard let slash = rest.firstIndex(of: "/"), slash != rest.startIndex else { return nil }
        let path = rest[rest.index(after: slash)...]
        return path.isEmpty ? nil : String(path)
    }

    /// The workflow part of a build config URI: what follows the source repository URI
    /// (case-insensitive) up to the first `@`; nil when it does not start with the repository.
    static func workflowPath(config: String, source: String) -> String? {
        let configChars = Array(config)
        let sourceChars = Array(source)
        guard configChars.count > sourceChars.count,
            String(configChars[..<sourceChars.count]).lowercased() == source.lowercased()
        else { return nil }
        let rest = String(configChars[sourceChars.count...])
        guard let at = rest.firstIndex(of: "@") else { return nil }
        return String(rest[..<at])
    }
}
