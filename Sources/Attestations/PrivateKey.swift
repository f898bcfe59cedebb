import Crypto
import Foundation
import SwiftASN1
import _CryptoExtras

/// A private signing key, for `attest` and `keygen` and for tests.
///
/// Guarantees: the key is one of the kinds in `KeyKind` (RSA of at least 2048 bits), `publicKey`
/// is its matching public key, and `sign` produces signatures that `PublicKey.isValidSignature`
/// accepts (RSA PKCS#1 v1.5 with SHA-256, ECDSA DER with SHA-256/SHA-384, Ed25519 raw).
/// `pemRepresentation` is always PKCS#8 (`PRIVATE KEY`). Never printed or logged by this module.
public struct PrivateKey: Sendable {
    enum Backing: Sendable {
        case rsa(_RSA.Signing.PrivateKey)
        case p256(P256.Signing.PrivateKey)
        case p384(P384.Signing.PrivateKey)
        case ed25519(Curve25519.Signing.PrivateKey)
    }

    static let pemLabels: Set<String> = ["PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY"]

    let backing: Backing
    /// The matching public key.
    public let publicKey: PublicKey

    /// The algorithm and size of the key.
    public var kind: KeyKind { publicKey.kind }

    /// Reads the first PKCS#8 `PRIVATE KEY`, SEC1 `EC PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`
    /// PEM block in `pem`. An `ENCRYPTED PRIVATE KEY` is refused (`.passphraseRequired`).
    public init(pem: String) throws(AttestationError) {
        try self.init(pem: pem, passphrase: nil)
    }

    /// Reads the first private key PEM block in `pem`, as ``init(pem:)`` does, and also a PKCS#8
    /// `ENCRYPTED PRIVATE KEY` (PBES2: PBKDF2 or scrypt, AES-CBC; see ``EncryptedPrivateKeyInfo``)
    /// opened with `passphrase`.
    ///
    /// Guarantees: an encrypted key without a passphrase, or a passphrase with a key that is not
    /// encrypted, is `.passphraseRequired` (a pipeline that believes its key is protected learns
    /// that it is not); a passphrase that does not open the key is `.wrongPassphrase`. No message
    /// carries the passphrase or key material.
    public init(pem: String, passphrase: [UInt8]?) throws(AttestationError) {
        let block = try PEMBlock.first(in: pem, labels: Self.pemLabels, what: "private key")
        if block.label == "ENCRYPTED PRIVATE KEY" {
            guard let passphrase else {
                throw AttestationError(.passphraseRequired, "private key: the key is encrypted and no passphrase was given")
            }
            let encrypted = try EncryptedPrivateKeyInfo(der: block.der)
            try self.init(backing: Self.pkcs8(der: try encrypted.decrypt(passphrase: passphrase)))
            return
        }
        if passphrase != nil {
            throw AttestationError(.passphraseRequired, "private key: a passphrase was given but the key is not encrypted")
        }
        switch block.label {
        case "RSA PRIVATE KEY":
            try self.init(backing: Self.rsa(der: block.der))
        case "EC PRIVATE KEY":
            try self.init(backing: Self.sec1(der: block.der))
        default:
            try self.init(backing: Self.pkcs8(der: block.der))
        }
    }

    init(backing: Backing) throws(AttestationError) {
        self.backing = backing
        do {
            switch backing {
            case .rsa(let key):
                let bits = key.keySizeInBits
                guard bits >= 2048 else {
                    throw AttestationError(.weakKey, "private key: RSA modulus has \(bits) bits; at least 2048 are required")
                }
                publicKey = PublicKey(backing: .rsa(key.publicKey), kind: .rsa(bits: bits), spkiDER: Array(key.publicKey.derRepresentation))
            case .p256(let key):
                publicKey = PublicKey(backing: .p256(key.publicKey), kind: .ecdsaP256, spkiDER: Array(key.publicKey.derRepresentation))
            case .p384(let key):
                publicKey = PublicKey(backing: .p384(key.publicKey), kind: .ecdsaP384, spkiDER: Array(key.publicKey.derRepresentation))
            case .ed25519(let key):
                let spki = SubjectPublicKeyInfo(
                    algorithm: KeyAlgorithmIdentifier(algorithm: KeyOID.ed25519, parameters: nil),
                    key: ASN1BitString(bytes: ArraySlice(key.publicKey.rawRepresentation))
                )
                publicKey = PublicKey(backing: .ed25519(key.publicKey), kind: .ed25519, spkiDER: try spki.derBytes())
            }
        } catch let error as AttestationError {
            throw error
        } catch {
            throw AttestationError(.malformedKey, "private key: cannot derive the public key")
        }
    }

    /// A new random key of `kind`. RSA sizes from 2048 to 16384 bits that are a multiple of 8 are
    /// accepted; anything else throws `weakKey` or `unsupportedKey`.
    public static func generate(_ kind: KeyKind) throws(AttestationError) -> PrivateKey {
        switch kind {
        case .rsa(let bits):
            guard bits >= 2048 else {
                throw AttestationError(.weakKey, "key generation: RSA-\(bits) is below 2048 bits")
            }
            guard bits <= 16384, bits % 8 == 0 else {
                throw AttestationError(.unsupportedKey, "key generation: RSA-\(bits) is not a supported size")
            }
            do {
                return try PrivateKey(backing: .rsa(_RSA.Signing.PrivateKey(keySize: .init(bitCount: bits))))
            } catch {
                throw AttestationError(.signing, "key generation: RSA-\(bits) failed")
            }
        case .ecdsaP256:
            return try PrivateKey(backing: .p256(P256.Signing.PrivateKey()))
        case .ecdsaP384:
            return try PrivateKey(backing: .p384(P384.Signing.PrivateKey()))
        case .ed25519:
            return try PrivateKey(backing: .ed25519(Curve25519.Signing.PrivateKey()))
        }
    }

