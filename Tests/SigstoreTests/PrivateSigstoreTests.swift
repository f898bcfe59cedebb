import AttestationsTestSupport
import Crypto
import Foundation
import Testing
import X509

@testable import Attestations
@testable import Sigstore

/// The private Sigstore (`PrivateSigstore`) produces what the verifier accepts: a leaf with Fulcio
/// claims and an embedded SCT, a Rekor dsse entry with SET, inclusion proof and checkpoint, and a
/// trusted root — and each intermediate value has the layout GOLDEN-intermediates.md describes.
@Suite("private Sigstore: the happy path")
struct PrivateSigstoreTests {
    static func reason(_ verdict: SignatureVerdict) -> String {
        switch verdict {
        case .failed(let reason), .notApplicable(let reason): reason
        case .verified(let signer, _): "verified: \(signer)"
        }
    }

    @Test func privateAttestationVerifies() async throws {
        let sigstore = try PrivateSigstore()
        let issued = try sigstore.issue()
        let verdict = try await issued.verify(PrivateSigstore.gitHubPublisher())
        guard case .verified(let signer, _) = verdict else {
            Issue.record("not verified: \(verdict)")
            return
        }
        #expect(signer.contains("GitHub octo-org/octo-pkg"), "\(signer)")
        #expect(signer.contains("release.yml@refs/tags/v1.0.0"), "\(signer)")
        #expect(signer.contains("Rekor log index 1000005"), "\(signer)")
    }

    /// The same attestation fails against the public-good root: nothing about it is trusted there.
    @Test func privateAttestationFailsAgainstTheProductionRoot() async throws {
        let issued = try PrivateSigstore().issue()
        let verdict = await SigstoreVerifier(trustedRoot: try TrustFixtures.root("prod"))
            .verifySignature(of: try issued.attestation(), publisher: PrivateSigstore.gitHubPublisher())
        #expect(!verdict.isVerified, "\(verdict)")
    }

    /// Another instance's trusted root (other keys, same names and URLs) does not verify it either.
    @Test func anotherInstancesRootDoesNotVerify() async throws {
        let issued = try PrivateSigstore().issue()
        let other = try PrivateSigstore().issue()
        let verdict = await SigstoreVerifier(trustedRoot: try other.trustedRoot())
            .verifySignature(of: try issued.attestation(), publisher: PrivateSigstore.gitHubPublisher())
        #expect(!verdict.isVerified, "\(verdict)")
    }

    @Test(arguments: [1, 2, 3, 4, 5, 8, 13])
    func everyTreeShapeAndPositionVerifies(size: Int) async throws {
        let sigstore = try PrivateSigstore()
        for index in [0, size / 2, size - 1] {
            var scenario = PrivateSigstore.Scenario()
            scenario.treeSize = size
            scenario.leafIndex = index
            let verdict = try await sigstore.issue(scenario).verify(PrivateSigstore.gitHubPublisher())
            #expect(verdict.isVerified, "size \(size) index \(index): \(verdict)")
        }
    }

