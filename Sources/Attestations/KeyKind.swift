/// The algorithm and size of a signing key.
///
/// Only these kinds are accepted anywhere in the module; RSA keys are accepted from 2048 bits up.
public enum KeyKind: Sendable, Hashable, CustomStringConvertible {
    case rsa(bits: Int)
    case ecdsaP256
    case ecdsaP384
    case ed25519

    public var description: String {
        switch self {
        case .rsa(let bits): "RSA-\(bits)"
        case .ecdsaP256: "ECDSA P-256"
        case .ecdsaP384: "ECDSA P-384"
        case .ed25519: "Ed25519"
        }
    }
}

/// The RSA signature paddings a verifier may accept (both with SHA-256; PSS with MGF1-SHA-256 and
/// a 32-byte salt).
public enum RSAPadding: String, Sendable, Hashable, CaseIterable, Comparable {
    case pkcs1v15
    case pss

    public static func < (lhs: RSAPadding, rhs: RSAPadding) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
