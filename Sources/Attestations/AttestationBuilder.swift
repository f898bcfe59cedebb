import Foundation

/// Makes key-signed PEP 740 attestations (for `attest` and tests).
///
/// Guarantees: the statement is an in-toto v1 statement with exactly one subject (the filename
/// and its SHA-256, lowercase) and a SLSA v1 predicate; `sign` signs `PAE(in-toto type, statement)`
/// over exactly the bytes it returns in the attestation, with `verification_material` null.
public enum AttestationBuilder {
    public static func slsaV1Statement(
        filename: String, sha256Hex: String, builderID: String, buildType: String,
        finishedOn: Date
    ) -> [UInt8] {
        let statement: JSONValue = .object([
            "_type": .string(Statement.inTotoV1),
            "subject": .array([
                .object(["name": .string(filename), "digest": .object(["sha256": .string(sha256Hex.lowercased())])])
            ]),
            "predicateType": .string(Statement.slsaV1),
            "predicate": .object([
                "buildDefinition": .object([
                    "buildType": .string(buildType),
                    "externalParameters": .object([:]),
                ]),
                "runDetails": .object([
                    "builder": .object(["id": .string(builderID)]),
                    "metadata": .object(["finishedOn": .string(finishedOn.formatted(.iso8601))]),
                ]),
            ]),
        ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Objects of strings always encode.
        return Array((try? encoder.encode(statement)) ?? Data())
    }

    public static func sign(statement: [UInt8], with key: PrivateKey) throws(AttestationError) -> Attestation {
        let signature = try key.sign(DSSE.pae(payloadType: DSSE.inTotoPayloadType, payload: statement))
        return Attestation(verificationMaterial: nil, envelope: Envelope(statement: statement, signature: signature))
    }
}
