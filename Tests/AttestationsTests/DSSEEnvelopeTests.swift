import AttestationsTestSupport
import Foundation
import PythonPackaging
import Testing

@testable import Attestations

/// cosign's key-signed DSSE vectors: ECDSA P-256 `cosign.pub`, artifact `blob`.
@Suite struct DSSEEnvelopeTests {
    static func verdict(_ name: String) async throws -> ProvenanceVerdict {
        let envelope = try DSSEEnvelope.decode(Fixtures.data(name))
        let attestations = try envelope.attestations()
        let provenance = Provenance(attestationBundles: [
            AttestationBundle(publisher: Publisher(kind: "cosign"), attestations: attestations)
        ])
        let key = TrustedKey(name: "cosign test key", key: try PublicKey(pem: Fixtures.text("cosign.pub")))
        let verifier = ProvenanceVerifier(verifiers: [KeySignatureVerifier(trustedKeys: [key])])
        return await verifier.verify(provenance, distribution: "blob", sha256Hex: Fixtures.blobDigest)
    }

    static func failedChecks(_ verdict: ProvenanceVerdict) -> Set<String> {
        Set(verdict.attestations.flatMap(\.checks).filter { !$0.passed }.map(\.name))
    }

    @Test func blobDigestIsTheOneTheVectorsName() throws {
        #expect(try Fixtures.data("blob").count > 0)
        let envelope = try DSSEEnvelope.decode(Fixtures.data("blobSLSAProvenanceSignature.dsse.json"))
        #expect(envelope.payloadType == DSSE.inTotoPayloadType)
        #expect(envelope.signatures.count == 1)
        #expect(envelope.signatures.first?.keyID == "")
    }

    @Test func blobSLSAProvenanceSignaturePasses() async throws {
        let verdict = try await Self.verdict("blobSLSAProvenanceSignature.dsse.json")
        #expect(verdict.attestations.count == 1)
        #expect(verdict.attestations.first?.signature.isVerified == true)
        #expect(verdict.attestations.first?.checks.allPassed == true)
        #expect(verdict.isVerified)
    }

