import Attestations
import Crypto
import Foundation
import PythonPackaging
import SwiftASN1
import X509
import _CryptoExtras

/// One authenticated time a Sigstore signature was verified at.
public struct VerifiedTime: Sendable, Hashable, CustomStringConvertible {
    public enum Source: Sendable, Hashable {
        /// A Rekor v1 entry's SET-verified `integratedTime` (with the entry's log index).
        case integratedTime(logIndex: Int64)
        /// An RFC 3161 timestamp verified against the named timestamp authority.
        case timestampAuthority(String)
    }

    public let date: Date
    public let source: Source

    public var description: String {
        let stamp = date.formatted(.iso8601)
        switch source {
        case .integratedTime(let index): return "Rekor integratedTime \(stamp) (log index \(index))"
        case .timestampAuthority(let name): return "RFC 3161 timestamp \(stamp) (TSA \(name))"
        }
    }
}

/// Everything one Sigstore signature comes with, whatever carried it (a PEP 740 attestation or a
/// Sigstore bundle).
public struct SigstoreEvidence: Sendable {
    public var signer: SigstoreSigner
    public var content: SigstoreContent
    /// The transparency entries; the first is the one verified (PEP 740 and bundles carry one).
    public var entries: [TransparencyLogEntry]
    /// RFC 3161 timestamp tokens (DER TimeStampResp or TimeStampToken).
    public var timestamps: [[UInt8]]
    /// Which log evidence the entry must carry.
    public var requirements: LogRequirements
    /// The entry kinds accepted, as `kind/version` (e.g. `dsse/0.0.1`).
    public var acceptedKinds: Set<String>

    public init(
        signer: SigstoreSigner, content: SigstoreContent, entries: [TransparencyLogEntry], timestamps: [[UInt8]],
        requirements: LogRequirements, acceptedKinds: Set<String>
    ) {
        self.signer = signer
        self.content = content
        self.entries = entries
        self.timestamps = timestamps
        self.requirements = requirements
        self.acceptedKinds = acceptedKinds
    }
}

/// A Sigstore signature that verified (only obtainable from `SigstoreCore.verify`).
public struct VerifiedSigstoreSignature: Sendable {
    /// The transparency entry that verified.
    public let entry: TransparencyLogEntry
    /// The Fulcio chain (nil for a public-key signer).
    public let chain: FulcioChain?
    /// What the identity check said matched (nil for a public-key signer).
    public let identity: String?
    /// Every verified time, in the order collected (SET time first, then timestamps).
    public let times: [VerifiedTime]
}

/// The outcome of `SigstoreCore.verify`.
public enum SigstoreCoreVerdict: Verdict {
    case verified(VerifiedSigstoreSignature)
    case failed(SigstoreFailure)

    /// The stage and reason when failed.
    public var failure: SigstoreFailure? {
        if case .failed(let failure) = self { return failure }
        return nil
    }
}

/// Why a Sigstore signature did not verify: the stage that refused it and a one-line reason.
///
/// Guarantees: `stage` names the first failing step of `SigstoreCore.verify` (or of the
/// bundle's binding to the artifact and policy, `BundleVerifier`); `reason` is the one-line
/// explanation (also `description`); for `.transparencyLog`, `logFailures` holds every failed
/// log check with its typed reason (`LogCheckFailure.Reason`), empty otherwise.
public struct SigstoreFailure: Sendable, Hashable, CustomStringConvertible {
    /// The verification steps, in the order they run.
    public enum Stage: String, Sendable, Hashable, CaseIterable {
        /// The bundle could not be read (`SigstoreBundle.decode` threw); for callers that fold a
        /// decoding error into a verdict (the verifiers themselves never return it).
        case bundleFormat
        /// The bundle's signing material does not fit the policy (a certificate where a key was
        /// named, or the reverse).
        case material
        /// The signed content does not name the artifact (message digest, DSSE subject).
        case artifact
        /// The transparency entry is missing or of a kind not accepted for this content.
        case entryKind
        /// The transparency entry does not verify (body, SET, inclusion proof, checkpoint).
        case transparencyLog
        /// An RFC 3161 timestamp does not verify (or too many, or duplicates).
        case timestamp
        /// No verified time, or the log key is not valid at a verified time.
        case timePolicy
        /// The certificate does not chain to a CA of the trusted root at every verified time.
        case certificateChain
        /// The certificate's embedded SCT does not verify.
        case certificateTransparency
        /// The signature does not verify with the certificate's (or the given) key.
        case signature
        /// The certificate's identity does not match the policy.
        case identity
    }

