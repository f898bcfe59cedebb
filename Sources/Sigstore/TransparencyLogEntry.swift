import Attestations
import Foundation

/// A PEP 740 transparency entry: the protobuf-JSON form of `dev.sigstore.rekor.v1.TransparencyLogEntry`.
///
/// Guarantees after `init(json:)`: every present field had the right type; integers (sent as
/// strings or numbers, as protobuf-JSON allows) are non-negative and fit in `Int64`; base64 fields
/// (standard or URL-safe alphabet) decoded; `canonicalizedBodyBase64` is the body string exactly
/// as received (the SET covers that string, not a re-encoding). Absent integers are 0 (protobuf
/// default). Nothing here is verified; see `SignedEntryTimestamp`, `MerkleInclusion`, `Checkpoint`.
public struct TransparencyLogEntry: Sendable, Hashable {
    /// The entry's global index in the log (what the SET covers).
    public let logIndex: Int64
    /// `logId.keyId`: SHA-256 of the log key's SPKI for Rekor v1.
    public let logID: [UInt8]
    public let kind: String
    public let version: String
    /// Seconds since the epoch; 0 when absent (Rekor v2).
    public let integratedTime: Int64
    /// `inclusionPromise.signedEntryTimestamp` (DER ECDSA), when present.
    public let signedEntryTimestamp: [UInt8]?
    public let inclusionProof: InclusionProof?
    /// `canonicalizedBody` exactly as the JSON carried it.
    public let canonicalizedBodyBase64: String
    /// `canonicalizedBody` decoded: the Rekor entry JSON, the Merkle leaf.
    public let canonicalizedBody: [UInt8]

    /// An RFC 6962 inclusion proof with its checkpoint.
    public struct InclusionProof: Sendable, Hashable {
        /// The leaf index in the (shard's) tree: shard-local, unlike the entry's `logIndex`.
        public let logIndex: Int64
        public let rootHash: [UInt8]
        public let treeSize: Int64
        /// The audit path, leaf to root.
        public let hashes: [[UInt8]]
        /// `checkpoint.envelope`: the signed note text, when present.
        public let checkpoint: String?

        public init(logIndex: Int64, rootHash: [UInt8], treeSize: Int64, hashes: [[UInt8]], checkpoint: String?) {
            self.logIndex = logIndex
            self.rootHash = rootHash
            self.treeSize = treeSize
            self.hashes = hashes
            self.checkpoint = checkpoint
        }
    }

    /// More audit-path hashes than this are refused (a tree of 2^64 leaves needs 64).
    public static let maxProofHashes = 64
    /// A canonicalized body larger than this (decoded) is refused.
    public static let maxBodyBytes = 4 << 20

    public init(
        logIndex: Int64, logID: [UInt8], kind: String, version: String, integratedTime: Int64,
        signedEntryTimestamp: [UInt8]?, inclusionProof: InclusionProof?, canonicalizedBodyBase64: String,
        canonicalizedBody: [UInt8]
    ) {
        self.logIndex = logIndex
        self.logID = logID
        self.kind = kind
        self.version = version
        self.integratedTime = integratedTime
        self.signedEntryTimestamp = signedEntryTimestamp
        self.inclusionProof = inclusionProof
        self.canonicalizedBodyBase64 = canonicalizedBodyBase64
        self.canonicalizedBody = canonicalizedBody
    }

    /// Decodes one entry of `VerificationMaterial.transparencyEntries`.
    public init(json: JSONValue) throws(AttestationError) {
        guard json.objectValue != nil else { throw Self.error("entry is not an object") }
        // Strict like the rest of PEP 740 decoding: a member we do not know is refused, never ignored.
        try Self.rejectUnknown(
            json, "entry",
            allowed: [
                "logIndex", "logId", "kindVersion", "integratedTime",
                "inclusionPromise", "inclusionProof", "canonicalizedBody",
            ])
        logIndex = try Self.integer(json["logIndex"], "logIndex")
        if let logIDObject = json["logId"] { try Self.rejectUnknown(logIDObject, "logId", allowed: ["keyId"]) }
        guard let keyID = json["logId"]?["keyId"] else { throw Self.error("logId.keyId is missing") }
        logID = try Self.bytes(keyID, "logId.keyId")
        guard let kindVersion = json["kindVersion"], let kind = kindVersion["kind"]?.stringValue,
            let version = kindVersion["version"]?.stringValue
        else {
            throw Self.error("kindVersion.kind/version is missing or not a string")
        }
        try Self.rejectUnknown(kindVersion, "kindVersion", allowed: ["kind", "version"])
        self.kind = kind
        self.version = version
        integratedTime = try Self.integer(json["integratedTime"], "integratedTime")
        if let promise = json["inclusionPromise"], !promise.isNull {
            try Self.rejectUnknown(promise, "inclusionPromise", allowed: ["signedEntryTimestamp"])
            guard let set = promise["signedEntryTimestamp"] else {
                throw Self.error("inclusionPromise.signedEntryTimestamp is missing")
            }
            signedEntryTimestamp = try Self.bytes(set, "inclusionPromise.signedEntryTimestamp")
        } else {
            signedEntryTimestamp = nil
        }
        if let proof = json["inclusionProof"], !proof.isNull {
            inclusionProof = try Self.proof(proof)
        } else {
            inclusionProof = nil
        }
        guard let body = json["canonicalizedBody"]?.stringValue else {
            throw Self.error("canonicalizedBody is missing or not a string")
        }
        guard body.utf8.count <= Self.maxBodyBytes / 3 * 4 + 4 else {
            throw Self.error("canonicalizedBody exceeds \(Self.maxBodyBytes) bytes")
        }
        canonicalizedBodyBase64 = body
        canonicalizedBody = try Self.bytes(.string(body), "canonicalizedBody")
    }

