import Foundation
import PythonPackaging
import Testing

@testable import Attestations
@testable import Sigstore

/// End-to-end Sigstore keyless verification of real PEP 740 attestations (Fixtures/sigstore).
@Suite("Sigstore keyless verifier")
struct SigstoreVerifierTests {
    static let gitHub = Publisher(
        kind: "GitHub",
        fields: [
            "repository": .string("trailofbits/pypi-attestations"), "workflow": .string("release.yml"), "environment": .null,
        ])
    static let gitLab = Publisher(
        kind: "GitLab",
        fields: [
            "repository": .string("facutuesca/gitlab-oidc-project"), "workflow_filepath": .string(".gitlab-ci.yml"),
        ])
    static let gitLabFile = "gitlab_oidc_project-0.0.3.tar.gz.publish.attestation"
    /// sha256 of vectors/dists/pypi_attestations-0.0.19.tar.gz (the dist is not copied; its digest is enough).
    static let pypiAttestationsSHA256 = "9bb1add04b1b4e182be6b0b80931593f7a291eb49d69b4fd728a5d4cbcdc4bd3"
    /// sha256 of vectors/dists/gitlab_oidc_project-0.0.3.tar.gz.
    static let gitLabSHA256 = "c1ca9b0d85df1606451098233018534497bf584362e10e4a8c21dfaea92c02a8"

    static func attestation(_ name: String) throws -> Attestation {
        try Attestation.decode(try TrustFixtures.data(name))
    }

    static func verdict(_ attestation: Attestation, _ publisher: Publisher, root: TrustedRoot? = nil) async throws -> SignatureVerdict {
        await SigstoreVerifier(trustedRoot: try root ?? TrustFixtures.root("prod")).verifySignature(of: attestation, publisher: publisher)
    }

    static func failure(_ verdict: SignatureVerdict) -> String? {
        if case .failed(let reason) = verdict { return reason }
        return nil
    }

    @Test func gitHubAttestationVerifiesAgainstTheProductionRoot() async throws {
        let verdict = try await Self.verdict(try Self.attestation(TrustFixtures.prodGitHub), Self.gitHub)
        guard case .verified(let signer, _) = verdict else {
            Issue.record("not verified: \(verdict)")
            return
        }
        #expect(signer.contains("trailofbits/pypi-attestations"))
        #expect(signer.contains("release.yml@refs/tags/v0.0.19"))
    }

    @Test func embeddedProductionRootVerifiesToo() async throws {
        let verdict = await SigstoreVerifier(trustedRoot: try .production)
            .verifySignature(of: try Self.attestation(TrustFixtures.prodGitHub), publisher: Self.gitHub)
        #expect(verdict.isVerified, "\(verdict)")
    }

    @Test func gitLabAttestationVerifiesWithTheGitLabPublisher() async throws {
        let verdict = try await Self.verdict(try Self.attestation(Self.gitLabFile), Self.gitLab)
        guard case .verified(let signer, _) = verdict else {
            Issue.record("not verified: \(verdict)")
            return
        }
        #expect(signer.contains("facutuesca/gitlab-oidc-project"))
    }

