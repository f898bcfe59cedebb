import AttestationsTestSupport
import Foundation
import PythonPackaging
import Testing

@testable import Attestations

@Suite struct AttestationBuilderTests {
    static let filename = "wheeltrust_demo-0.1.0-0-py3-none-any.whl"
    static let digest = "ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
    /// `digest` taken in as text is taken: lowercased where it enters.
    static let hex = SHA256Hex(normalizing: digest)!
    static let finished = Date(timeIntervalSince1970: 1_771_520_363)  // 2026-02-19T16:59:23Z

    static func statement() -> [UInt8] {
        AttestationBuilder.slsaV1Statement(
            filename: filename, sha256Hex: hex, builderID: "https://builder.invalid/id",
            buildType: "https://builder.invalid/type@v1", finishedOn: finished)
    }

    @Test func statementIsSLSAV1WithOneSubject() throws {
        let statement = try Statement(parsing: Self.statement())
        #expect(statement.type == Statement.inTotoV1)
        #expect(statement.predicateType == Statement.slsaV1)
        #expect(statement.subjects == [Statement.Subject(name: Self.filename, digest: ["sha256": Self.digest.lowercased()])])
        #expect(
            statement.build
                == BuildSummary(
                    builderID: "https://builder.invalid/id", buildType: "https://builder.invalid/type@v1",
                    finishedOn: "2026-02-19T16:59:23Z"))
        #expect(StatementChecks.evaluate(statement, distribution: Self.filename, sha256Hex: Self.hex).allPassed)
    }

    static func roundTrip(_ key: PrivateKey) async throws -> Attestation {
        let attestation = try await AttestationBuilder.sign(statement: Self.statement(), with: key)
        #expect(attestation.verificationMaterial == nil)
        return try Attestation.decode(attestation.encoded())
    }

    static func verdict(_ attestation: Attestation, trusting key: PublicKey) async -> SignatureVerdict {
        await KeySignatureVerifier(trustedKeys: [TrustedKey(name: "builder", key: key)]).verifySignature(
            of: attestation, publisher: Publisher(kind: "Test"))
    }

    static func check(_ key: PrivateKey, other: PrivateKey) async throws {
        let decoded = try await roundTrip(key)
        #expect(decoded.envelope.statement == Self.statement())
        #expect(await verdict(decoded, trusting: key.publicKey).isVerified)
        #expect(
            await verdict(decoded, trusting: other.publicKey)
                == .failed("signature matches no trusted key (tried builder (\(other.publicKey.keyID)))"))
        for index in [0, decoded.envelope.statement.count / 2, decoded.envelope.statement.count - 1] {
            var tampered = decoded
            tampered.envelope.statement[index] ^= 0x01
            #expect(
                await verdict(tampered, trusting: key.publicKey)
                    == .failed("signature matches no trusted key (tried builder (\(key.publicKey.keyID)))"), "byte \(index)")
        }
    }

    @Test func rsa4096RoundTrips() async throws {
        let key = try #require(SharedKeys.rsa4096)
        try await Self.check(key, other: try PrivateKey(pem: Fixtures.text("openssl-rsa2048.pkcs1.key.pem")))
    }

    @Test(arguments: [KeyKind.ecdsaP256, .ecdsaP384, .ed25519])
    func otherKindsRoundTrip(kind: KeyKind) async throws {
        try await Self.check(try PrivateKey.generate(kind), other: try PrivateKey.generate(kind))
    }

    @Test func provenanceOfBuiltAttestationVerifies() async throws {
        let key = try PrivateKey.generate(.ed25519)
        let provenance = await Provenance(attestationBundles: [
            AttestationBundle(publisher: Publisher(kind: "Test"), attestations: [try Self.roundTrip(key)])
        ])
        let reread = try Provenance.decode(JSONEncoder().encode(provenance))
        let verifier = ProvenanceVerifier(verifiers: [KeySignatureVerifier(trustedKeys: [TrustedKey(name: "builder", key: key.publicKey)])])
        #expect(await verifier.verify(reread, distribution: Self.filename, sha256Hex: Self.hex).isVerified)
        let zeros = String(repeating: "0", count: 64)
        let otherDigest = await verifier.verify(reread, distribution: Self.filename, sha256Hex: try #require(SHA256Hex(zeros)))
        #expect(!otherDigest.isVerified)
        #expect(otherDigest.attestations.first?.signature.isVerified == true)
        #expect(
            otherDigest.attestations.first?.checks.filter { !$0.passed } == [
                StatementCheck(
                    name: StatementChecks.subjectDigest, passed: false,
                    detail: "subject sha256 \(Self.digest.lowercased()) differs from the file's \(zeros)")
            ])
    }
}
