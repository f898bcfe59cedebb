import Foundation
import Testing

@testable import Attestations
@testable import Sigstore

/// The publisher ⇄ certificate identity rules, on real certificates and on edited identities.
@Suite("publisher identity policy")
struct PublisherIdentityPolicyTests {
    static func gitHubIdentity() throws -> FulcioIdentity {
        try FulcioIdentity(certificate: try TrustFixtures.leaf(TrustFixtures.prodGitHub))
    }

    static let gitHub = Publisher(
        kind: "GitHub",
        fields: [
            "repository": .string("trailofbits/pypi-attestations"), "workflow": .string("release.yml"),
        ])

    /// Expects the policy to refuse `publisher` for `identity` with a reason holding `fragment`.
    static func expectMismatch(
        _ publisher: Publisher, _ identity: FulcioIdentity, _ fragment: String, _ comment: Comment? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let result = PublisherIdentityPolicy.evaluate(publisher, identity: identity)
        guard case .mismatch(let reason) = result else {
            Issue.record("\(comment.map { "\($0): " } ?? "")expected a mismatch, got \(result)", sourceLocation: sourceLocation)
            return
        }
        #expect(reason.contains(fragment), "\(comment.map { "\($0): " } ?? "")\(reason)", sourceLocation: sourceLocation)
    }

    /// Expects the verifier to refuse the signature with a reason holding `fragment`.
    static func expectRefused(_ verdict: SignatureVerdict, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard case .failed(let reason) = verdict else {
            Issue.record("expected a refusal, got \(verdict)", sourceLocation: sourceLocation)
            return
        }
        #expect(reason.contains(fragment), "\(reason)", sourceLocation: sourceLocation)
    }

    @Test func gitHubMatches() throws {
        #expect(PublisherIdentityPolicy.evaluate(Self.gitHub, identity: try Self.gitHubIdentity()).isMatch)
    }

    @Test func gitHubIssuerMustBeActions() throws {
        var identity = try Self.gitHubIdentity()
        identity.issuer = "https://gitlab.com"
        Self.expectMismatch(
            Self.gitHub, identity, "certificate OIDC issuer https://gitlab.com is not https://token.actions.githubusercontent.com")
        identity = try Self.gitHubIdentity()
        identity.issuerV1 = "https://accounts.google.com"
        Self.expectMismatch(
            Self.gitHub, identity,
            "certificate OIDC issuer https://accounts.google.com is not https://token.actions.githubusercontent.com",
            "a disagreeing legacy issuer fails")
        identity.issuerV1 = nil
        #expect(PublisherIdentityPolicy.evaluate(Self.gitHub, identity: identity).isMatch, "the v2 issuer alone suffices")
        identity.issuer = nil
        Self.expectMismatch(Self.gitHub, identity, "certificate has no OIDC issuer extension", "no issuer fails")
    }

    @Test func gitHubBuildConfigMustBeThatWorkflowOfThatRepository() throws {
        var identity = try Self.gitHubIdentity()
        identity.buildConfigURI = "https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml"
        Self.expectMismatch(
            Self.gitHub, identity,
            "certificate build config https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml is not ", "no @ref")
        identity.buildConfigURI = "https://github.com/evil/pypi-attestations/.github/workflows/release.yml@refs/tags/v1"
        Self.expectMismatch(
            Self.gitHub, identity,
            "certificate build config https://github.com/evil/pypi-attestations/.github/workflows/release.yml@refs/tags/v1 is not ")
        identity.buildConfigURI = nil
        Self.expectMismatch(Self.gitHub, identity, "certificate build config (none) is not ")
    }

    @Test func missingOrNonStringFieldsFail() throws {
        let identity = try Self.gitHubIdentity()
        Self.expectMismatch(Publisher(kind: "GitHub"), identity, "GitHub publisher has no repository")
        let numeric = Publisher(kind: "GitHub", fields: ["repository": .number(1), "workflow": .string("release.yml")])
        Self.expectMismatch(numeric, identity, "GitHub publisher has no repository")
    }

