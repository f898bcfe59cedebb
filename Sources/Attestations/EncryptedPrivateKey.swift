import Crypto
import Foundation
import SwiftASN1
import _CryptoExtras

/// Object identifiers of password-based encryption (RFC 8018, RFC 7914; internal).
package enum PBEOID {
    package static let pbes2: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 5, 13]
    package static let pbkdf2: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 5, 12]
    package static let scrypt: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 11591, 4, 11]
    package static let hmacWithSHA1: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 2, 7]
    package static let hmacWithSHA256: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 2, 9]
    package static let hmacWithSHA384: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 2, 10]
    package static let hmacWithSHA512: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 2, 11]
    package static let aes128CBC: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 1, 2]
    package static let aes192CBC: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 1, 22]
    package static let aes256CBC: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 1, 42]
}

/// A PKCS#8 `EncryptedPrivateKeyInfo` (RFC 5958 §3) protected by PBES2 (RFC 8018 §6.2), as
/// `openssl pkcs8 -topk8 -v2 aes-256-cbc` (PBKDF2) or `… -scrypt` writes it (internal).
///
/// Accepted: key derivation PBKDF2 (HMAC-SHA-1/256/384/512) or scrypt; encryption AES-128/192/256
/// in CBC mode with PKCS#7 padding. Work is bounded before any is done: PBKDF2 at most
/// ``maxIterations`` rounds, scrypt at most ``maxScryptMemory`` bytes of memory and
/// ``maxScryptParallelism`` lanes. Decryption yields DER that must parse as a whole PKCS#8
/// `PrivateKeyInfo`, or the passphrase is reported wrong: a wrong passphrase is never mistaken
/// for a damaged key that then "parses" as some other key.
package struct EncryptedPrivateKeyInfo {
    package static let maxIterations = 10_000_000
    package static let maxScryptMemory = 256 << 20
    package static let maxScryptParallelism = 16

    enum KeyDerivation {
        case pbkdf2(salt: [UInt8], iterations: Int, keyLength: Int?, prf: KDF.Insecure.PBKDF2.HashFunction)
        case scrypt(salt: [UInt8], cost: Int, blockSize: Int, parallelism: Int, keyLength: Int?)
    }

    let derivation: KeyDerivation
    let keyBytes: Int
    let iv: [UInt8]
    let ciphertext: [UInt8]

    /// Reads the DER of an `ENCRYPTED PRIVATE KEY` PEM block; `.malformedKey` or `.unsupportedKey`
    /// name what is wrong.
    package init(der: [UInt8]) throws(AttestationError) {
        let parsed: (KeyAlgorithmIdentifier, [UInt8])
        do {
            parsed = try DER.sequence(try DER.parse(der), identifier: .sequence) { nodes in
                let algorithm = try KeyAlgorithmIdentifier(derEncoded: &nodes)
                let data = try ASN1OctetString(derEncoded: &nodes)
                guard nodes.next() == nil else { throw ASN1Error.invalidASN1Object(reason: "trailing fields") }
                return (algorithm, Array(data.bytes))
            }
        } catch {
            throw AttestationError(.malformedKey, "encrypted private key: not a valid PKCS#8 EncryptedPrivateKeyInfo")
        }
        let (algorithm, ciphertext) = parsed
        guard algorithm.algorithm == PBEOID.pbes2 else {
            throw AttestationError(
                .unsupportedKey,
                "encrypted private key: scheme \(algorithm.algorithm) is not supported (PBES2 is: openssl pkcs8 -topk8 -v2 aes-256-cbc)")
        }
        guard let parameters = algorithm.parameters else {
            throw AttestationError(.malformedKey, "encrypted private key: PBES2 parameters are missing")
        }
        let kdf: KeyAlgorithmIdentifier
        let cipher: KeyAlgorithmIdentifier
        do {
            (kdf, cipher) = try DER.sequence(try DER.parse(Self.bytes(of: parameters)), identifier: .sequence) { nodes in
                let kdf = try KeyAlgorithmIdentifier(derEncoded: &nodes)
                let cipher = try KeyAlgorithmIdentifier(derEncoded: &nodes)
                guard nodes.next() == nil else { throw ASN1Error.invalidASN1Object(reason: "trailing fields") }
                return (kdf, cipher)
            }
        } catch {
            throw AttestationError(.malformedKey, "encrypted private key: PBES2 parameters are not valid DER")
        }
        switch cipher.algorithm {
        case PBEOID.aes128CBC: keyBytes = 16
        case PBEOID.aes192CBC: keyBytes = 24
        case PBEOID.aes256CBC: keyBytes = 32
        default:
            throw AttestationError(
                .unsupportedKey, "encrypted private key: cipher \(cipher.algorithm) is not supported (AES-128/192/256-CBC are)")
        }
        guard let ivParameter = cipher.parameters,
            let ivOctets = try? ASN1OctetString(asn1Any: ivParameter), ivOctets.bytes.count == 16
        else {
            throw AttestationError(.malformedKey, "encrypted private key: the AES-CBC IV must be a 16-byte OCTET STRING")
        }
        iv = Array(ivOctets.bytes)
        guard !ciphertext.isEmpty, ciphertext.count % 16 == 0 else {
            throw AttestationError(.malformedKey, "encrypted private key: ciphertext is not a whole number of AES blocks")
        }
        self.ciphertext = ciphertext
        derivation = try Self.derivation(kdf)
        if let length = derivation.keyLength, length != keyBytes {
            throw AttestationError(
                .malformedKey, "encrypted private key: key length \(length) does not fit the cipher's \(keyBytes)-byte key")
        }
    }

    /// The decrypted DER `PrivateKeyInfo`; `.wrongPassphrase` when `passphrase` does not open it.
    package func decrypt(passphrase: [UInt8]) throws(AttestationError) -> [UInt8] {
        let key: SymmetricKey
        do {
            switch derivation {
            case .pbkdf2(let salt, let iterations, _, let prf):
                key = try KDF.Insecure.PBKDF2.deriveKey(
                    from: passphrase, salt: salt, using: prf, outputByteCount: keyBytes, unsafeUncheckedRounds: iterations)
            case .scrypt(let salt, let cost, let blockSize, let parallelism, _):
                key = try KDF.Scrypt.deriveKey(
                    from: passphrase, salt: salt, outputByteCount: keyBytes, rounds: cost, blockSize: blockSize,
                    parallelism: parallelism)
            }
        } catch {
            throw AttestationError(.malformedKey, "encrypted private key: key derivation failed")
        }
        let wrong = AttestationError(.wrongPassphrase, "encrypted private key: wrong passphrase (or a damaged key file)")
        let plain: [UInt8]
        do {
            plain = Array(try AES._CBC.decrypt(ciphertext, using: key, iv: AES._CBC.IV(ivBytes: iv)))
        } catch {
            throw wrong
        }
        // A wrong key passes the padding check about once in 256 tries: only a complete
        // PrivateKeyInfo counts as opened.
        guard (try? PKCS8PrivateKeyInfo(derEncoded: plain)) != nil else { throw wrong }
        return plain
    }

    private static func bytes(of any: ASN1Any) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(any)
        return serializer.serializedBytes
    }

    private static func derivation(_ kdf: KeyAlgorithmIdentifier) throws(AttestationError) -> KeyDerivation {
        guard let parameters = kdf.parameters, let der = try? bytes(of: parameters) else {
            throw AttestationError(.malformedKey, "encrypted private key: key derivation parameters are missing")
        }
        if kdf.algorithm == PBEOID.pbkdf2 {
            let read: ([UInt8], Int, Int?, KeyAlgorithmIdentifier?)
            do {
                read = try DER.sequence(try DER.parse(der), identifier: .sequence) { nodes in
                    let salt = try ASN1OctetString(derEncoded: &nodes)
                    let iterations = try Int(derEncoded: &nodes)
                    let keyLength = try DER.optionalImplicitlyTagged(&nodes, tag: .integer) as Int?
                    let prf = try nodes.next().map { try KeyAlgorithmIdentifier(derEncoded: $0) }
                    guard nodes.next() == nil else { throw ASN1Error.invalidASN1Object(reason: "trailing fields") }
                    return (Array(salt.bytes), iterations, keyLength, prf)
                }
            } catch {
                throw AttestationError(.malformedKey, "encrypted private key: PBKDF2 parameters are not valid DER")
            }
            let (salt, iterations, keyLength, prfIdentifier) = read
            guard (1...maxIterations).contains(iterations) else {
                throw AttestationError(
                    .unsupportedKey, "encrypted private key: PBKDF2 iteration count \(iterations) is outside 1…\(maxIterations)")
            }
            let prf: KDF.Insecure.PBKDF2.HashFunction
            switch prfIdentifier?.algorithm ?? PBEOID.hmacWithSHA1 {
            case PBEOID.hmacWithSHA1: prf = .insecureSHA1
            case PBEOID.hmacWithSHA256: prf = .sha256
            case PBEOID.hmacWithSHA384: prf = .sha384
            case PBEOID.hmacWithSHA512: prf = .sha512
            case let other:
                throw AttestationError(.unsupportedKey, "encrypted private key: PBKDF2 PRF \(other) is not supported")
            }
            return .pbkdf2(salt: salt, iterations: iterations, keyLength: keyLength, prf: prf)
        }
        if kdf.algorithm == PBEOID.scrypt {
            let read: ([UInt8], Int, Int, Int, Int?)
            do {
                read = try DER.sequence(try DER.parse(der), identifier: .sequence) { nodes in
                    let salt = try ASN1OctetString(derEncoded: &nodes)
                    let cost = try Int(derEncoded: &nodes)
                    let blockSize = try Int(derEncoded: &nodes)
                    let parallelism = try Int(derEncoded: &nodes)
                    let keyLength = try DER.optionalImplicitlyTagged(&nodes, tag: .integer) as Int?
                    guard nodes.next() == nil else { throw ASN1Error.invalidASN1Object(reason: "trailing fields") }
                    return (Array(salt.bytes), cost, blockSize, parallelism, keyLength)
                }
            } catch {
                throw AttestationError(.malformedKey, "encrypted private key: scrypt parameters are not valid DER")
            }
            let (salt, cost, blockSize, parallelism, keyLength) = read
            guard cost > 1, cost.nonzeroBitCount == 1, (1...1024).contains(blockSize),
                (1...maxScryptParallelism).contains(parallelism),
                cost <= maxScryptMemory / 128 / blockSize
            else {
                throw AttestationError(
                    .unsupportedKey,
                    "encrypted private key: scrypt parameters N=\(cost) r=\(blockSize) p=\(parallelism) are outside the accepted bounds (N a power of two, 128·N·r ≤ \(maxScryptMemory >> 20) MiB, p ≤ \(maxScryptParallelism))"
                )
            }
            return .scrypt(salt: salt, cost: cost, blockSize: blockSize, parallelism: parallelism, keyLength: keyLength)
        }
        throw AttestationError(
            .unsupportedKey, "encrypted private key: key derivation \(kdf.algorithm) is not supported (PBKDF2 and scrypt are)")
    }
}

