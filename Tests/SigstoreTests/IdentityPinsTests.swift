import Foundation
import Testing

@testable import Attestations
@testable import Sigstore

/// User identity pins, added on top of the publisher policy, on real certificates and attestations.
@Suite("identity pins")
struct IdentityPinsTests {
    static let gitHubIssuer = "https://token.actions.githubusercontent.com"
    static let gitHubSAN = "https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19"

    static func gitHubIdentity() throws -> FulcioIdentity {
        try FulcioIdentity(certificateDER: try TrustFixtures.leafDER(TrustFixtures.prodGitHub))
    }

    static func verdict(_ pins: IdentityPins, publisher: Publisher = SigstoreVerifierTests.gitHub) async throws -> SignatureVerdict {
        await SigstoreVerifier(trustedRoot: try TrustFixtures.root("prod"), pins: pins)
            .verifySignature(of: try SigstoreVerifierTests.attestation(TrustFixtures.prodGitHub), publisher: publisher)
    }

    // MARK: - evaluate on the certificate

    @Test func matchingPinsMatch() throws {
        let id = try Self.gitHubIdentity()
        #expect(IdentityPins().evaluate(id).isMatch)
        #expect(IdentityPins(repository: "trailofbits/pypi-attestations").evaluate(id).isMatch)
        #expect(IdentityPins(repository: "TrailOfBits/PyPI-Attestations").evaluate(id).isMatch, "repository is case-insensitive")
        #expect(IdentityPins(workflow: "release.yml").evaluate(id).isMatch)
        #expect(IdentityPins(workflow: ".github/workflows/release.yml").evaluate(id).isMatch)
        #expect(IdentityPins(identity: Self.gitHubSAN, issuer: Self.gitHubIssuer).evaluate(id).isMatch)
        #expect(
            IdentityPins(
                repository: "trailofbits/pypi-attestations", workflow: "release.yml",
                identity: Self.gitHubSAN, issuer: Self.gitHubIssuer
            ).evaluate(id).isMatch)
    }

    @Test func disagreeingPinsMismatch() throws {
        let id = try Self.gitHubIdentity()
        let cases: [IdentityPins] = [
            IdentityPins(repository: "other/repo"),
            IdentityPins(repository: "trailofbits/pypi-attestations-fork"),
            IdentityPins(repository: "trailofbits"),
            IdentityPins(workflow: "other.yml"),
            IdentityPins(workflow: "Release.yml"),
            IdentityPins(workflow: "release"),
            IdentityPins(identity: Self.gitHubSAN + "x", issuer: Self.gitHubIssuer),
            IdentityPins(identity: Self.gitHubSAN, issuer: "https://gitlab.com"),
            IdentityPins(identity: Self.gitHubSAN.uppercased(), issuer: Self.gitHubIssuer),
            IdentityPins(gcpServiceAccount: "builder@project.iam.gserviceaccount.com"),
            // One good pin does not excuse a bad one.
            IdentityPins(repository: "trailofbits/pypi-attestations", workflow: "other.yml"),
        ]
        for pins in cases {
            #expect(!pins.evaluate(id).isMatch, "\(pins)")
        }
    }

    @Test func gitLabWorkflowPath() throws {
        let id = try FulcioIdentity(certificateDER: try TrustFixtures.leafDER(SigstoreVerifierTests.gitLabFile))
        #expect(IdentityPins(repository: "facutuesca/gitlab-oidc-project", workflow: ".gitlab-ci.yml").evaluate(id).isMatch)
        #expect(!IdentityPins(workflow: "other-ci.yml").evaluate(id).isMatch)
        #expect(!IdentityPins(repository: "trailofbits/pypi-attestations").evaluate(id).isMatch)
    }

    @Test func claimsMissingFromTheCertificateMismatch() {
        let empty = FulcioIdentity()
        #expect(!IdentityPins(repository: "a/b").evaluate(empty).isMatch)
        #expect(!IdentityPins(workflow: "release.yml").evaluate(empty).isMatch)
        #expect(!IdentityPins(identity: "x", issuer: "y").evaluate(empty).isMatch)
        #expect(!IdentityPins(gcpServiceAccount: "a@b").evaluate(empty).isMatch)
    }

    @Test func configurationProblems() {
        #expect(IdentityPins().problem == nil)
        #expect(IdentityPins(identity: "x", issuer: "y").problem == nil)
        // The library names no flag: the problem is a value (the CLI's FlagNames words it).
        #expect(IdentityPins(identity: "x").problem == .identityWithoutIssuer)
        #expect(IdentityPins(issuer: "y").problem == .identityWithoutIssuer)
        #expect(IdentityPins(repository: "norepo").problem == .repositoryNotOwnerName("norepo"))
        #expect(IdentityPins(repository: "owner/").problem == .repositoryNotOwnerName("owner/"))
        #expect(IdentityPins(workflow: "").problem == .empty(.workflow))
        #expect(IdentityPins(identity: "x").problem?.description == "the identity and issuer pins must be given together")
        #expect(IdentityPins(repository: "norepo").problem?.description == "the repository pin norepo is not OWNER/NAME")
        #expect(IdentityPins(workflow: "").problem?.description == "the workflow pin is empty")
    }

    // MARK: - through the verifier, on the real attestation

    @Test func verifierPassesWithMatchingPins() async throws {
        let pins = IdentityPins(
            repository: "trailofbits/pypi-attestations", workflow: "release.yml",
            identity: Self.gitHubSAN, issuer: Self.gitHubIssuer)
        let verdict = try await Self.verdict(pins)
        guard case .verified(let signer, _) = verdict else {
            Issue.record("not verified: \(verdict)")
            return
        }
        #expect(signer.contains("pinned repository trailofbits/pypi-attestations"), "\(signer)")
    }

    @Test func verifierFailsWhenAPinDisagrees() async throws {
        let cases: [IdentityPins] = [
            IdentityPins(repository: "other/repo"),
            IdentityPins(workflow: "other.yml"),
            IdentityPins(
                identity: "https://github.com/other/repo/.github/workflows/release.yml@refs/tags/v0.0.19",
                issuer: Self.gitHubIssuer),
            IdentityPins(identity: Self.gitHubSAN, issuer: "https://accounts.google.com"),
        ]
        for pins in cases {
            let verdict = try await Self.verdict(pins)
            guard case .failed(let reason) = verdict else {
                Issue.record("\(pins) did not fail: \(verdict)")
                continue
            }
            #expect(reason.contains("pinned"), "\(reason)")
        }
    }

    @Test func pinsNeverReplaceThePublisherPolicy() async throws {
        // Pins that match the certificate do not rescue a publisher that does not.
        let otherPublisher = Publisher(
            kind: "GitHub",
            fields: [
                "repository": .string("someone/else"), "workflow": .string("release.yml"),
            ])
        let pins = IdentityPins(repository: "trailofbits/pypi-attestations", identity: Self.gitHubSAN, issuer: Self.gitHubIssuer)
        let v1 = try await Self.verdict(pins, publisher: otherPublisher)
        #expect(
            v1
                == .failed(
                    "Sigstore: certificate source repository https://github.com/trailofbits/pypi-attestations is not https://github.com/someone/else"
                ))
        // Nor a publisher kind with no identity policy.
        let v2 = try await Self.verdict(pins, publisher: Publisher(kind: "Pulp User", fields: [:]))
        #expect(v2 == .failed("Sigstore: no identity policy for publisher kind Pulp User"))
    }

    @Test func aLoneAttestationIsBoundByThePinsAlone() async throws {
        // No index publisher: a complete identity pin verifies; none, a workflow alone or a wrong one does not.
        let complete = IdentityPins(identity: Self.gitHubSAN, issuer: Self.gitHubIssuer)
        #expect(try await Self.verdict(complete, publisher: .localFile).isVerified)
        #expect(try await Self.verdict(IdentityPins(repository: "trailofbits/pypi-attestations"), publisher: .localFile).isVerified)
        let l1 = try await Self.verdict(IdentityPins(), publisher: .localFile)
        #expect(
            l1
                == .failed(
                    "Sigstore: a lone attestation names no publisher; pin the signer: an identity with its issuer, a source repository or a GCP service account"
                ))
        let l2 = try await Self.verdict(IdentityPins(workflow: "release.yml"), publisher: .localFile)
        #expect(
            l2
                == .failed(
                    "Sigstore: a lone attestation names no publisher; pin the signer: an identity with its issuer, a source repository or a GCP service account"
                ))
        let l3 = try await Self.verdict(IdentityPins(repository: "someone/else"), publisher: .localFile)
        #expect(
            l3
                == .failed(
                    "Sigstore: pinned repository someone/else is not the certificate's source repository https://github.com/trailofbits/pypi-attestations"
                ))
        let l4 = try await Self.verdict(IdentityPins(identity: Self.gitHubSAN, issuer: "https://gitlab.com"), publisher: .localFile)
        #expect(
            l4
                == .failed(
                    "Sigstore: pinned issuer: certificate OIDC issuer https://token.actions.githubusercontent.com is not https://gitlab.com"
                ))
    }
}