    @Test func gitLabNeedsTheDoubleSlashBuildConfig() throws {
        let identity = try FulcioIdentity(certificate: try TrustFixtures.leaf("gitlab_oidc_project-0.0.3.tar.gz.publish.attestation"))
        let publisher = Publisher(
            kind: "GitLab",
            fields: [
                "repository": .string("facutuesca/gitlab-oidc-project"), "workflow_filepath": .string(".gitlab-ci.yml"),
            ])
        #expect(PublisherIdentityPolicy.evaluate(publisher, identity: identity).isMatch)
        var other = publisher
        other.fields["workflow_filepath"] = .string("ci/.gitlab-ci.yml")
        Self.expectMismatch(other, identity, "is not https://gitlab.com/facutuesca/gitlab-oidc-project//ci/.gitlab-ci.yml@refs/heads/main")
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
        Self.expectMismatch(
            Publisher(kind: "Google", fields: ["email": .string("x" + email)]), identity,
            "certificate SAN 919436158236-compute@developer.gserviceaccount.com is not the publisher email x919436158236-compute@developer.gserviceaccount.com"
        )
        var wrongIssuer = identity
        wrongIssuer.issuer = "https://github.com/login/oauth"
        Self.expectMismatch(
            publisher, wrongIssuer, "certificate OIDC issuer https://github.com/login/oauth is not https://accounts.google.com")
    }

    @Test func emailCertificateIsNotAGoogleIdentityWithTheWrongIssuer() throws {
        // The staging rfc8785 leaf has an email SAN but the GitHub OAuth issuer.
        let identity = try FulcioIdentity(certificate: try TrustFixtures.leaf(TrustFixtures.stagingEmail))
        let publisher = Publisher(kind: "Google", fields: ["email": .string("william@yossarian.net")])
        Self.expectMismatch(
            publisher, identity, "certificate OIDC issuer https://github.com/login/oauth is not https://accounts.google.com")
    }

    @Test func otherKindsNeverPass() throws {
        let verdict = PublisherIdentityPolicy.evaluate(Publisher(kind: "Pulp User"), identity: try Self.gitHubIdentity())
        #expect(verdict == .mismatch("no identity policy for publisher kind Pulp User"))
    }

    // MARK: Build config at the certificate's own ref or digest

    /// A real GitHub leaf without `.1.14` (ref): the build config at the digest is accepted.
    @Test func gitHubBuildConfigAtTheDigestWithoutRef() throws {
        let identity = try FulcioIdentity(certificate: try TrustFixtures.pem("no-source-repository-ref-extension.pem"))
        #expect(identity.sourceRepositoryRef == nil)
        let publisher = Publisher(
            kind: "GitHub",
            fields: [
                "repository": .string("SWIFTSIM/swiftgalaxy"), "workflow": .string("python-publish.yml"),
            ])
        #expect(PublisherIdentityPolicy.evaluate(publisher, identity: identity).isMatch)
        var noDigest = identity
        noDigest.sourceRepositoryDigest = nil
        let verdict = PublisherIdentityPolicy.evaluate(publisher, identity: noDigest)
        #expect(verdict == .mismatch("certificate has neither a source repository ref nor a digest to pin the build config to"))
    }

    @Test func gitHubBuildConfigMustEndInTheRefOrDigest() throws {
        var identity = try Self.gitHubIdentity()
        identity.buildConfigURI = "https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/heads/evil"
        Self.expectMismatch(
            Self.gitHub, identity,
            "certificate build config https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/heads/evil is not "
        )
        identity.buildConfigURI = "https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19x"
        Self.expectMismatch(Self.gitHub, identity, "/release.yml@refs/tags/v0.0.19x is not ", "a longer ref is another ref")
        identity.buildConfigURI =
            "https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@08802efe1f8e5fec4ad842d6b8ce97656092ee72"
        #expect(PublisherIdentityPolicy.evaluate(Self.gitHub, identity: identity).isMatch, "at the digest")
        identity.buildConfigURI = "https://github.com/TrailOfBits/PYPI-attestations/.github/workflows/release.yml@refs/tags/v0.0.19"
        #expect(PublisherIdentityPolicy.evaluate(Self.gitHub, identity: identity).isMatch, "repository part case-insensitive")
        identity.buildConfigURI = "https://github.com/trailofbits/pypi-attestations/.github/workflows/Release.yml@refs/tags/v0.0.19"
        Self.expectMismatch(Self.gitHub, identity, "/Release.yml@refs/tags/v0.0.19 is not ", "workflow exact")
    }

