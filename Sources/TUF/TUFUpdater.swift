import Foundation

/// What a successful update verified and keeps in the store.
public struct TUFUpdateSummary: Sendable, Hashable {
    public let rootVersion: Int
    public let rootExpires: Date
    /// The root version the update started from (equal to `rootVersion` when nothing rotated).
    public let initialRootVersion: Int
    public let timestampVersion: Int
    public let snapshotVersion: Int
    public let targetsVersion: Int
    public let targetName: String
    public let targetPath: String
    public let targetLength: Int
    /// The target's hashes as targets metadata lists them (algorithm → lowercase hex).
    public let targetHashes: [String: String]
    /// False when the stored copy already matched targets metadata and nothing was downloaded.
    public let targetDownloaded: Bool
    /// The verified target bytes.
    public let targetBytes: [UInt8]
}

/// The result of `TUFUpdater.update`: verified, or the first failure (a value, never thrown).
public enum TUFUpdateOutcome: Sendable {
    case updated(TUFUpdateSummary)
    case failed(TUFFailure)
}

/// The TUF 1.0 client workflow ("detailed client workflow" of the specification) for the
/// top-level roles and one target.
///
/// Guarantees, in order (each refusal is a `TUFFailure` naming the role):
/// 1. Trusted root: the bootstrap root must be signed by its own threshold; the stored
///    `root.json` is trusted only when it is the end (same signed content) of the chain the store
///    keeps in `roots/` that verifies from the bootstrap (`TUFRootChain`: each version signed by
///    the previous version's threshold and its own); otherwise the update starts from the
///    bootstrap and the stored roots after it are removed (a store written by an older
///    wheeltrust, with no `roots/`, is rebuilt this way). Its expiry is not checked yet.
/// 2. Root rotation: for N+1 = version+1 up to `maxRootRotations` times, `<N+1>.root.json` must be
///    signed by a threshold of the trusted root's root keys AND of its own root keys, and carry
///    version exactly N+1 (`TUFRootChain.step`); each verified root is stored as
///    `roots/<N+1>.root.json` and then as `root.json`. A 404 ends the loop; `root.json` then holds
///    the trusted root. The trusted root must not be expired at `now`. If the timestamp or
///    snapshot keys changed, the stored timestamp and snapshot are discarded (fast-forward recovery).
/// 3. Timestamp: `timestamp.json`, threshold of the root's timestamp keys; version not lower than
///    the trusted timestamp's (equal: the trusted one is kept); the snapshot version it names not
///    lower than the trusted timestamp names; not expired.
/// 4. Snapshot: the stored one is reused when it verifies and matches what the timestamp names;
///    else `<v>.snapshot.json` (consistent snapshots) or `snapshot.json`, at most the length the
///    timestamp names, with that length and every listed hash, threshold of snapshot keys,
///    version equal to the timestamp's, no targets file listed by the trusted snapshot removed or
///    at a lower version, not expired.
/// 5. Targets: likewise against the snapshot's `targets.json` entry, version equal, not expired.
/// 6. Target: listed by the top-level targets (delegations are not searched), length at most
///    `targetMaxLength`; the stored copy is reused when its length and every hash match, else
///    `targets/<sha256>.<name>` (consistent snapshots) or `targets/<name>` is fetched with at most
///    that many bytes and must match the length and every listed hash; then it is stored.
/// Nothing unverified is ever written to the store.
public struct TUFUpdater: Sendable {
    public let fetcher: any TUFFetcher
    public let store: TUFStore
    public let bootstrapRoot: [UInt8]
    public let layout: TUFRepositoryLayout
    public let limits: TUFLimits

    public init(
        fetcher: any TUFFetcher, store: TUFStore, bootstrapRoot: [UInt8],
        layout: TUFRepositoryLayout = .sigstore, limits: TUFLimits = .default
    ) {
        self.fetcher = fetcher
        self.store = store
        self.bootstrapRoot = bootstrapRoot
        self.layout = layout
        self.limits = limits
    }