    @Test func throughProvenanceVerifierWithTheDistDigest() async throws {
        let attestation = try Self.attestation(TrustFixtures.prodGitHub)
        let provenance = Provenance(attestationBundles: [AttestationBundle(publisher: Self.gitHub, attestations: [attestation])])
        let verifier = ProvenanceVerifier(verifiers: [
            KeySignatureVerifier(trustedKeys: [.redHatRelease3]),
            SigstoreVerifier(trustedRoot: try TrustFixtures.root("prod")),
        ])
        let good = await verifier.verify(
            provenance, distribution: "pypi_attestations-0.0.19.tar.gz", sha256Hex: try #require(SHA256Hex(Self.pypiAttestationsSHA256)))
        #expect(good.isVerified, "\(good)")
        let otherDigest = await verifier.verify(
            provenance, distribution: "pypi_attestations-0.0.19.tar.gz",
            sha256Hex: try #require(SHA256Hex(String(repeating: "0", count: 64))))
        #expect(!otherDigest.isVerified)
        #expect(otherDigest.attestations.first?.signature.isVerified == true)
        #expect(otherDigest.attestations.first?.checks.filter { !$0.passed }.map(\.name) == [StatementChecks.subjectDigest])
        // Keys alone never verify a keyless attestation (fail closed: not applicable is no pass).
        let keysOnly = await ProvenanceVerifier(verifiers: [KeySignatureVerifier(trustedKeys: [.redHatRelease3])])
            .verify(
                provenance, distribution: "pypi_attestations-0.0.19.tar.gz", sha256Hex: try #require(SHA256Hex(Self.pypiAttestationsSHA256))
            )
        #expect(!keysOnly.isVerified)
        #expect(keysOnly.attestations.first?.signature == .notApplicable("Sigstore keyless"))
    }

    @Test func gitLabThroughProvenanceVerifier() async throws {
        let provenance = Provenance(attestationBundles: [
            AttestationBundle(publisher: Self.gitLab, attestations: [try Self.attestation(Self.gitLabFile)])
        ])
        let verdict = await ProvenanceVerifier(verifiers: [SigstoreVerifier(trustedRoot: try TrustFixtures.root("prod"))])
            .verify(provenance, distribution: "gitlab_oidc_project-0.0.3.tar.gz", sha256Hex: try #require(SHA256Hex(Self.gitLabSHA256)))
        #expect(verdict.isVerified, "\(verdict)")
    }

    @Test func wrongRepositoryFails() async throws {
        var publisher = Self.gitHub
        publisher.fields["repository"] = .string("trailofbits/pypi-attestation")
        let reason = Self.failure(try await Self.verdict(try Self.attestation(TrustFixtures.prodGitHub), publisher))
        #expect(
            reason == "Sigstore: certificate source repository https://github.com/trailofbits/pypi-attestations "
                + "is not https://github.com/trailofbits/pypi-attestation", "\(String(describing: reason))")
    }

    @Test func repositoryCaseIsIgnored() async throws {
        var publisher = Self.gitHub
        publisher.fields["repository"] = .string("TrailOfBits/PyPI-Attestations")
        #expect(try await Self.verdict(try Self.attestation(TrustFixtures.prodGitHub), publisher).isVerified)
    }

    @Test(arguments: ["publish.yml", "release.yaml", "release", "elease.yml", ""])
    func wrongWorkflowFails(workflow: String) async throws {
        var publisher = Self.gitHub
        publisher.fields["workflow"] = .string(workflow)
        let verdict = try await Self.verdict(try Self.attestation(TrustFixtures.prodGitHub), publisher)
        let reason = Self.failure(verdict)
        if workflow.isEmpty {
            #expect(reason == "Sigstore: GitHub publisher has no workflow", "\(verdict)")
        } else {
            #expect(
                reason?.hasPrefix(
                    "Sigstore: certificate build config https://github.com/trailofbits/pypi-attestations/.github/workflows/"
                        + "release.yml@refs/tags/v0.0.19 is not https://github.com/trailofbits/pypi-attestations/.github/"
                        + "workflows/\(workflow)@") == true, "\(verdict)")
        }
    }

    @Test(arguments: ["Pulp User", "GitLab", "Google", "ActiveState", "github"])
    func wrongPublisherKindFails(kind: String) async throws {
        let publisher = Publisher(kind: kind, fields: Self.gitHub.fields)
        let verdict = try await Self.verdict(try Self.attestation(TrustFixtures.prodGitHub), publisher)
        let expected: String =
            switch kind {
            case "GitLab": "Sigstore: GitLab publisher has no workflow_filepath"
            case "Google": "Sigstore: Google publisher has no email"
            case "ActiveState": "Sigstore: ActiveState publisher has no organization"
            default: "Sigstore: no identity policy for publisher kind \(kind)"
            }
        #expect(Self.failure(verdict) == expected, "\(verdict)")
    }

    @Test func unknownPublisherKindSaysSo() async throws {
        let verdict = try await Self.verdict(try Self.attestation(TrustFixtures.prodGitHub), Publisher(kind: "Pulp User"))
        #expect(Self.failure(verdict) == "Sigstore: no identity policy for publisher kind Pulp User")
    }

    @Test func gitLabAttestationFailsWithTheGitHubPublisher() async throws {
        let reason = Self.failure(try await Self.verdict(try Self.attestation(Self.gitLabFile), Self.gitHub))
        #expect(reason?.hasPrefix("Sigstore: ") == true && reason?.contains("https://gitlab.com") == true, "\(String(describing: reason))")
    }

    @Test func stagingAttestationFailsAgainstTheProductionRoot() async throws {
        let staging = try Self.attestation(TrustFixtures.stagingEmail)
        let publisher = Publisher(kind: "Google", fields: ["email": .string("william@yossarian.net")])
        let verdict = try await Self.verdict(staging, publisher)
        #expect(Self.failure(verdict)?.contains("transparency entry") == true, "\(verdict)")
    }

    @Test func keySignedAttestationIsNotApplicable() async throws {
        let provenance = try Provenance.decode(try Fixtures.data("amqp-5.3.1-0-py3-none-any.whl.provenance"))
        let attestation = try #require(provenance.attestationBundles.first?.attestations.first)
        let verdict = try await Self.verdict(attestation, Self.gitHub)
        guard case .notApplicable = verdict else {
            Issue.record("expected notApplicable, got \(verdict)")
            return
        }
    }

    @Test func noTransparencyEntryFails() async throws {
        var attestation = try Self.attestation(TrustFixtures.prodGitHub)
        attestation.verificationMaterial?.transparencyEntries = []
        #expect(Self.failure(try await Self.verdict(attestation, Self.gitHub)) == "Sigstore: no transparency entry")
    }

    @Test(arguments: [0, 100, 265])
    func flippedStatementByteFails(offset: Int) async throws {
        var attestation = try Self.attestation(TrustFixtures.prodGitHub)
        attestation.envelope.statement[offset] ^= 0x01
        let reason = Self.failure(try await Self.verdict(attestation, Self.gitHub))
        // The log recorded the hash of the signed statement: a changed one fails the entry's body.
        #expect(
            reason?.hasPrefix(
                "Sigstore: transparency entry (log index 153454663) does not verify: body: bodyMismatch: "
                    + "Rekor body: payloadHash ") == true && reason?.contains(" is not sha256 of the statement ") == true,
            "\(String(describing: reason))")
    }

