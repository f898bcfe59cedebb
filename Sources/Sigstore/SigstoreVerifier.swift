import Attestations
import Foundation
import SwiftASN1
import X509

/// Verifies Sigstore keyless PEP 740 attestations (those carrying `verification_material`)
/// offline against a Sigstore trusted root.
///
/// Guarantees: `.verified` only when `SigstoreCore.verify` verifies the attestation as evidence
/// with these PEP 740 specifics:
/// - the FIRST transparency entry (a malformed entry anywhere fails) is a Rekor `dsse` entry —
///   0.0.1 (Rekor v1: SET, inclusion proof and checkpoint all required) or 0.0.2 (Rekor v2:
///   inclusion proof and Ed25519-signed checkpoint; no SET, so a verified RFC 3161 timestamp is
///   required) — recording exactly this statement, signature and certificate;
/// - every `verification_material.timestamps` token verifies against a TSA of the trusted root;
/// - the leaf chains to a Fulcio CA and is valid at EVERY verified time (SET integratedTime,
///   each TSA genTime), with exactly one valid SCT;
/// - the DSSE signature over `PAE(in-toto type, statement)` verifies with the leaf's ECDSA
///   P-256/P-384 key;
/// - the certificate identity is the publisher the index returned (`PublisherIdentityPolicy`),
///   and every identity pin the user added (`IdentityPins`) agrees — pins are checked in addition
///   to the publisher policy, never instead of it; for a lone attestation (`Publisher.localFile`,
///   no index publisher) the pins are the policy and must name a signer (`bindsSigner`).
/// Otherwise `.failed` with the reason of the first failing step. The verified line names the
/// times used. Key-signed attestations (no verification material) are `.notApplicable`.
public struct SigstoreVerifier: AttestationSignatureVerifier {
    public let trustedRoot: TrustedRoot
    /// Identity constraints added on top of the publisher policy (none by default).
    public let pins: IdentityPins
    /// Which keyless signers are accepted: by default the publisher the index names (with `pins`);
    /// a policy rule names its own identities instead (``KeylessAcceptance``).
    public let acceptance: KeylessAcceptance

    /// The entry kinds a PEP 740 attestation may be logged as (`intoto` 0.0.2: a DSSE envelope
    /// logged by `cosign attest`, checked as strictly as `dsse`).
    public static let acceptedKinds: Set<String> = ["dsse/0.0.1", "dsse/0.0.2", "intoto/0.0.2"]

    public init(trustedRoot: TrustedRoot, pins: IdentityPins = IdentityPins()) {
        self.trustedRoot = trustedRoot
        self.pins = pins
        self.acceptance = .indexPublisher(pins)
    }

    /// A verifier that accepts the keyless signers `acceptance` names.
    public init(trustedRoot: TrustedRoot, acceptance: KeylessAcceptance) {
        self.trustedRoot = trustedRoot
        self.acceptance = acceptance
        if case .indexPublisher(let pins) = acceptance { self.pins = pins } else { self.pins = IdentityPins() }
    }

    public func verifySignature(of attestation: Attestation, publisher: Publisher) async -> SignatureVerdict {
        guard let material = attestation.verificationMaterial else {
            return .notApplicable("key-signed (no Sigstore verification material)")
        }
        let evidence: SigstoreEvidence
        do {
            evidence = try Self.evidence(of: attestation, material: material)
        } catch {
            return .failed("Sigstore: \(error.message)")
        }
        if case .anchors(let anchors, let alsoIndexPublisher) = acceptance {
            return await verifyAgainst(anchors, alsoIndexPublisher: alsoIndexPublisher, evidence: evidence, publisher: publisher)
        }
        let pins = self.pins
        let verdict = await SigstoreCore.verify(evidence, trustedRoot: trustedRoot) { identity in
            if publisher == .localFile {
                // No index named a publisher: the user's pins are the whole identity policy.
                guard pins.bindsSigner else {
                    return .mismatch(
                        "a lone attestation names no publisher; pin the signer: an identity with its issuer, a source repository or a GCP service account"
                    )
                }
                switch pins.evaluate(identity) {
                case .mismatch(let reason): return .mismatch(reason)
                case .matches(let summary): return .matches("pinned \(summary)")
                }
            }
            switch PublisherIdentityPolicy.evaluate(publisher, identity: identity) {
            case .mismatch(let reason): return .mismatch(reason)
            case .matches(let who):
                guard !pins.isEmpty else { return .matches(who) }
                switch pins.evaluate(identity) {
                case .mismatch(let reason): return .mismatch(reason)
                case .matches(let summary): return .matches("\(who); pinned \(summary)")
                }
            }
        }
        return Self.signatureVerdict(verdict, boundTo: publisher)
    }

