import Foundation
import SwiftASN1
import X509

/// Verifies Sigstore keyless PEP 740 attestations (those carrying `verification_material`)
/// offline against a Sigstore trusted root.
///
/// Guarantees: `.verified` only when, in this order,
/// 1. the FIRST transparency entry (as PEP 740 verifiers use it; a malformed entry anywhere
///    fails) is a Rekor `dsse` 0.0.1 entry recording exactly this statement, signature and
///    certificate, whose SET, inclusion proof and checkpoint verify with a log of the trusted
///    root; its SET-authenticated `integratedTime` is the verification time;
/// 2. the leaf certificate chains to a Fulcio CA of the trusted root valid at that time, and
///    the leaf (and chain) are valid then;
/// 3. the leaf embeds exactly one SCT and it verifies with a CT log of the trusted root;
/// 4. the DSSE signature over `PAE(in-toto type, statement)` verifies with the leaf's ECDSA
///    P-256/P-384 key;
/// 5. the certificate identity is the publisher the index returned (`PublisherIdentityPolicy`);
/// 6. every identity pin the user added (`IdentityPins`) agrees with the certificate — pins are
///    checked in addition to the publisher policy, never instead of it.
/// Otherwise `.failed` with the reason of the first failing step. Key-signed attestations (no
/// verification material) are `.notApplicable`. RFC 3161 timestamps are not used.
public struct SigstoreVerifier: AttestationSignatureVerifier {
    public let trustedRoot: TrustedRoot
    /// Identity constraints added on top of the publisher policy (none by default).
    public let pins: IdentityPins

    public init(trustedRoot: TrustedRoot, pins: IdentityPins = IdentityPins()) {
        self.trustedRoot = trustedRoot
        self.pins = pins
    }

    public func verifySignature(of attestation: Attestation, publisher: Publisher) async -> SignatureVerdict {
        guard let material = attestation.verificationMaterial else {
            return .notApplicable("key-signed (no Sigstore verification material)")
        }
        // 1. Transparency log: the first entry; its SET-verified integratedTime is the time.
        let entry: TransparencyLogEntry
        do {
            let entries = try TransparencyLogEntry.entries(of: material)
            guard let first = entries.first else { return .failed("Sigstore: no transparency entry") }
            entry = first
        } catch {
            return .failed("Sigstore: \(error.message)")
        }
        guard entry.kind == "dsse", entry.version == "0.0.1" else {
            return .failed("Sigstore: transparency entry kind \(entry.kind) \(entry.version) is not dsse 0.0.1")
        }
        let log = TransparencyLogVerifier.verify(entry, of: attestation, logs: trustedRoot.tlogs)
        guard log.isVerified, let time = log.integratedTime else {
            let reasons = log.failures.map { "\($0.name): \($0.result.failure?.description ?? "failed")" }
            return .failed("Sigstore: transparency entry (log index \(entry.logIndex)) does not verify: \(reasons.joined(separator: "; "))")
        }
        // 2. Certificate chain at the log time.
        let chain: FulcioChain
        switch await FulcioChain.verify(leafDER: material.certificate, trustedRoot: trustedRoot, at: time) {
        case .verified(let verified): chain = verified
        case .failed(let reason): return .failed("Sigstore: \(reason)")
        }
        // 3. Exactly one SCT.
        if let reason = SCTVerification.verify(chain: chain, trustedRoot: trustedRoot).failure {
            return .failed("Sigstore: \(reason)")
        }
        // 4. DSSE signature with the leaf key.
        if let reason = Self.signatureProblem(attestation, leaf: chain.leaf) {
            return .failed("Sigstore: \(reason)")
        }
        // 5. Identity.
        let identity: FulcioIdentity
        do {
            identity = try FulcioIdentity(certificate: chain.leaf)
        } catch {
            return .failed("Sigstore: \(error.message)")
        }
        switch PublisherIdentityPolicy.evaluate(publisher, identity: identity) {
        case .mismatch(let reason):
            return .failed("Sigstore: \(reason)")
        case .matches(let who):
            // 6. The user's pins, on top of the publisher.
            var pinned = ""
            if !pins.isEmpty {
                switch pins.evaluate(identity) {
                case .mismatch(let reason): return .failed("Sigstore: \(reason)")
                case .matches(let summary): pinned = "; pinned \(summary)"
                }
            }
            let stamp = time.formatted(.iso8601)
            return .verified(signer: "Sigstore: \(who)\(pinned); Rekor log index \(entry.logIndex) at \(stamp)")
        }
    }

    /// Why the envelope signature does not verify with the leaf's key, nil when it does.
    static func signatureProblem(_ attestation: Attestation, leaf: Certificate) -> String? {
        let key: PublicKey
        do {
            var serializer = DER.Serializer()
            try serializer.serialize(leaf.publicKey)
            key = try PublicKey(spkiDER: serializer.serializedBytes)
        } catch {
            return "signing certificate public key cannot be read"
        }
        switch key.kind {
        case .ecdsaP256, .ecdsaP384: break
        default: return "signing certificate key \(key.kind) is not ECDSA P-256/P-384"
        }
        let message = DSSE.pae(payloadType: DSSE.inTotoPayloadType, payload: attestation.envelope.statement)
        guard key.isValidSignature(attestation.envelope.signature, for: message, rsaPadding: .pkcs1v15) else {
            return "DSSE signature does not verify with the signing certificate's key"
        }
        return nil
    }
}
