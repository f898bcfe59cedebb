/// Where the update workflow gets repository files from (HTTP in `PackageIndex.TUFHTTPFetcher`,
/// memory or a directory in tests).
///
/// Contract: `path` is relative to the repository (e.g. `3.root.json`, `targets/<hash>.name`);
/// return nil when the repository does not have it (HTTP 404/410), the bytes otherwise, and
/// never more than `maxLength` bytes (stop reading and throw `TUFResponseTooLarge` instead: an endless response must
/// cost bounded memory and time). Any other failure is thrown; the workflow reports it as a
/// network failure of the role it was fetching.
public protocol TUFFetcher: Sendable {
    func fetch(_ path: String, maxLength: Int) async throws -> [UInt8]?
}

/// What a fetcher throws when a response exceeded the `maxLength` it was given (it stopped reading).
public struct TUFResponseTooLarge: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let maxLength: Int

    public init(path: String, maxLength: Int) {
        self.path = path
        self.maxLength = maxLength
    }

    public var description: String { "\(path) is longer than the \(maxLength)-byte limit" }
}

/// Where metadata and targets live relative to the repository base.
///
/// Guarantees: both prefixes are empty or end with `/`.
public struct TUFRepositoryLayout: Sendable, Hashable {
    public let metadataPrefix: String
    public let targetsPrefix: String

    public init(metadataPrefix: String, targetsPrefix: String) {
        self.metadataPrefix = metadataPrefix.isEmpty || metadataPrefix.hasSuffix("/") ? metadataPrefix : metadataPrefix + "/"
        self.targetsPrefix = targetsPrefix.isEmpty || targetsPrefix.hasSuffix("/") ? targetsPrefix : targetsPrefix + "/"
    }

    /// Sigstore's layout: metadata at the base URL, targets under `targets/`.
    public static let sigstore = TUFRepositoryLayout(metadataPrefix: "", targetsPrefix: "targets/")
    /// The python-tuf example layout: `metadata/` and `targets/`.
    public static let metadataDirectory = TUFRepositoryLayout(metadataPrefix: "metadata/", targetsPrefix: "targets/")
}

/// Upper bounds on what one update reads.
///
/// Guarantees: no fetched document is accepted beyond its bound (and the fetcher is told the
/// bound, so it stops reading there); at most `maxRootRotations` new roots are read per update.
public struct TUFLimits: Sendable, Hashable {
    public var rootMaxLength: Int
    public var timestampMaxLength: Int
    public var snapshotMaxLength: Int
    public var targetsMaxLength: Int
    public var targetMaxLength: Int
    public var maxRootRotations: Int

    public init(
        rootMaxLength: Int = 512 << 10, timestampMaxLength: Int = 16 << 10, snapshotMaxLength: Int = 2 << 20,
        targetsMaxLength: Int = 5 << 20, targetMaxLength: Int = 16 << 20, maxRootRotations: Int = 32
    ) {
        self.rootMaxLength = rootMaxLength
        self.timestampMaxLength = timestampMaxLength
        self.snapshotMaxLength = snapshotMaxLength
        self.targetsMaxLength = targetsMaxLength
        self.targetMaxLength = targetMaxLength
        self.maxRootRotations = maxRootRotations
    }

    public static let `default` = TUFLimits()

    /// The largest single response any role may need (for sizing an HTTP client's body cap).
    public var largest: Int {
        max(rootMaxLength, timestampMaxLength, snapshotMaxLength, targetsMaxLength, targetMaxLength)
    }
}
