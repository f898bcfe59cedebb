import Foundation

/// What the store holds for a target, checked offline (see `TUFStore.verifiedTarget`).
public enum TUFStoredTarget: Sendable {
    /// No copy of the target is stored.
    case absent
    /// The stored copy verified against the stored metadata.
    case verified([UInt8])
    /// A copy is stored but does not verify (or its metadata is missing or broken).
    case failed(TUFFailure)
}

extension TUFStore {
    /// The stored target `name`, checked offline against the stored metadata: the stored root must
    /// be signed by a threshold of its own root keys, the stored top-level targets by a threshold of
    /// that root's targets keys, and the file must have the length and every hash those targets
    /// list. Expiry is NOT checked (verification must work offline long after the last update; the
    /// update itself refused expired metadata).
    public func verifiedTarget(_ name: String, limits: TUFLimits = .default) -> TUFStoredTarget {
        let path = targetPath(name)
        guard let bytes = read(path: path, maxLength: limits.targetMaxLength) else { return .absent }
        do throws(TUFRefused) {
            guard let rootBytes = read(path: metadataPath("root.json"), maxLength: limits.rootMaxLength) else {
                throw TUFRefused(.store, role: "root", "\(metadataPath("root.json")) is missing")
            }
            let root = try TUFRoot.parse(rootBytes)
            if let problem = root.thresholdProblem(for: "root", envelope: root.envelope) {
                throw TUFRefused(.signature, role: "root", "stored version \(root.version) has \(problem.valid) of the \(problem.threshold) signatures its own root keys require")
            }
            guard let targetsBytes = read(path: metadataPath("targets.json"), maxLength: limits.targetsMaxLength) else {
                throw TUFRefused(.store, role: "targets", "\(metadataPath("targets.json")) is missing")
            }
            let targets = try TUFTargets.parse(targetsBytes)
            if let problem = root.thresholdProblem(for: "targets", envelope: targets.envelope) {
                throw TUFRefused(.signature, role: "targets", "stored version \(targets.version) has \(problem.valid) of the \(problem.threshold) signatures root v\(root.version) requires")
            }
            guard let info = targets.targets[name] else {
                throw TUFRefused(.policy, role: name, "not listed by the stored targets v\(targets.version)")
            }
            guard bytes.count == info.length else {
                throw TUFRefused(.integrity, role: name, "stored copy has \(bytes.count) bytes, targets v\(targets.version) lists \(info.length)")
            }
            if let algorithm = TUFHashes.firstMismatch(bytes, hashes: info.hashes) {
                throw TUFRefused(.integrity, role: name, "stored copy's \(algorithm) differs from the one targets v\(targets.version) lists")
            }
            return .verified(bytes)
        } catch {
            return .failed(error.failure)
        }
    }

    /// The stored metadata versions and expiries, for display (`trust show`); nil entries are absent
    /// or unreadable. Signatures are not checked here.
    public func describe(limits: TUFLimits = .default) -> [(role: String, version: Int, expires: Date)] {
        var out: [(role: String, version: Int, expires: Date)] = []
        for (role, cap) in [("root", limits.rootMaxLength), ("timestamp", limits.timestampMaxLength),
                            ("snapshot", limits.snapshotMaxLength), ("targets", limits.targetsMaxLength)] {
            guard let bytes = read(path: metadataPath("\(role).json"), maxLength: cap),
                  let envelope = try? TUFEnvelope.parse(bytes, type: role, role: role) else { continue }
            out.append((role, envelope.version, envelope.expires))
        }
        return out
    }

    /// The hashes (algorithm → hex) and length the stored targets metadata lists for `name`.
    public func listedTarget(_ name: String, limits: TUFLimits = .default) -> (length: Int, hashes: [String: String])? {
        guard let bytes = read(path: metadataPath("targets.json"), maxLength: limits.targetsMaxLength),
              let targets = try? TUFTargets.parse(bytes), let info = targets.targets[name] else { return nil }
        return (info.length, info.hashes.mapValues { TUFHex.encode($0) })
    }
}
