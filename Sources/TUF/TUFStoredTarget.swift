import Foundation

/// What the store holds for a target, checked offline (see `TUFStore.verifiedTarget`).
public enum TUFStoredTarget: Sendable {
    /// The store holds nothing at all (no metadata, no root chain, no copy of the target).
    case absent
    /// The stored copy verified against the stored metadata, chained from the bootstrap root.
    case verified([UInt8])
    /// Something is stored but does not verify (the chain, the metadata or the copy).
    case failed(TUFFailure)
}

/// A store that verified offline (`TUFStore.verifiedStore`): what it holds, every value checked.
public struct TUFVerifiedStore: Sendable {
    /// A top-level role's version and expiry.
    public struct Role: Sendable, Hashable {
        public let version: Int
        public let expires: Date
    }

    /// The versions of the root chain, from the bootstrap root to the trusted root.
    public let rootChain: [Int]
    public let root: Role
    /// nil when the store holds none (an update was interrupted after a key rotation).
    public let timestamp: Role?
    public let snapshot: Role?
    public let targets: Role
    public let targetName: String
    public let targetBytes: [UInt8]
    /// The target's hashes as targets metadata lists them (algorithm → lowercase hex).
    public let targetHashes: [String: String]
}

/// The outcome of checking a store offline.
public enum TUFStoreCheck: Sendable {
    /// The store holds nothing at all.
    case empty
    case verified(TUFVerifiedStore)
    case failed(TUFFailure)
}

extension TUFStore {
    /// The stored target `name`, checked offline by `verifiedStore`.
    public func verifiedTarget(_ name: String, bootstrapRoot: [UInt8], limits: TUFLimits = .default) -> TUFStoredTarget {
        switch verifiedStore(target: name, bootstrapRoot: bootstrapRoot, limits: limits) {
        case .empty: return .absent
        case .verified(let store): return .verified(store.targetBytes)
        case .failed(let failure): return .failed(failure)
        }
    }

    /// Checks everything the store holds for `name` offline, re-establishing the chain of trust
    /// from `bootstrapRoot` (the root this client was shipped with, or the one the user named)
    /// on every call; nothing cached is believed because it is cached.
    ///
    /// Guarantees: `.empty` only when the store holds nothing at all (no metadata, no `roots/`,
    /// no copy of the target): the caller may then use its own embedded data. Otherwise
    /// `.verified` only when, in order,
    /// 1. the bootstrap root is signed by a threshold of its own root keys;
    /// 2. every `roots/<N>.root.json` from the bootstrap's version + 1 on, while present, is
    ///    signed by a threshold of version N−1's root keys and of its own, with version exactly N
    ///    (`TUFRootChain.replay`); no `roots/` file lies beyond a gap;
    /// 3. `root.json` is the end of that chain (its signed part, what signatures cover, is the same
    ///    canonical bytes; a root of a lower version than
    ///    the bootstrap, a root the chain does not reach, or one swapped after the chain was
    ///    written is refused; so is a store written before the chain was kept, which names
    ///    `wheeltrust trust update` as the fix);
    /// 4. `targets.json` is signed by a threshold of the trusted root's targets keys, and the
    ///    stored `timestamp.json` and `snapshot.json`, when present, by theirs;
    /// 5. the stored target is listed by those targets with its length and every hash.
    /// Expiry is NOT checked (verification must work offline long after the last update; the
    /// update itself refused expired metadata). Every refusal is a `TUFFailure` whose message
    /// names the file and the check (`root chain: roots/4.root.json has 1 of the 2 signatures
    /// the trusted root v3 requires`).
    public func verifiedStore(target name: String, bootstrapRoot: [UInt8], limits: TUFLimits = .default) -> TUFStoreCheck {
        guard holdsAnything(target: name) else { return .empty }
        do throws(TUFRefused) {
            return .verified(try verify(target: name, bootstrapRoot: bootstrapRoot, limits: limits))
        } catch {
            return .failed(error.failure)
        }
    }

