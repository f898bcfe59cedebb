import Attestations
import Foundation
import PythonPackaging

/// Signs a build's statement and writes it as a PEP 740 attestation beside the wheel, named as
/// `attest` names its output (`<wheel>.slsa.attestation`).
///
/// Guarantees: the DSSE signature covers `PAE(in-toto type, statement)` over exactly `statement`;
/// the file is replaced atomically.
enum BuildAttestationWriter {
    static func write(statement: [UInt8], beside wheelPath: String, key: PrivateKey) throws(BuildError) -> String {
        let attestation: Attestation
        do {
            attestation = try AttestationBuilder.sign(statement: statement, with: key)
        } catch {
            throw BuildError(.operational, "cannot sign the provenance: \(error.message)")
        }
        let output = wheelPath + ".slsa.attestation"
        do {
            try AtomicFile.write(Array(attestation.encoded()), to: output, mode: 0o644, creatingDirectory: false)
        } catch {
            throw BuildError(.operational, "cannot write \(output)")
        }
        return output
    }
}
