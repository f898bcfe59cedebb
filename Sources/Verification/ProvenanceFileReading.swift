import Attestations
import Foundation

extension ProvenanceFile {
    /// The provenance (or single PEP 740 attestation, see ``decode(_:)``) in the file at `path`.
    /// A file that cannot be read, or that is neither, is a usage error naming the file.
    public static func read(path: String) throws(VerificationError) -> Provenance {
        let data = try NamedFile.read(path, cap: Provenance.maxBytes, what: "provenance file")
        do {
            return try decode(data)
        } catch {
            throw VerificationError(.usage, "\(path): \(error.message)")
        }
    }

    /// Writes provenance bytes exactly as received to `path` (replaced atomically); a failure is
    /// operational, naming the file.
    public static func write(_ bytes: Data, to path: String) throws(VerificationError) {
        do {
            try bytes.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw VerificationError(.operational, "cannot write \(path): \(error.localizedDescription)")
        }
    }
}