    public let stage: Stage
    public let reason: String
    /// The failed transparency-log checks (for `.transparencyLog`).
    public let logFailures: [LogCheck]
    /// Set when the bundle's material does not fit the policy asked for, so a caller can say
    /// which of its own options fits (the reason never names one).
    public let materialMismatch: MaterialMismatch?

    /// A bundle whose material does not fit the verification policy.
    public enum MaterialMismatch: String, Sendable, Hashable, CaseIterable {
        /// A certificate (keyless) bundle given to a public-key policy.
        case certificateForKeyPolicy
        /// A key-signed bundle (public-key hint) given to an identity policy.
        case keyHintForIdentityPolicy
    }

    public init(_ stage: Stage, _ reason: String, logFailures: [LogCheck] = [], materialMismatch: MaterialMismatch? = nil) {
        self.stage = stage
        self.reason = reason
        self.logFailures = logFailures
        self.materialMismatch = materialMismatch
    }

    public var description: String { reason }
}

/// The one verification sequence behind PEP 740 keyless attestations and Sigstore bundles.
///
/// Guarantees: `.verified` only when, in this order,
/// 1. the first transparency entry is of an accepted kind and verifies with a log of the trusted
///    root (`TransparencyLogVerifier`: body consistent with the content and signer; SET, inclusion
///    proof and checkpoint as the requirements ask, and whatever is present);
/// 2. every RFC 3161 timestamp (at most 32, no two identical) verifies over the signature
///    (`TimestampVerification`) — one that does not fails the whole signature;
/// 3. time policy: the verified times are the SET-verified `integratedTime` (Rekor v1) and each
///    timestamp's `genTime`; at least one is required, whoever signed (a certificate must be
///    valid at one; the log key that signed the checkpoint must have been valid at one); for an
///    entry without a verified SET (Rekor v2, or a Rekor v1 entry carrying only its proof) the
///    log key's `validFor` must contain every verified time;
/// 4. certificate signer: the leaf chains to a Fulcio CA of the trusted root and is valid at
///    EVERY verified time (`FulcioChain`); it embeds exactly one SCT that verifies
///    (`SCTVerification`);
/// 5. the signature verifies with the leaf's (or the given) key: DSSE over
///    `PAE(payloadType, payload)`, a message signature over the artifact digest (ECDSA P-256/P-384,
///    RSA PKCS#1 v1.5; Ed25519 cannot verify a bare digest and fails);
/// 6. certificate signer: `identity` matches the leaf's Fulcio identity.
/// Otherwise `.failed` with the stage and reason of the first failing step (`SigstoreFailure`).
public enum SigstoreCore {
    public static func verify(
        _ evidence: SigstoreEvidence, trustedRoot: TrustedRoot,
        identity: (FulcioIdentity) -> PublisherIdentityVerdict
    ) async -> SigstoreCoreVerdict {
        // 1. Transparency log.
        guard let entry = evidence.entries.first else { return .failed(SigstoreFailure(.entryKind, "no transparency entry")) }
        guard evidence.acceptedKinds.contains("\(entry.kind)/\(entry.version)") else {
            let accepted = evidence.acceptedKinds.sorted().joined(separator: ", ")
            return .failed(
                SigstoreFailure(.entryKind, "transparency entry kind \(entry.kind) \(entry.version) is not accepted here (\(accepted))"))
        }
        let log = TransparencyLogVerifier.verify(
            entry, content: evidence.content, signer: evidence.signer,
            logs: trustedRoot.tlogs, requirements: evidence.requirements)
        guard log.isVerified else {
            let reasons = log.failures.map { "\($0.name): \($0.result.failure?.description ?? "failed")" }
            return .failed(
                SigstoreFailure(
                    .transparencyLog,
                    "transparency entry (log index \(entry.logIndex)) does not verify: \(reasons.joined(separator: "; "))",
                    logFailures: log.failures))
        }
        var times: [VerifiedTime] = []
        if let time = log.integratedTime { times.append(VerifiedTime(date: time, source: .integratedTime(logIndex: entry.logIndex))) }
        // 2. Timestamps.
        guard evidence.timestamps.count <= TimestampVerification.maxTimestamps else {
            return .failed(
                SigstoreFailure(
                    .timestamp,
                    "\(evidence.timestamps.count) RFC 3161 timestamps; at most \(TimestampVerification.maxTimestamps) are accepted"))
        }
        guard Set(evidence.timestamps).count == evidence.timestamps.count else {
            return .failed(SigstoreFailure(.timestamp, "duplicate RFC 3161 timestamp"))
        }
        for (index, token) in evidence.timestamps.enumerated() {
            switch await TimestampVerification.verify(token: token, signature: evidence.content.signature, trustedRoot: trustedRoot) {
            case .failed(let reason): return .failed(SigstoreFailure(.timestamp, "timestamp \(index): \(reason)"))
            case .verified(let stamp):
                let name = stamp.authority.commonName ?? stamp.authority.uri ?? "?"
                times.append(VerifiedTime(date: stamp.time, source: .timestampAuthority(name)))
            }
        }
        // 3. Time policy. Without a verified time nothing shows the certificate, or the log key
        // that signed the checkpoint, was valid when used: required for key signers too.
        guard !times.isEmpty else {
            return .failed(
                SigstoreFailure(
                    .timePolicy,
                    TransparencyLogVerifier.isRekorV2(entry)
                        ? "no verified time: a Rekor v2 entry has no integrated time and no RFC 3161 timestamp verified"
                        : "no verified time: the entry has no verified SET and no RFC 3161 timestamp verified"))
        }
        // A verified SET checked its own time against the log key's window; otherwise the
        // checkpoint signature is all there is, and the key must be valid at every verified time.
        if log.integratedTime == nil, let window = log.logKeyValidity,
            let outside = times.first(where: { !window.contains($0.date) })
        {
            let rekor = TransparencyLogVerifier.isRekorV2(entry) ? "Rekor v2" : "Rekor"
            return .failed(SigstoreFailure(.timePolicy, "the \(rekor) log key is not valid at the verified time \(outside)"))
        }
        switch evidence.signer {
        case .publicKey(let key):
            if let problem = signatureProblem(evidence.content, key: key) { return .failed(SigstoreFailure(.signature, problem)) }
            return .verified(VerifiedSigstoreSignature(entry: entry, chain: nil, identity: nil, times: times))
        case .certificate(let der):
            // 4. Certificate chain at every verified time.
            var chain: FulcioChain?
            for time in times {
                switch await FulcioChain.verify(leafDER: der, trustedRoot: trustedRoot, at: time.date) {
                case .verified(let verified): chain = chain ?? verified
                case .failed(let reason): return .failed(SigstoreFailure(.certificateChain, "\(reason) [\(time)]"))
                }
            }
            guard let chain else { return .failed(SigstoreFailure(.certificateChain, "signing certificate chain not verified")) }
            if let reason = SCTVerification.verify(chain: chain, trustedRoot: trustedRoot).failure {
                return .failed(SigstoreFailure(.certificateTransparency, reason))
            }
            // 5. Signature.
            if let problem = signatureProblem(evidence.content, leaf: chain.leaf) { return .failed(SigstoreFailure(.signature, problem)) }
            // 6. Identity.
            let fulcio: FulcioIdentity
            do {
                fulcio = try FulcioIdentity(certificate: chain.leaf)
            } catch {
                return .failed(SigstoreFailure(.identity, error.message))
            }
            switch identity(fulcio) {
            case .mismatch(let reason): return .failed(SigstoreFailure(.identity, reason))
            case .matches(let who):
                return .verified(VerifiedSigstoreSignature(entry: entry, chain: chain, identity: who, times: times))
            }
        }
    }

