import Attestations
import Crypto

/// RFC 6962 / RFC 9162 Merkle tree hashing and inclusion-proof verification.
///
/// Guarantees when `verify` returns `.verified`: the SHA-256 leaf hash of the entry's
/// canonicalized body (`H(0x00 || body)`), folded with the audit path for the proof's shard-local
/// `logIndex` in a tree of `treeSize` leaves (`H(0x01 || left || right)`), yields exactly the
/// proof's `rootHash`, and the path has exactly the length that index and size require.
/// The root itself is only trustworthy once the checkpoint that names it is verified.
public enum MerkleInclusion {
    /// `SHA-256(0x00 || leaf)`.
    public static func leafHash(_ leaf: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: [0x00])
        hasher.update(data: leaf)
        return Array(hasher.finalize())
    }

    /// `SHA-256(0x01 || left || right)`.
    public static func nodeHash(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: [0x01])
        hasher.update(data: left)
        hasher.update(data: right)
        return Array(hasher.finalize())
    }

    /// The root implied by `leafHash` at `index` in a tree of `size` leaves with audit path
    /// `proof` (RFC 9162 §2.1.3.2), or a failure when they do not fit together.
    public static func root(leafHash: [UInt8], index: Int64, size: Int64, proof: [[UInt8]]) -> Result<[UInt8], LogCheckFailure> {
        func bad(_ message: String) -> Result<[UInt8], LogCheckFailure> {
            .failure(LogCheckFailure(reason: .malformedInclusionProof, message: "inclusion proof: \(message)"))
        }
        guard index >= 0, size > 0, index < size else { return bad("index \(index) is not inside a tree of \(size) leaves") }
        guard proof.allSatisfy({ $0.count == 32 }) else { return bad("an audit-path hash is not 32 bytes") }
        var fn = UInt64(index)
        var sn = UInt64(size - 1)
        var result = leafHash
        for sibling in proof {
            guard sn != 0 else { return bad("audit path has \(proof.count) hashes, more than index and size need") }
            if fn & 1 == 1 || fn == sn {
                result = nodeHash(sibling, result)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                result = nodeHash(result, sibling)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { return bad("audit path has \(proof.count) hashes, fewer than index and size need") }
        return .success(result)
    }

    /// Verifies the inclusion proof of `entry` against its own root hash.
    public static func verify(_ entry: TransparencyLogEntry) -> LogCheckResult {
        guard let proof = entry.inclusionProof else {
            return .fail(.missingInclusionProof, "inclusion proof: the entry has none")
        }
        switch root(leafHash: leafHash(entry.canonicalizedBody), index: proof.logIndex, size: proof.treeSize, proof: proof.hashes) {
        case .failure(let failure):
            return .failed(failure)
        case .success(let computed):
            guard computed == proof.rootHash else {
                return .fail(
                    .rootMismatch,
                    "inclusion proof: computed root \(Encoding.hex(computed)) is not the proof's root \(Encoding.hex(proof.rootHash))")
            }
            return .verified
        }
    }
}
