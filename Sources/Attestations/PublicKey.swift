import Crypto
import Foundation
import SwiftASN1
import _CryptoExtras

/// A public key that can verify attestation signatures.
///
/// Guarantees: the key is one of the kinds in `KeyKind` (RSA of at least 2048 bits, ECDSA P-256 or
/// P-384, Ed25519), its SubjectPublicKeyInfo parsed completely, and `spkiDER` holds the DER that
/// `fingerprint` and `keyID` are computed over. Equality and hashing are by `spkiDER`.
public struct PublicKey: Sendable, Hashable {
    package enum Backing: Sendable {
        case rsa(_RSA.Signing.PublicKey)
        case p256(P256.Signing.PublicKey)
        case p384(P384.Signing.PublicKey)
        case ed25519(Curve25519.Signing.PublicKey)
    }

    /// PEM labels accepted by `init(pem:)`.
    package static let pemLabels: Set<String> = ["PUBLIC KEY", "RSA PUBLIC KEY"]

    package let backing: Backing
    /// The algorithm and size of the key.
    public let kind: KeyKind
    /// The DER SubjectPublicKeyInfo (for a PKCS#1 input, the equivalent SPKI with rsaEncryption).
    public let spkiDER: [UInt8]

    /// Reads the first `PUBLIC KEY` (SPKI) or `RSA PUBLIC KEY` (PKCS#1) PEM block anywhere in `pem`.
    public init(pem: String) throws(AttestationError) {
        let block = try PEMBlock.first(in: pem, labels: Self.pemLabels, what: "public key")
        if block.label == "RSA PUBLIC KEY" {
            try self.init(pkcs1DER: block.der)
        } else {
            try self.init(spkiDER: block.der)
        }
    }

    /// Reads a DER SubjectPublicKeyInfo.
    public init(spkiDER der: [UInt8]) throws(AttestationError) {
        let spki: SubjectPublicKeyInfo
        do {
            spki = try SubjectPublicKeyInfo(derEncoded: der)
        } catch {
            throw AttestationError(.malformedKey, "public key: SubjectPublicKeyInfo is not valid DER (\(error))")
        }
        let algorithm = spki.algorithm
        let keyBytes = Array(spki.key.bytes)
        if algorithm.algorithm == KeyOID.rsaEncryption {
            guard algorithm.parametersAreAbsentOrNull, spki.key.paddingBits == 0 else {
                throw AttestationError(.malformedKey, "public key: RSA SubjectPublicKeyInfo has unexpected parameters or padding")
            }
            let bits = try Self.checkedRSABits(pkcs1: keyBytes)
            do {
                backing = .rsa(try _RSA.Signing.PublicKey(derRepresentation: der))
            } catch {
                throw AttestationError(.malformedKey, "public key: RSA key rejected by the crypto library")
            }
            kind = .rsa(bits: bits)
        } else if algorithm.algorithm == KeyOID.ecPublicKey {
            guard let curve = algorithm.namedCurve else {
                throw AttestationError(.malformedKey, "public key: EC SubjectPublicKeyInfo has no named curve")
            }
            do {
                switch curve {
                case KeyOID.p256:
                    backing = .p256(try P256.Signing.PublicKey(derRepresentation: der))
                    kind = .ecdsaP256
                case KeyOID.p384:
                    backing = .p384(try P384.Signing.PublicKey(derRepresentation: der))
                    kind = .ecdsaP384
                default:
                    throw AttestationError(.unsupportedKey, "public key: EC curve \(curve) is not supported (P-256, P-384 are)")
                }
            } catch let error as AttestationError {
                throw error
            } catch {
                throw AttestationError(.malformedKey, "public key: EC point is not valid for its curve")
            }
        } else if algorithm.algorithm == KeyOID.ed25519 {
            guard algorithm.parameters == nil, spki.key.paddingBits == 0, keyBytes.count == 32 else {
                throw AttestationError(.malformedKey, "public key: Ed25519 key must be 32 bytes without parameters")
            }
            do {
                backing = .ed25519(try Curve25519.Signing.PublicKey(rawRepresentation: keyBytes))
            } catch {
                throw AttestationError(.malformedKey, "public key: Ed25519 key rejected by the crypto library")
            }
            kind = .ed25519
        } else {
            throw AttestationError(.unsupportedKey, "public key: algorithm \(algorithm.algorithm) is not supported")
        }
        spkiDER = der
    }