    /// Signs `message`: RSA PKCS#1 v1.5 with SHA-256, ECDSA (DER) with SHA-256 for P-256 and
    /// SHA-384 for P-384, Ed25519 over the message itself.
    public func sign(_ message: [UInt8]) throws(AttestationError) -> [UInt8] {
        do {
            switch backing {
            case .rsa(let key):
                return Array(try key.signature(for: message, padding: .insecurePKCS1v1_5).rawRepresentation)
            case .p256(let key):
                return Array(try key.signature(for: message).derRepresentation)
            case .p384(let key):
                return Array(try key.signature(for: message).derRepresentation)
            case .ed25519(let key):
                return Array(try key.signature(for: message))
            }
        } catch {
            throw AttestationError(.signing, "signing with the \(kind) key failed")
        }
    }

    /// The key as PKCS#8 `PRIVATE KEY` PEM.
    public var pemRepresentation: String {
        switch backing {
        case .rsa(let key):
            return key.pkcs8PEMRepresentation
        case .p256(let key):
            return key.pemRepresentation
        case .p384(let key):
            return key.pemRepresentation
        case .ed25519(let key):
            // RFC 8410: the private key OCTET STRING wraps `CurvePrivateKey ::= OCTET STRING`.
            var inner = DER.Serializer()
            // Serialising an octet string into a fresh serializer cannot fail.
            try? inner.serialize(ASN1OctetString(contentBytes: ArraySlice(key.rawRepresentation)))
            let info = PKCS8PrivateKeyInfo(
                algorithm: KeyAlgorithmIdentifier(algorithm: KeyOID.ed25519, parameters: nil),
                privateKey: ASN1OctetString(contentBytes: ArraySlice(inner.serializedBytes))
            )
            return PEMBlock.encode(label: "PRIVATE KEY", der: (try? info.derBytes()) ?? [])
        }
    }

    // MARK: - Readers

    private static func rsa(der: [UInt8]) throws(AttestationError) -> Backing {
        // Check the size first so a short key reports `weakKey`, not a library refusal.
        do {
            let key = try _RSA.Signing.PrivateKey(unsafeDERRepresentation: der)
            guard key.keySizeInBits >= 2048 else {
                throw AttestationError(.weakKey, "private key: RSA modulus has \(key.keySizeInBits) bits; at least 2048 are required")
            }
            return .rsa(key)
        } catch let error as AttestationError {
            throw error
        } catch {
            throw AttestationError(.malformedKey, "private key: not a valid RSA private key")
        }
    }

    private static func sec1(der: [UInt8]) throws(AttestationError) -> Backing {
        let parsed: SEC1Curve
        do {
            parsed = try SEC1Curve(der: der)
        } catch {
            throw AttestationError(.malformedKey, "private key: EC PRIVATE KEY is not a valid SEC1 ECPrivateKey")
        }
        let curve: ASN1ObjectIdentifier
        if let named = parsed.curve {
            curve = named
        } else {
            switch parsed.privateKeyLength {
            case 32: curve = KeyOID.p256
            case 48: curve = KeyOID.p384
            default:
                throw AttestationError(
                    .unsupportedKey, "private key: EC key without a named curve and \(parsed.privateKeyLength)-byte scalar")
            }
        }
        return try ec(der: der, curve: curve)
    }

    private static func ec(der: [UInt8], curve: ASN1ObjectIdentifier) throws(AttestationError) -> Backing {
        do {
            switch curve {
            case KeyOID.p256: return .p256(try P256.Signing.PrivateKey(derRepresentation: der))
            case KeyOID.p384: return .p384(try P384.Signing.PrivateKey(derRepresentation: der))
            default: break
            }
        } catch {
            throw AttestationError(.malformedKey, "private key: EC key is not valid for its curve")
        }
        throw AttestationError(.unsupportedKey, "private key: EC curve \(curve) is not supported (P-256, P-384 are)")
    }

    private static func pkcs8(der: [UInt8]) throws(AttestationError) -> Backing {
        let info: PKCS8PrivateKeyInfo
        do {
            info = try PKCS8PrivateKeyInfo(derEncoded: der)
        } catch {
            throw AttestationError(.malformedKey, "private key: PRIVATE KEY is not a valid PKCS#8 PrivateKeyInfo")
        }
        let algorithm = info.algorithm
        if algorithm.algorithm == KeyOID.rsaEncryption {
            return try rsa(der: der)
        }
        if algorithm.algorithm == KeyOID.ecPublicKey {
            guard let curve = algorithm.namedCurve else {
                throw AttestationError(.malformedKey, "private key: PKCS#8 EC key has no named curve")
            }
            return try ec(der: der, curve: curve)
        }
        if algorithm.algorithm == KeyOID.ed25519 {
            guard algorithm.parameters == nil,
                let inner = try? ASN1OctetString(derEncoded: Array(info.privateKey.bytes)),
                inner.bytes.count == 32,
                let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: Array(inner.bytes))
            else {
                throw AttestationError(.malformedKey, "private key: PKCS#8 Ed25519 key must hold a 32-byte seed")
            }
            return .ed25519(key)
        }
        throw AttestationError(.unsupportedKey, "private key: algorithm \(algorithm.algorithm) is not supported")
    }
}