    private func verify(target name: String, bootstrapRoot: [UInt8], limits: TUFLimits) throws(TUFRefused) -> TUFVerifiedStore {
        let bootstrap = try TUFRootChain.bootstrap(bootstrapRoot)
        guard let storedBytes = read(path: metadataPath("root.json"), maxLength: limits.rootMaxLength) else {
            throw TUFRefused(.store, role: "root", "\(metadataPath("root.json")) is missing or unreadable")
        }
        let stored = try TUFRoot.parse(storedBytes, role: "root")
        guard stored.version >= bootstrap.version else {
            throw TUFRefused(
                .version, role: "root chain",
                "the cached root.json is version \(stored.version), older than the bootstrap root v\(bootstrap.version) (rollback)")
        }
        let chain = try TUFRootChain.replay(from: bootstrap, store: self, limits: limits)
        let root = chain[chain.count - 1]
        let versions = storedRootVersions()
        if stored.envelope.canonicalSigned != root.envelope.canonicalSigned {
            if versions == nil && stored.version > bootstrap.version {
                throw TUFRefused(
                    .store, role: "root chain",
                    "the cache holds root v\(stored.version) but not the chain of roots from the bootstrap root v\(bootstrap.version) (roots/ is missing: written by an older wheeltrust, or not by wheeltrust)"
                )
            }
            if stored.version > root.version {
                throw TUFRefused(
                    .version, role: "root chain",
                    "the cached root.json is version \(stored.version), but the chain from the bootstrap root v\(bootstrap.version) ends at v\(root.version) (\(rootFile(version: root.version + 1)) is missing)"
                )
            }
            throw TUFRefused(
                .integrity, role: "root chain",
                "the cached root.json (version \(stored.version)) is not the root v\(root.version) the chain from the bootstrap root v\(bootstrap.version) reaches"
            )
        }
        if let stray = versions?.first(where: { $0 > root.version }) {
            throw TUFRefused(
                .version, role: "root chain",
                "\(rootFile(version: stray)) does not continue the chain from the bootstrap root v\(bootstrap.version), which ends at v\(root.version)"
            )
        }
        func signedRole<T>(
            _ role: String, cap: Int, required: Bool, parse: ([UInt8]) throws(TUFRefused) -> T,
            envelope: (T) -> TUFEnvelope
        ) throws(TUFRefused) -> T? {
            let path = metadataPath("\(role).json")
            guard let bytes = read(path: path, maxLength: cap) else {
                guard !required && !FileManager.default.fileExists(atPath: path) else {
                    throw TUFRefused(.store, role: role, "\(path) is missing or unreadable")
                }
                return nil
            }
            let value = try parse(bytes)
            let signed = envelope(value)
            if let problem = root.thresholdProblem(for: role, envelope: signed) {
                throw TUFRefused(
                    .signature, role: role,
                    "stored version \(signed.version) has \(problem.valid) of the \(problem.threshold) signatures root v\(root.version) requires"
                )
            }
            return value
        }
        let timestamp = try signedRole(
            "timestamp", cap: limits.timestampMaxLength, required: false,
            parse: { (b: [UInt8]) throws(TUFRefused) in try TUFTimestamp.parse(b) }, envelope: \.envelope)
        let snapshot = try signedRole(
            "snapshot", cap: limits.snapshotMaxLength, required: false,
            parse: { (b: [UInt8]) throws(TUFRefused) in try TUFSnapshot.parse(b) }, envelope: \.envelope)
        guard
            let targets = try signedRole(
                "targets", cap: limits.targetsMaxLength, required: true,
                parse: { (b: [UInt8]) throws(TUFRefused) in try TUFTargets.parse(b) }, envelope: \.envelope)
        else {
            throw TUFRefused(.store, role: "targets", "\(metadataPath("targets.json")) is missing")
        }
        guard let info = targets.targets[name] else {
            throw TUFRefused(.policy, role: name, "not listed by the stored targets v\(targets.version)")
        }
        guard let bytes = read(path: targetPath(name), maxLength: limits.targetMaxLength) else {
            throw TUFRefused(
                .store, role: name, "\(targetPath(name)) is missing, unreadable or larger than \(limits.targetMaxLength) bytes")
        }
        guard bytes.count == info.length else {
            throw TUFRefused(
                .integrity, role: name, "stored copy has \(bytes.count) bytes, targets v\(targets.version) lists \(info.length)")
        }
        if let algorithm = TUFHashes.firstMismatch(bytes, hashes: info.hashes) {
            throw TUFRefused(.integrity, role: name, "stored copy's \(algorithm) differs from the one targets v\(targets.version) lists")
        }
        return TUFVerifiedStore(
            rootChain: chain.map(\.version), root: .init(version: root.version, expires: root.expires),
            timestamp: timestamp.map { .init(version: $0.version, expires: $0.expires) },
            snapshot: snapshot.map { .init(version: $0.version, expires: $0.expires) },
            targets: .init(version: targets.version, expires: targets.expires),
            targetName: name, targetBytes: bytes, targetHashes: info.hashes.mapValues { TUFHex.encode($0) })
    }
}
