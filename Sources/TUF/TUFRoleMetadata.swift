import Attestations
import Foundation

/// A `meta` entry of timestamp or snapshot metadata: the version the parent role names and,
/// optionally, the length and hashes of that file.
public struct TUFMetaFile: Sendable, Hashable {
    public let version: Int
    public let length: Int?
    public let hashes: [String: [UInt8]]?

    static func parse(_ json: JSONValue, role: String, name: String) throws(TUFRefused) -> TUFMetaFile {
        guard let version = json["version"].flatMap(TUFFields.integer), version >= 1 else {
            throw TUFRefused(.malformed, role: role, "meta \(name.prefix(80)) lacks a positive version")
        }
        var length: Int?
        if let value = json["length"] {
            guard let parsed = TUFFields.integer(value), parsed >= 0 else {
                throw TUFRefused(.malformed, role: role, "meta \(name.prefix(80)) length is not a non-negative integer")
            }
            length = parsed
        }
        var hashes: [String: [UInt8]]?
        if json["hashes"] != nil {
            hashes = try TUFFields.hashes(json["hashes"], role: role, what: "meta \(name.prefix(80))")
        }
        return TUFMetaFile(version: version, length: length, hashes: hashes)
    }
}

/// Timestamp metadata: names the current snapshot version (and optionally its length and hashes).
public struct TUFTimestamp: Sendable {
    public let envelope: TUFEnvelope
    public let snapshotMeta: TUFMetaFile

    public var version: Int { envelope.version }
    public var expires: Date { envelope.expires }

    static func parse(_ bytes: [UInt8]) throws(TUFRefused) -> TUFTimestamp {
        let envelope = try TUFEnvelope.parse(bytes, type: "timestamp", role: "timestamp")
        guard let meta = envelope.signed["meta"]?.objectValue, meta.count == 1, let snapshot = meta["snapshot.json"] else {
            throw TUFRefused(.malformed, role: "timestamp", "meta must hold exactly \"snapshot.json\"")
        }
        return TUFTimestamp(envelope: envelope, snapshotMeta: try TUFMetaFile.parse(snapshot, role: "timestamp", name: "snapshot.json"))
    }
}

/// Snapshot metadata: the version of every targets metadata file in the repository.
public struct TUFSnapshot: Sendable {
    public static let maxEntries = 10_000

    public let envelope: TUFEnvelope
    /// Keyed by file name (`targets.json`, `<delegated role>.json`).
    public let meta: [String: TUFMetaFile]

    public var version: Int { envelope.version }
    public var expires: Date { envelope.expires }

    static func parse(_ bytes: [UInt8]) throws(TUFRefused) -> TUFSnapshot {
        let envelope = try TUFEnvelope.parse(bytes, type: "snapshot", role: "snapshot")
        guard let objects = envelope.signed["meta"]?.objectValue else {
            throw TUFRefused(.malformed, role: "snapshot", "meta is missing")
        }
        guard objects.count <= maxEntries else { throw TUFRefused(.tooLarge, role: "snapshot", "more than \(maxEntries) meta entries") }
        var meta: [String: TUFMetaFile] = [:]
        for (name, object) in objects {
            meta[name] = try TUFMetaFile.parse(object, role: "snapshot", name: name)
        }
        guard meta["targets.json"] != nil else {
            throw TUFRefused(.malformed, role: "snapshot", "meta does not list targets.json")
        }
        return TUFSnapshot(envelope: envelope, meta: meta)
    }
}

/// One target of targets metadata: its length and hashes (at least one, all of known algorithms).
public struct TUFTargetFile: Sendable, Hashable {
    public let length: Int
    public let hashes: [String: [UInt8]]
}

/// Top-level targets metadata.
///
/// Delegations are read only to say whether there are any: this client searches the top-level
/// targets role alone (a target found only in a delegated role is reported as not listed).
public struct TUFTargets: Sendable {
    public static let maxTargets = 100_000

    public let envelope: TUFEnvelope
    public let targets: [String: TUFTargetFile]
    public let hasDelegations: Bool

    public var version: Int { envelope.version }
    public var expires: Date { envelope.expires }

    static func parse(_ bytes: [UInt8]) throws(TUFRefused) -> TUFTargets {
        let envelope = try TUFEnvelope.parse(bytes, type: "targets", role: "targets")
        guard let objects = envelope.signed["targets"]?.objectValue else {
            throw TUFRefused(.malformed, role: "targets", "targets is missing")
        }
        guard objects.count <= maxTargets else { throw TUFRefused(.tooLarge, role: "targets", "more than \(maxTargets) targets") }
        var targets: [String: TUFTargetFile] = [:]
        for (name, object) in objects {
            guard let length = object["length"].flatMap(TUFFields.integer), length >= 0 else {
                throw TUFRefused(.malformed, role: "targets", "target \(name.prefix(80)) lacks a non-negative length")
            }
            let hashes = try TUFFields.hashes(object["hashes"], role: "targets", what: "target \(name.prefix(80))")
            targets[name] = TUFTargetFile(length: length, hashes: hashes)
        }
        let delegations = envelope.signed["delegations"]?["roles"]?.arrayValue ?? []
        return TUFTargets(envelope: envelope, targets: targets, hasDelegations: !delegations.isEmpty)
    }
}
