import Crypto
import Foundation

/// An Ed25519 key made in the test, as TUF metadata lists it.
public struct TUFTestKey: Sendable {
    public let privateKey: Curve25519.Signing.PrivateKey

    public init() {
        privateKey = Curve25519.Signing.PrivateKey()
    }

    /// `{"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": <hex>}}`.
    public var json: [String: Any] {
        ["keytype": "ed25519", "scheme": "ed25519", "keyval": ["public": TUFTestMetadata.hex(privateKey.publicKey.rawRepresentation)]]
    }

    /// The key id: SHA-256 of the key's canonical JSON, as python-tuf computes it.
    public var keyID: String {
        TUFTestMetadata.hex(SHA256.hash(data: (try? TUFTestMetadata.canonical(json)) ?? Data()))
    }
}

/// TUF metadata (spec 1.0) signed by keys made in the test: to build caches an attacker wrote
/// (self-consistent, signed by their own key) and to extend real fixture repositories.
///
/// The signed bytes are the OLPC canonical JSON of `signed` (sorted keys, no whitespace; the
/// values used here are ASCII strings, integers and booleans, for which `JSONSerialization`
/// with sorted keys and unescaped slashes writes exactly that form).
public enum TUFTestMetadata {
    public static let farFuture = "2099-01-01T00:00:00Z"

    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    public static func canonical(_ object: Any) throws -> Data {
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    }

    /// `{"signatures": [...], "signed": signed}` signed by every key of `keys`.
    public static func sign(_ signed: [String: Any], by keys: [TUFTestKey]) throws -> Data {
        let message = try canonical(signed)
        let signatures = try keys.map { key -> [String: Any] in
            ["keyid": key.keyID, "sig": hex(try key.privateKey.signature(for: message))]
        }
        return try canonical(["signatures": signatures, "signed": signed])
    }

    /// Root metadata: `rootKeys` (threshold `threshold`) for the root role, `roleKey` for
    /// timestamp, snapshot and targets (threshold 1).
    public static func root(
        version: Int, rootKeys: [TUFTestKey], threshold: Int = 1, roleKey: TUFTestKey,
        expires: String = farFuture
    ) -> [String: Any] {
        var keys: [String: Any] = [:]
        for key in rootKeys + [roleKey] { keys[key.keyID] = key.json }
        let role: [String: Any] = ["keyids": [roleKey.keyID], "threshold": 1]
        return [
            "_type": "root", "spec_version": "1.0.31", "version": version, "expires": expires, "consistent_snapshot": true,
            "keys": keys,
            "roles": [
                "root": ["keyids": rootKeys.map(\.keyID), "threshold": threshold], "timestamp": role, "snapshot": role, "targets": role,
            ],
        ]
    }

    public static func timestamp(version: Int, snapshotVersion: Int, expires: String = farFuture) -> [String: Any] {
        [
            "_type": "timestamp", "spec_version": "1.0.31", "version": version, "expires": expires,
            "meta": ["snapshot.json": ["version": snapshotVersion]],
        ]
    }

    public static func snapshot(version: Int, targetsVersion: Int, expires: String = farFuture) -> [String: Any] {
        [
            "_type": "snapshot", "spec_version": "1.0.31", "version": version, "expires": expires,
            "meta": ["targets.json": ["version": targetsVersion]],
        ]
    }

    public static func targets(version: Int, name: String, bytes: Data, expires: String = farFuture) -> [String: Any] {
        [
            "_type": "targets", "spec_version": "1.0.31", "version": version, "expires": expires,
            "targets": [name: ["length": bytes.count, "hashes": ["sha256": hex(SHA256.hash(data: bytes))]]],
        ]
    }

    /// A complete store in wheeltrust's layout (`root.json`, `timestamp.json`, `snapshot.json`,
    /// `targets.json`, `targets/<name>`, and with `chain` also `roots/<N>.root.json` for every
    /// root version 2…`rootVersion`), self-consistent and signed by `key` alone: what an attacker
    /// who can write the cache, but holds none of the repository's keys, can make.
    @discardableResult
    public static func writeAttackerStore(
        directory: String, targetName: String, target: Data, rootVersion: Int = 1,
        chain: Bool = false, key: TUFTestKey = TUFTestKey()
    ) throws -> TUFTestKey {
        let manager = FileManager.default
        try manager.createDirectory(atPath: directory + "/targets", withIntermediateDirectories: true)
        func write(_ relative: String, _ data: Data) throws {
            let url = URL(fileURLWithPath: directory + "/" + relative)
            try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }
        for version in 1...rootVersion {
            let document = try sign(root(version: version, rootKeys: [key], roleKey: key), by: [key])
            if chain && version > 1 { try write("roots/\(version).root.json", document) }
            if version == rootVersion { try write("root.json", document) }
        }
        try write("timestamp.json", try sign(timestamp(version: 7, snapshotVersion: 7), by: [key]))
        try write("snapshot.json", try sign(snapshot(version: 7, targetsVersion: 7), by: [key]))
        try write("targets.json", try sign(targets(version: 7, name: targetName, bytes: target), by: [key]))
        try write("targets/" + targetName, target)
        return key
    }
}
