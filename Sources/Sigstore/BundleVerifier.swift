import Attestations
import Crypto
import Foundation
import PythonPackaging

/// The outcome of verifying a Sigstore bundle: `.verified` with a one-line description of who
/// signed and the times used, or `.failed` with the stage and reason of the first failing step.
public enum BundleVerdict: Verdict, Hashable {
    case verified(String)
    case failed(SigstoreFailure)

    public var isVerified: Bool {
        if case .verified = self { return true }
        return false
    }

    /// The reason of the failure (one line), nil when verified.
    public var failure: String? {
        if case .failed(let failure) = self { return failure.reason }
        return nil
    }

    /// The typed failure (stage, reason, failed log checks), nil when verified.
    public var refusal: SigstoreFailure? {
        if case .failed(let failure) = self { return failure }
        return nil
    }
}

/// Verifies Sigstore bundles (v0.1–v0.3; message signatures and DSSE) offline against a trusted
/// root, with the same `SigstoreCore` as PEP 740 attestations.
///
/// Guarantees: `.verified` only when
/// - the bundle's material fits the policy: a certificate for `.identity`, a public-key hint for
///   `.key` (the key is the caller's, never the bundle's);
/// - the artifact is bound: for a message signature, the bundle's message digest (when present)
///   equals the artifact's SHA-256 and the signature is checked over that digest (the Rekor
///   `hashedrekord` entry must record the same digest, signature and certificate/key); for a
///   DSSE envelope, the payload is an in-toto statement one of whose subjects has sha256 equal
///   to the artifact digest (unless no digest is given), and the Rekor entry is a `dsse` (0.0.1/0.0.2),
///   `intoto` 0.0.2 or `hashedrekord` 0.0.2 entry recording this envelope;
/// - the log evidence fits the bundle version: v0.1 requires an inclusion promise (SET), v0.2+
///   an inclusion proof with its checkpoint; whatever is present is verified;
/// - `SigstoreCore.verify` verifies everything else (timestamps, time policy, chain, SCT,
///   signature) and, for `.identity`, the certificate SAN equals the identity and its OIDC
///   issuer the issuer (`IdentityPins` identity + issuer).
public struct BundleVerifier: Sendable {
    /// Whom the bundle must have been signed by.
    public enum Policy: Sendable {
        /// A Fulcio certificate with exactly this SAN and OIDC issuer.
        case identity(String, issuer: String)
        /// A key-signed bundle whose key is this one.
        case key(PublicKey)
    }

    public let trustedRoot: TrustedRoot

    public init(trustedRoot: TrustedRoot) {
        self.trustedRoot = trustedRoot
    }

    /// The entry kinds accepted for each content form.
    static let messageKinds: Set<String> = ["hashedrekord/0.0.1", "hashedrekord/0.0.2"]
    static let dsseKinds: Set<String> = ["dsse/0.0.1", "dsse/0.0.2", "intoto/0.0.2", "hashedrekord/0.0.2"]

    /// Verifies `bundle` over the artifact whose SHA-256 is `artifactDigest`. A nil digest is
    /// accepted only for a DSSE bundle and verifies the envelope alone (no artifact binding:
    /// what `verify_dsse` of sigstore clients does); a message signature always needs one.
    public func verify(_ bundle: SigstoreBundle, artifactDigest: [UInt8]?, policy: Policy) async -> BundleVerdict {
        if let artifactDigest, artifactDigest.count != 32 {
            return .failed(SigstoreFailure(.artifact, "artifact digest is not 32 bytes of SHA-256"))
        }
        let signer: SigstoreSigner
        switch (bundle.material, policy) {
        case (.certificate(let der), .identity): signer = .certificate(der)
        case (.publicKey, .key(let key)): signer = .publicKey(key)
        case (.certificate, .key):
            return .failed(
                SigstoreFailure(
                    .material, "the bundle carries a certificate; a public key verifies key-signed bundles only",
                    materialMismatch: .certificateForKeyPolicy))
        case (.publicKey, .identity):
            return .failed(
                SigstoreFailure(
                    .material, "the bundle is key-signed (public key hint); verify it with the signer's public key",
                    materialMismatch: .keyHintForIdentityPolicy))
        }
        let content: SigstoreContent
        let kinds: Set<String>
        switch bundle.content {
        case .messageSignature(let digest, let signature):
            guard let artifactDigest else {
                return .failed(SigstoreFailure(.artifact, "a message-signature bundle needs the artifact or its digest"))
            }
            if let digest, digest != artifactDigest {
                return .failed(
                    SigstoreFailure(
                        .artifact,
                        "the bundle's message digest \(Encoding.hex(digest)) is not the artifact's sha256 \(Encoding.hex(artifactDigest))"))
            }
            content = .messageSignature(digest: artifactDigest, signature: signature)
            kinds = Self.messageKinds
        case .dsse(let type, let payload, let signature):
            if let artifactDigest, let problem = Self.subjectProblem(payloadType: type, payload: payload, digest: artifactDigest) {
                return .failed(SigstoreFailure(.artifact, problem))
            }
            content = .dsse(payloadType: type, payload: payload, signature: signature)
            kinds = Self.dsseKinds
        }
        let requirements =
            bundle.version == 1
            ? LogRequirements(signedEntryTimestamp: true, inclusionProof: false)
            : LogRequirements(signedEntryTimestamp: false, inclusionProof: true)
        let evidence = SigstoreEvidence(
            signer: signer, content: content, entries: [bundle.entry], timestamps: bundle.timestamps,
            requirements: requirements, acceptedKinds: kinds)
        let verdict = await SigstoreCore.verify(evidence, trustedRoot: trustedRoot) { identity in
            guard case .identity(let san, let issuer) = policy else { return .mismatch("no identity policy") }
            return IdentityPins(identity: san, issuer: issuer).evaluate(identity)
        }
        switch verdict {
        case .failed(let failure): return .failed(failure)
        case .verified(let verified):
            let who: String
            switch policy {
            case .identity: who = verified.identity ?? "?"
            case .key(let key): who = "key \(key.keyID)"
            }
            return .verified("bundle v0.\(bundle.version) signed by \(who); \(SigstoreVerifier.describe(verified))")
        }
    }

    /// Why an in-toto DSSE payload does not name the artifact, nil when one subject's sha256 is it.
    static func subjectProblem(payloadType: String, payload: [UInt8], digest: [UInt8]) -> String? {
        guard payloadType == DSSE.inTotoPayloadType else {
            return "DSSE payload type \(payloadType) is not \(DSSE.inTotoPayloadType); the artifact cannot be bound"
        }
        guard let statement = try? JSONValue.parse(Data(payload), what: "in-toto statement"),
            let subjects = statement["subject"]?.arrayValue
        else {
            return "DSSE payload is not an in-toto statement with subjects"
        }
        let hex = Encoding.hex(digest)
        guard subjects.contains(where: { $0["digest"]?["sha256"]?.stringValue?.lowercased() == hex }) else {
            return "no subject of the DSSE statement has the artifact's sha256 \(hex)"
        }
        return nil
    }
}
