import Attestations
import Foundation

/// The public-good Sigstore TUF repositories: their URLs, the embedded bootstrap `root.json`
/// files and where their verified metadata is cached.
///
/// Guarantees: the bootstrap roots are the bundled `Resources/sigstore/{prod,staging}/root.json`
/// (see `Resources/SOURCES.md`); `storeDirectory` is `<cacheRoot>/tuf/<prod|staging>`, the same
/// path `trust update` writes and verification reads (offline).
public enum SigstoreTUF {
    /// A public-good Sigstore instance.
    public enum Instance: String, Sendable, CaseIterable {
        case production = "prod"
        case staging = "staging"

        /// Sigstore's TUF CDN for this instance (layout `TUFRepositoryLayout.sigstore`).
        public var repositoryURL: String {
            switch self {
            case .production: "https://tuf-repo-cdn.sigstore.dev"
            case .staging: "https://tuf-repo-cdn.sigstage.dev"
            }
        }
    }

    /// The target that holds the Sigstore trusted root.
    public static let trustedRootTarget = "trusted_root.json"

    /// The embedded bootstrap `root.json` of `instance`.
    public static func bootstrapRoot(_ instance: Instance) throws(AttestationError) -> [UInt8] {
        guard
            let url = Bundle.module.url(
                forResource: "root", withExtension: "json", subdirectory: "Resources/sigstore/\(instance.rawValue)"),
            let data = try? Data(contentsOf: url)
        else {
            throw AttestationError(.malformedTrustedRoot, "bundled resource Resources/sigstore/\(instance.rawValue)/root.json is missing")
        }
        return [UInt8](data)
    }

    /// `<cacheRoot>/tuf/<instance>`.
    public static func storeDirectory(cacheRoot: String, instance: Instance) -> String {
        cacheRoot + "/tuf/" + instance.rawValue
    }

    /// `<cacheRoot>/tuf/url-<percent-encoded URL>` for a repository other than the public-good
    /// ones (with its own bootstrap root).
    public static func storeDirectory(cacheRoot: String, repositoryURL: String) -> String {
        cacheRoot + "/tuf/url-" + TUFStore.fileComponent(repositoryURL)
    }
}