extension EncryptedPrivateKeyInfo.KeyDerivation {
    var keyLength: Int? {
        switch self {
        case .pbkdf2(_, _, let keyLength, _): keyLength
        case .scrypt(_, _, _, _, let keyLength): keyLength
        }
    }
}

extension EncryptedPrivateKeyInfo {
    /// PBKDF2 rounds of keys this module encrypts (OWASP's figure for PBKDF2-HMAC-SHA256).
    package static let defaultIterations = 600_000  // PrivateKey.encryptedPEMRepresentation says the same

    /// The DER of an `EncryptedPrivateKeyInfo` holding `privateKeyInfo` (a DER PKCS#8
    /// `PrivateKeyInfo`): PBES2 with PBKDF2-HMAC-SHA256 (`iterations` rounds, a random 16-byte
    /// salt) and AES-256-CBC (a random IV), the form `openssl pkcs8 -topk8 -v2 aes-256-cbc` writes.
    package static func encrypt(
        privateKeyInfo: [UInt8], passphrase: [UInt8], iterations: Int = defaultIterations
    ) throws(AttestationError) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let iv = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        do {
            let key = try KDF.Insecure.PBKDF2.deriveKey(
                from: passphrase, salt: salt, using: .sha256, outputByteCount: 32, unsafeUncheckedRounds: iterations)
            let ciphertext = Array(try AES._CBC.encrypt(privateKeyInfo, using: key, iv: AES._CBC.IV(ivBytes: iv)))
            var serializer = DER.Serializer()
            try serializer.appendConstructedNode(identifier: .sequence) { info in
                try info.appendConstructedNode(identifier: .sequence) { algorithm in
                    try algorithm.serialize(PBEOID.pbes2)
                    try algorithm.appendConstructedNode(identifier: .sequence) { parameters in
                        try parameters.appendConstructedNode(identifier: .sequence) { kdf in
                            try kdf.serialize(PBEOID.pbkdf2)
                            try kdf.appendConstructedNode(identifier: .sequence) { pbkdf2 in
                                try pbkdf2.serialize(ASN1OctetString(contentBytes: salt[...]))
                                try pbkdf2.serialize(iterations)
                                try pbkdf2.appendConstructedNode(identifier: .sequence) { prf in
                                    try prf.serialize(PBEOID.hmacWithSHA256)
                                    try prf.serialize(ASN1Null())
                                }
                            }
                        }
                        try parameters.appendConstructedNode(identifier: .sequence) { cipher in
                            try cipher.serialize(PBEOID.aes256CBC)
                            try cipher.serialize(ASN1OctetString(contentBytes: iv[...]))
                        }
                    }
                }
                try info.serialize(ASN1OctetString(contentBytes: ciphertext[...]))
            }
            return serializer.serializedBytes
        } catch {
            throw AttestationError(.signing, "cannot encrypt the private key")
        }
    }
}

extension PrivateKey {
    /// The key as an `ENCRYPTED PRIVATE KEY` PEM block (PKCS#8 under PBES2: PBKDF2-HMAC-SHA256,
    /// AES-256-CBC; 600,000 rounds unless `iterations` says otherwise), readable by
    /// ``init(pem:passphrase:)`` and by `openssl pkey -passin`.
    ///
    /// Guarantees: the result is opened again with `passphrase` before it is returned, and must
    /// give this very key; it never carries the passphrase.
    public func encryptedPEMRepresentation(passphrase: [UInt8], iterations: Int = 600_000) throws(AttestationError) -> String {
        let plain = try PEMBlock.first(in: pemRepresentation, labels: ["PRIVATE KEY"], what: "private key")
        let der = try EncryptedPrivateKeyInfo.encrypt(privateKeyInfo: plain.der, passphrase: passphrase, iterations: iterations)
        let pem = PEMBlock.encode(label: "ENCRYPTED PRIVATE KEY", der: der)
        guard (try? PrivateKey(pem: pem, passphrase: passphrase))?.publicKey == publicKey else {
            throw AttestationError(.signing, "the encrypted private key does not open to the same key")
        }
        return pem
    }
}