    /// Runs the whole workflow at time `now` and returns the verified target `targetName`.
    public func update(target targetName: String, now: Date) async -> TUFUpdateOutcome {
        do throws(TUFRefused) {
            return .updated(try await run(targetName: targetName, now: now))
        } catch {
            return .failed(error.failure)
        }
    }

    private func run(targetName: String, now: Date) async throws(TUFRefused) -> TUFUpdateSummary {
        let initial = try loadTrustedRoot()
        let root = try await updateRoot(from: initial, now: now)
        let timestamp = try await updateTimestamp(root: root, now: now)
        let snapshot = try await updateSnapshot(root: root, timestamp: timestamp, now: now)
        let targets = try await updateTargets(root: root, snapshot: snapshot, now: now)
        let (bytes, downloaded) = try await updateTarget(targetName, root: root, targets: targets)
        let info = targets.targets[targetName]
        return TUFUpdateSummary(
            rootVersion: root.version, rootExpires: root.expires, initialRootVersion: initial.version,
            timestampVersion: timestamp.version, snapshotVersion: snapshot.version, targetsVersion: targets.version,
            targetName: targetName, targetPath: store.targetPath(targetName), targetLength: bytes.count,
            targetHashes: (info?.hashes ?? [:]).mapValues { TUFHex.encode($0) },
            targetDownloaded: downloaded, targetBytes: bytes)
    }

    // MARK: - Root

    /// The stored `root.json` when it is the end of a chain the store keeps in `roots/` that
    /// verifies from the bootstrap root (`TUFRootChain`); otherwise the bootstrap, and the stored
    /// roots after it are removed (the update fetches the chain again from the repository).
    private func loadTrustedRoot() throws(TUFRefused) -> TUFRoot {
        let bootstrap = try TUFRootChain.bootstrap(bootstrapRoot)
        let chain = TUFRootChain.longestValidPrefix(from: bootstrap, store: store, limits: limits)
        let end = chain[chain.count - 1]
        if let bytes = store.read(path: store.metadataPath("root.json"), maxLength: limits.rootMaxLength),
            let stored = try? TUFRoot.parse(bytes, role: "root"), stored.envelope.canonicalSigned == end.envelope.canonicalSigned
        {
            removeStoredRoots(above: end.version)
            return end
        }
        removeStoredRoots(above: bootstrap.version)
        return bootstrap
    }

    /// Removes `roots/<N>.root.json` for every N above `version` (not part of the trusted chain).
    private func removeStoredRoots(above version: Int) {
        for stored in store.storedRootVersions() ?? [] where stored > version {
            store.remove(path: store.rootPath(version: stored))
        }
    }

    private func updateRoot(from initial: TUFRoot, now: Date) async throws(TUFRefused) -> TUFRoot {
        var trusted = initial
        for _ in 0..<limits.maxRootRotations {
            let next = trusted.version + 1
            let file = "\(next).root.json"
            guard let bytes = try await fetch(layout.metadataPrefix + file, maxLength: limits.rootMaxLength, role: "root") else {
                break
            }
            let candidate = try TUFRootChain.step(from: trusted, bytes: bytes, file: file)
            // The chain first, then the trusted root: root.json is always the end of the kept chain.
            try store.write(path: store.rootPath(version: next), bytes, role: "root")
            try store.write(path: store.metadataPath("root.json"), bytes, role: "root")
            trusted = candidate
        }
        if store.read(path: store.metadataPath("root.json"), maxLength: limits.rootMaxLength)
            .flatMap({ try? TUFRoot.parse($0, role: "root") })?.envelope.canonicalSigned != trusted.envelope.canonicalSigned
        {
            try store.write(path: store.metadataPath("root.json"), trusted.bytes, role: "root")
        }
        guard now < trusted.expires else {
            throw TUFRefused(
                .expired, role: "root",
                "version \(trusted.version) expired at \(Self.format(trusted.expires)) (freeze attack or stale repository)")
        }
        if trusted.version != initial.version {
            if trusted.roles["timestamp"] != initial.roles["timestamp"] || trusted.roles["snapshot"] != initial.roles["snapshot"] {
                store.remove(path: store.metadataPath("timestamp.json"))
                store.remove(path: store.metadataPath("snapshot.json"))
            }
            if trusted.roles["targets"] != initial.roles["targets"] {
                store.remove(path: store.metadataPath("targets.json"))
            }
        }
        return trusted
    }

