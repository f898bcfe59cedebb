import Foundation
import Testing
@testable import Attestations

/// The publisher ⇄ certificate identity rules, on real certificates and on edited identities.
@Suite("publisher identity policy")
struct PublisherIdentityPolicyTests {
    static func gitHubIdentity() throws -> FulcioIdentity {
        try FulcioIdentity(certificate: try TrustFixtures.leaf(TrustFixtures.prodGitHub))
    }

    static let gitHub = Publisher(kind: "GitHub", fields: [
        "repository": .string("trailofbits/pypi-attestations"), "workflow": .string("release.yml"),
    ])

    @Test func gitHubMatches() throws {
        #expect(PublisherIdentityPolicy.evaluate(Self.gitHub, identity: try Self.gitHubIdentity()).isMatch)
    }

    @Test func gitHubIssuerMustBeActions() throws {
        var identity = try Self.gitHubIdentity()
        identity.issuer = "https://gitlab.com"
        #expect(!PublisherIdentityPolicy.evaluate(Self.gitHub, identity: identity).isMatch)
        identity = try Self.gitHubIdentity()
        identity.issuerV1 = "https://accounts.google.com"
        #expect(!PublisherIdentityPolicy.evaluate(Self.gitHub, identity: identity).isMatch, "a disagreeing legacy issuer fails")
        identity.issuerV1 = nil
        #expect(PublisherIdentityPolicy.evaluate(Self.gitHub, identity: identity).isMatch, "the v2 issuer alone suffices")
        identity.issuer = nil
        #expect(!PublisherIdentityPolicy.evaluate(Self.gitHub, identity: identity).isMatch, "no issuer fails")
    }

    @Test func gitHubBuildConfigMustBeThatWorkflowOfThatRepository() throws {
        var identity = try Self.gitHubIdentity()
        identity.buildConfigURI = "https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml"
        #expect(!PublisherIdentityPolicy.evaluate(Self.gitHub, identity: identity).isMatch, "no @ref")
        identity.buildConfigURI = "https://github.com/evil/pypi-attestations/.github/workflows/release.yml@refs/tags/v1"
        #expect(!PublisherIdentityPolicy.evaluate(Self.gitHub, identity: identity).isMatch)
        identity.buildConfigURI = nil
        #expect(!PublisherIdentityPolicy.evaluate(Self.gitHub, identity: identity).isMatch)
    }

    @Test func missingOrNonStringFieldsFail() throws {
        let identity = try Self.gitHubIdentity()
        #expect(!PublisherIdentityPolicy.evaluate(Publisher(kind: "GitHub"), identity: identity).isMatch)
        let numeric = Publisher(kind: "GitHub", fields: ["repository": .number(1), "workflow": .string("release.yml")])
        #expect(!PublisherIdentityPolicy.evaluate(numeric, identity: identity).isMatch)
    }

    @Test func gitLabNeedsTheDoubleSlashBuildConfig() throws {
        let identity = try FulcioIdentity(certificate: try TrustFixtures.leaf("gitlab_oidc_project-0.0.3.tar.gz.publish.attestation"))
        let publisher = Publisher(kind: "GitLab", fields: [
            "repository": .string("facutuesca/gitlab-oidc-project"), "workflow_filepath": .string(".gitlab-ci.yml"),
        ])
        #expect(PublisherIdentityPolicy.evaluate(publisher, identity: identity).isMatch)
        var other = publisher
        other.fields["workflow_filepath"] = .string("ci/.gitlab-ci.yml")
        #expect(!PublisherIdentityPolicy.evaluate(other, identity: identity).isMatch)
    }

    @Test func googleEmailAndIssuer() throws {
        let identity = try FulcioIdentity(certificate: try TrustFixtures.pem("200170367.pem"))
        guard case .email(let email) = identity.subjectAlternativeName else {
            Issue.record("expected an email SAN, got \(String(describing: identity.subjectAlternativeName))")
            return
        }
        #expect(identity.effectiveIssuer == PublisherIdentityPolicy.googleIssuer)
        let publisher = Publisher(kind: "Google", fields: ["email": .string(email)])
        #expect(PublisherIdentityPolicy.evaluate(publisher, identity: identity).isMatch)
        #expect(!PublisherIdentityPolicy.evaluate(Publisher(kind: "Google", fields: ["email": .string("x" + email)]), identity: identity).isMatch)
        var wrongIssuer = identity
        wrongIssuer.issuer = "https://github.com/login/oauth"
        #expect(!PublisherIdentityPolicy.evaluate(publisher, identity: wrongIssuer).isMatch)
    }

    @Test func emailCertificateIsNotAGoogleIdentityWithTheWrongIssuer() throws {
        // The staging rfc8785 leaf has an email SAN but the GitHub OAuth issuer.
        let identity = try FulcioIdentity(certificate: try TrustFixtures.leaf(TrustFixtures.stagingEmail))
        let publisher = Publisher(kind: "Google", fields: ["email": .string("william@yossarian.net")])
        #expect(!PublisherIdentityPolicy.evaluate(publisher, identity: identity).isMatch)
    }

    @Test func otherKindsNeverPass() throws {
        let verdict = PublisherIdentityPolicy.evaluate(Publisher(kind: "Pulp User"), identity: try Self.gitHubIdentity())
        #expect(verdict == .mismatch("no identity policy for publisher kind Pulp User"))
    }
}
