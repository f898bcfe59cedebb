import Attestations
import Sigstore

/// The verifier of provenance for one `require = "provenance"` rule.
///
/// Guarantees: only the rule's key anchors verify key-signed attestations; a keyless attestation
/// verifies only when its certificate satisfies one of the rule's identities, or, with
/// `keyless = "index-publisher"`, the publisher the index names (``KeylessAcceptance``); a rule
/// with neither refuses every keyless attestation (`.failed`, naming the rule). The rule's
/// `builders` and `predicate-types` are checked against every statement
/// (``StatementRequirements``), so an attestation that breaks them cannot be the decisive one.
public enum RuleVerifier {
    public static func make(_ rule: Rule, in policy: Policy, trustedRoot: @autoclosure () throws -> TrustedRoot) rethrows
        -> ProvenanceVerifier
    {
        let keys = rule.keys.compactMap { policy.keys[$0]?.key }
        let identities = rule.identities.compactMap { policy.identities[$0]?.named }
        let keyless: any AttestationSignatureVerifier
        if identities.isEmpty && !rule.indexPublisher {
            keyless = KeylessNotAccepted(reason: "\(rule.label) names no identity and not keyless = \"index-publisher\"")
        } else if identities.isEmpty {
            // Only the index-named publisher: exactly the verifier of the default trust.
            keyless = SigstoreVerifier(trustedRoot: try trustedRoot(), acceptance: .indexPublisher(IdentityPins()))
        } else {
            keyless = SigstoreVerifier(
                trustedRoot: try trustedRoot(), acceptance: .anchors(identities, alsoIndexPublisher: rule.indexPublisher))
        }
        let keyVerifier: any AttestationSignatureVerifier =
            keys.isEmpty ? KeySignedNotAccepted(reason: "\(rule.label) names no key") : KeySignatureVerifier(trustedKeys: keys)
        return ProvenanceVerifier(
            verifiers: [keyVerifier, keyless],
            requirements: StatementRequirements(builders: rule.builders, predicateTypes: rule.predicateTypes, origin: rule.label))
    }

    /// Which of the rule's anchors a verified signer is: the proof the package met.
    public static func proof(of signer: SignerIdentity, rule: Rule, in policy: Policy) -> PolicyProof {
        switch signer {
        case .key(_, let fingerprint):
            let anchor = rule.keys.first { policy.keys[$0]?.fingerprint == fingerprint }
            return PolicyProof(kind: .key, anchor: anchor, detail: "key \(anchor ?? "?") \(fingerprint)")
        case .keyless(let publisher, _):
            if let anchor = rule.identities.first(where: { policy.identities[$0]?.publisher == publisher }) {
                return PolicyProof(kind: .identity, anchor: anchor, detail: "identity \(anchor): \(signer.summary)")
            }
            return PolicyProof(kind: .indexPublisher, anchor: nil, detail: "keyless, the index-named publisher \(signer.summary)")
        }
    }
}

/// Stands in for the keyless verifier of a rule that accepts no keyless signer.
///
/// Guarantees: a keyless attestation is `.failed` (an untrusted signer, not "could not check");
/// a key-signed one is left to the key verifier.
public struct KeylessNotAccepted: AttestationSignatureVerifier {
    public let reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public func verifySignature(of attestation: Attestation, publisher: Publisher) async -> SignatureVerdict {
        guard attestation.verificationMaterial != nil else { return .notApplicable("key-signed") }
        return .failed("Sigstore keyless attestation not accepted: \(reason)")
    }
}

/// Stands in for the key verifier of a rule that names no key.
///
/// Guarantees: a key-signed attestation is `.failed` (an untrusted signer); a keyless one is
/// left to the keyless verifier.
public struct KeySignedNotAccepted: AttestationSignatureVerifier {
    public let reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public func verifySignature(of attestation: Attestation, publisher: Publisher) async -> SignatureVerdict {
        guard attestation.verificationMaterial == nil else { return .notApplicable("Sigstore keyless") }
        return .failed("key-signed attestation not accepted: \(reason)")
    }
}

/// Which proof a package met under its rule, for the report.
public struct PolicyProof: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A key anchor's signature.
        case key
        /// A named identity's keyless signature.
        case identity
        /// A keyless signature by the publisher the index names.
        case indexPublisher = "index-publisher"
        /// `require = "integrity"`: the index's wheel and its published sha256.
        case integrity
        /// `require = "none"`.
        case waived
    }

    public var kind: Kind
    /// The anchor's name (key or identity), when one was met.
    public var anchor: String?
    /// One line for people.
    public var detail: String

    public init(kind: Kind, anchor: String?, detail: String) {
        self.kind = kind
        self.anchor = anchor
        self.detail = detail
    }
}