    // MARK: - Timestamp

    private func updateTimestamp(root: TUFRoot, now: Date) async throws(TUFRefused) -> TUFTimestamp {
        let path = store.metadataPath("timestamp.json")
        var trusted: TUFTimestamp?
        if let bytes = store.read(path: path, maxLength: limits.timestampMaxLength),
            let stored = try? TUFTimestamp.parse(bytes), root.thresholdProblem(for: "timestamp", envelope: stored.envelope) == nil
        {
            trusted = stored
        }
        guard
            let bytes = try await fetch(
                layout.metadataPrefix + "timestamp.json", maxLength: limits.timestampMaxLength,
                role: "timestamp")
        else {
            throw TUFRefused(.notFound, role: "timestamp", "timestamp.json is not in the repository")
        }
        let candidate = try TUFTimestamp.parse(bytes)
        if let problem = root.thresholdProblem(for: "timestamp", envelope: candidate.envelope) {
            throw TUFRefused(
                .signature, role: "timestamp",
                "version \(candidate.version) has \(problem.valid) of the \(problem.threshold) signatures root v\(root.version) requires")
        }
        var current = candidate
        if let trusted {
            guard candidate.version >= trusted.version else {
                throw TUFRefused(
                    .version, role: "timestamp",
                    "version \(candidate.version) is lower than the trusted version \(trusted.version) (rollback attack)")
            }
            guard candidate.snapshotMeta.version >= trusted.snapshotMeta.version else {
                throw TUFRefused(
                    .version, role: "timestamp",
                    "names snapshot version \(candidate.snapshotMeta.version), lower than the trusted snapshot version \(trusted.snapshotMeta.version) (rollback attack)"
                )
            }
            if candidate.version == trusted.version { current = trusted }
        }
        guard now < current.expires else {
            throw TUFRefused(
                .expired, role: "timestamp",
                "version \(current.version) expired at \(Self.format(current.expires)) (freeze attack)")
        }
        if current.version != trusted?.version {
            try store.write(path: path, bytes, role: "timestamp")
        }
        return current
    }

    // MARK: - Snapshot

    private func updateSnapshot(root: TUFRoot, timestamp: TUFTimestamp, now: Date) async throws(TUFRefused) -> TUFSnapshot {
        let path = store.metadataPath("snapshot.json")
        let meta = timestamp.snapshotMeta
        var trusted: TUFSnapshot?
        var trustedBytes: [UInt8] = []
        if let bytes = store.read(path: path, maxLength: limits.snapshotMaxLength),
            let stored = try? TUFSnapshot.parse(bytes), root.thresholdProblem(for: "snapshot", envelope: stored.envelope) == nil
        {
            trusted = stored
            trustedBytes = bytes
        }
        if let trusted, trusted.version == meta.version, Self.matches(trustedBytes, meta), now < trusted.expires {
            return trusted
        }
        let file = root.consistentSnapshot ? "\(meta.version).snapshot.json" : "snapshot.json"
        let bytes = try await fetchListed(
            layout.metadataPrefix + file, meta: meta, cap: limits.snapshotMaxLength,
            role: "snapshot", parent: "timestamp v\(timestamp.version)")
        let candidate = try TUFSnapshot.parse(bytes)
        try Self.checkListed(
            role: "snapshot", envelope: candidate.envelope, version: candidate.version, file: file,
            root: root, listedVersion: meta.version, parent: "timestamp v\(timestamp.version)")
        if let trusted {
            for name in trusted.meta.keys.sorted() {
                guard let old = trusted.meta[name] else { continue }
                guard let new = candidate.meta[name] else {
                    throw TUFRefused(
                        .policy, role: "snapshot",
                        "version \(candidate.version) removes \(name.prefix(80)), which the trusted snapshot v\(trusted.version) lists")
                }
                guard new.version >= old.version else {
                    throw TUFRefused(
                        .version, role: "snapshot",
                        "lists \(name.prefix(80)) version \(new.version), lower than the trusted version \(old.version) (rollback attack)")
                }
            }
        }
        guard now < candidate.expires else {
            throw TUFRefused(
                .expired, role: "snapshot",
                "version \(candidate.version) expired at \(Self.format(candidate.expires)) (freeze attack)")
        }
        try store.write(path: path, bytes, role: "snapshot")
        return candidate
    }