    /// `.anchors`: the first named identity the certificate satisfies (in order), else the
    /// index-named publisher when allowed; the signer recorded is the identity matched.
    private func verifyAgainst(
        _ anchors: [NamedPublisher], alsoIndexPublisher: Bool, evidence: SigstoreEvidence, publisher: Publisher
    ) async -> SignatureVerdict {
        var matched: Publisher?
        let verdict = await SigstoreCore.verify(evidence, trustedRoot: trustedRoot) { identity in
            var reasons: [String] = []
            for anchor in anchors {
                switch anchor.evaluate(identity, indexPublisher: publisher) {
                case .matches(let who):
                    matched = anchor.publisher
                    return .matches(who)
                case .mismatch(let reason): reasons.append(reason)
                }
            }
            if alsoIndexPublisher {
                if publisher == .localFile {
                    reasons.append("the index-named publisher: a lone attestation names no publisher")
                } else {
                    switch PublisherIdentityPolicy.evaluate(publisher, identity: identity) {
                    case .matches(let who):
                        matched = publisher
                        return .matches("the index-named publisher: \(who)")
                    case .mismatch(let reason): reasons.append("the index-named publisher: \(reason)")
                    }
                }
            }
            if reasons.isEmpty { return .mismatch("no keyless identity is accepted") }
            return .mismatch("the certificate is none of the accepted identities (\(reasons.joined(separator: "; ")))")
        }
        return Self.signatureVerdict(verdict, boundTo: matched ?? publisher)
    }

    /// The Sigstore verdict as a signature verdict; a verified one names `publisher`, the
    /// publisher the certificate was bound to.
    static func signatureVerdict(_ verdict: SigstoreCoreVerdict, boundTo publisher: Publisher) -> SignatureVerdict {
        switch verdict {
        case .failed(let reason):
            return .failed("Sigstore: \(reason)")
        case .verified(let verified):
            return .verified(
                signer: "Sigstore: \(verified.identity ?? "?"); \(Self.describe(verified))",
                identity: .keyless(publisher: publisher, certificateIdentity: verified.identity ?? ""))
        }
    }

    /// The evidence a PEP 740 attestation carries.
    static func evidence(of attestation: Attestation, material: VerificationMaterial) throws(AttestationError) -> SigstoreEvidence {
        SigstoreEvidence(
            signer: .certificate(material.certificate), content: SigstoreContent(attestation.envelope),
            entries: try TransparencyLogEntry.entries(of: material), timestamps: material.timestamps,
            requirements: .all, acceptedKinds: acceptedKinds)
    }

    /// `Rekor log index N (v1|v2) at T; verified at <times>`.
    static func describe(_ verified: VerifiedSigstoreSignature) -> String {
        let entry = verified.entry
        let rekor = TransparencyLogVerifier.isRekorV2(entry) ? "Rekor v2" : "Rekor"
        let head: String
        if let set = verified.times.first(where: { if case .integratedTime = $0.source { return true } else { return false } }) {
            head = "\(rekor) log index \(entry.logIndex) at \(set.date.formatted(.iso8601))"
        } else {
            head = "\(rekor) log index \(entry.logIndex)"
        }
        return "\(head); verified times: \(verified.times.map(\.description).joined(separator: ", "))"
    }
}