    // MARK: The rule table

    @Test func everyKindHasExactlyOneRule() {
        let kinds = PublisherIdentityPolicy.rules.map(\.kind)
        #expect(kinds == ["GitHub", "GitLab", "Google", "CircleCI", "ActiveState"])
        #expect(Set(kinds).count == kinds.count)
    }

    /// The table is extensible: a caller-supplied rule handles a new kind; without it, it fails.
    @Test func aNewKindIsOneMoreRule() throws {
        let identity = try Self.gitHubIdentity()
        let custom = PublisherIdentityRule(kind: "Example") { publisher, identity in
            publisher.fields["run"] == .string(identity.runInvocationURI ?? "") ? .matches("Example run") : .mismatch("other run")
        }
        let publisher = Publisher(
            kind: "Example",
            fields: [
                "run": .string("https://github.com/trailofbits/pypi-attestations/actions/runs/12169989787/attempts/1")
            ])
        Self.expectMismatch(publisher, identity, "no identity policy for publisher kind Example")
        #expect(
            PublisherIdentityPolicy.evaluate(publisher, identity: identity, rules: PublisherIdentityPolicy.rules + [custom])
                == .matches("Example run"))
    }

    // MARK: CircleCI (certificates from the private Sigstore)

    static let circleCI = Publisher(
        kind: "CircleCI",
        fields: [
            "organization_id": .string("b2c1e7a4-0000-4000-8000-00000000c1c1"),
            "project_id": .string("5d0e3c2a-0000-4000-8000-00000000f00d"),
            "pipeline_definition_id": .string("9a8b7c6d-0000-4000-8000-0000000000aa"),
            "vcs_origin": .string("github.com/octo-org/octo-pkg"),
            "vcs_ref": .string("refs/heads/main"),
        ])

    static func identity(_ leaf: PrivateSigstore.LeafIdentity) throws -> FulcioIdentity {
        var scenario = PrivateSigstore.Scenario()
        scenario.identity = leaf
        return try FulcioIdentity(certificate: try PrivateSigstore().issue(scenario).leaf)
    }

    static func with(_ publisher: Publisher, _ name: String, _ value: JSONValue?) -> Publisher {
        var copy = publisher
        copy.fields[name] = value
        return copy
    }

    @Test func circleCIMatches() throws {
        let identity = try Self.identity(.circleCI())
        let verdict = PublisherIdentityPolicy.evaluate(Self.circleCI, identity: identity)
        #expect(
            verdict
                == .matches(
                    "CircleCI project 5d0e3c2a-0000-4000-8000-00000000f00d pipeline definition 9a8b7c6d-0000-4000-8000-0000000000aa (issuer https://oidc.circleci.com/org/b2c1e7a4-0000-4000-8000-00000000c1c1)"
                ))
        // vcs_origin / vcs_ref are optional constraints: absent, null or empty does not constrain.
        #expect(
            PublisherIdentityPolicy.evaluate(Self.with(Self.with(Self.circleCI, "vcs_origin", nil), "vcs_ref", .null), identity: identity)
                .isMatch)
        #expect(PublisherIdentityPolicy.evaluate(Self.with(Self.circleCI, "vcs_ref", .string("")), identity: identity).isMatch)
    }

    @Test(arguments: [
        (
            "organization_id", JSONValue.string("b2c1e7a4-0000-4000-8000-00000000dead"),
            "is not https://oidc.circleci.com/org/b2c1e7a4-0000-4000-8000-00000000dead"
        ),
        ("project_id", .string("5d0e3c2a-0000-4000-8000-00000000beef"), "is not the CircleCI pipeline definition"),
        ("pipeline_definition_id", .string("9a8b7c6d-0000-4000-8000-0000000000bb"), "is not the CircleCI pipeline definition"),
        ("vcs_origin", .string("github.com/octo-org/other-pkg"), "is not the publisher's vcs_origin"),
        ("vcs_ref", .string("refs/heads/release"), "is not the publisher's vcs_ref"),
        ("vcs_ref", .number(1), "vcs_ref is not a string"),
        ("project_id", nil, "CircleCI publisher has no project_id"),
        ("organization_id", .string(""), "CircleCI publisher has no organization_id"),
        ("pipeline_definition_id", .number(7), "CircleCI publisher has no pipeline_definition_id"),
        ("project_id", .string("5d0e3c2a/pipeline-definitions/x"), "project_id is not a single path segment"),
    ])
    func circleCIMismatch(field: String, value: JSONValue?, expected: String) throws {
        let identity = try Self.identity(.circleCI())
        let verdict = PublisherIdentityPolicy.evaluate(Self.with(Self.circleCI, field, value), identity: identity)
        guard case .mismatch(let reason) = verdict else {
            Issue.record("\(field) = \(String(describing: value)) matched")
            return
        }
        #expect(reason.contains(expected), "\(reason)")
    }

    @Test func circleCICertificateClaimsThatFail() throws {
        // The generic issuer (no organization) does not bind the organization: refused.
        let generic = try Self.identity(.circleCI(issuer: "https://oidc.circleci.com"))
        Self.expectMismatch(
            Self.circleCI, generic,
            "certificate OIDC issuer https://oidc.circleci.com is not https://oidc.circleci.com/org/b2c1e7a4-0000-4000-8000-00000000c1c1")
        // A token from an SSH re-run of the job: a human had a shell there.
        let ssh = try Self.identity(.circleCI(runnerEnvironment: "ssh-rerun"))
        #expect(
            PublisherIdentityPolicy.evaluate(Self.circleCI, identity: ssh)
                == .mismatch("certificate was issued to an SSH re-run of the CircleCI job"))
        // A GitHub certificate is no CircleCI identity.
        Self.expectMismatch(
            Self.circleCI, try Self.identity(.gitHub()),
            "certificate OIDC issuer https://token.actions.githubusercontent.com is not https://oidc.circleci.com/org/")
        // A build signer that disagrees with the SAN.
        var signer = try Self.identity(.circleCI())
        signer.buildSignerURI = "https://circleci.com/api/v2/projects/other/pipeline-definitions/other"
        Self.expectMismatch(
            Self.circleCI, signer,
            "certificate build signer https://circleci.com/api/v2/projects/other/pipeline-definitions/other is not the CircleCI pipeline definition "
        )
    }

    /// End to end: a CircleCI-signed attestation from the private Sigstore verifies with the
    /// CircleCI publisher and fails with the GitHub one.
    @Test func circleCIThroughTheVerifier() async throws {
        var scenario = PrivateSigstore.Scenario()
        scenario.identity = .circleCI()
        let issued = try PrivateSigstore().issue(scenario)
        let verdict = try await issued.verify(Self.circleCI)
        #expect(verdict.isVerified, "\(verdict)")
        Self.expectRefused(
            try await issued.verify(PrivateSigstore.gitHubPublisher()),
            "Sigstore: certificate OIDC issuer https://oidc.circleci.com/org/b2c1e7a4-0000-4000-8000-00000000c1c1 is not https://token.actions.githubusercontent.com"
        )
    }

    // MARK: ActiveState (certificates from the private Sigstore)

    static let activeState = Publisher(
        kind: "ActiveState",
        fields: [
            "organization": .string("octo-org"), "project": .string("octo-pkg"), "actor": .string("octocat"),
        ])

    @Test func activeStateMatches() throws {
        let identity = try Self.identity(.activeState())
        #expect(
            PublisherIdentityPolicy.evaluate(Self.activeState, identity: identity)
                == .matches("ActiveState octo-org/octo-pkg (issuer https://platform.activestate.com/api/v1/oauth/oidc)"))
    }

    @Test(arguments: [
        ("organization", JSONValue.string("other-org"), "is not the ActiveState project"),
        ("project", .string("octo-pkg2"), "is not the ActiveState project"),
        ("project", nil, "ActiveState publisher has no project"),
        ("organization", .bool(true), "ActiveState publisher has no organization"),
        ("organization", .string("octo-org/octo-pkg"), "organization is not a single path segment"),
        ("project", .string(".."), "project is not a single path segment"),
    ])
    func activeStateMismatch(field: String, value: JSONValue?, expected: String) throws {
        let identity = try Self.identity(.activeState())
        let verdict = PublisherIdentityPolicy.evaluate(Self.with(Self.activeState, field, value), identity: identity)
        guard case .mismatch(let reason) = verdict else {
            Issue.record("\(field) = \(String(describing: value)) matched")
            return
        }
        #expect(reason.contains(expected), "\(reason)")
    }

    @Test func activeStateCertificateClaimsThatFail() throws {
        let otherIssuer = try Self.identity(.activeState(issuer: "https://platform.activestate.com"))
        Self.expectMismatch(
            Self.activeState, otherIssuer,
            "certificate OIDC issuer https://platform.activestate.com is not https://platform.activestate.com/api/v1/oauth/oidc")
        let email = try Self.identity(.google(email: "octo-org@platform.activestate.com"))
        Self.expectMismatch(
            Self.activeState, email,
            "certificate OIDC issuer https://accounts.google.com is not https://platform.activestate.com/api/v1/oauth/oidc")
        let otherProject = try Self.identity(.activeState(project: "octo-pkg-fork"))
        Self.expectMismatch(
            Self.activeState, otherProject,
            "certificate SAN https://platform.activestate.com/octo-org/octo-pkg-fork is not the ActiveState project https://platform.activestate.com/octo-org/octo-pkg"
        )
    }

    @Test func activeStateThroughTheVerifier() async throws {
        var scenario = PrivateSigstore.Scenario()
        scenario.identity = .activeState()
        let issued = try PrivateSigstore().issue(scenario)
        #expect(try await issued.verify(Self.activeState).isVerified)
        Self.expectRefused(
            try await issued.verify(Self.circleCI),
            "Sigstore: certificate OIDC issuer https://platform.activestate.com/api/v1/oauth/oidc is not https://oidc.circleci.com/org/b2c1e7a4-0000-4000-8000-00000000c1c1"
        )
    }

    // MARK: GitLab and Google on private certificates

    @Test func gitLabAndGoogleFromThePrivateSigstore() async throws {
        var scenario = PrivateSigstore.Scenario()
        scenario.identity = .gitLab()
        let gitLab = Publisher(
            kind: "GitLab",
            fields: [
                "repository": .string("octo-group/octo-pkg"), "workflow_filepath": .string(".gitlab-ci.yml"),
            ])
        #expect(try await PrivateSigstore().issue(scenario).verify(gitLab).isVerified)
        scenario.identity = .google()
        let google = Publisher(kind: "Google", fields: ["email": .string("builder@octo-project.iam.gserviceaccount.com")])
        let issued = try PrivateSigstore().issue(scenario)
        #expect(try await issued.verify(google).isVerified)
        Self.expectRefused(
            try await issued.verify(Publisher(kind: "Google", fields: ["email": .string("other@octo-project.iam.gserviceaccount.com")])),
            "Sigstore: certificate SAN builder@octo-project.iam.gserviceaccount.com is not the publisher email other@octo-project.iam.gserviceaccount.com"
        )
    }
}
