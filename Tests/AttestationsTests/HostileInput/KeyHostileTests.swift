import AttestationsTestSupport
import Foundation
import TestSupport
import Testing

@testable import Attestations

/// Mutated real PEM and DER keys (Red Hat's release key, cosign's, OpenSSL-made RSA/EC/Ed25519):
/// refused with `AttestationError` or parsed; a changed key never verifies the Red Hat vector.
@Suite("Hostile input: PEM and DER keys")
struct KeyHostileTests {
    static let publicPEMs = [
        "redhat-release3.pub", "redhat-release3.pem", "cosign.pub", "openssl-p384.pub.pem", "openssl-ed25519.pub.pem",
        "openssl-rsa2048.pkcs1.pub.pem", "openssl-rsa1024.pub.pem", "openssl-ed448.pub.pem",
    ]
    static let privatePEMs = [
        "openssl-rsa2048.pkcs1.key.pem", "openssl-p384.sec1.key.pem", "openssl-p384.pkcs8.key.pem",
        "openssl-p256.sec1.key.pem", "openssl-ed25519.pkcs8.key.pem",
    ]

    @Test func mutatedPublicKeyPEMsAreRefusedOrParse() throws {
        let seeds = try Self.publicPEMs.map { try Fixtures.bytes($0) }
        HostileRun.cases("PublicKey(pem:)", seeds: seeds, count: 1500, seed: 0x9E3, mutate: Mutator.bytes) { input, _ in
            _ = try? PublicKey(pem: String(decoding: input, as: UTF8.self))
        }
    }

    @Test func mutatedSPKIDERIsRefusedOrParsesAndNeverVerifiesTheRedHatVector() async throws {
        let redHat = try PublicKey(pem: Fixtures.text("redhat-release3.pem"))
        var seeds: [[UInt8]] = [redHat.spkiDER]
        for name in ["cosign.pub", "openssl-p384.pub.pem", "openssl-ed25519.pub.pem", "openssl-rsa2048.pkcs1.pub.pem"] {
            seeds.append(try PublicKey(pem: Fixtures.text(name)).spkiDER)
        }
        let (attestation, _) = try SignatureVerifierTests.redHat()
        let pae = DSSE.pae(payloadType: DSSE.inTotoPayloadType, payload: attestation.envelope.statement)
        HostileRun.cases("PublicKey(spkiDER:)", seeds: seeds, count: 1500, seed: 0x5B1) { input, label in
            guard let key = try? PublicKey(spkiDER: input) else { return }
            if key.isValidSignature(attestation.envelope.signature, for: pae, rsaPadding: .pkcs1v15) {
                #expect(key == redHat, "a changed key verified: \(label)")
            }
        }
    }

    @Test func mutatedPrivateKeyPEMsAreRefusedOrParse() throws {
        let seeds = try Self.privatePEMs.map { try Fixtures.bytes($0) }
        HostileRun.cases("PrivateKey(pem:)", seeds: seeds, count: 600, seed: 0x9E4) { input, _ in
            _ = try? PrivateKey(pem: String(decoding: input, as: UTF8.self))
        }
    }

    @Test func hostilePEMTextsAreRefused() {
        let texts = [
            "-----BEGIN PUBLIC KEY-----\n" + String(repeating: "A", count: 2 << 20) + "\n-----END PUBLIC KEY-----\n",
            String(repeating: "-----BEGIN PUBLIC KEY-----\n", count: 30_000),
            "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n",
            "-----BEGIN PUBLIC KEY-----\nMIIBIjAN\u{0}BgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n",
            "-----BEGIN PUBLIC KEY-----\n\n-----END PUBLIC KEY-----\n",
            "-----BEGIN -----\n-----END -----\n",
            "-----BEGIN PUBLIC KEY-----\r\nMAA=\r\n-----END PUBLIC KEY-----\r\n",
            // SEQUENCE with a 4 GiB length, and a bare long-form length with no bytes.
            "-----BEGIN PUBLIC KEY-----\nMIT/////\n-----END PUBLIC KEY-----\n",
            "-----BEGIN PUBLIC KEY-----\nMIA=\n-----END PUBLIC KEY-----\n",
            "-----BEGIN RSA PUBLIC KEY-----\nMIT/////AgEB\n-----END RSA PUBLIC KEY-----\n",
        ]
        for text in texts {
            #expect(throws: AttestationError.self, "\(text.prefix(60))") { try PublicKey(pem: text) }
        }
    }
}
