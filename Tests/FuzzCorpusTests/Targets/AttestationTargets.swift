import Foundation
import X509

@testable import Attestations
@testable import PythonPackaging
@testable import Sigstore
@testable import TUF
@testable import Verification

/// Parsers of `Attestations`: PEP 740 provenance and attestations, DSSE, in-toto statements,
/// Sigstore bundles, trust roots, Rekor entries and bodies, checkpoints, RFC 3161 tokens,
/// certificates and their SCTs, keys; and the verifiers that consume them.
enum AttestationTargets {
    static let productionRoot: TrustedRoot = {
        guard let root = try? TrustedRoot.production else { preconditionFailure("bundled production trust root") }
        return root
    }()

    /// The verifiers `verify` runs: Sigstore keyless against the bundled root, and a pinned key.
    static let verifier = ProvenanceVerifier(verifiers: [
        SigstoreVerifier(trustedRoot: productionRoot),
        KeySignatureVerifier(trustedKeys: [TrustedKey.redHatRelease3]),
    ])

    /// No scalar a terminal acts on, apart from the line breaks the description itself writes.
    static func isTerminalSafe(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0 == "\n" || !TerminalEscaping.mustEscape($0) }
    }

    /// What an attestation's parts decode to, step by step, as the verifier reaches them.
    static func decodeParts(of attestation: Attestation, into broken: inout Broken) {
        broken.require(
            (try? Attestation.decode(attestation.encoded())) == attestation,
            "an attestation does not survive encoded() and decode")
        if let statement = try? Statement(parsing: attestation.envelope.statement) {
            _ = StatementChecks.evaluate(statement, distribution: "pkg-1.0-py3-none-any.whl", sha256Hex: zeros)
        }
        guard let material = attestation.verificationMaterial else { return }
        if let entries = try? TransparencyLogEntry.entries(of: material) {
            for entry in entries { decodeParts(of: entry) }
        }
        _ = try? FulcioIdentity(certificateDER: material.certificate)
        for token in material.timestamps { _ = try? RFC3161Timestamp(derEncoded: token) }
    }

    static func decodeParts(of entry: TransparencyLogEntry) {
        _ = try? RekorBody(of: entry)
        _ = try? SignedEntryTimestamp.payload(for: entry)
        _ = MerkleInclusion.verify(entry)
        if let checkpoint = entry.inclusionProof?.checkpoint { _ = try? Checkpoint(parsing: checkpoint) }
    }

    /// The subject the statement names, so that the statement checks pass and the verifier
    /// goes on with the input instead of stopping at a name or digest mismatch.
    /// A digest no seed states.
    static let zeros = SHA256Hex(String(repeating: "0", count: 64))!

    /// The first subject's name and sha256 (parsed as the pipeline parses what enters: a stated
    /// text that is not 64 hex digits is no digest, and `zeros` stands for it).
    static func subject(of provenance: Provenance) -> (String, SHA256Hex) {
        for bundle in provenance.attestationBundles {
            for attestation in bundle.attestations {
                if let statement = try? Statement(parsing: attestation.envelope.statement), let first = statement.subjects.first {
                    return (first.name, first.digest["sha256"].flatMap { SHA256Hex(normalizing: $0) } ?? zeros)
                }
            }
        }
        return ("pkg-1.0-py3-none-any.whl", zeros)
    }

    static let provenance = FuzzTarget(
        "provenance", "Provenance.decode or Attestation.decode, every part, ProvenanceVerifier (Sigstore + key), ProvenanceDescription",
        async: { bytes in
            var broken = Broken()
            let data = Data(bytes)
            let provenance: Provenance
            if let decoded = try? Provenance.decode(data) {
                provenance = decoded
            } else if let attestation = try? Attestation.decode(data) {
                provenance = Provenance(attestationBundles: [AttestationBundle(publisher: .localFile, attestations: [attestation])])
            } else {
                return []
            }
            for bundle in provenance.attestationBundles {
                for attestation in bundle.attestations { decodeParts(of: attestation, into: &broken) }
            }
            let (name, digest) = subject(of: provenance)
            // Real seeds verify (their statement names their own subject); what counts here is that
            // every hostile variant is answered without a crash, hang or unbounded memory.
            _ = await verifier.verify(provenance, distribution: name, sha256Hex: digest)
            broken.require(isTerminalSafe(ProvenanceDescription.describe(provenance)), "the description holds a raw control character")
            return broken.list
        })

    static let dsse = FuzzTarget(
        "dsse", "DSSEEnvelope.decode, PAE, the payload as a statement",
        sync: { bytes in
            guard let envelope = try? DSSEEnvelope.decode(Data(bytes)) else { return [] }
            var broken = Broken()
            let pae = DSSE.pae(payloadType: envelope.payloadType, payload: envelope.payload)
            broken.require(pae.count >= envelope.payload.count + envelope.payloadType.utf8.count, "PAE shorter than its parts")
            if let statement = try? Statement(parsing: envelope.payload) {
                _ = StatementChecks.evaluate(statement, distribution: "blob", sha256Hex: zeros)
            }
            return broken.list
        })

    static let statement = FuzzTarget(
        "statement", "Statement(parsing:), StatementChecks.evaluate",
        sync: { bytes in
            guard let statement = try? Statement(parsing: bytes) else { return [] }
            var broken = Broken()
            let name = statement.subjects.first?.name ?? "pkg-1.0-py3-none-any.whl"
            let digest = statement.subjects.first?.digest["sha256"].flatMap { SHA256Hex(normalizing: $0) } ?? zeros
            let checks = StatementChecks.evaluate(statement, distribution: name, sha256Hex: digest)
            broken.require(!checks.isEmpty, "no statement check ran")
            // Exactly one subject is the PEP 740 rule: two subjects must fail a check, whatever they hold.
            if statement.subjects.count != 1 {
                broken.require(checks.contains { !$0.passed }, "\(statement.subjects.count) subjects passed every check")
            }
            return broken.list
        })

    static let bundle = FuzzTarget(
        "bundle", "SigstoreBundle.decode, encoded() round trip, Attestation(bundle:), BundleVerifier",
        async: { bytes in
            guard let bundle = try? SigstoreBundle.decode(Data(bytes)) else { return [] }
            var broken = Broken()
            let again = try? SigstoreBundle.decode(bundle.encoded())
            broken.require(again?.encoded() == bundle.encoded(), "a bundle does not survive encoded() and decode")
            decodeParts(of: bundle.entry)
            if let attestation = try? Attestation(bundle: bundle) { decodeParts(of: attestation, into: &broken) }
            if case .certificate(let der) = bundle.material { _ = try? FulcioIdentity(certificateDER: der) }
            for token in bundle.timestamps { _ = try? RFC3161Timestamp(derEncoded: token) }
            let verdict = await BundleVerifier(trustedRoot: productionRoot)
                .verify(bundle, artifactDigest: nil, policy: .identity("fuzz@example.invalid", issuer: "https://example.invalid"))
            broken.require(!verdict.isVerified, "a bundle verified for an identity nobody holds")
            return broken.list
        })

    static let trustedRoot = FuzzTarget(
        "trusted-root", "TrustedRoot.decode, CertificateAuthority.decode",
        sync: { bytes in
            _ = try? TrustedRoot.decode(Data(bytes))
            _ = try? CertificateAuthority.decode(Data(bytes))
            return []
        })

    static let rekorBody = FuzzTarget(
        "rekor-body", "RekorBody(decoding:) (dsse, hashedrekord, intoto; v0.0.1 and v0.0.2)",
        sync: { bytes in
            _ = try? RekorBody(decoding: bytes)
            return []
        })

    static let logEntry = FuzzTarget(
        "log-entry", "TransparencyLogEntry(json:), RekorBody, SET payload, Merkle inclusion, checkpoint",
        sync: { bytes in
            guard let json = try? JSONValue.parse(Data(bytes), what: "entry"),
                let entry = try? TransparencyLogEntry(json: json)
            else { return [] }
            var broken = Broken()
            broken.require(entry.canonicalizedBody.count <= TransparencyLogEntry.maxBodyBytes, "body over the cap accepted")
            broken.require((entry.inclusionProof?.hashes.count ?? 0) <= TransparencyLogEntry.maxProofHashes, "proof over the cap accepted")
            decodeParts(of: entry)
            return broken.list
        })

    static let checkpoint = FuzzTarget(
        "checkpoint", "Checkpoint(parsing:) (signed note)",
        sync: { bytes in
            guard let checkpoint = try? Checkpoint(parsing: FuzzBytes.text(bytes)) else { return [] }
            var broken = Broken()
            broken.require(!checkpoint.origin.isEmpty && checkpoint.treeSize >= 0, "origin or size out of shape")
            broken.require(checkpoint.signatures.count <= Checkpoint.maxSignatures, "signatures over the cap accepted")
            return broken.list
        })

    static let timestamp = FuzzTarget(
        "timestamp", "RFC3161Timestamp(derEncoded:), TimestampVerification.verify",
        async: { bytes in
            guard let token = try? RFC3161Timestamp(derEncoded: bytes) else { return [] }
            let verdict = await TimestampVerification.verify(token, signature: Array("signature".utf8), trustedRoot: productionRoot)
            var broken = Broken()
            broken.require(verdict.timestamp == nil, "a timestamp over a made-up signature verified")
            return broken.list
        })

    static let certificate = FuzzTarget(
        "certificate", "X.509 DER: FulcioIdentity (Fulcio OID extensions), embedded SCTs, precertificate TBS, SCT verification",
        sync: { bytes in
            guard let certificate = try? Certificate(derEncoded: bytes) else { return [] }
            _ = try? FulcioIdentity(certificate: certificate)
            _ = try? SignedCertificateTimestamp.embedded(in: certificate)
            _ = try? SCTVerification.precertificateTBS(of: certificate)
            _ = SCTVerification.verify(leaf: certificate, issuer: certificate, trustedRoot: productionRoot)
            _ = FulcioLeafProfilePolicy.problem(with: certificate)
            _ = ProvenanceDescription.certificateLines(bytes)
            return []
        })

    static let sct = FuzzTarget(
        "sct", "SignedCertificateTimestamp.parseList (the TLS-encoded SCT list)",
        sync: { bytes in
            _ = try? SignedCertificateTimestamp.parseList(bytes)
            _ = try? SignedCertificateTimestamp.parse(bytes)
            return []
        })

    static let keys = FuzzTarget(
        "keys", "PublicKey(pem:), PrivateKey(pem:), PublicKey(spkiDER:), TUF key hex",
        sync: { bytes in
            let text = FuzzBytes.text(bytes)
            var broken = Broken()
            if let key = try? PublicKey(pem: text) {
                broken.require((try? PublicKey(spkiDER: key.spkiDER))?.spkiDER == key.spkiDER, "a key's SPKI does not read back")
            }
            if let key = try? PrivateKey(pem: text) {
                let message = Array("fuzz".utf8)
                if let signature = try? key.sign(message) {
                    broken.require(
                        key.publicKey.isValidSignature(signature, for: message, rsaPadding: .pkcs1v15),
                        "a key's own signature does not verify")
                }
            }
            _ = try? PublicKey(spkiDER: bytes)
            _ = TUFHex.decode(text)
            return broken.list
        })
}
