import Attestations
import Foundation
import PackageIndex
import PythonPackaging
import Sigstore
import TUF

/// The TUF repository of Sigstore trust material that `trust update` refreshes and `trust show`
/// checks, with the bootstrap root it is anchored at and the local store its verified metadata is
/// kept in.
///
/// Guarantees: a Sigstore instance's repository (at its CDN, or at another URL serving the same
/// instance) is anchored at the embedded `root.json` of that instance and kept in the store that
/// ``VerificationSetup/sigstoreTrustedRoot()`` reads (`<cache>/tuf/<prod|staging>`); any other
/// repository is anchored at a root file the caller names and kept apart (`<cache>/tuf/url-…`,
/// named after its URL), so it never stands in for Sigstore's own. Argument combinations that
/// cannot name one repository are refused (``problem(staging:repositoryURL:rootFile:)``) before
/// any file is read; nothing is fetched until ``update(timeout:now:)``.
public struct TrustRepository: Sendable {
    /// Why a combination of arguments names no repository.
    public enum ArgumentProblem: Sendable, Equatable {
        /// The repository URL is not an http(s) URL with a host.
        case notHTTP(String)
        /// A root file with the staging instance (a root file means another repository).
        case rootFileWithStaging
        /// A root file without the URL of the repository it anchors.
        case rootFileWithoutURL
    }

    /// What an update found.
    public enum UpdateResult: Sendable {
        /// Every role verified and the trusted root is stored (and decodes as one).
        case updated(TUFUpdateSummary)
        /// The TUF workflow stopped: a refusal (`isTamper`) or an operational failure.
        case failed(TUFFailure)
        /// The trusted root verified by TUF does not decode as a Sigstore trusted root (the reason).
        case unusableTrustedRoot(String)
    }

    public let url: URL
    /// The root the store's chain must descend from.
    public let bootstrapRoot: [UInt8]
    public let store: TUFStore
    /// `Sigstore production`, `Sigstore staging`, or `Custom` (anchored at a root file).
    public let name: String
    /// Whether the repository is anchored at a root file the caller named (not an embedded root).
    public let isAnchoredAtFile: Bool

    /// The first problem of these arguments, in the order they are checked, or nil.
    public static func problem(staging: Bool, repositoryURL: String?, rootFile: String?) -> ArgumentProblem? {
        if let repositoryURL, HTTPURL.parse(repositoryURL) == nil { return .notHTTP(repositoryURL) }
        guard rootFile != nil else { return nil }
        if staging { return .rootFileWithStaging }
        if repositoryURL == nil { return .rootFileWithoutURL }
        return nil
    }

    /// The repository these arguments name: with `rootFile`, the repository at `repositoryURL`
    /// anchored at that file; else the Sigstore instance (staging with `staging`) at
    /// `repositoryURL` or its own CDN. The store is under `cacheDirectory`, else the default cache
    /// root for `environment`. A problem of the arguments or an unreadable (or too large) root file
    /// is a usage error; an embedded root that cannot be loaded is operational.
    public init(
        staging: Bool, repositoryURL: String?, rootFile: String?, cacheDirectory: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(VerificationError) {
        if let problem = Self.problem(staging: staging, repositoryURL: repositoryURL, rootFile: rootFile) {
            switch problem {
            case .notHTTP(let text):
                throw VerificationError(.usage, "the TUF repository URL is not an http(s) URL: \(URLMasking.redact(text))")
            case .rootFileWithStaging:
                throw VerificationError(.usage, "a bootstrap root file names another repository than Sigstore staging")
            case .rootFileWithoutURL:
                throw VerificationError(.usage, "a bootstrap root file needs the URL of its repository")
            }
        }
        let instance: SigstoreTUF.Instance = staging ? .staging : .production
        let cacheRoot = cacheDirectory ?? ContentCache.defaultRoot(environment: environment)
        let text = repositoryURL ?? instance.repositoryURL
        guard let url = HTTPURL.parse(text) else {
            throw VerificationError(.usage, "the TUF repository URL is not an http(s) URL: \(URLMasking.redact(text))")
        }
        self.url = url
        if let rootFile, let repositoryURL {
            let limit = TUFLimits.default.rootMaxLength
            guard let bytes = try? BoundedFile.read(rootFile, cap: limit) else {
                throw VerificationError(.usage, "cannot read the root file \(rootFile) (or larger than \(limit) bytes)")
            }
            bootstrapRoot = bytes
            store = TUFStore(directory: SigstoreTUF.storeDirectory(cacheRoot: cacheRoot, repositoryURL: repositoryURL))
            name = "Custom"
            isAnchoredAtFile = true
            return
        }
        do {
            bootstrapRoot = try SigstoreTUF.bootstrapRoot(instance)
        } catch {
            throw VerificationError(.operational, error.message)
        }
        store = TUFStore(directory: SigstoreTUF.storeDirectory(cacheRoot: cacheRoot, instance: instance))
        name = staging ? "Sigstore staging" : "Sigstore production"
        isAnchoredAtFile = false
    }

    /// Runs the TUF client workflow against the repository (each request within `timeout`
    /// seconds) and keeps the verified trusted root in the store; the trusted root must then also
    /// decode as one.
    public func update(timeout: TimeInterval, now: Date = Date()) async -> UpdateResult {
        let limits = TUFLimits.default
        let fetcher = TUFHTTPFetcher(baseURL: url, http: TUFHTTPFetcher.client(limits: limits, timeout: timeout))
        let updater = TUFUpdater(fetcher: fetcher, store: store, bootstrapRoot: bootstrapRoot, layout: .sigstore, limits: limits)
        switch await updater.update(target: SigstoreTUF.trustedRootTarget, now: now) {
        case .failed(let failure):
            return .failed(failure)
        case .updated(let summary):
            do {
                _ = try TrustedRoot.decode(Data(summary.targetBytes))
            } catch {
                return .unusableTrustedRoot(error.message)
            }
            return .updated(summary)
        }
    }

    /// The store checked offline: the chain of cached roots from the bootstrap root, the cached
    /// metadata's signatures and the cached trusted root's length and hashes (never the network).
    public func cachedState() -> TUFStoreCheck {
        store.verifiedStore(target: SigstoreTUF.trustedRootTarget, bootstrapRoot: bootstrapRoot)
    }
}
