import Foundation

/// A PEP 740 provenance object, as the Integrity API serves it.
///
/// Decoded strictly: `version` must be 1, every required field must be present with its type,
/// and unknown fields are refused (`malformedProvenance` naming the JSON path); more than
/// ``maxAttestations`` attestations in all are refused too (each costs a signature check; real
/// documents hold one or two).
public struct Provenance: Sendable, Hashable, Codable {
    /// Always 1.
    public var version: Int
    /// One bundle per publisher, in document order.
    public var attestationBundles: [AttestationBundle]

    public init(attestationBundles: [AttestationBundle]) {
        self.version = 1
        self.attestationBundles = attestationBundles
    }

    /// Largest provenance or attestation document accepted.
    public static let maxBytes = 16 << 20

    /// Most attestations (over all bundles) a provenance document may hold.
    public static let maxAttestations = 64

    /// Decodes a provenance document (at most `maxBytes`).
    public static func decode(_ data: Data) throws(AttestationError) -> Provenance {
        try Provenance(json: PEP740JSON.parse(data, what: "provenance"), path: "$")
    }

    init(json: JSONValue, path: String) throws(AttestationError) {
        let reader = try JSONObjectReader(json, path: path, code: .malformedProvenance)
        try reader.rejectUnknown(allowed: ["version", "attestation_bundles"])
        version = try PEP740JSON.version(reader)
        var bundles: [AttestationBundle] = []
        for (index, element) in try reader.array("attestation_bundles").enumerated() {
            bundles.append(try AttestationBundle(json: element, path: "\(reader.child("attestation_bundles"))[\(index)]"))
        }
        let count = bundles.reduce(0) { $0 + $1.attestations.count }
        guard count <= Self.maxAttestations else {
            throw AttestationError(
                .malformedProvenance,
                "\(reader.child("attestation_bundles")): \(count) attestations; at most \(Self.maxAttestations) are accepted")
        }
        attestationBundles = bundles
    }

    enum CodingKeys: String, CodingKey {
        case version
        case attestationBundles = "attestation_bundles"
    }

    public init(from decoder: any Decoder) throws {
        self = try Provenance(json: JSONValue(from: decoder), path: "$")
    }
}

/// The attestations one publisher made for a file.
public struct AttestationBundle: Sendable, Hashable, Codable {
    /// Who published (for example a Trusted Publisher identity, or "Pulp User").
    public var publisher: Publisher
    /// The attestations, in document order.
    public var attestations: [Attestation]

    public init(publisher: Publisher, attestations: [Attestation]) {
        self.publisher = publisher
        self.attestations = attestations
    }

    init(json: JSONValue, path: String) throws(AttestationError) {
        let reader = try JSONObjectReader(json, path: path, code: .malformedProvenance)
        try reader.rejectUnknown(allowed: ["publisher", "attestations"])
        publisher = try Publisher(json: reader.require("publisher"), path: reader.child("publisher"))
        var attestations: [Attestation] = []
        for (index, element) in try reader.array("attestations").enumerated() {
            attestations.append(try Attestation(json: element, path: "\(reader.child("attestations"))[\(index)]"))
        }
        self.attestations = attestations
    }

    public init(from decoder: any Decoder) throws {
        self = try AttestationBundle(json: JSONValue(from: decoder), path: "$")
    }
}

/// A publisher identity: its `kind` and every other field exactly as received.
public struct Publisher: Sendable, Hashable, Codable {
    /// For example "GitHub", "GitLab", "Google", "Pulp User".
    public var kind: String
    /// All members except `kind`, kept as JSON (unknown and legacy keys included).
    public var fields: [String: JSONValue]

    public init(kind: String, fields: [String: JSONValue] = [:]) {
        self.kind = kind
        self.fields = fields
    }

    /// The publisher of a lone attestation read from a file: no index named anyone, so a keyless
    /// signature binds only to the identity the user pins (`IdentityPins.bindsSigner`).
    public static let localFile = Publisher(kind: "local file")

    init(json: JSONValue, path: String) throws(AttestationError) {
        let reader = try JSONObjectReader(json, path: path, code: .malformedProvenance)
        kind = try reader.string("kind")
        fields = reader.members.filter { $0.key != "kind" }
    }

    public init(from decoder: any Decoder) throws {
        self = try Publisher(json: JSONValue(from: decoder), path: "$")
    }

    public func encode(to encoder: any Encoder) throws {
        var members = fields
        members["kind"] = .string(kind)
        try JSONValue.object(members).encode(to: encoder)
    }
}

/// One PEP 740 attestation object: a DSSE envelope over an in-toto statement and, for Sigstore,
/// the material to verify it.
public struct Attestation: Sendable, Hashable, Codable {
    /// Always 1.
    public var version: Int
    /// Sigstore verification material; `nil` when absent or JSON null, which means key-signed.
    public var verificationMaterial: VerificationMaterial?
    /// The statement bytes and the signature over their PAE.
    public var envelope: Envelope

    public init(verificationMaterial: VerificationMaterial?, envelope: Envelope) {
        self.version = 1
        self.verificationMaterial = verificationMaterial
        self.envelope = envelope
    }

