import ArgumentParser
import Attestations
import Foundation
import PackageIndex
import Sigstore
import TUF
import Verification

/// `wheeltrust trust`: the Sigstore trusted root, refreshed through TUF.
struct TrustCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trust",
        abstract: "Refresh or show the Sigstore trusted root (TUF).",
        subcommands: [TrustUpdateCommand.self, TrustShowCommand.self])
}

/// Which TUF repository and cache a `trust` subcommand works on.
struct TrustRepositoryOptions: ParsableArguments {
    @Flag(name: .long, help: "Use Sigstore's public-good staging instance instead of production.")
    var staging = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The TUF repository (default: Sigstore's CDN for the instance; metadata at the base, targets under targets/).",
            valueName: "URL"))
    var repositoryURL: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A bootstrap root.json for a repository other than Sigstore's (needs --repository-url); its result is cached apart, anchored at this file (`trust show` needs the same --root), and used with --trusted-root.",
            valueName: "FILE"))
    var root: String?

    @Option(name: .long, help: "The cache root (default: $XDG_CACHE_HOME/wheeltrust or ~/.cache/wheeltrust).")
    var cacheDir: String?

    /// The usage problem of these options, named by their flags, or nil.
    func validate() throws {
        switch TrustRepository.problem(staging: staging, repositoryURL: repositoryURL, rootFile: root) {
        case .notHTTP(let text): throw UsageError("--repository-url is not an http(s) URL: \(URLMasking.redact(text))")
        case .rootFileWithStaging: throw UsageError("--root and --staging cannot be used together")
        case .rootFileWithoutURL: throw UsageError("--root needs --repository-url")
        case nil: break
        }
    }

    /// The repository these options name.
    func resolve() throws -> TrustRepository {
        let (staging, repositoryURL, root, cacheDir) = (staging, repositoryURL, root, cacheDir)
        return try prepare { () throws(VerificationError) in
            try TrustRepository(staging: staging, repositoryURL: repositoryURL, rootFile: root, cacheDirectory: cacheDir)
        }
    }
}

/// `wheeltrust trust update`: runs the TUF client workflow and caches the verified trusted root.
struct TrustUpdateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Fetch and verify the Sigstore trusted root through TUF and keep it in the cache.",
        discussion: """
            Verifies the root.json chain (each new root signed by a threshold of the old and of its own \
            root keys, versions increasing by one, not expired), then timestamp, snapshot and targets \
            (thresholds, no rollback, versions as the parent role names them, not expired), then the \
            length and hashes of trusted_root.json. Verification commands use the cached result offline. \
            Exit codes: 0 updated; 1 the repository served something that failed verification; 2 usage; \
            3 network or cache failure.
            """)

    @OptionGroup var repository: TrustRepositoryOptions

    @Option(name: .long, help: "Network timeout in seconds.")
    var timeout: Double = 30

    func run() async throws {
        let repository = try self.repository.resolve()
        let url = repository.url.redacted
        switch await repository.update(timeout: timeout) {
        case .failed(let failure):
            let outcome = failure.isTamper ? "refused" : "could not complete"
            throw fail(
                "TUF update from \(url) \(outcome): \(failure.message)",
                code: failure.isTamper ? Exit.failed : Exit.incomplete)
        case .unusableTrustedRoot(let reason):
            throw fail("\(SigstoreTUF.trustedRootTarget) verified by TUF but unusable: \(reason)", code: Exit.failed)
        case .updated(let summary):
            let rotation =
                summary.initialRootVersion == summary.rootVersion
                ? "v\(summary.rootVersion)" : "v\(summary.initialRootVersion) -> v\(summary.rootVersion)"
            emit(
                """
                \(repository.name) TUF repository \(url)
                  root: \(rotation) (expires \(TrustShowCommand.format(summary.rootExpires)))
                  timestamp: v\(summary.timestampVersion), snapshot: v\(summary.snapshotVersion), targets: v\(summary.targetsVersion)
                  \(summary.targetName): \(summary.targetDownloaded ? "verified and stored" : "unchanged, verified") \
                (\(summary.targetLength) bytes, sha256 \(summary.targetHashes["sha256"] ?? "-"))
                  cached at \(summary.targetPath)

                """)
        }
    }
}

/// `wheeltrust trust show`: what the cache holds and whether it verifies (offline).
struct TrustShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract:
            "Check the cached TUF metadata offline (the root chain from the embedded root, signatures, the trusted root's hashes) and show it.",
        discussion: """
            Exit codes: 0 the cache verifies (or is empty); 2 usage; 3 the cache does not verify \
            (a broken root chain, a bad signature, a changed file): run `wheeltrust trust update`.
            """)

    @OptionGroup var repository: TrustRepositoryOptions

    func run() throws {
        let repository = try self.repository.resolve()
        let store = repository.store
        emit("\(repository.name) TUF repository \(repository.url.redacted)\n  cache: \(store.directory)\n")
        let name = SigstoreTUF.trustedRootTarget
        let verified: TUFVerifiedStore
        switch repository.cachedState() {
        case .empty:
            emit("  no cached metadata: verification uses the embedded trusted root (\(FlagWording().hint(.updateTrust)))\n")
            return
        case .failed(let failure):
            throw fail(
                "the cache \(store.directory) does not verify: \(failure.message); \(FlagWording().hint(.updateTrust))",
                code: Exit.incomplete)
        case .verified(let store):
            verified = store
        }
        let anchor = !repository.isAnchoredAtFile ? "the embedded root" : "the --root file"
        emit("  root chain: \(verified.rootChain.map { "v\($0)" }.joined(separator: " -> ")) (from \(anchor))\n")
        let roles: [(String, TUFVerifiedStore.Role?)] = [
            ("root", verified.root), ("timestamp", verified.timestamp),
            ("snapshot", verified.snapshot), ("targets", verified.targets),
        ]
        for (role, state) in roles {
            guard let state else { continue }
            emit("  \(role): v\(state.version), expires \(Self.format(state.expires))\(state.expires <= Date() ? " (expired)" : "")\n")
        }
        emit("  \(name): \(verified.targetBytes.count) bytes\n")
        for algorithm in verified.targetHashes.keys.sorted() {
            emit("    \(algorithm): \(verified.targetHashes[algorithm] ?? "")\n")
        }
        let use = !repository.isAnchoredAtFile ? "verification uses it" : "use it with --trusted-root \(store.targetPath(name))"
        emit("  \(name): cached copy verifies against the cached metadata, chained from \(anchor); \(use)\n")
    }

    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
