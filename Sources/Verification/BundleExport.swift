import Attestations
import Foundation
import Sigstore

/// A provenance file's one Sigstore keyless attestation as a Sigstore bundle v0.3 (`inspect
/// --as-bundle`), for tools that verify bundles (`cosign verify-blob-attestation`,
/// `wheeltrust verify-bundle`).
///
/// Guarantees: nothing is verified here (a bundle is a re-packaging); a file that does not hold
/// exactly one attestation, or whose attestation carries no Sigstore material, is a usage error
/// naming the file; the bundle holds the attestation's envelope and material unchanged.
public enum BundleExport {
    public static func bundleJSON(ofProvenanceFile path: String) throws(VerificationError) -> Data {
        let document = try ProvenanceFile.read(path: path)
        let attestations = document.attestationBundles.flatMap(\.attestations)
        guard attestations.count == 1, let attestation = attestations.first else {
            throw VerificationError(.usage, "\(path) holds \(attestations.count) attestations; a bundle holds exactly one")
        }
        do {
            return try SigstoreBundle(attestation: attestation).encoded()
        } catch {
            throw VerificationError(.usage, "\(path): \(error.message)")
        }
    }
}
