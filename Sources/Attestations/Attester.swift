import Foundation
import PythonPackaging

/// Signs distribution files: writes `<file>.slsa.attestation` beside each one, a PEP 740
/// attestation whose DSSE envelope carries an in-toto v1 statement with a SLSA v1 predicate,
/// signed with a private key (`verification_material: null`, key-signed as Red Hat does).
///
/// Guarantees: the statement has exactly one subject, the file's name and its SHA-256 as read
/// from disk in the same call; the output file is replaced atomically (readers never see half a
/// file); a file whose name is not a wheel or sdist filename is refused.
public enum Attester {
    /// Used by `wheeltrust attest` when no `--builder-id` is given.
    public static let defaultBuilderID = "urn:wheeltrust:builder:local"
    /// Used by `wheeltrust attest` when no `--build-type` is given.
    public static let defaultBuildType = "urn:wheeltrust:build-type:attest@v1"

    /// Attests the file at `path` and returns the path of the written `<file>.slsa.attestation`.
    public static func attest(
        wheel path: String, key: PrivateKey, builderID: String, buildType: String,
        finishedOn: Date = Date()
    ) async throws(AttestationError) -> String {
        try await attest(
            wheel: path, signer: key,
            provenance: SLSAProvenance(buildType: buildType, builderID: builderID, finishedOn: SLSAProvenance.timestamp(finishedOn)))
    }

    /// Attests the file at `path` with `provenance` as the statement's predicate, signed by
    /// `signer` (a key, or an external command), and returns the path of the written
    /// `<file>.slsa.attestation`. The signature is verified against the signer's public key
    /// before anything is written; when it does not verify, nothing is.
    public static func attest(
        wheel path: String, signer: any StatementSigner, provenance: SLSAProvenance
    ) async throws(AttestationError) -> String {
        let filename = (path as NSString).lastPathComponent
        do {
            _ = try DistributionFilename(parsing: filename)
        } catch {
            throw AttestationError(.malformedInput, "\(filename) is not a wheel or sdist filename: \(error.message)")
        }
        let sha256Hex: SHA256Hex
        do {
            sha256Hex = try SHA256Hex(FileHashing.digest(ofFileAt: path, algorithm: .sha256).digest)
        } catch {
            throw AttestationError(.io, "cannot read \(path): \(error.message)")
        }
        let statement = AttestationBuilder.slsaV1Statement(filename: filename, sha256Hex: sha256Hex, provenance: provenance)
        let attestation: Attestation
        do {
            attestation = try await AttestationBuilder.sign(statement: statement, with: signer)
        } catch {
            throw AttestationError(
                error.code == .externalSigner ? .externalSigner : .signing,
                "cannot sign the attestation for \(filename): \(error.message)")
        }
        let output = path + ".slsa.attestation"
        do {
            try attestation.encoded().write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch {
            throw AttestationError(.io, "cannot write \(output)")
        }
        return output
    }
}
