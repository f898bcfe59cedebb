import Foundation
import PythonPackaging

/// A file the user names on the command line (a key, a provenance, a bundle, a trusted root),
/// read whole but bounded.
///
/// Guarantees: only a regular file is read (a FIFO or device in its place is refused without
/// blocking), at most `cap` bytes are kept, and a larger file is refused before it is read; every
/// refusal is a usage error naming the file: "cannot read the <what> <path>" or
/// "<what> <path>: larger than <cap> bytes".
enum NamedFile {
    static func read(_ path: String, cap: Int, what: String) throws(VerificationError) -> Data {
        do {
            return Data(try BoundedFile.read(path, cap: cap))
        } catch  where error.code == .limitExceeded {
            throw VerificationError(.usage, "\(what) \(path): larger than \(cap) bytes")
        } catch {
            throw VerificationError(.usage, "cannot read the \(what) \(path)")
        }
    }
}
