import Foundation

/// The chain of root metadata from a bootstrap root to the trusted one: the TUF root update rule,
/// used by the update workflow on fetched roots and by every offline use of a store on the
/// roots it keeps (`roots/<N>.root.json`).
///
/// Guarantees: `bootstrap` accepts a root only when it is signed by a threshold of its own root
/// keys; `step` accepts root version N+1 only when it is signed by a threshold of version N's
/// root keys AND a threshold of its own, and carries exactly version N+1; `replay` walks the
/// store's `roots/` from the bootstrap's version + 1 while files are present (at most
/// `maxStoredRoots`), each by `step`, and throws on the first that fails — a chain with a
/// rotated key that fails the old threshold, a version that skips or repeats, or a file that is
/// not root metadata is never walked past. Expiry is not checked here (old roots in a chain are
/// expected to have expired; the update workflow checks the final root's expiry).
enum TUFRootChain {
    /// More stored roots than this beyond the bootstrap are refused (bounded work on every use).
    static let maxStoredRoots = 1024

    /// The bootstrap root, signed by its own threshold. `what` names it in failures.
    static func bootstrap(_ bytes: [UInt8], role: String = "root", what: String = "bootstrap root") throws(TUFRefused) -> TUFRoot {
        let root = try TUFRoot.parse(bytes, role: role)
        if let problem = root.thresholdProblem(for: "root", envelope: root.envelope) {
            throw TUFRefused(
                .signature, role: role,
                "\(what) v\(root.version) has \(problem.valid) of the \(problem.threshold) signatures its own root keys require")
        }
        return root
    }

    /// `bytes` (read from `file`) as the root that follows `trusted`.
    static func step(from trusted: TUFRoot, bytes: [UInt8], file: String, role: String = "root") throws(TUFRefused) -> TUFRoot {
        let next = trusted.version + 1
        let candidate = try TUFRoot.parse(bytes, role: role)
        if let problem = trusted.thresholdProblem(for: "root", envelope: candidate.envelope) {
            throw TUFRefused(
                .signature, role: role,
                "\(file) has \(problem.valid) of the \(problem.threshold) signatures the trusted root v\(trusted.version) requires")
        }
        if let problem = candidate.thresholdProblem(for: "root", envelope: candidate.envelope) {
            throw TUFRefused(
                .signature, role: role,
                "\(file) has \(problem.valid) of the \(problem.threshold) signatures its own root keys require")
        }
        guard candidate.version == next else {
            throw TUFRefused(.version, role: role, "\(file) carries version \(candidate.version), expected \(next)")
        }
        return candidate
    }

    /// The roots the store keeps after `bootstrap`, each verified by `step` (bootstrap first, the
    /// trusted root last). Throws, with role `root chain`, on the first stored root that fails.
    static func replay(from bootstrap: TUFRoot, store: TUFStore, limits: TUFLimits) throws(TUFRefused) -> [TUFRoot] {
        var chain = [bootstrap]
        var trusted = bootstrap
        for _ in 0..<maxStoredRoots {
            let version = trusted.version + 1
            let path = store.rootPath(version: version)
            guard FileManager.default.fileExists(atPath: path) else { return chain }
            guard let bytes = store.read(path: path, maxLength: limits.rootMaxLength) else {
                throw TUFRefused(
                    .store, role: "root chain",
                    "\(store.rootFile(version: version)) is unreadable or larger than \(limits.rootMaxLength) bytes")
            }
            trusted = try step(from: trusted, bytes: bytes, file: store.rootFile(version: version), role: "root chain")
            chain.append(trusted)
        }
        throw TUFRefused(
            .tooLarge, role: "root chain", "more than \(maxStoredRoots) stored roots after the bootstrap root v\(bootstrap.version)")
    }

    /// The longest prefix of the stored chain that verifies (bootstrap first), for the update
    /// workflow, which then repairs the store from the repository.
    static func longestValidPrefix(from bootstrap: TUFRoot, store: TUFStore, limits: TUFLimits) -> [TUFRoot] {
        var chain = [bootstrap]
        for _ in 0..<maxStoredRoots {
            let version = chain[chain.count - 1].version + 1
            guard let bytes = store.read(path: store.rootPath(version: version), maxLength: limits.rootMaxLength),
                let next = try? step(from: chain[chain.count - 1], bytes: bytes, file: store.rootFile(version: version))
            else {
                return chain
            }
            chain.append(next)
        }
        return chain
    }
}
