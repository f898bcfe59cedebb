import Attestations
import Crypto
import Foundation

/// A transparency-log checkpoint: a signed note (C2SP signed-note / tlog-checkpoint).
///
/// Text form: `<origin>\n<tree size>\n<base64 root hash>\n[extension lines…]\n` then one blank line,
/// then one or more `— <key name> <base64(4-byte key hint || signature)>\n` lines (U+2014).
/// Guarantees after `init(parsing:)`: exactly that shape; origin non-empty; size a decimal integer
/// without leading zeros; root hash 32 bytes; `signedBody` is the exact bytes before the blank
/// line, final newline included (what the signatures cover); at least one signature line.
/// `verify` then checks signature, size, root and origin against a log and a proof.
public struct Checkpoint: Sendable, Hashable {
    /// One signature line of the note.
    public struct Signature: Sendable, Hashable {
        public let name: String
        public let keyHint: [UInt8]
        public let signature: [UInt8]
    }

    public let origin: String
    public let treeSize: Int64
    public let rootHash: [UInt8]
    public let extensionLines: [String]
    /// The signed note body: the exact bytes the signatures cover.
    public let signedBody: [UInt8]
    public let signatures: [Signature]

    /// Notes larger than this are refused.
    public static let maxBytes = 1 << 16
    /// More signature lines than this are refused.
    public static let maxSignatures = 64

    public init(parsing text: String) throws(AttestationError) {
        let bytes = Array(text.utf8)
        guard bytes.count <= Self.maxBytes else { throw Self.error("note exceeds \(Self.maxBytes) bytes") }
        guard let split = Self.blankLine(in: bytes) else { throw Self.error("no blank line between body and signatures") }
        signedBody = Array(bytes[..<(split + 1)])
        let bodyLines = String(decoding: signedBody.dropLast(), as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard bodyLines.count >= 3 else { throw Self.error("body has fewer than 3 lines") }
        guard !bodyLines[0].isEmpty else { throw Self.error("origin line is empty") }
        origin = bodyLines[0]
        let sizeText = bodyLines[1]
        guard !sizeText.isEmpty, sizeText.utf8.count <= 19, sizeText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            sizeText == "0" || !sizeText.hasPrefix("0"), let size = Int64(sizeText)
        else {
            throw Self.error("tree size line is not a decimal integer")
        }
        treeSize = size
        guard let root = Encoding.base64(bodyLines[2]), root.count == 32 else {
            throw Self.error("root hash line is not 32 bytes of base64")
        }
        rootHash = root
        extensionLines = Array(bodyLines.dropFirst(3))
        guard extensionLines.allSatisfy({ !$0.isEmpty }) else { throw Self.error("body has an empty line") }

        let rest = Array(bytes[(split + 2)...])
        guard rest.last == 0x0A else { throw Self.error("signature block does not end with a newline") }
        var signatures: [Signature] = []
        for line in String(decoding: rest.dropLast(), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            guard signatures.count < Self.maxSignatures else { throw Self.error("more than \(Self.maxSignatures) signatures") }
            guard line.hasPrefix("\u{2014} ") else { throw Self.error("signature line does not start with an em dash and a space") }
            let fields = line.dropFirst(2).split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 2, !fields[0].isEmpty, let blob = Encoding.base64(String(fields[1])), blob.count > 4 else {
                throw Self.error("signature line is not `— <name> <base64 hint+signature>`")
            }
            signatures.append(Signature(name: String(fields[0]), keyHint: Array(blob.prefix(4)), signature: Array(blob.dropFirst(4))))
        }
        guard !signatures.isEmpty else { throw Self.error("no signature lines") }
        self.signatures = signatures
    }

    /// The index of the first `\n` of the first `\n\n`.
    private static func blankLine(in bytes: [UInt8]) -> Int? {
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == 0x0A && bytes[index + 1] == 0x0A { return index }
            index += 1
        }
        return nil
    }

    private static func error(_ message: String) -> AttestationError {
        AttestationError(.malformedLogEntry, "checkpoint: \(message)")
    }

    /// Whether `origin` names the log at `logHostname`: equal to it, or `<hostname> - <tree id>`.
    public static func origin(_ origin: String, names logHostname: String) -> Bool {
        !logHostname.isEmpty && (origin == logHostname || origin.hasPrefix(logHostname + " - "))
    }

