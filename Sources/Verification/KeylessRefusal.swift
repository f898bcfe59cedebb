import Attestations

/// Stands in for the Sigstore verifier when keyless signers are not trusted: the user named the
/// trusted keys and neither allowed keyless attestations nor pinned an identity.
///
/// Guarantees: a keyless attestation (one carrying Sigstore verification material) is `.failed`
/// with exactly ``reason``, never verified and never "not applicable" (so it is reported as an
/// untrusted signer, exit 1, not as something that could not be checked; ``ProvenanceChecks``
/// gives the `signature` check the remedy ``Remedy/allowKeyless``); a key-signed attestation is
/// left to the key verifier. The publisher the index names is never consulted: it comes from an
/// unsigned response.
public struct KeylessRefusal: AttestationSignatureVerifier {
    /// The failure of every keyless attestation: the fact, without the remedy.
    public static let reason = "Sigstore keyless attestation not accepted: only the named keys are trusted"

    public init() {}

    public func verifySignature(of attestation: Attestation, publisher: Publisher) async -> SignatureVerdict {
        guard attestation.verificationMaterial != nil else { return .notApplicable("key-signed") }
        return .failed(Self.reason)
    }
}
