import Foundation
import Testing

@testable import Attestations

@Suite struct SignatureVerifierTests {
    static func redHat() throws -> (Attestation, Publisher) {
        let provenance = try Provenance.decode(Fixtures.data("amqp-5.3.1-0-py3-none-any.whl.provenance"))
        let bundle = try #require(provenance.attestationBundles.first)
        return (try #require(bundle.attestations.first), bundle.publisher)
    }

    /// What the key verifier says when the only trusted key is Red Hat's and it does not verify.
    static let noRedHatMatch = SignatureVerdict.failed("signature matches no trusted key (tried Red Hat release key 3 (E60D446E63405576))")

    static func redHatKey(paddings: Set<RSAPadding> = [.pkcs1v15, .pss]) throws -> TrustedKey {
        TrustedKey(
            name: "Red Hat release key 3", key: try PublicKey(pem: Fixtures.text("redhat-release3.pem")), allowedRSAPaddings: paddings)
    }

    @Test func redHatVectorVerifiesWithPKCS1v15OverPAE() async throws {
        let (attestation, publisher) = try Self.redHat()
        let key = try Self.redHatKey()
        let pae = DSSE.pae(payloadType: DSSE.inTotoPayloadType, payload: attestation.envelope.statement)
        #expect(key.key.isValidSignature(attestation.envelope.signature, for: pae, rsaPadding: .pkcs1v15))
        let verdict = await KeySignatureVerifier(trustedKeys: [key]).verifySignature(of: attestation, publisher: publisher)
        #expect(
            verdict
                == .verified(
                    signer:
                        "Red Hat release key 3 (RSA-4096, key id E60D446E63405576, sha256 ba9d26350d78893a20f337e2153a113108bfcf064085afaee60d446e63405576)",
                    identity: .key(
                        name: "Red Hat release key 3",
                        fingerprint: "sha256:ba9d26350d78893a20f337e2153a113108bfcf064085afaee60d446e63405576")
                ))
    }

    @Test func redHatVectorFailsWithPSS() async throws {
        let (attestation, publisher) = try Self.redHat()
        let key = try Self.redHatKey()
        let pae = DSSE.pae(payloadType: DSSE.inTotoPayloadType, payload: attestation.envelope.statement)
        #expect(!key.key.isValidSignature(attestation.envelope.signature, for: pae, rsaPadding: .pss))
        let pssOnly = KeySignatureVerifier(trustedKeys: [try Self.redHatKey(paddings: [.pss])])
        #expect(await pssOnly.verifySignature(of: attestation, publisher: publisher) == Self.noRedHatMatch)
        let none = KeySignatureVerifier(trustedKeys: [try Self.redHatKey(paddings: [])])
        #expect(await none.verifySignature(of: attestation, publisher: publisher) == Self.noRedHatMatch)
    }

    @Test func redHatVectorFailsOverRawStatement() throws {
        let (attestation, _) = try Self.redHat()
        let key = try Self.redHatKey()
        for padding in RSAPadding.allCases {
            #expect(!key.key.isValidSignature(attestation.envelope.signature, for: attestation.envelope.statement, rsaPadding: padding))
        }
    }

    @Test func redHatVectorFailsWithAnotherPayloadType() throws {
        let (attestation, _) = try Self.redHat()
        let pae = DSSE.pae(payloadType: "application/json", payload: attestation.envelope.statement)
        #expect(!(try Self.redHatKey()).key.isValidSignature(attestation.envelope.signature, for: pae, rsaPadding: .pkcs1v15))
    }

    @Test func redHatVectorFailsWithOneChangedHexDigit() async throws {
        var (attestation, publisher) = try Self.redHat()
        let text = String(decoding: attestation.envelope.statement, as: UTF8.self)
        let changed = text.replacingOccurrences(of: "034b93b6", with: "134b93b6")
        #expect(changed != text)
        #expect(changed.utf8.count == text.utf8.count)
        attestation.envelope.statement = Array(changed.utf8)
        let verdict = await KeySignatureVerifier(trustedKeys: [try Self.redHatKey()]).verifySignature(of: attestation, publisher: publisher)
        #expect(verdict == Self.noRedHatMatch)
    }

    @Test func redHatVectorFailsWithOneFlippedSignatureBit() async throws {
        var (attestation, publisher) = try Self.redHat()
        attestation.envelope.signature[100] ^= 0x01
        #expect(
            await KeySignatureVerifier(trustedKeys: [try Self.redHatKey()]).verifySignature(of: attestation, publisher: publisher)
                == Self.noRedHatMatch)
    }

    @Test func bundledRedHatKeyVerifiesTheVector() async throws {
        let (attestation, publisher) = try Self.redHat()
        #expect(
            await KeySignatureVerifier(trustedKeys: [.redHatRelease3]).verifySignature(of: attestation, publisher: publisher).isVerified)
    }

    @Test func noTrustedKeyFails() async throws {
        let (attestation, publisher) = try Self.redHat()
        #expect(
            await KeySignatureVerifier(trustedKeys: []).verifySignature(of: attestation, publisher: publisher) == .failed("no trusted key"))
    }

    @Test func wrongKeyFails() async throws {
        let (attestation, publisher) = try Self.redHat()
        let cosign = TrustedKey(name: "cosign", key: try PublicKey(pem: Fixtures.text("cosign.pub")))
        #expect(
            await KeySignatureVerifier(trustedKeys: [cosign]).verifySignature(of: attestation, publisher: publisher)
                == .failed("signature matches no trusted key (tried cosign (\(cosign.key.keyID)))"))
        #expect(
            await KeySignatureVerifier(trustedKeys: [cosign, try Self.redHatKey()]).verifySignature(of: attestation, publisher: publisher)
                .isVerified)
    }

    @Test(arguments: [
        "rfc8785-0.1.2-py3-none-any.whl.publish.attestation",
        "pypi_attestations-0.0.19.tar.gz.publish.attestation.with_timestamp",
    ])
    func sigstoreAttestationsAreNotApplicable(name: String) async throws {
        let attestation = try Attestation.decode(Fixtures.data(name))
        let verdict = await KeySignatureVerifier(trustedKeys: [try Self.redHatKey()]).verifySignature(
            of: attestation, publisher: Publisher(kind: "GitHub"))
        #expect(verdict == .notApplicable("Sigstore keyless"))
    }

    @Test func sigstoreProvenanceIsNotApplicable() async throws {
        let provenance = try Provenance.decode(Fixtures.data("abi3info-2024.10.3-py3-none-any.whl.provenance"))
        let bundle = try #require(provenance.attestationBundles.first)
        let attestation = try #require(bundle.attestations.first)
        #expect(
            await KeySignatureVerifier(trustedKeys: []).verifySignature(of: attestation, publisher: bundle.publisher)
                == .notApplicable("Sigstore keyless"))
    }
}
