import Attestations
import Foundation
import PythonPackaging

/// The offline checks of local files against a provenance file (`verify-wheel FILE.whl`,
/// `verify-signature --provenance`): no index, no environment; only the trust of `setup`
/// (``VerificationSetup/provenanceVerifier()``).
///
/// Guarantees: problems with the arguments are usage errors, found in this order: the wheel file
/// is missing, the trust options, the provenance file; the digest judged is the one of the bytes
/// read now (a file), or the one the caller gives for a bare filename; the checks are the ones
/// `verify` makes for the same steps (``ProvenanceChecks``).
public enum LocalVerification {
    /// Steps 4 and 5a offline: the wheel at `path` against the provenance in `provenanceFile`
    /// (``Pipeline/verifyLocalWheel(at:provenance:verifier:)``).
    public static func wheel(
        at path: String, provenanceFile: String, setup: VerificationSetup
    ) async throws(VerificationError)
        -> PackageReport
    {
        guard FileManager.default.fileExists(atPath: path) else {
            throw VerificationError(.usage, "no such wheel file: \(path)")
        }
        let verifier = try setup.provenanceVerifier()
        let provenance = try ProvenanceFile.read(path: provenanceFile)
        return await Pipeline.verifyLocalWheel(at: path, provenance: provenance, verifier: verifier)
    }

    /// Step 4 offline: the signature and statement of the provenance in `provenanceFile` for
    /// `target`: a wheel file (hashed now), or when no file is there, a wheel filename whose
    /// digest is `sha256`. nil when `target` is not a file and no `sha256` is given (nothing
    /// to judge the statement's subject against: the caller says how to give one).
    public static func signature(
        of target: String, sha256: String?, provenanceFile: String,
        setup: VerificationSetup
    ) async throws(VerificationError) -> PackageReport? {
        let verifier = try setup.provenanceVerifier()
        let provenance = try ProvenanceFile.read(path: provenanceFile)
        let filename = String(target.split(separator: "/").last ?? Substring(target))
        let digest: String
        if FileManager.default.fileExists(atPath: target) {
            digest = try LocalFiles.sha256(of: target)
        } else if let sha256 {
            digest = sha256.lowercased()
        } else {
            return nil
        }
        let verdict = await verifier.verify(provenance, distribution: filename, sha256Hex: digest)
        return PackageReport(
            name: filename, version: "", wheel: filename, sha256: digest,
            checks: ProvenanceChecks.checks(for: verdict))
    }
}