    /// Reads a DER PKCS#1 `RSAPublicKey` and wraps it as an SPKI.
    package init(pkcs1DER der: [UInt8]) throws(AttestationError) {
        _ = try Self.checkedRSABits(pkcs1: der)
        let spki: [UInt8]
        do {
            let info = SubjectPublicKeyInfo(
                algorithm: KeyAlgorithmIdentifier(algorithm: KeyOID.rsaEncryption, parameters: try ASN1Any(erasing: ASN1Null())),
                key: ASN1BitString(bytes: ArraySlice(der))
            )
            spki = try info.derBytes()
        } catch {
            throw AttestationError(.malformedKey, "public key: cannot wrap PKCS#1 key as SubjectPublicKeyInfo")
        }
        try self.init(spkiDER: spki)
    }

    /// Wraps a key made by this module (for `PrivateKey.publicKey`).
    package init(backing: Backing, kind: KeyKind, spkiDER: [UInt8]) {
        self.backing = backing
        self.kind = kind
        self.spkiDER = spkiDER
    }

    private static func checkedRSABits(pkcs1 der: [UInt8]) throws(AttestationError) -> Int {
        let rsa: RSAPublicKeyASN1
        do {
            rsa = try RSAPublicKeyASN1(derEncoded: der)
        } catch {
            throw AttestationError(.malformedKey, "public key: RSA public key is not a valid PKCS#1 RSAPublicKey")
        }
        let bits = rsa.modulusBits
        guard bits >= 2048 else {
            throw AttestationError(.weakKey, "public key: RSA modulus has \(bits) bits; at least 2048 are required")
        }
        guard bits <= 16384 else {
            throw AttestationError(.unsupportedKey, "public key: RSA modulus has \(bits) bits; at most 16384 are accepted")
        }
        return bits
    }

    /// SHA-256 of `spkiDER`, lowercase hex.
    public var fingerprint: String {
        Encoding.hex(SHA256.hash(data: spkiDER))
    }

    /// The last 8 bytes of the SPKI SHA-256, uppercase hex (e.g. `E60D446E63405576`).
    public var keyID: String {
        Encoding.hex(Array(SHA256.hash(data: spkiDER)).suffix(8), uppercase: true)
    }

    /// The key as a `PUBLIC KEY` (SPKI) PEM block.
    public var pemRepresentation: String {
        PEMBlock.encode(label: "PUBLIC KEY", der: spkiDER)
    }

    /// Whether `signature` is valid over `message`: RSA with SHA-256 and `rsaPadding`, ECDSA P-256
    /// with SHA-256 and P-384 with SHA-384 (DER signatures), Ed25519 (raw 64-byte signatures).
    /// `rsaPadding` is ignored for non-RSA keys. Malformed signatures are simply invalid.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8], rsaPadding: RSAPadding) -> Bool {
        switch backing {
        case .rsa(let key):
            let padding: _RSA.Signing.Padding = rsaPadding == .pss ? .PSS : .insecurePKCS1v1_5
            return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: message, padding: padding)
        case .p256(let key):
            guard let sig = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return key.isValidSignature(sig, for: message)
        case .p384(let key):
            guard let sig = try? P384.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return key.isValidSignature(sig, for: message)
        case .ed25519(let key):
            guard signature.count == 64 else { return false }
            return key.isValidSignature(signature, for: message)
        }
    }

    public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool {
        lhs.spkiDER == rhs.spkiDER
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(spkiDER)
    }
}