    @Test func signatureOverBlobEnvelopeFailsWithOtherDigestOrName() async throws {
        let envelope = try DSSEEnvelope.decode(Fixtures.data("blobSLSAProvenanceSignature.dsse.json"))
        let provenance = Provenance(attestationBundles: [
            AttestationBundle(publisher: Publisher(kind: "cosign"), attestations: try envelope.attestations())
        ])
        let verifier = ProvenanceVerifier(verifiers: [
            KeySignatureVerifier(trustedKeys: [TrustedKey(name: "k", key: try PublicKey(pem: Fixtures.text("cosign.pub")))])
        ])
        let otherBlob = "876ed8158d1de0f20e4698c6a4fa53d0a6acaf46be4957b066b37b23eae925bf"
        let otherDigest = await verifier.verify(provenance, distribution: "blob", sha256Hex: try #require(SHA256Hex(otherBlob)))
        #expect(!otherDigest.isVerified)
        #expect(otherDigest.attestations.first?.signature.isVerified == true)
        #expect(
            otherDigest.attestations.first?.checks.filter { !$0.passed } == [
                StatementCheck(
                    name: StatementChecks.subjectDigest, passed: false,
                    detail: "subject sha256 \(Fixtures.blobSHA256) differs from the file's \(otherBlob)")
            ])
        let otherName = await verifier.verify(provenance, distribution: "other-blob", sha256Hex: Fixtures.blobDigest)
        #expect(!otherName.isVerified)
        #expect(
            otherName.attestations.first?.checks.filter { !$0.passed } == [
                StatementCheck(
                    name: StatementChecks.subjectName, passed: false, detail: "subject blob is not other-blob")
            ])
    }

    @Test func multipleSubjectsFailsTheExactlyOneSubjectRule() async throws {
        let verdict = try await Self.verdict("dssePredicateMultipleSubjects.dsse.json")
        #expect(verdict.attestations.first?.signature.isVerified == true)
        #expect(Self.failedChecks(verdict) == [StatementChecks.singleSubject, StatementChecks.subjectName, StatementChecks.subjectDigest])
        #expect(
            verdict.attestations.first?.checks.first { $0.name == StatementChecks.singleSubject }?.detail
                == "2 subjects; exactly one is required")
        #expect(!verdict.isVerified)
    }

    @Test func emptySubjectFails() async throws {
        let verdict = try await Self.verdict("dssePredicateEmptySubject.dsse.json")
        #expect(verdict.attestations.first?.signature.isVerified == true)
        #expect(Self.failedChecks(verdict) == [StatementChecks.singleSubject, StatementChecks.subjectName, StatementChecks.subjectDigest])
        #expect(
            verdict.attestations.first?.checks.first { $0.name == StatementChecks.singleSubject }?.detail
                == "0 subjects; exactly one is required")
        #expect(!verdict.isVerified)
    }

    @Test func missingSha256Fails() async throws {
        let verdict = try await Self.verdict("dssePredicateMissingSha256.dsse.json")
        #expect(verdict.attestations.first?.signature.isVerified == true)
        #expect(Self.failedChecks(verdict) == [StatementChecks.subjectDigest])
        #expect(
            verdict.attestations.first?.checks.first { $0.name == StatementChecks.subjectDigest }?.detail.hasPrefix(
                "subject has no sha256 digest (has: ") == true)
        #expect(!verdict.isVerified)
    }

    @Test func multipleSubjectsInvalidFails() async throws {
        let verdict = try await Self.verdict("dssePredicateMultipleSubjectsInvalid.dsse.json")
        #expect(verdict.attestations.first?.signature.isVerified == true)
        #expect(Self.failedChecks(verdict) == [StatementChecks.singleSubject, StatementChecks.subjectName, StatementChecks.subjectDigest])
        #expect(
            verdict.attestations.first?.checks.first { $0.name == StatementChecks.singleSubject }?.detail
                == "2 subjects; exactly one is required")
        #expect(!verdict.isVerified)
    }

    @Test func tamperedPayloadFailsTheSignature() async throws {
        var envelope = try DSSEEnvelope.decode(Fixtures.data("blobSLSAProvenanceSignature.dsse.json"))
        envelope.payload[envelope.payload.count - 3] ^= 0x01
        let attestation = try #require(try envelope.attestations().first)
        let key = TrustedKey(name: "k", key: try PublicKey(pem: Fixtures.text("cosign.pub")))
        #expect(
            await KeySignatureVerifier(trustedKeys: [key]).verifySignature(of: attestation, publisher: Publisher(kind: "cosign"))
                == .failed("signature matches no trusted key (tried k (\(key.key.keyID)))"))
    }

    @Test func envelopeRoundTripsAndIsStrict() throws {
        let envelope = try DSSEEnvelope.decode(Fixtures.data("dssePredicateMultipleSubjects.dsse.json"))
        #expect(try DSSEEnvelope.decode(JSONEncoder().encode(envelope)) == envelope)
        let unknown = #"{"payloadType":"t","payload":"e30=","signatures":[],"x":1}"#
        #expect((#expect(throws: AttestationError.self) { try DSSEEnvelope.decode(Data(unknown.utf8)) })?.message.contains("$.x") == true)
        let badSig = #"{"payloadType":"t","payload":"e30=","signatures":[{"sig":"*"}]}"#
        #expect(
            (#expect(throws: AttestationError.self) { try DSSEEnvelope.decode(Data(badSig.utf8)) })?.message.contains("$.signatures[0].sig")
                == true)
        let otherType = DSSEEnvelope(payloadType: "application/json", payload: [], signatures: [])
        let error = #expect(throws: AttestationError.self) { try otherType.attestations() }
        #expect(error?.message.contains("application/json") == true, "\(String(describing: error))")
    }
}
