import Foundation
import PythonPackaging

/// Makes key-signed PEP 740 attestations (for `attest` and tests).
///
/// Guarantees: the statement is an in-toto v1 statement with exactly one subject (the filename
/// and its SHA-256, lowercase) and a SLSA v1 predicate; `sign` signs `PAE(in-toto type, statement)`
/// over exactly the bytes it returns in the attestation, with `verification_material` null, and
/// only returns a signature that verifies against the signer's public key.
public enum AttestationBuilder {
    public static func slsaV1Statement(
        filename: String, sha256Hex: SHA256Hex, builderID: String, buildType: String,
        finishedOn: Date
    ) -> [UInt8] {
        slsaV1Statement(
            filename: filename, sha256Hex: sha256Hex,
            provenance: SLSAProvenance(buildType: buildType, builderID: builderID, finishedOn: SLSAProvenance.timestamp(finishedOn)))
    }

    /// The statement for one file with `provenance` as its predicate (written as given: validate
    /// it first, as `attest` does).
    public static func slsaV1Statement(filename: String, sha256Hex: SHA256Hex, provenance: SLSAProvenance) -> [UInt8] {
        let statement: JSONValue = .object([
            "_type": .string(Statement.inTotoV1),
            "subject": .array([
                .object(["name": .string(filename), "digest": .object(["sha256": .string(sha256Hex.text)])])
            ]),
            "predicateType": .string(Statement.slsaV1),
            "predicate": provenance.json,
        ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Objects of strings always encode.
        return Array((try? encoder.encode(statement)) ?? Data())
    }

    /// Signs `statement` with `signer` and checks the signature against the signer's public key
    /// before returning it: a signer that answers with anything else is `.signing` (or the
    /// signer's own error), and no attestation comes out.
    public static func sign(statement: [UInt8], with signer: any StatementSigner) async throws(AttestationError) -> Attestation {
        let pae = DSSE.pae(payloadType: DSSE.inTotoPayloadType, payload: statement)
        let signature = try await signer.sign(pae)
        guard signer.publicKey.acceptsSignature(signature, for: pae) else {
            throw AttestationError(
                .signing, "the signature (\(signature.count) bytes) does not verify against the \(signer.publicKey.kind) public key")
        }
        return Attestation(verificationMaterial: nil, envelope: Envelope(statement: statement, signature: signature))
    }
}