    /// Decodes a single attestation document (at most `Provenance.maxBytes`).
    public static func decode(_ data: Data) throws(AttestationError) -> Attestation {
        try Attestation(json: PEP740JSON.parse(data, what: "attestation"), path: "$")
    }

    init(json: JSONValue, path: String) throws(AttestationError) {
        let reader = try JSONObjectReader(json, path: path, code: .malformedProvenance)
        try reader.rejectUnknown(allowed: ["version", "verification_material", "envelope"])
        version = try PEP740JSON.version(reader)
        if let material = reader.optional("verification_material") {
            verificationMaterial = try VerificationMaterial(json: material, path: reader.child("verification_material"))
        } else {
            verificationMaterial = nil
        }
        envelope = try Envelope(json: reader.require("envelope"), path: reader.child("envelope"))
    }

    enum CodingKeys: String, CodingKey {
        case version
        case verificationMaterial = "verification_material"
        case envelope
    }

    public init(from decoder: any Decoder) throws {
        self = try Attestation(json: JSONValue(from: decoder), path: "$")
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
        if let verificationMaterial {
            try container.encode(verificationMaterial, forKey: .verificationMaterial)
        } else {
            try container.encodeNil(forKey: .verificationMaterial)
        }
        try container.encode(envelope, forKey: .envelope)
    }

    /// The attestation as PEP 740 JSON (sorted keys, `verification_material` written even when null).
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings, integers and nested values of this type cannot fail.
        return (try? encoder.encode(self)) ?? Data()
    }
}

/// The DSSE envelope of a PEP 740 attestation (payload type implied: in-toto JSON).
public struct Envelope: Sendable, Hashable, Codable {
    /// The statement exactly as signed (base64-decoded, never re-serialised).
    public var statement: [UInt8]
    /// The signature over `DSSE.pae(payloadType: DSSE.inTotoPayloadType, payload: statement)`.
    public var signature: [UInt8]

    public init(statement: [UInt8], signature: [UInt8]) {
        self.statement = statement
        self.signature = signature
    }

    init(json: JSONValue, path: String) throws(AttestationError) {
        let reader = try JSONObjectReader(json, path: path, code: .malformedProvenance)
        try reader.rejectUnknown(allowed: ["statement", "signature"])
        statement = try reader.base64("statement")
        signature = try reader.base64("signature")
    }

    enum CodingKeys: String, CodingKey {
        case statement, signature
    }

    public init(from decoder: any Decoder) throws {
        self = try Envelope(json: JSONValue(from: decoder), path: "$")
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Encoding.base64String(statement), forKey: .statement)
        try container.encode(Encoding.base64String(signature), forKey: .signature)
    }
}

/// Sigstore verification material: the signing certificate, the transparency log entries and
/// any RFC 3161 timestamps, kept as received for the Sigstore verifier.
public struct VerificationMaterial: Sendable, Hashable, Codable {
    /// The leaf certificate, DER.
    public var certificate: [UInt8]
    /// Transparency log entries, as JSON.
    public var transparencyEntries: [JSONValue]
    /// RFC 3161 timestamp tokens (DER), from the optional `timestamps` field; empty when absent.
    public var timestamps: [[UInt8]]

    public init(certificate: [UInt8], transparencyEntries: [JSONValue], timestamps: [[UInt8]] = []) {
        self.certificate = certificate
        self.transparencyEntries = transparencyEntries
        self.timestamps = timestamps
    }

    init(json: JSONValue, path: String) throws(AttestationError) {
        let reader = try JSONObjectReader(json, path: path, code: .malformedProvenance)
        try reader.rejectUnknown(allowed: ["certificate", "transparency_entries", "timestamps"])
        certificate = try reader.base64("certificate")
        transparencyEntries = try reader.array("transparency_entries")
        var timestamps: [[UInt8]] = []
        if reader.optional("timestamps") != nil {
            for (index, element) in try reader.array("timestamps").enumerated() {
                guard case .string(let text) = element, let token = Encoding.base64(text) else {
                    throw AttestationError(.malformedProvenance, "\(reader.child("timestamps"))[\(index)]: expected a base64 string")
                }
                timestamps.append(token)
            }
        }
        self.timestamps = timestamps
    }

    enum CodingKeys: String, CodingKey {
        case certificate
        case transparencyEntries = "transparency_entries"
        case timestamps
    }

    public init(from decoder: any Decoder) throws {
        self = try VerificationMaterial(json: JSONValue(from: decoder), path: "$")
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Encoding.base64String(certificate), forKey: .certificate)
        try container.encode(transparencyEntries, forKey: .transparencyEntries)
        if !timestamps.isEmpty {
            try container.encode(timestamps.map(Encoding.base64String), forKey: .timestamps)
        }
    }
}

/// Shared helpers for the PEP 740 readers (internal).
enum PEP740JSON {
    static func parse(_ data: Data, what: String) throws(AttestationError) -> JSONValue {
        try JSONValue.parse(data, maxBytes: Provenance.maxBytes, what: what)
    }

    static func version(_ reader: JSONObjectReader) throws(AttestationError) -> Int {
        let version = try reader.integer("version")
        guard version == 1 else { throw reader.fail("version", "unsupported version \(version) (only 1 is defined)") }
        return version
    }
}
