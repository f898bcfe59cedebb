import Attestations
import Foundation

/// Conversion between PEP 740 attestations and Sigstore bundles (v0.3), as pypi-attestations'
/// `to_bundle`/`from_bundle` do.
///
/// Guarantees: only lossless conversions succeed. An attestation converts when it carries
/// Sigstore verification material with exactly one transparency entry; the bundle has the
/// leaf as `certificate`, the entry exactly as received, every RFC 3161 timestamp, and a
/// `dsseEnvelope` of payload type in-toto JSON with the statement bytes and the one signature.
/// A bundle converts back when it is that shape (certificate, DSSE envelope of in-toto JSON).
/// Nothing is verified by converting.
extension SigstoreBundle {
    /// The v0.3 bundle carrying exactly `attestation`.
    public init(attestation: Attestation) throws(AttestationError) {
        guard let material = attestation.verificationMaterial else {
            throw AttestationError(.malformedBundle, "bundle conversion: the attestation is key-signed (no verification material)")
        }
        guard material.transparencyEntries.count == 1, let entry = material.transparencyEntries.first else {
            throw AttestationError(
                .malformedBundle,
                "bundle conversion: a bundle carries exactly one transparency entry; the attestation has \(material.transparencyEntries.count)"
            )
        }
        try self.init(
            mediaType: Self.v03MediaType, material: .certificate(material.certificate), entryJSON: entry,
            timestamps: material.timestamps,
            content: .dsse(
                payloadType: DSSE.inTotoPayloadType, payload: attestation.envelope.statement,
                signature: attestation.envelope.signature))
    }
}

extension Attestation {
    /// The PEP 740 attestation carried by `bundle` (a certificate and an in-toto DSSE envelope).
    public init(bundle: SigstoreBundle) throws(AttestationError) {
        guard case .certificate(let certificate) = bundle.material else {
            throw AttestationError(.malformedBundle, "bundle conversion: a PEP 740 attestation needs a signing certificate")
        }
        guard case .dsse(let type, let payload, let signature) = bundle.content, type == DSSE.inTotoPayloadType else {
            throw AttestationError(.malformedBundle, "bundle conversion: a PEP 740 attestation needs a DSSE envelope of in-toto JSON")
        }
        self.init(
            verificationMaterial: VerificationMaterial(
                certificate: certificate, transparencyEntries: [bundle.entryJSON],
                timestamps: bundle.timestamps),
            envelope: Envelope(statement: payload, signature: signature))
    }
}