    /// A fetched snapshot or targets file: signed by the threshold of its role's keys in `root`,
    /// and exactly the version its parent (timestamp or snapshot) lists.
    private static func checkListed(
        role: String, envelope: TUFEnvelope, version: Int, file: String, root: TUFRoot,
        listedVersion: Int, parent: String
    ) throws(TUFRefused) {
        if let problem = root.thresholdProblem(for: role, envelope: envelope) {
            throw TUFRefused(
                .signature, role: role,
                "version \(version) has \(problem.valid) of the \(problem.threshold) signatures root v\(root.version) requires")
        }
        guard version == listedVersion else {
            throw TUFRefused(
                .version, role: role,
                "\(file) carries version \(version), but \(parent) names version \(listedVersion) (mix-and-match attack)")
        }
    }

    // MARK: - Targets

    private func updateTargets(root: TUFRoot, snapshot: TUFSnapshot, now: Date) async throws(TUFRefused) -> TUFTargets {
        let path = store.metadataPath("targets.json")
        guard let meta = snapshot.meta["targets.json"] else {
            throw TUFRefused(.malformed, role: "snapshot", "does not list targets.json")
        }
        if let bytes = store.read(path: path, maxLength: limits.targetsMaxLength),
            let stored = try? TUFTargets.parse(bytes), root.thresholdProblem(for: "targets", envelope: stored.envelope) == nil,
            stored.version == meta.version, Self.matches(bytes, meta), now < stored.expires
        {
            return stored
        }
        let file = root.consistentSnapshot ? "\(meta.version).targets.json" : "targets.json"
        let bytes = try await fetchListed(
            layout.metadataPrefix + file, meta: meta, cap: limits.targetsMaxLength,
            role: "targets", parent: "snapshot v\(snapshot.version)")
        let candidate = try TUFTargets.parse(bytes)
        try Self.checkListed(
            role: "targets", envelope: candidate.envelope, version: candidate.version, file: file,
            root: root, listedVersion: meta.version, parent: "snapshot v\(snapshot.version)")
        guard now < candidate.expires else {
            throw TUFRefused(
                .expired, role: "targets",
                "version \(candidate.version) expired at \(Self.format(candidate.expires)) (freeze attack)")
        }
        try store.write(path: path, bytes, role: "targets")
        return candidate
    }

    // MARK: - Target file

