import Foundation

/// Verified-shape root metadata (`root.json`): the keys and thresholds of the four top-level roles.
///
/// Guarantees after `parse`: the four roles `root`, `timestamp`, `snapshot`, `targets` are
/// present, each with a threshold ≥ 1 and unique key ids; `keys` holds only keys this client can
/// use (an unsupported or malformed key is left out and so never counts towards a threshold).
/// Parsing checks no signature: the update workflow does (`TUFUpdater`).
public struct TUFRoot: Sendable {
    /// The keys and threshold of one role.
    public struct RoleKeys: Sendable, Hashable {
        public let keyIDs: [String]
        public let threshold: Int
    }

    public static let topLevelRoles = ["root", "timestamp", "snapshot", "targets"]
    /// More keys than this in one root is refused (bounded verification work).
    public static let maxKeys = 256

    public let envelope: TUFEnvelope
    /// The document exactly as read (what the store keeps and compares).
    public let bytes: [UInt8]
    public let keys: [String: TUFKey]
    public let roles: [String: RoleKeys]
    public let consistentSnapshot: Bool

    public var version: Int { envelope.version }
    public var expires: Date { envelope.expires }

    static func parse(_ bytes: [UInt8], role: String = "root") throws(TUFRefused) -> TUFRoot {
        let envelope = try TUFEnvelope.parse(bytes, type: "root", role: role)
        let signed = envelope.signed
        guard let keyObjects = signed["keys"]?.objectValue, let roleObjects = signed["roles"]?.objectValue else {
            throw TUFRefused(.malformed, role: role, "root lacks \"keys\" or \"roles\"")
        }
        guard keyObjects.count <= maxKeys else { throw TUFRefused(.tooLarge, role: role, "more than \(maxKeys) keys") }
        var keys: [String: TUFKey] = [:]
        for (keyID, object) in keyObjects {
            if case .success(let key) = TUFKey.parse(object) { keys[keyID] = key }
        }
        var roles: [String: RoleKeys] = [:]
        for name in topLevelRoles {
            guard let object = roleObjects[name], let ids = object["keyids"]?.arrayValue,
                let threshold = object["threshold"].flatMap(TUFFields.integer)
            else {
                throw TUFRefused(.malformed, role: role, "role \"\(name)\" is missing or lacks keyids/threshold")
            }
            let keyIDs = ids.compactMap(\.stringValue)
            guard keyIDs.count == ids.count, Set(keyIDs).count == keyIDs.count, keyIDs.count <= maxKeys else {
                throw TUFRefused(.malformed, role: role, "role \"\(name)\" keyids are not unique strings")
            }
            guard threshold >= 1 else {
                throw TUFRefused(.malformed, role: role, "role \"\(name)\" threshold \(threshold) is below 1")
            }
            roles[name] = RoleKeys(keyIDs: keyIDs, threshold: threshold)
        }
        var consistent = false
        if let value = signed["consistent_snapshot"] {
            guard let flag = value.boolValue else {
                throw TUFRefused(.malformed, role: role, "consistent_snapshot is not a boolean")
            }
            consistent = flag
        }
        return TUFRoot(envelope: envelope, bytes: bytes, keys: keys, roles: roles, consistentSnapshot: consistent)
    }

    /// nil when `envelope` carries at least the threshold of `roleName`'s keys, else how many
    /// distinct valid signatures it has and how many were required.
    func thresholdProblem(for roleName: String, envelope: TUFEnvelope) -> (valid: Int, threshold: Int)? {
        guard let roleKeys = roles[roleName] else { return (0, 1) }
        let valid = envelope.validSignatureCount(keyIDs: roleKeys.keyIDs, keys: keys)
        return valid >= roleKeys.threshold ? nil : (valid, roleKeys.threshold)
    }
}