    /// Why the content's signature does not verify with the key of the Fulcio `leaf` (which must
    /// be ECDSA P-256 or P-384), nil when it does.
    static func signatureProblem(_ content: SigstoreContent, leaf: Certificate) -> String? {
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
        return signatureProblem(content, key: key)
    }

    /// Why the content's signature does not verify with `key`, nil when it does.
    static func signatureProblem(_ content: SigstoreContent, key: PublicKey) -> String? {
        switch content {
        case .dsse(let type, let payload, let signature):
            let message = DSSE.pae(payloadType: type, payload: payload)
            guard key.isValidSignature(signature, for: message, rsaPadding: .pkcs1v15) else {
                return "DSSE signature does not verify with the signing certificate's key"
            }
        case .messageSignature(let digest, let signature):
            guard digest.count == 32 else { return "artifact digest is not 32 bytes of SHA-256" }
            let prehashed = PrehashedSHA256(bytes: digest)
            let valid: Bool
            switch key.backing {
            case .p256(let key):
                valid =
                    (try? P256.Signing.ECDSASignature(derRepresentation: signature)).map { key.isValidSignature($0, for: prehashed) }
                    ?? false
            case .p384(let key):
                valid =
                    (try? P384.Signing.ECDSASignature(derRepresentation: signature)).map { key.isValidSignature($0, for: prehashed) }
                    ?? false
            case .rsa(let key):
                valid = key.isValidSignature(
                    _RSA.Signing.RSASignature(rawRepresentation: signature), for: prehashed, padding: .insecurePKCS1v1_5)
            case .ed25519:
                return "an Ed25519 key cannot verify a signature over a bare SHA-256 digest"
            }
            guard valid else { return "message signature does not verify with the signing key over the artifact digest" }
        }
        return nil
    }
}
