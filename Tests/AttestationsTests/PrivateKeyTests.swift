import Foundation
import Testing

@testable import Attestations

/// One RSA-4096 key for the whole test run (generation is slow in debug builds).
enum SharedKeys {
    static let rsa4096: PrivateKey? = try? PrivateKey.generate(.rsa(bits: 4096))
}

@Suite struct PrivateKeyTests {
    static let message = Array("the bytes being signed".utf8)

    @Test func generatedRSA4096SignsPKCS1v15() throws {
        let key = try #require(SharedKeys.rsa4096)
        #expect(key.kind == .rsa(bits: 4096))
        let signature = try key.sign(Self.message)
        #expect(signature.count == 512)
        #expect(key.publicKey.isValidSignature(signature, for: Self.message, rsaPadding: .pkcs1v15))
        #expect(!key.publicKey.isValidSignature(signature, for: Self.message, rsaPadding: .pss))
    }

    @Test(arguments: [KeyKind.ecdsaP256, .ecdsaP384, .ed25519])
    func generatedKeysSignAndVerify(kind: KeyKind) throws {
        let key = try PrivateKey.generate(kind)
        #expect(key.kind == kind)
        let signature = try key.sign(Self.message)
        #expect(key.publicKey.isValidSignature(signature, for: Self.message, rsaPadding: .pkcs1v15))
        #expect(!key.publicKey.isValidSignature(signature, for: Self.message + [0], rsaPadding: .pkcs1v15))
        let other = try PrivateKey.generate(kind)
        #expect(!other.publicKey.isValidSignature(signature, for: Self.message, rsaPadding: .pkcs1v15))
    }

    @Test(arguments: [KeyKind.ecdsaP256, .ecdsaP384, .ed25519])
    func pemRoundTripIsPKCS8AndKeepsTheKey(kind: KeyKind) throws {
        let key = try PrivateKey.generate(kind)
        let pem = key.pemRepresentation
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        let reread = try PrivateKey(pem: pem)
        #expect(reread.publicKey == key.publicKey)
        let signature = try reread.sign(Self.message)
        #expect(key.publicKey.isValidSignature(signature, for: Self.message, rsaPadding: .pkcs1v15))
    }

    @Test func rsaPEMRoundTripIsPKCS8() throws {
        let key = try #require(SharedKeys.rsa4096)
        let pem = key.pemRepresentation
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        #expect(try PrivateKey(pem: pem).publicKey == key.publicKey)
    }

    @Test func generatedPublicKeySPKIRereads() throws {
        for kind in [KeyKind.ecdsaP256, .ecdsaP384, .ed25519] {
            let key = try PrivateKey.generate(kind)
            let reread = try PublicKey(pem: key.publicKey.pemRepresentation)
            #expect(reread == key.publicKey)
            #expect(reread.kind == kind)
        }
    }

    @Test func readsOpenSSLEd25519PKCS8() throws {
        let key = try PrivateKey(pem: Fixtures.text("openssl-ed25519.pkcs8.key.pem"))
        #expect(key.kind == .ed25519)
        #expect(key.publicKey == (try PublicKey(pem: Fixtures.text("openssl-ed25519.pub.pem"))))
        // Ed25519 is deterministic: our signature equals OpenSSL's.
        #expect(try key.sign(Fixtures.bytes("openssl-message.txt")) == (try Fixtures.bytes("openssl-message.ed25519.sig")))
        // Our PKCS#8 output is the same DER as OpenSSL's.
        #expect(key.pemRepresentation == (try Fixtures.text("openssl-ed25519.pkcs8.key.pem")))
    }

    @Test func readsOpenSSLP384InSEC1AndPKCS8() throws {
        let sec1 = try PrivateKey(pem: Fixtures.text("openssl-p384.sec1.key.pem"))
        let pkcs8 = try PrivateKey(pem: Fixtures.text("openssl-p384.pkcs8.key.pem"))
        let expected = try PublicKey(pem: Fixtures.text("openssl-p384.pub.pem"))
        #expect(sec1.kind == .ecdsaP384)
        #expect(sec1.publicKey == expected)
        #expect(pkcs8.publicKey == expected)
    }

    @Test func readsOpenSSLP256SEC1() throws {
        let key = try PrivateKey(pem: Fixtures.text("openssl-p256.sec1.key.pem"))
        #expect(key.kind == .ecdsaP256)
        let signature = try key.sign(Self.message)
        #expect(key.publicKey.isValidSignature(signature, for: Self.message, rsaPadding: .pkcs1v15))
    }

    @Test func readsOpenSSLPKCS1RSAPrivateKey() throws {
        let key = try PrivateKey(pem: Fixtures.text("openssl-rsa2048.pkcs1.key.pem"))
        #expect(key.kind == .rsa(bits: 2048))
        // PKCS#1 v1.5 is deterministic: our signature equals OpenSSL's.
        #expect(try key.sign(Fixtures.bytes("openssl-message.txt")) == (try Fixtures.bytes("openssl-message.rsa-pkcs1.sig")))
    }

    @Test func weakRSAGenerationIsRefused() {
        let error = #expect(throws: AttestationError.self) { try PrivateKey.generate(.rsa(bits: 1024)) }
        #expect(error?.code == .weakKey)
        #expect((#expect(throws: AttestationError.self) { try PrivateKey.generate(.rsa(bits: 2049)) })?.code == .unsupportedKey)
    }

    @Test func publicKeyPEMIsNotAPrivateKey() throws {
        let error = #expect(throws: AttestationError.self) { try PrivateKey(pem: Fixtures.text("cosign.pub")) }
        #expect(error?.code == .malformedKey)
        #expect(error?.message.contains("PUBLIC KEY") == true)
    }

    @Test func encryptedPEMIsRefused() {
        let pem =
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n"
        let error = #expect(throws: AttestationError.self) { try PrivateKey(pem: pem) }
        #expect(error?.message.contains("encrypted") == true)
    }

    @Test(arguments: ["PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY"])
    func garbageDERIsMalformed(label: String) {
        let pem = "-----BEGIN \(label)-----\nMAMCAQA=\n-----END \(label)-----\n"
        let error = #expect(throws: AttestationError.self) { try PrivateKey(pem: pem) }
        #expect(error?.code == .malformedKey)
    }
}
