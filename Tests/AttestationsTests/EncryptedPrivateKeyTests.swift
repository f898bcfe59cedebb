import Foundation
import Testing

@testable import Attestations

/// Encrypted PKCS#8 keys written by the real `openssl` in the test, opened with the passphrase.
@Suite("encrypted private keys")
struct EncryptedPrivateKeyTests {
    static let passphrase = "correct horse battery staple"

    /// The encryptions `openssl pkcs8 -topk8` writes, by the options that choose them.
    static let schemes: [[String]] = [
        ["-v2", "aes-256-cbc"],  // PBKDF2-HMAC-SHA256 (OpenSSL 3's default PRF), AES-256-CBC
        ["-scrypt"],  // scrypt N=16384 r=8 p=1, AES-256-CBC
        ["-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA512", "-iter", "1000"],
        ["-v2", "aes-192-cbc", "-v2prf", "hmacWithSHA1"],
    ]

    /// Encrypts `NAME.pem` into `NAME.enc.pem` with `scheme` and the test passphrase.
    static func encrypt(_ name: String, scheme: [String], in directory: String) async throws -> String {
        try await OpenSSLTool.run(
            ["pkcs8", "-topk8", "-in", "\(name).pem", "-out", "\(name).enc.pem", "-passout", "pass:\(passphrase)"] + scheme,
            in: directory)
        return try OpenSSLTool.text("\(directory)/\(name).enc.pem")
    }

    @Test(
        "EC P-256, P-384, Ed25519 and RSA keys open with the passphrase and match openssl's public key",
        arguments: ["p256", "p384", "ed25519", "rsa"])
    func opens(_ kind: String) async throws {
        let directory = try OpenSSLTool.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await OpenSSLTool.keyPair(kind, name: "k", in: directory)
        let expected = try PublicKey(pem: OpenSSLTool.text("\(directory)/k.pub"))
        for scheme in Self.schemes {
            let pem = try await Self.encrypt("k", scheme: scheme, in: directory)
            #expect(pem.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
            let key = try PrivateKey(pem: pem, passphrase: Array(Self.passphrase.utf8))
            #expect(key.publicKey == expected, "\(kind) \(scheme)")
            // And it signs what the public key verifies.
            let message = Array("PAE".utf8)
            #expect(expected.acceptsSignature(try key.sign(message), for: message))
            // Through the key-file reader too.
            let read = try KeyPairFiles.readPrivateKey(at: "\(directory)/k.enc.pem", passphrase: Array(Self.passphrase.utf8))
            #expect(read.publicKey == expected)
        }
    }

