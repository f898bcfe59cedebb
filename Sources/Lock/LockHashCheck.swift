import Foundation
import PythonPackaging
import Verification

/// The `lock-hash` check: the hashes a lock pins for a file against the index's sha256 and
/// against the bytes fetched.
///
/// Guarantees: passes only when the lock gives at least one digest of an algorithm wheeltrust
/// computes (sha256, sha384, sha512), every such digest equals the one computed from the very
/// bytes at `path`, and the lock's sha256 (when given) equals the index's (when published);
/// otherwise fails naming the algorithm and both values. A file that cannot be read is `error`.
enum LockHashCheck {
    /// The failed check when the lock's sha256 and the index's differ: decided from the page
    /// alone, before any byte is downloaded (the file the index serves is not the locked one).
    static func indexDisagreement(lockHashes: [String: String], indexSHA256: SHA256Hex?) -> CheckResult? {
        guard let locked = lockHashes["sha256"], let published = indexSHA256?.text, locked != published else { return nil }
        return CheckResult(.lockHash, .fail, "the lock pins sha256 \(locked) but the index publishes \(published)")
    }

    static func check(lockHashes: [String: String], indexSHA256: SHA256Hex?, path: String, sha256: SHA256Hex) -> CheckResult {
        let known = lockHashes.filter { PylockParser.digestLengths[$0.key] != nil }
        guard !known.isEmpty else {
            return CheckResult(
                .lockHash, .fail,
                "the lock gives no sha256, sha384 or sha512 for this file (only \(lockHashes.keys.sorted().joined(separator: ", ")))")
        }
        if let disagreement = indexDisagreement(lockHashes: lockHashes, indexSHA256: indexSHA256) { return disagreement }
        for (algorithm, locked) in known.sorted(by: { $0.key < $1.key }) {
            let actual: String
            if algorithm == "sha256" {
                actual = sha256.text
            } else {
                let hash: HashAlgorithm = algorithm == "sha384" ? .sha384 : .sha512
                do {
                    actual = try FileHashing.digest(ofFileAt: path, algorithm: hash).digest.hex
                } catch {
                    return CheckResult(.lockHash, .error, "cannot hash the file: \(error.message)")
                }
            }
            if actual != locked {
                return CheckResult(.lockHash, .fail, "the lock pins \(algorithm) \(locked) but the file is \(actual)")
            }
        }
        let names = known.keys.sorted().joined(separator: ", ")
        return CheckResult(.lockHash, .pass, "the lock's \(names) match\(known.count == 1 ? "es" : "") the file and the index")
    }
}
