import Attestations

/// A public key as TUF root metadata lists it (`keytype`, `scheme`, `keyval.public`).
///
/// Guarantees: only these (keytype, scheme) pairs are accepted, and the key material must be of
/// the kind the scheme names:
/// - `ed25519` / `ed25519`: `public` is 64 hex digits (the raw 32-byte key); signatures are 64
///   raw bytes, hex.
/// - `ecdsa` or `ecdsa-sha2-nistp256` / `ecdsa-sha2-nistp256`: `public` is an SPKI PEM of a P-256
///   key (as Sigstore's repository lists them); signatures are DER, hex. Likewise
///   `ecdsa-sha2-nistp384` with a P-384 key.
/// - `rsa` / `rsassa-pss-sha256`: `public` is an SPKI PEM of an RSA key of at least 2048 bits;
///   signatures are RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt, hex.
/// Key ids are taken from the root's `keys` map as given (TUF 1.0 clients do not recompute them).
public struct TUFKey: Sendable, Hashable {
    public let keyType: String
    public let scheme: String
    public let publicKey: PublicKey

    /// Reads a key object; nil reason on success, else why the key cannot be used.
    static func parse(_ json: JSONValue) -> Result<TUFKey, TUFKeyProblem> {
        guard let keyType = json["keytype"]?.stringValue, let scheme = json["scheme"]?.stringValue,
            let material = json["keyval"]?["public"]?.stringValue
        else {
            return .failure(TUFKeyProblem(reason: "key lacks keytype, scheme or keyval.public"))
        }
        do throws(AttestationError) {
            switch (keyType, scheme) {
            case ("ed25519", "ed25519"):
                guard material.utf8.count == 64, let raw = TUFHex.decode(material) else {
                    return .failure(TUFKeyProblem(reason: "ed25519 public key is not 64 hex digits"))
                }
                let key = try PublicKey(spkiDER: ed25519SPKIPrefix + raw)
                return .success(TUFKey(keyType: keyType, scheme: scheme, publicKey: key))
            case ("ecdsa", "ecdsa-sha2-nistp256"), ("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256"):
                let key = try PublicKey(pem: material)
                guard key.kind == .ecdsaP256 else { return .failure(TUFKeyProblem(reason: "\(scheme) key is \(key.kind)")) }
                return .success(TUFKey(keyType: keyType, scheme: scheme, publicKey: key))
            case ("ecdsa", "ecdsa-sha2-nistp384"), ("ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384"):
                let key = try PublicKey(pem: material)
                guard key.kind == .ecdsaP384 else { return .failure(TUFKeyProblem(reason: "\(scheme) key is \(key.kind)")) }
                return .success(TUFKey(keyType: keyType, scheme: scheme, publicKey: key))
            case ("rsa", "rsassa-pss-sha256"):
                let key = try PublicKey(pem: material)
                guard case .rsa = key.kind else { return .failure(TUFKeyProblem(reason: "\(scheme) key is \(key.kind)")) }
                return .success(TUFKey(keyType: keyType, scheme: scheme, publicKey: key))
            default:
                return .failure(TUFKeyProblem(reason: "unsupported key type/scheme \(keyType.prefix(40))/\(scheme.prefix(40))"))
            }
        } catch {
            return .failure(TUFKeyProblem(reason: error.message))
        }
    }

    /// Whether `signature` (already hex-decoded) is valid over `message` under this key's scheme.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        publicKey.isValidSignature(signature, for: message, rsaPadding: .pss)
    }

    /// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410) before the 32 key bytes.
    static let ed25519SPKIPrefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]
}

/// Why a key listed in root metadata cannot be used (such a key simply never counts towards a threshold).
struct TUFKeyProblem: Error {
    let reason: String
}

/// Lowercase/uppercase hex decoding for signatures and keys.
enum TUFHex {
    static func decode(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Encoding.hex(bytes)
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