    /// The C2SP signed-note key hint of an Ed25519 key: the first 4 bytes of
    /// SHA-256(key name || 0x0A || 0x01 || 32-byte public key).
    public static func ed25519KeyHint(name: String, publicKey: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: Array(name.utf8) + [0x0A, 0x01] + publicKey)
        return Array(hasher.finalize().prefix(4))
    }

    /// The key hint and (for Ed25519 signed-note keys) the key name a checkpoint signature by
    /// `logKey` carries: Ed25519 (Rekor v2) per C2SP signed-note with `logHostname` as the key
    /// name; otherwise (Rekor v1 ECDSA) the first 4 bytes of the log id.
    static func keyHint(logKey: PublicKey, logKeyID: [UInt8], logHostname: String) -> (hint: [UInt8], name: String?) {
        if case .ed25519(let key) = logKey.backing {
            return (ed25519KeyHint(name: logHostname, publicKey: Array(key.rawRepresentation)), logHostname)
        }
        return (Array(logKeyID.prefix(4)), nil)
    }

    /// Verifies the checkpoint carried by `entry`'s inclusion proof.
    ///
    /// Guarantees when `.verified`: the note parses; a signature line carrying the log key's hint
    /// verifies with `logKey` over the exact note body — for an ECDSA (Rekor v1) key the hint is
    /// the first 4 bytes of `logKeyID`; for an Ed25519 (Rekor v2) key it is the C2SP signed-note
    /// hint of the key named `logHostname`, and the line's key name must be `logHostname`; the
    /// note's tree size equals the proof's `treeSize`; its root equals the proof's `rootHash`; its
    /// origin names `logHostname` (e.g. `rekor.sigstore.dev`, origin `rekor.sigstore.dev - <tree id>`)
    /// or, when the log's URL has an explicit `logPort`, `<logHostname>:<logPort>` (a log served on
    /// a port, e.g. `localhost:8000 - <tree id>`).
    /// Does not check the proof itself (see `MerkleInclusion.verify`).
    public static func verify(
        _ entry: TransparencyLogEntry, logKey: PublicKey, logKeyID: [UInt8],
        logHostname: String, logPort: Int? = nil
    ) -> LogCheckResult {
        guard let proof = entry.inclusionProof else {
            return .fail(.missingInclusionProof, "checkpoint: the entry has no inclusion proof")
        }
        guard let text = proof.checkpoint else {
            return .fail(.missingCheckpoint, "checkpoint: the inclusion proof carries none")
        }
        let note: Checkpoint
        do {
            note = try Checkpoint(parsing: text)
        } catch {
            return .fail(.malformedCheckpoint, error.message)
        }
        let (hint, name) = keyHint(logKey: logKey, logKeyID: logKeyID, logHostname: logHostname)
        let candidates = note.signatures.filter { $0.keyHint == hint && (name == nil || $0.name == name) }
        guard !candidates.isEmpty else {
            return .fail(.noCheckpointSignatureForKey, "checkpoint: no signature has the log's key hint \(Encoding.hex(hint))")
        }
        guard candidates.contains(where: { logKey.isValidSignature($0.signature, for: note.signedBody, rsaPadding: .pkcs1v15) }) else {
            return .fail(
                .invalidCheckpointSignature, "checkpoint: signature with key hint \(Encoding.hex(hint)) does not verify with the log key")
        }
        guard note.treeSize == proof.treeSize else {
            return .fail(.checkpointSizeMismatch, "checkpoint: tree size \(note.treeSize) is not the proof's tree size \(proof.treeSize)")
        }
        guard note.rootHash == proof.rootHash else {
            return .fail(
                .checkpointRootMismatch,
                "checkpoint: root \(Encoding.hex(note.rootHash)) is not the proof's root \(Encoding.hex(proof.rootHash))")
        }
        let withPort = logPort.map { "\(logHostname):\($0)" }
        guard origin(note.origin, names: logHostname) || withPort.map({ origin(note.origin, names: $0) }) == true else {
            return .fail(
                .checkpointOriginMismatch, "checkpoint: origin \"\(note.origin)\" does not name the log \(withPort ?? logHostname)")
        }
        return .verified
    }
}
