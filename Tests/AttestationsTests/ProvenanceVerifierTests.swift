import AttestationsTestSupport
import Foundation
import PythonPackaging
import Testing

@testable import Attestations

@Suite struct ProvenanceVerifierTests {
    static let filename = "demo_pkg-1.2.3-py3-none-any.whl"
    static let digest = SHA256Hex("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")!

    static func attestation(signedBy key: PrivateKey, statement: [UInt8]? = nil) async throws -> Attestation {
        let bytes =
            statement
            ?? AttestationBuilder.slsaV1Statement(
                filename: filename, sha256Hex: digest, builderID: "https://builder.invalid/b", buildType: "https://builder.invalid/t@v1",
                finishedOn: Date(timeIntervalSince1970: 1_700_000_000))
        return try await AttestationBuilder.sign(statement: bytes, with: key)
    }

    static func verifier(trusting key: PrivateKey) -> ProvenanceVerifier {
        ProvenanceVerifier(verifiers: [KeySignatureVerifier(trustedKeys: [TrustedKey(name: "trusted", key: key.publicKey)])])
    }

    @Test func untrustedThenTrustedIsVerified() async throws {
        let trusted = try PrivateKey.generate(.ed25519)
        let untrusted = try PrivateKey.generate(.ed25519)
        let provenance = await Provenance(attestationBundles: [
            AttestationBundle(
                publisher: Publisher(kind: "A"),
                attestations: [try Self.attestation(signedBy: untrusted), try Self.attestation(signedBy: trusted)])
        ])
        let verdict = await Self.verifier(trusting: trusted).verify(provenance, distribution: Self.filename, sha256Hex: Self.digest)
        #expect(verdict.attestations.count == 2)
        #expect(verdict.attestations.map(\.index) == [0, 1])
        #expect(
            verdict.attestations[0].signature == .failed("signature matches no trusted key (tried trusted (\(trusted.publicKey.keyID)))"))
        #expect(verdict.attestations[1].signature.isVerified)
        #expect(verdict.decisive?.index == 1)
        #expect(verdict.attestations[0].checks.allPassed)
        #expect(verdict.isVerified)
    }

    @Test func trustedInALaterBundleIsFoundToo() async throws {
        let trusted = try PrivateKey.generate(.ecdsaP256)
        let untrusted = try PrivateKey.generate(.ecdsaP256)
        let provenance = await Provenance(attestationBundles: [
            AttestationBundle(publisher: Publisher(kind: "A"), attestations: [try Self.attestation(signedBy: untrusted)]),
            AttestationBundle(publisher: Publisher(kind: "B"), attestations: [try Self.attestation(signedBy: trusted)]),
        ])
        let verdict = await Self.verifier(trusting: trusted).verify(provenance, distribution: Self.filename, sha256Hex: Self.digest)
        #expect(verdict.attestations.map(\.bundle) == [0, 1])
        #expect(verdict.attestations[1].publisher.kind == "B")
        #expect(verdict.isVerified)
    }

    @Test func bothUntrustedIsNotVerified() async throws {
        let trusted = try PrivateKey.generate(.ed25519)
        let provenance = await Provenance(attestationBundles: [
            AttestationBundle(
                publisher: Publisher(kind: "A"),
                attestations: [
                    try Self.attestation(signedBy: try PrivateKey.generate(.ed25519)),
                    try Self.attestation(signedBy: try PrivateKey.generate(.ecdsaP256)),
                ])
        ])
        let verdict = await Self.verifier(trusting: trusted).verify(provenance, distribution: Self.filename, sha256Hex: Self.digest)
        #expect(verdict.attestations.count == 2)
        #expect(!verdict.isVerified)
        let noMatch = SignatureVerdict.failed("signature matches no trusted key (tried trusted (\(trusted.publicKey.keyID)))")
        #expect(verdict.attestations.map(\.signature) == [noMatch, noMatch])
        #expect(verdict.attestations.allSatisfy { $0.checks.allPassed }, "only the signatures failed")
        #expect(verdict.decisive == nil)
    }

    @Test func trustedSignatureOverTwoSubjectsIsNotVerified() async throws {
        let trusted = try PrivateKey.generate(.ed25519)
        let statement: JSONValue = .object([
            "_type": .string(Statement.inTotoV1),
            "predicateType": .string(Statement.slsaV1),
            "subject": .array([
                .object(["name": .string(Self.filename), "digest": .object(["sha256": .string(Self.digest.text)])]),
                .object(["name": .string("evil-1.0-py3-none-any.whl"), "digest": .object(["sha256": .string(Self.digest.text)])]),
            ]),
        ])
        let bytes = Array(try JSONEncoder().encode(statement))
        let provenance = await Provenance(attestationBundles: [
            AttestationBundle(publisher: Publisher(kind: "A"), attestations: [try Self.attestation(signedBy: trusted, statement: bytes)])
        ])
        let verdict = await Self.verifier(trusting: trusted).verify(provenance, distribution: Self.filename, sha256Hex: Self.digest)
        #expect(verdict.attestations.first?.signature.isVerified == true)
        #expect(
            verdict.attestations.first?.checks.filter { !$0.passed } == [
                StatementCheck(name: StatementChecks.singleSubject, passed: false, detail: "2 subjects; exactly one is required"),
                StatementCheck(name: StatementChecks.subjectName, passed: false, detail: "2 subjects, none can be chosen"),
                StatementCheck(name: StatementChecks.subjectDigest, passed: false, detail: "2 subjects, none can be chosen"),
            ])
        #expect(!verdict.isVerified)
    }

    @Test func malformedStatementIsReportedNotSkipped() async throws {
        let trusted = try PrivateKey.generate(.ed25519)
        let provenance = await Provenance(attestationBundles: [
            AttestationBundle(
                publisher: Publisher(kind: "A"),
                attestations: [
                    try Self.attestation(signedBy: trusted, statement: Array("{\"_type\": 1}".utf8)),
                    try Self.attestation(signedBy: trusted, statement: Array("not json".utf8)),
                ])
        ])
        let verdict = await Self.verifier(trusting: trusted).verify(provenance, distribution: Self.filename, sha256Hex: Self.digest)
        #expect(verdict.attestations.count == 2)
        #expect(verdict.attestations.allSatisfy { $0.signature.isVerified && $0.statement == nil && $0.checks.isEmpty })
        #expect(verdict.attestations[0].malformed?.contains("statement._type") == true)
        #expect(verdict.attestations[1].malformed?.contains("not valid JSON") == true)
        #expect(!verdict.isVerified)
    }

    @Test func emptyProvenanceAndNoVerifiersAreNotVerified() async throws {
        let trusted = try PrivateKey.generate(.ed25519)
        let empty = await Self.verifier(trusting: trusted).verify(
            Provenance(attestationBundles: []), distribution: Self.filename, sha256Hex: Self.digest)
        #expect(!empty.isVerified)
        #expect(empty.attestations.isEmpty && empty.decisive == nil)
        let provenance = await Provenance(attestationBundles: [
            AttestationBundle(publisher: Publisher(kind: "A"), attestations: [try Self.attestation(signedBy: trusted)])
        ])
        let verdict = await ProvenanceVerifier(verifiers: []).verify(provenance, distribution: Self.filename, sha256Hex: Self.digest)
        #expect(verdict.attestations.first?.signature == .failed("no signature verifier configured"))
        #expect(!verdict.isVerified)
    }

    @Test func redHatProvenanceVerifiesForItsFileOnly() async throws {
        let provenance = try Provenance.decode(Fixtures.data("amqp-5.3.1-0-py3-none-any.whl.provenance"))
        let verifier = ProvenanceVerifier(verifiers: [KeySignatureVerifier(trustedKeys: [.redHatRelease3])])
        let verdict = await verifier.verify(provenance, distribution: Fixtures.redHatDistribution, sha256Hex: Fixtures.redHatDigest)
        #expect(verdict.isVerified)
        #expect(verdict.attestations.first?.statement?.build.builderID == "https://konflux-ci.dev/calunga")
        let otherFile = await verifier.verify(provenance, distribution: "amqp-5.3.0-0-py3-none-any.whl", sha256Hex: Fixtures.redHatDigest)
        #expect(!otherFile.isVerified)
        #expect(otherFile.attestations.first?.signature.isVerified == true)
        #expect(
            otherFile.attestations.first?.checks.filter { !$0.passed } == [
                StatementCheck(
                    name: StatementChecks.subjectName, passed: false,
                    detail: "subject \(Fixtures.redHatDistribution) does not name amqp-5.3.0-0-py3-none-any.whl")
            ])
    }

    @Test func sigstoreOnlyProvenanceIsNotVerifiedByKeys() async throws {
        let provenance = try Provenance.decode(Fixtures.data("abi3info-2024.10.3-py3-none-any.whl.provenance"))
        let verifier = ProvenanceVerifier(verifiers: [KeySignatureVerifier(trustedKeys: [.redHatRelease3])])
        let verdict = await verifier.verify(
            provenance, distribution: "abi3info-2024.10.3-py3-none-any.whl",
            sha256Hex: try #require(SHA256Hex(String(repeating: "0", count: 64))))
        #expect(verdict.attestations.first?.signature == .notApplicable("Sigstore keyless"))
        #expect(verdict.attestations.first?.statement != nil)
        #expect(!verdict.isVerified)
    }
}
