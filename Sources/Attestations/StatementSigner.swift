/// Something that signs DSSE PAE bytes for an attestation: a private key in this process
/// (``PrivateKey``) or a command that holds the key elsewhere (``ExternalSigner``: a KMS, an HSM).
///
/// Guarantees asked of a conformer: `sign` returns a signature in the form
/// `PublicKey.isValidSignature` reads for `publicKey`'s kind (ECDSA DER, Ed25519 raw, RSA raw),
/// or throws; it never returns bytes it has not checked or produced itself. ``AttestationBuilder``
/// verifies every signature against `publicKey` again before it returns an attestation.
public protocol StatementSigner: Sendable {
    /// The public key every signature must verify under.
    var publicKey: PublicKey { get }
    /// Signs `message` (the DSSE PAE). Async: a signer that waits for another program does so
    /// without holding a thread of Swift's cooperative pool.
    func sign(_ message: [UInt8]) async throws(AttestationError) -> [UInt8]
}

extension PrivateKey: StatementSigner {}

extension PublicKey {
    /// Whether `signature` verifies over `message` with this key, RSA taken with either padding
    /// (PKCS#1 v1.5 or PSS, both SHA-256) as trusted keys accept by default.
    package func acceptsSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        if case .rsa = kind {
            return isValidSignature(signature, for: message, rsaPadding: .pkcs1v15)
                || isValidSignature(signature, for: message, rsaPadding: .pss)
        }
        return isValidSignature(signature, for: message, rsaPadding: .pkcs1v15)
    }
}
