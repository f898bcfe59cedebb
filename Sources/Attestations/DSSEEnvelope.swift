import Foundation

/// A DSSE envelope in its own JSON form, `{payloadType, payload, signatures: [{keyid, sig}]}`
/// (as cosign and in-toto tools write it).
///
/// Decoded strictly (required fields present and typed, base64 standard alphabet, no unknown
/// fields); `payload` holds the exact signed bytes.
public struct DSSEEnvelope: Sendable, Hashable, Codable {
    /// One signature of the envelope: the raw signature bytes and the optional key id hint
    /// (never used to choose a key: every trusted key is tried).
    public struct Signature: Sendable, Hashable {
        public var keyID: String?
        public var sig: [UInt8]

        public init(keyID: String? = nil, sig: [UInt8]) {
            self.keyID = keyID
            self.sig = sig
        }
    }

    public var payloadType: String
    public var payload: [UInt8]
    public var signatures: [Signature]

    public init(payloadType: String, payload: [UInt8], signatures: [Signature]) {
        self.payloadType = payloadType
        self.payload = payload
        self.signatures = signatures
    }

    /// Decodes an envelope document (at most `Provenance.maxBytes`).
    public static func decode(_ data: Data) throws(AttestationError) -> DSSEEnvelope {
        try DSSEEnvelope(json: PEP740JSON.parse(data, what: "DSSE envelope"), path: "$")
    }

    init(json: JSONValue, path: String) throws(AttestationError) {
        let reader = try JSONObjectReader(json, path: path, code: .malformedProvenance)
        try reader.rejectUnknown(allowed: ["payloadType", "payload", "signatures"])
        payloadType = try reader.string("payloadType")
        payload = try reader.base64("payload")
        var signatures: [Signature] = []
        for (index, element) in try reader.array("signatures").enumerated() {
            let entry = try JSONObjectReader(element, path: "\(reader.child("signatures"))[\(index)]", code: .malformedProvenance)
            try entry.rejectUnknown(allowed: ["keyid", "sig"])
            let keyID = entry.optional("keyid") == nil ? nil : try entry.string("keyid")
            signatures.append(Signature(keyID: keyID, sig: try entry.base64("sig")))
        }
        self.signatures = signatures
    }

    public init(from decoder: any Decoder) throws {
        self = try DSSEEnvelope(json: JSONValue(from: decoder), path: "$")
    }

    public func encode(to encoder: any Encoder) throws {
        let signatures: [JSONValue] = signatures.map { signature in
            var members: [String: JSONValue] = ["sig": .string(Encoding.base64String(signature.sig))]
            if let keyID = signature.keyID { members["keyid"] = .string(keyID) }
            return .object(members)
        }
        try JSONValue.object([
            "payloadType": .string(payloadType),
            "payload": .string(Encoding.base64String(payload)),
            "signatures": .array(signatures),
        ]).encode(to: encoder)
    }

    /// One key-signed PEP 740 attestation per signature, for the verifiers. Only in-toto payloads
    /// can become attestations; anything else is `malformedProvenance`.
    public func attestations() throws(AttestationError) -> [Attestation] {
        guard payloadType == DSSE.inTotoPayloadType else {
            throw AttestationError(
                .malformedProvenance, "$.payloadType: \(StatementChecks.excerpt(payloadType)) is not \(DSSE.inTotoPayloadType)")
        }
        return signatures.map { Attestation(verificationMaterial: nil, envelope: Envelope(statement: payload, signature: $0.sig)) }
    }
}
