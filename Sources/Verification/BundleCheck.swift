import Attestations
import Foundation
import PythonPackaging
import Sigstore

/// `verify-bundle`'s flow: a Sigstore bundle file checked offline over an artifact (a file, or a
/// `sha256:` digest) against a certificate identity or a key, under the trusted root `setup`
/// chooses (``VerificationSetup/sigstoreTrustedRoot()``).
///
/// Guarantees: the signer is named exactly one way (an identity with its issuer, both
/// non-empty, or a key file; ``signer(identity:issuer:keyFile:)``); problems are found in this
/// order: the key file, the artifact, the trusted root, the bundle file (each a usage error but
/// a trusted root that cannot be loaded from the cache, which is operational); a bundle that does
/// not decode is a verification failure (``Outcome/malformedBundle(_:)``), as is every refusal of
/// ``BundleVerifier``.
public enum BundleCheck {
    /// Whom the bundle must have been signed by, as the caller names it.
    public enum Signer: Sendable, Equatable {
        /// A Fulcio certificate with exactly this SAN and OIDC issuer.
        case identity(String, issuer: String)
        /// The public key in this PEM file.
        case keyFile(String)
    }

    /// What the check found.
    public enum Outcome: Sendable, Hashable {
        /// The verifier's verdict on the decoded bundle.
        case verdict(BundleVerdict)
        /// The bundle file does not decode as a Sigstore bundle (the reason).
        case malformedBundle(String)
    }

    /// The signer named by an identity and issuer (both non-empty) or by a key file, and by
    /// nothing else; nil for any other combination (none, both, half an identity).
    public static func signer(identity: String?, issuer: String?, keyFile: String?) -> Signer? {
        switch (identity, issuer, keyFile) {
        case (let identity?, let issuer?, nil) where !identity.isEmpty && !issuer.isEmpty:
            .identity(identity, issuer: issuer)
        case (nil, nil, let path?):
            .keyFile(path)
        default:
            nil
        }
    }

    /// The SHA-256 digest an artifact argument names: `sha256:<64 hex digits>` (either case), or
    /// else the digest of the file at that path. Anything else is a usage error naming it.
    public static func artifactDigest(_ artifact: String) throws(VerificationError) -> FileDigest {
        if artifact.hasPrefix("sha256:") {
            do {
                return try FileDigest(hex: String(artifact.dropFirst(7)), algorithm: .sha256)
            } catch {
                throw VerificationError(.usage, "\(artifact) is not sha256:<64 hex digits>")
            }
        }
        do {
            return try FileHashing.digest(ofFileAt: artifact, algorithm: .sha256).digest
        } catch {
            throw VerificationError(.usage, error.message)
        }
    }

    /// Checks the bundle in `bundleFile` over `artifact` for `signer`.
    public static func verify(
        bundleFile: String, artifact: String, signer: Signer,
        setup: VerificationSetup
    ) async throws(VerificationError) -> Outcome {
        let policy: BundleVerifier.Policy
        switch signer {
        case .identity(let identity, let issuer):
            policy = .identity(identity, issuer: issuer)
        case .keyFile(let path):
            // The same reading, and the same messages, as every other trusted key file.
            let keys = try VerificationSetup(keyFiles: [path], environment: [:]).trustedKeys()
            guard let key = keys.first else { throw VerificationError(.usage, "cannot read the key file \(path)") }
            policy = .key(key.key)
        }
        let digest = try artifactDigest(artifact)
        let root = try setup.sigstoreTrustedRoot()
        let data = try NamedFile.read(bundleFile, cap: SigstoreBundle.maxBytes, what: "bundle")
        let bundle: SigstoreBundle
        do {
            bundle = try SigstoreBundle.decode(data)
        } catch {
            return .malformedBundle(error.message)
        }
        return .verdict(await BundleVerifier(trustedRoot: root).verify(bundle, artifactDigest: digest.bytes, policy: policy))
    }
}
