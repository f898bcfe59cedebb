import Attestations

/// Which Sigstore keyless signers a ``SigstoreVerifier`` accepts.
///
/// Guarantees: `.indexPublisher` binds the certificate to the publisher the index named for the
/// attestation (``PublisherIdentityPolicy``) and to the pins on top; `.anchors` accepts a
/// certificate only when it satisfies one of the named identities as a PEP 740 publisher under
/// ``PublisherIdentityPolicy`` (and, when the identity names an `environment`, the index-named
/// publisher names that same environment: no certificate carries it), or, with
/// `alsoIndexPublisher`, the publisher the index named. An empty `.anchors` without
/// `alsoIndexPublisher` accepts no keyless signer.
public enum KeylessAcceptance: Sendable, Hashable {
    /// The publisher the index names, and every pin on top (today's default trust).
    case indexPublisher(IdentityPins)
    /// These named publisher identities (a policy's anchors), and the index-named publisher when
    /// `alsoIndexPublisher` is set.
    case anchors([NamedPublisher], alsoIndexPublisher: Bool)
}

/// A publisher identity a user named (a policy's `[identities.NAME]`): the PEP 740 publisher
/// fields a certificate must satisfy.
public struct NamedPublisher: Sendable, Hashable {
    public var name: String
    /// `kind` and the identifying fields, as a PEP 740 publisher would carry them. `environment`,
    /// when present, is compared with the index-named publisher's, never with the certificate.
    public var publisher: Publisher

    public init(name: String, publisher: Publisher) {
        self.name = name
        self.publisher = publisher
    }

    /// The `environment` this identity requires, if any.
    public var environment: String? {
        if case .string(let value)? = publisher.fields["environment"], !value.isEmpty { return value }
        return nil
    }

    /// Whether a chain-verified certificate `identity`, on an attestation the index attributed to
    /// `indexPublisher`, is this publisher: the certificate is checked by
    /// ``PublisherIdentityPolicy`` against these fields (without `environment`, which Fulcio
    /// certificates do not carry); a required `environment` must be the index-named publisher's
    /// (of the same kind) — the index's word, checked by the index when it accepted the upload.
    public func evaluate(_ identity: FulcioIdentity, indexPublisher: Publisher) -> PublisherIdentityVerdict {
        var fields = publisher.fields
        fields["environment"] = nil
        switch PublisherIdentityPolicy.evaluate(Publisher(kind: publisher.kind, fields: fields), identity: identity) {
        case .mismatch(let reason):
            return .mismatch("identity \(name): \(reason)")
        case .matches(let who):
            guard let environment else { return .matches("identity \(name): \(who)") }
            guard indexPublisher.kind == publisher.kind,
                case .string(let named)? = indexPublisher.fields["environment"], named == environment
            else {
                let named: String
                if case .string(let value)? = indexPublisher.fields["environment"] { named = value } else { named = "none" }
                return .mismatch(
                    "identity \(name): environment \(environment) is required, and certificates do not carry it; "
                        + "the index's publisher names \(named)")
            }
            return .matches("identity \(name): \(who); environment \(environment) (as the index names it)")
        }
    }
}
