import Foundation
import Testing

@testable import Attestations

@Suite struct PublicKeyTests {
    @Test func readsRedHatKeyFileWithHeaderLines() throws {
        let key = try PublicKey(pem: Fixtures.text("redhat-release3.pub"))
        #expect(key.kind == .rsa(bits: 4096))
        #expect(key.fingerprint.hasPrefix("ba9d2635"))
        #expect(key.fingerprint.hasSuffix("63405576"))
        #expect(key.fingerprint == "ba9d26350d78893a20f337e2153a113108bfcf064085afaee60d446e63405576")
        #expect(key.keyID == "E60D446E63405576")
    }

    @Test func bareAndHeaderedRedHatKeyAreEqual() throws {
        let headered = try PublicKey(pem: Fixtures.text("redhat-release3.pub"))
        let bare = try PublicKey(pem: Fixtures.text("redhat-release3.pem"))
        #expect(headered == bare)
        #expect(headered.hashValue == bare.hashValue)
        #expect(try PublicKey(spkiDER: bare.spkiDER) == bare)
    }

    @Test func pemRepresentationRoundTrips() throws {
        let key = try PublicKey(pem: Fixtures.text("redhat-release3.pub"))
        #expect(try PublicKey(pem: key.pemRepresentation) == key)
        #expect(key.pemRepresentation == (try Fixtures.text("redhat-release3.pem")))
    }

    @Test func readsECDSAP256() throws {
        let key = try PublicKey(pem: Fixtures.text("cosign.pub"))
        #expect(key.kind == .ecdsaP256)
        #expect(key.fingerprint.count == 64)
        #expect(key.keyID.count == 16)
    }

    @Test func readsECDSAP384AndVerifiesOpenSSLSignature() throws {
        let key = try PublicKey(pem: Fixtures.text("openssl-p384.pub.pem"))
        #expect(key.kind == .ecdsaP384)
        let message = try Fixtures.bytes("openssl-message.txt")
        let signature = try Fixtures.bytes("openssl-message.p384.sig")
        #expect(key.isValidSignature(signature, for: message, rsaPadding: .pkcs1v15))
        #expect(!key.isValidSignature(signature, for: message + [0x0A], rsaPadding: .pkcs1v15))
    }

    @Test func readsEd25519AndVerifiesOpenSSLSignature() throws {
        let key = try PublicKey(pem: Fixtures.text("openssl-ed25519.pub.pem"))
        #expect(key.kind == .ed25519)
        let message = try Fixtures.bytes("openssl-message.txt")
        var signature = try Fixtures.bytes("openssl-message.ed25519.sig")
        #expect(key.isValidSignature(signature, for: message, rsaPadding: .pkcs1v15))
        signature[10] ^= 1
        #expect(!key.isValidSignature(signature, for: message, rsaPadding: .pkcs1v15))
        #expect(!key.isValidSignature(Array(signature.prefix(63)), for: message, rsaPadding: .pkcs1v15))
    }

    @Test func readsPKCS1RSAPublicKeyAsTheSameKeyAsItsPrivateKey() throws {
        let pkcs1 = try PublicKey(pem: Fixtures.text("openssl-rsa2048.pkcs1.pub.pem"))
        #expect(pkcs1.kind == .rsa(bits: 2048))
        let fromPrivate = try PrivateKey(pem: Fixtures.text("openssl-rsa2048.pkcs1.key.pem")).publicKey
        #expect(pkcs1 == fromPrivate)
        #expect(pkcs1.fingerprint == fromPrivate.fingerprint)
    }

    @Test func rsaPaddingIsHonoured() throws {
        let key = try PublicKey(pem: Fixtures.text("openssl-rsa2048.pkcs1.pub.pem"))
        let message = try Fixtures.bytes("openssl-message.txt")
        let pkcs1 = try Fixtures.bytes("openssl-message.rsa-pkcs1.sig")
        let pss = try Fixtures.bytes("openssl-message.rsa-pss.sig")
        #expect(key.isValidSignature(pkcs1, for: message, rsaPadding: .pkcs1v15))
        #expect(!key.isValidSignature(pkcs1, for: message, rsaPadding: .pss))
        #expect(key.isValidSignature(pss, for: message, rsaPadding: .pss))
        #expect(!key.isValidSignature(pss, for: message, rsaPadding: .pkcs1v15))
    }

    @Test func shortRSAKeyIsWeak() throws {
        let error = #expect(throws: AttestationError.self) {
            try PublicKey(pem: Fixtures.text("openssl-rsa1024.pub.pem"))
        }
        #expect(error?.code == .weakKey)
        #expect(error?.message.contains("1024") == true)
    }

    @Test func unsupportedAlgorithmIsNamed() throws {
        let error = #expect(throws: AttestationError.self) {
            try PublicKey(pem: Fixtures.text("openssl-ed448.pub.pem"))
        }
        #expect(error?.code == .unsupportedKey)
        #expect(error?.message.contains("1.3.101.113") == true)
    }

    @Test(arguments: [
        ("", "no PEM block"),
        ("hello world", "no PEM block"),
        ("-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n", "not valid base64"),
        ("-----BEGIN PUBLIC KEY-----\nMIIB\n", "no END line"),
        ("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n", "is empty"),
        ("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n", "ends with END"),
        ("-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----\n", "not valid DER"),
        ("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n", "found PEM CERTIFICATE"),
        ("-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n", "PKCS#1"),
    ])
    func garbagePEMIsMalformedKeyNamingTheProblem(pem: String, fragment: String) {
        let error = #expect(throws: AttestationError.self) { try PublicKey(pem: pem) }
        #expect(error?.code == .malformedKey)
        #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "")")
    }

    @Test func trailingBytesAfterSPKIAreRejected() throws {
        let key = try PublicKey(pem: Fixtures.text("cosign.pub"))
        #expect(throws: AttestationError.self) { try PublicKey(spkiDER: key.spkiDER + [0]) }
        #expect(throws: AttestationError.self) { try PublicKey(spkiDER: Array(key.spkiDER.dropLast())) }
    }

    @Test func corruptedECPointIsRejected() throws {
        var der = try PublicKey(pem: Fixtures.text("cosign.pub")).spkiDER
        der[der.count - 1] ^= 0xFF
        let error = #expect(throws: AttestationError.self) { try PublicKey(spkiDER: der) }
        #expect(error?.code == .malformedKey)
    }

    @Test func everyTruncationOfAKeyFailsWithoutCrashing() throws {
        let der = try PublicKey(pem: Fixtures.text("openssl-ed25519.pub.pem")).spkiDER
        for length in 0..<der.count {
            #expect(throws: AttestationError.self) { try PublicKey(spkiDER: Array(der.prefix(length))) }
        }
    }

    @Test func garbageSignaturesAreInvalidNotFatal() throws {
        for name in ["redhat-release3.pem", "cosign.pub", "openssl-p384.pub.pem", "openssl-ed25519.pub.pem"] {
            let key = try PublicKey(pem: Fixtures.text(name))
            for signature in [[], [0x30], [UInt8](repeating: 0xFF, count: 600)] as [[UInt8]] {
                #expect(!key.isValidSignature(signature, for: [1, 2, 3], rsaPadding: .pkcs1v15))
                #expect(!key.isValidSignature(signature, for: [1, 2, 3], rsaPadding: .pss))
            }
        }
    }
}
