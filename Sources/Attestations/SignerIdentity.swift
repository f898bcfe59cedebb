/// Who made a signature that verified, in a form that can be compared, recorded and matched by a
/// policy (the text in `SignatureVerdict.verified(signer:)` is for people).
///
/// Guarantees: a value is only ever built by a verifier from what it actually verified: `.key`
/// carries the fingerprint of the trusted key whose signature checked out; `.keyless` the publisher
/// whose fields the verified Fulcio certificate was bound to (``Publisher/localFile`` when no index
/// named one and only the user's pins bound it) and the certificate's identity as matched.
public enum SignerIdentity: Sendable, Hashable, Codable {
    /// A trusted public key: its name as configured and `sha256:<hex>` of its SPKI DER.
    case key(name: String, fingerprint: String)
    /// A Sigstore keyless signer: the publisher the certificate was bound to and the certificate's
    /// identity (its SAN and issuer as the identity check described them).
    case keyless(publisher: Publisher, certificateIdentity: String)

    /// One line for people and for comparisons of "who": `key sha256:…` or
    /// `GitHub org/repo workflow.yml [environment]`.
    public var summary: String {
        switch self {
        case .key(_, let fingerprint):
            return "key \(fingerprint)"
        case .keyless(let publisher, let certificateIdentity):
            let parts = Self.publisherParts(publisher)
            return parts.isEmpty ? "\(publisher.kind) \(certificateIdentity)" : ([publisher.kind] + parts).joined(separator: " ")
        }
    }

    /// The identifying fields of a publisher, in a fixed order (repository, workflow or
    /// workflow_filepath, environment, email, then any other string field by name).
    static func publisherParts(_ publisher: Publisher) -> [String] {
        let ordered = ["repository", "workflow", "workflow_filepath", "environment", "email"]
        var parts: [String] = []
        for key in ordered { if case .string(let value)? = publisher.fields[key], !value.isEmpty { parts.append(value) } }
        for key in publisher.fields.keys.sorted() where !ordered.contains(key) {
            if case .string(let value)? = publisher.fields[key], !value.isEmpty { parts.append("\(key)=\(value)") }
        }
        return parts
    }

    enum CodingKeys: String, CodingKey { case kind, name, fingerprint, publisher, certificateIdentity }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .key(let name, let fingerprint):
            try container.encode("key", forKey: .kind)
            try container.encode(name, forKey: .name)
            try container.encode(fingerprint, forKey: .fingerprint)
        case .keyless(let publisher, let certificateIdentity):
            try container.encode("keyless", forKey: .kind)
            try container.encode(publisher, forKey: .publisher)
            try container.encode(certificateIdentity, forKey: .certificateIdentity)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .kind) {
        case "key":
            self = .key(
                name: try container.decode(String.self, forKey: .name),
                fingerprint: try container.decode(String.self, forKey: .fingerprint))
        case "keyless":
            self = .keyless(
                publisher: try container.decode(Publisher.self, forKey: .publisher),
                certificateIdentity: try container.decode(String.self, forKey: .certificateIdentity))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "unknown signer kind \(other)")
        }
    }
}