    /// The leaf carries what a Fulcio leaf carries, read back by the module's FulcioIdentity.
    @Test func leafCarriesFulcioClaims() throws {
        let issued = try PrivateSigstore().issue()
        let identity = try FulcioIdentity(certificate: issued.leaf)
        #expect(identity.issuer == "https://token.actions.githubusercontent.com")
        #expect(identity.issuerV1 == "https://token.actions.githubusercontent.com")
        #expect(identity.sourceRepositoryURI == "https://github.com/octo-org/octo-pkg")
        #expect(identity.buildConfigURI == "https://github.com/octo-org/octo-pkg/.github/workflows/release.yml@refs/tags/v1.0.0")
        #expect(identity.sourceRepositoryDigest == PrivateSigstore.LeafIdentity.digest)
        #expect(identity.sourceRepositoryRef == "refs/tags/v1.0.0")
        #expect(
            identity.subjectAlternativeName == .uri("https://github.com/octo-org/octo-pkg/.github/workflows/release.yml@refs/tags/v1.0.0"))
        #expect(FulcioLeafProfilePolicy.problem(with: issued.leaf) == nil)
        #expect(try SignedCertificateTimestamp.embedded(in: issued.leaf).count == 1)
    }

    /// The module's precertificate reconstruction gives back exactly the TBS the SCT was signed
    /// over: the SCT verifies with the CT key over our independently built `digitally-signed` struct.
    @Test func sctIsOverThePrecertificate() throws {
        let sigstore = try PrivateSigstore()
        let issued = try sigstore.issue()
        let sct = try #require(try SignedCertificateTimestamp.embedded(in: issued.leaf).first)
        #expect(sct.logID == PrivateSigstore.keyID(sigstore.ctKey.publicKey))
        #expect(sct.hashAlgorithm == 4 && sct.signatureAlgorithm == 3 && sct.extensions.isEmpty)
        let tbs = try SCTVerification.precertificateTBS(of: issued.leaf)
        #expect(tbs.count < issued.leaf.tbsCertificateBytes.count)
        let verdict = SCTVerification.verify(
            leaf: issued.leaf, issuer: sigstore.authority.intermediate,
            trustedRoot: try issued.trustedRoot())
        #expect(verdict.isVerified, "\(verdict)")
    }

    /// The entry's layout matches the real vectors (GOLDEN-intermediates.md): global vs shard-local
    /// index as decimal strings, key hint = first 4 bytes of the log id, checkpoint body lines, a
    /// canonical dsse body whose payloadHash is the statement's sha256. Read with JSONValue only,
    /// so the check does not lean on the log-entry types it is meant to exercise.
    @Test func entryLayoutMatchesTheRealVectors() throws {
        let sigstore = try PrivateSigstore()
        let issued = try sigstore.issue()
        let json = try JSONValue.parse(issued.attestationJSON, what: "attestation")
        #expect(json.objectValue.map { Set($0.keys) } == ["envelope", "verification_material", "version"])
        let entry = try #require(json["verification_material"]?["transparency_entries"]?.arrayValue?.first)
        #expect(
            entry.objectValue.map { Set($0.keys) } == [
                "canonicalizedBody", "inclusionPromise", "inclusionProof", "integratedTime", "kindVersion", "logId", "logIndex",
            ])
        #expect(entry["logIndex"]?.stringValue == "1000005")
        #expect(entry["inclusionProof"]?["logIndex"]?.stringValue == "5")
        #expect(entry["inclusionProof"]?["treeSize"]?.stringValue == "7")
        #expect(entry["inclusionProof"]?["hashes"]?.arrayValue?.count == 3)
        #expect(entry["kindVersion"]?["kind"]?.stringValue == "dsse")
        let logID = try #require(entry["logId"]?["keyId"]?.stringValue.flatMap { Data(base64Encoded: $0) })
        #expect(Array(logID) == PrivateSigstore.keyID(sigstore.rekorKey.publicKey))

        let note = try #require(entry["inclusionProof"]?["checkpoint"]?["envelope"]?.stringValue)
        let parts = note.components(separatedBy: "\n\n")
        #expect(parts.count == 2)
        let body = parts[0].split(separator: "\n").map(String.init)
        #expect(body.count == 3 && body[0] == "rekor.private.test - 4242" && body[1] == "7")
        #expect(body.last == entry["inclusionProof"]?["rootHash"]?.stringValue)
        let line = parts[1].dropLast().split(separator: " ")
        #expect(line.count == 3 && line[0] == "\u{2014}" && line[1] == "rekor.private.test")
        let blob = try #require(Data(base64Encoded: String(line.last ?? "")))
        #expect(Array(blob.prefix(4)) == Array(logID.prefix(4)))

        let bodyBytes = try #require(entry["canonicalizedBody"]?.stringValue.flatMap { Data(base64Encoded: $0) })
        #expect(String(decoding: bodyBytes, as: UTF8.self).hasPrefix(#"{"apiVersion":"0.0.1","kind":"dsse","spec":{"envelopeHash":"#))
        let rekorBody = try JSONValue.parse(bodyBytes, what: "body")
        let statement = try issued.attestation().envelope.statement
        #expect(rekorBody["spec"]?["payloadHash"]?["value"]?.stringValue == PrivateSigstore.hex(SHA256.hash(data: statement)))
    }

    /// One changed byte anywhere the signatures cover fails.
    @Test func tamperedPiecesFail() async throws {
        let sigstore = try PrivateSigstore()
        let issued = try sigstore.issue()
        let root = try issued.trustedRoot()
        let good = try issued.attestation()
        func verdict(_ attestation: Attestation) async -> SignatureVerdict {
            await SigstoreVerifier(trustedRoot: root).verifySignature(of: attestation, publisher: PrivateSigstore.gitHubPublisher())
        }
        #expect(await verdict(good).isVerified)
        var statement = good
        statement.envelope.statement[40] ^= 0x01
        // Each change is caught where the log recorded the original: the entry's body.
        let s1 = SigstoreVerifierTests.failure(await verdict(statement)) ?? ""
        #expect(
            s1.hasPrefix("Sigstore: transparency entry (log index ") && s1.contains(": body: bodyMismatch: Rekor body: payloadHash ")
                && s1.contains(" is not sha256 of the statement "), "\(s1)")
        var signature = good
        signature.envelope.signature[signature.envelope.signature.count - 1] ^= 0x01
        let s2 = SigstoreVerifierTests.failure(await verdict(signature)) ?? ""
        #expect(
            s2.hasPrefix("Sigstore: transparency entry (log index ")
                && s2.hasSuffix(": body: bodyMismatch: Rekor body: recorded signature differs from the attestation's signature"), "\(s2)")
        var certificate = good
        certificate.verificationMaterial?.certificate[200] ^= 0x01
        let s3 = SigstoreVerifierTests.failure(await verdict(certificate)) ?? ""
        #expect(
            s3.hasPrefix("Sigstore: transparency entry (log index ")
                && s3.hasSuffix(": body: bodyMismatch: Rekor body: verifier certificate differs from the attestation's certificate"),
            "\(s3)")
    }
}