    /// Decodes every entry of an attestation's verification material.
    public static func entries(of material: VerificationMaterial) throws(AttestationError) -> [TransparencyLogEntry] {
        var result: [TransparencyLogEntry] = []
        for json in material.transparencyEntries {
            result.append(try TransparencyLogEntry(json: json))
        }
        return result
    }

    private static func proof(_ json: JSONValue) throws(AttestationError) -> InclusionProof {
        guard json.objectValue != nil else { throw error("inclusionProof is not an object") }
        try rejectUnknown(json, "inclusionProof", allowed: ["logIndex", "rootHash", "treeSize", "hashes", "checkpoint"])
        let index = try integer(json["logIndex"], "inclusionProof.logIndex")
        let size = try integer(json["treeSize"], "inclusionProof.treeSize")
        guard let root = json["rootHash"] else { throw error("inclusionProof.rootHash is missing") }
        let rootHash = try bytes(root, "inclusionProof.rootHash")
        var hashes: [[UInt8]] = []
        if let list = json["hashes"], !list.isNull {
            guard let elements = list.arrayValue else { throw error("inclusionProof.hashes is not an array") }
            guard elements.count <= maxProofHashes else {
                throw error("inclusionProof.hashes has \(elements.count) entries; at most \(maxProofHashes) are accepted")
            }
            for (position, element) in elements.enumerated() {
                hashes.append(try bytes(element, "inclusionProof.hashes[\(position)]"))
            }
        }
        var checkpoint: String?
        if let note = json["checkpoint"], !note.isNull {
            try rejectUnknown(note, "inclusionProof.checkpoint", allowed: ["envelope"])
            guard let envelope = note["envelope"]?.stringValue else {
                throw error("inclusionProof.checkpoint.envelope is missing or not a string")
            }
            checkpoint = envelope
        }
        return InclusionProof(logIndex: index, rootHash: rootHash, treeSize: size, hashes: hashes, checkpoint: checkpoint)
    }

    /// Refuses an object member outside `allowed` (and a value that is not an object).
    private static func rejectUnknown(_ json: JSONValue, _ field: String, allowed: Set<String>) throws(AttestationError) {
        guard let object = json.objectValue else { throw error("\(field) is not an object") }
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw error("\(field).\(unknown.prefix(64)): unknown field")
        }
    }

    /// A protobuf-JSON int64: a decimal string or an integral number; absent means 0.
    private static func integer(_ value: JSONValue?, _ field: String) throws(AttestationError) -> Int64 {
        guard let value, !value.isNull else { return 0 }
        if let text = value.stringValue {
            guard !text.isEmpty, text.utf8.count <= 19, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                let number = Int64(text)
            else {
                throw error("\(field) is not a non-negative decimal integer")
            }
            return number
        }
        if let number = value.numberValue, number >= 0, number <= 9_007_199_254_740_992,
            number.rounded(.towardZero) == number
        {
            return Int64(number)
        }
        throw error("\(field) is not a non-negative integer")
    }

    private static func bytes(_ value: JSONValue, _ field: String) throws(AttestationError) -> [UInt8] {
        guard let text = value.stringValue, let decoded = decodeBase64(text) else {
            throw error("\(field) is not base64")
        }
        return decoded
    }

    /// Standard or URL-safe base64, padding optional (protobuf-JSON accepts both).
    static func decodeBase64(_ text: String) -> [UInt8]? {
        var normalized = String(text.map { $0 == "-" ? "+" : ($0 == "_" ? "/" : $0) })
        let remainder = normalized.utf8.count % 4
        if remainder == 1 { return nil }
        if remainder > 0 { normalized += String(repeating: "=", count: 4 - remainder) }
        guard let data = Data(base64Encoded: normalized) else { return nil }
        return [UInt8](data)
    }

    private static func error(_ message: String) -> AttestationError {
        AttestationError(.malformedLogEntry, "transparency entry: \(message)")
    }
}