    @Test(arguments: [0, 10, 40])
    func flippedSignatureByteFails(offset: Int) async throws {
        var attestation = try Self.attestation(TrustFixtures.prodGitHub)
        attestation.envelope.signature[offset] ^= 0x01
        let reason = Self.failure(try await Self.verdict(attestation, Self.gitHub))
        #expect(reason?.hasPrefix("Sigstore: ") == true && reason?.contains("signature") == true, "\(String(describing: reason))")
    }

    @Test(arguments: [10, 300, 700])
    func flippedCertificateByteFails(offset: Int) async throws {
        var attestation = try Self.attestation(TrustFixtures.prodGitHub)
        attestation.verificationMaterial?.certificate[offset] ^= 0x01
        let reason = Self.failure(try await Self.verdict(attestation, Self.gitHub))
        #expect(reason?.hasPrefix("Sigstore: ") == true && reason?.contains("certificate") == true, "\(String(describing: reason))")
    }

    @Test(arguments: [5, 200, 600])
    func flippedCanonicalizedBodyByteFails(offset: Int) async throws {
        var attestation = try Self.attestation(TrustFixtures.prodGitHub)
        var material = try #require(attestation.verificationMaterial)
        guard case .object(var entry) = material.transparencyEntries[0],
            let text = entry["canonicalizedBody"]?.stringValue, var body = Data(base64Encoded: text).map([UInt8].init)
        else {
            Issue.record("no canonicalizedBody")
            return
        }
        body[offset] ^= 0x01
        entry["canonicalizedBody"] = .string(Data(body).base64EncodedString())
        material.transparencyEntries[0] = .object(entry)
        attestation.verificationMaterial = material
        let reason = Self.failure(try await Self.verdict(attestation, Self.gitHub))
        #expect(reason?.contains("transparency entry") == true, "\(String(describing: reason))")
    }

    /// Step 4 on its own: a signature the log never saw cannot reach it, so test it directly.
    @Test func dsseSignatureStepRejectsAnotherSignatureOrStatement() throws {
        let attestation = try Self.attestation(TrustFixtures.prodGitHub)
        let leaf = try TrustFixtures.leaf(TrustFixtures.prodGitHub)
        #expect(SigstoreCore.signatureProblem(SigstoreContent(attestation.envelope), leaf: leaf) == nil)
        var badSignature = attestation
        badSignature.envelope.signature[8] ^= 0x01
        let problem = SigstoreCore.signatureProblem(SigstoreContent(badSignature.envelope), leaf: leaf)
        #expect(problem?.contains("signature") == true, "\(String(describing: problem))")
        var badStatement = attestation
        badStatement.envelope.statement[20] ^= 0x01
        #expect(SigstoreCore.signatureProblem(SigstoreContent(badStatement.envelope), leaf: leaf) == problem, "the same step refuses it")
        let otherLeaf = try TrustFixtures.leaf(Self.gitLabFile)
        #expect(
            SigstoreCore.signatureProblem(SigstoreContent(attestation.envelope), leaf: otherLeaf) == problem, "the same step refuses it")
    }
}