    private func updateTarget(_ name: String, root: TUFRoot, targets: TUFTargets) async throws(TUFRefused) -> ([UInt8], Bool) {
        guard let info = targets.targets[name] else {
            let delegation = targets.hasDelegations ? "; delegated targets roles are not searched by this client" : ""
            throw TUFRefused(.policy, role: name, "not listed by the top-level targets v\(targets.version)\(delegation)")
        }
        guard info.length <= limits.targetMaxLength else {
            throw TUFRefused(
                .tooLarge, role: name,
                "targets v\(targets.version) lists \(info.length) bytes, more than the \(limits.targetMaxLength)-byte limit")
        }
        let path = store.targetPath(name)
        if let stored = store.read(path: path, maxLength: info.length), stored.count == info.length,
            TUFHashes.firstMismatch(stored, hashes: info.hashes) == nil
        {
            return (stored, false)
        }
        var remote = name
        if root.consistentSnapshot, let preferred = TUFHashes.preferred(info.hashes) {
            let slash = name.lastIndex(of: "/")
            let directory = slash.map { String(name[...$0]) } ?? ""
            let base = slash.map { String(name[name.index(after: $0)...]) } ?? name
            remote = directory + TUFHex.encode(preferred.digest) + "." + base
        }
        guard
            let bytes = try await fetch(
                layout.targetsPrefix + remote, maxLength: info.length, role: name,
                listedBy: "targets v\(targets.version)")
        else {
            throw TUFRefused(.notFound, role: name, "\(layout.targetsPrefix)\(remote) is not in the repository")
        }
        guard bytes.count == info.length else {
            throw TUFRefused(
                .integrity, role: name, "length \(bytes.count) differs from the \(info.length) bytes targets v\(targets.version) lists")
        }
        if let algorithm = TUFHashes.firstMismatch(bytes, hashes: info.hashes) {
            throw TUFRefused(.integrity, role: name, "\(algorithm) differs from the one targets v\(targets.version) lists")
        }
        try store.write(path: path, bytes, role: name)
        return (bytes, true)
    }

    // MARK: - Fetching

    /// `listedBy` names the role whose listed length is `maxLength` (for the message), nil when
    /// `maxLength` is this client's own bound.
    private func fetch(_ path: String, maxLength: Int, role: String, listedBy: String? = nil) async throws(TUFRefused) -> [UInt8]? {
        func tooLong() -> TUFRefused {
            if let listedBy {
                return TUFRefused(.integrity, role: role, "\(path) is longer than the \(maxLength) bytes \(listedBy) lists")
            }
            return TUFRefused(.tooLarge, role: role, "\(path) is longer than the \(maxLength)-byte limit")
        }
        let bytes: [UInt8]?
        do {
            bytes = try await fetcher.fetch(path, maxLength: maxLength)
        } catch is TUFResponseTooLarge {
            throw tooLong()
        } catch {
            throw TUFRefused(.network, role: role, "cannot fetch \(path): \(error)")
        }
        if let bytes, bytes.count > maxLength { throw tooLong() }
        return bytes
    }

    /// Fetches a metadata file a parent role lists, checking the listed length and hashes.
    private func fetchListed(_ path: String, meta: TUFMetaFile, cap: Int, role: String, parent: String) async throws(TUFRefused) -> [UInt8]
    {
        let maxLength = min(meta.length ?? cap, cap)
        let listedBy = meta.length.map { $0 <= cap ? parent : nil } ?? nil
        guard let bytes = try await fetch(path, maxLength: maxLength, role: role, listedBy: listedBy) else {
            throw TUFRefused(.notFound, role: role, "\(path) is not in the repository")
        }
        if let length = meta.length, bytes.count != length {
            throw TUFRefused(.integrity, role: role, "length \(bytes.count) differs from the \(length) bytes \(parent) names")
        }
        if let hashes = meta.hashes, let algorithm = TUFHashes.firstMismatch(bytes, hashes: hashes) {
            throw TUFRefused(.integrity, role: role, "\(algorithm) differs from the one \(parent) names (mix-and-match attack)")
        }
        return bytes
    }

    static func matches(_ bytes: [UInt8], _ meta: TUFMetaFile) -> Bool {
        if let length = meta.length, bytes.count != length { return false }
        if let hashes = meta.hashes, TUFHashes.firstMismatch(bytes, hashes: hashes) != nil { return false }
        return true
    }

    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