    @Test(
        "keys this module encrypts open with openssl and with the reader, and only with the passphrase",
        arguments: [KeyKind.ecdsaP256, .ecdsaP384, .ed25519, .rsa(bits: 2048)])
    func encryptsForOpenSSL(_ kind: KeyKind) async throws {
        let directory = try OpenSSLTool.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let key = try PrivateKey.generate(kind)
        let pem = try key.encryptedPEMRepresentation(passphrase: Array(Self.passphrase.utf8))
        #expect(pem.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"))
        #expect(!pem.contains(Self.passphrase))
        try pem.write(toFile: "\(directory)/k.enc.pem", atomically: true, encoding: .utf8)
        // openssl reads it, and sees PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC.
        let opened = try await OpenSSLTool.run(
            ["pkey", "-in", "k.enc.pem", "-passin", "pass:\(Self.passphrase)", "-pubout"], in: directory)
        #expect(try PublicKey(pem: String(decoding: opened, as: UTF8.self)) == key.publicKey)
        let structure = String(decoding: try await OpenSSLTool.run(["asn1parse", "-in", "k.enc.pem"], in: directory), as: UTF8.self)
        for name in ["PBES2", "PBKDF2", "hmacWithSHA256", "aes-256-cbc", ":0927C0"] {  // 0x0927C0 = 600000 rounds
            #expect(structure.contains(name), "\(name) in \(structure)")
        }
        await #expect(throws: (any Error).self) {
            try await OpenSSLTool.run(["pkey", "-in", "k.enc.pem", "-passin", "pass:wrong", "-pubout"], in: directory)
        }
        #expect(try PrivateKey(pem: pem, passphrase: Array(Self.passphrase.utf8)).publicKey == key.publicKey)
        let wrong = #expect(throws: AttestationError.self) { _ = try PrivateKey(pem: pem, passphrase: Array("wrong".utf8)) }
        #expect(wrong?.code == .wrongPassphrase)
        // Through the key-pair files, as keygen writes them.
        let files = KeyPairFiles(prefix: "\(directory)/pair")
        #expect(try files.write(key, passphrase: Array(Self.passphrase.utf8)) == nil)
        let mode = (try FileManager.default.attributesOfItem(atPath: files.privatePath)[.posixPermissions] as? Int) ?? -1
        #expect(mode == 0o600)
        #expect(try KeyPairFiles.readPrivateKey(at: files.privatePath, passphrase: Array(Self.passphrase.utf8)).publicKey == key.publicKey)
        #expect(try PublicKey(pem: OpenSSLTool.text(files.publicPath)) == key.publicKey)
    }

    @Test("a wrong passphrase, none, or one for a plain key: each its own error, and no message carries the passphrase")
    func refusals() async throws {
        let directory = try OpenSSLTool.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await OpenSSLTool.keyPair("p256", name: "k", in: directory)
        for scheme in Self.schemes.prefix(2) {
            let pem = try await Self.encrypt("k", scheme: scheme, in: directory)
            for wrong in ["correct horse battery stapler", "", "Correct horse battery staple"] {
                let error = #expect(throws: AttestationError.self) { _ = try PrivateKey(pem: pem, passphrase: Array(wrong.utf8)) }
                #expect(error?.code == .wrongPassphrase, "\(String(describing: error))")
                #expect(error?.message == "encrypted private key: wrong passphrase (or a damaged key file)")
            }
            let none = #expect(throws: AttestationError.self) { _ = try PrivateKey(pem: pem) }
            #expect(none?.code == .passphraseRequired && none?.message == "private key: the key is encrypted and no passphrase was given")
        }
        let plain = try OpenSSLTool.text("\(directory)/k.pem")
        let extra = #expect(throws: AttestationError.self) { _ = try PrivateKey(pem: plain, passphrase: Array(Self.passphrase.utf8)) }
        #expect(extra?.code == .passphraseRequired && extra?.message == "private key: a passphrase was given but the key is not encrypted")
    }

    @Test("a damaged ciphertext is reported as a wrong passphrase, never read as some other key")
    func damaged() async throws {
        let directory = try OpenSSLTool.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await OpenSSLTool.keyPair("ed25519", name: "k", in: directory)
        let pem = try await Self.encrypt("k", scheme: Self.schemes[0], in: directory)
        let block = try PEMBlock.first(in: pem, labels: ["ENCRYPTED PRIVATE KEY"], what: "test")
        // Every byte of the last two cipher blocks (which the padding and the key's tail depend on).
        for offset in (block.der.count - 32)..<block.der.count {
            var der = block.der
            der[offset] ^= 0x5A
            let mutated = PEMBlock.encode(label: "ENCRYPTED PRIVATE KEY", der: der)
            let error = #expect(throws: AttestationError.self) { _ = try PrivateKey(pem: mutated, passphrase: Array(Self.passphrase.utf8)) }
            #expect(error?.code == .wrongPassphrase, "offset \(offset): \(String(describing: error))")
        }
    }

    @Test("schemes other than PBES2, legacy PEM encryption and unbounded scrypt costs are refused by name")
    func unsupported() async throws {
        let directory = try OpenSSLTool.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await OpenSSLTool.keyPair("p256", name: "k", in: directory)
        let passphrase = Array(Self.passphrase.utf8)

        // PBES1 (PKCS#5 v1.5 / PKCS#12 PBE): an old scheme this reader does not take.
        let pbes1 = try await Self.encrypt("k", scheme: ["-v1", "PBE-SHA1-3DES"], in: directory)
        let old = #expect(throws: AttestationError.self) { _ = try PrivateKey(pem: pbes1, passphrase: passphrase) }
        #expect(old?.code == .unsupportedKey && old?.message.contains("is not supported (PBES2 is") == true, "\(String(describing: old))")

        // OpenSSL's traditional encrypted PEM (Proc-Type / DEK-Info headers).
        try await OpenSSLTool.run(
            ["ec", "-in", "k.pem", "-aes256", "-passout", "pass:\(Self.passphrase)", "-out", "k.legacy.pem"], in: directory)
        let legacy = try OpenSSLTool.text("\(directory)/k.legacy.pem")
        #expect(legacy.contains("Proc-Type: 4,ENCRYPTED"))
        let headers = #expect(throws: AttestationError.self) { _ = try PrivateKey(pem: legacy, passphrase: passphrase) }
        #expect(headers?.message.contains("legacy encrypted PEM is not supported; convert the key with openssl pkcs8") == true)

        // scrypt with N that is not a power of two (one byte of openssl's N=16384 changed).
        let scrypt = try await Self.encrypt("k", scheme: ["-scrypt"], in: directory)
        var der = try PEMBlock.first(in: scrypt, labels: ["ENCRYPTED PRIVATE KEY"], what: "test").der
        let n: [UInt8] = [0x02, 0x02, 0x40, 0x00]
        let at = try #require(der.indices.first { der[$0..<min($0 + 4, der.count)].elementsEqual(n) })
        der[at + 3] = 0x01
        let cost = #expect(throws: AttestationError.self) {
            _ = try PrivateKey(pem: PEMBlock.encode(label: "ENCRYPTED PRIVATE KEY", der: der), passphrase: passphrase)
        }
        #expect(
            cost?.code == .unsupportedKey && cost?.message.contains("scrypt parameters N=16385 r=8 p=1") == true,
            "\(String(describing: cost))")

        // Not DER at all.
        let garbage = PEMBlock.encode(label: "ENCRYPTED PRIVATE KEY", der: [0x30, 0x03, 0x02, 0x01])
        let broken = #expect(throws: AttestationError.self) { _ = try PrivateKey(pem: garbage, passphrase: passphrase) }
        #expect(broken?.code == .malformedKey && broken?.message == "encrypted private key: not a valid PKCS#8 EncryptedPrivateKeyInfo")
    }
}
