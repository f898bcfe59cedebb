import Foundation

/// Which installer's configuration an ``IndexConfiguration`` was read from.
public enum IndexTool: String, Sendable, Equatable {
    case pip
    case uv
}

/// How a project is looked up when several indexes are configured.
public enum IndexStrategy: String, Sendable, Equatable {
    /// uv's default (`first-index`): the project's files come only from the first index, in
    /// lookup order, whose page lists the project; later indexes are not consulted for it (so an
    /// index further down cannot offer a same-named file at all).
    case firstIndex = "first-index"
    /// pip's behaviour (and uv's `unsafe-first-match` / `unsafe-best-match`): the files of every
    /// index are considered together; a file name offered by two indexes with different (or
    /// unprovable) digests is a conflict that is reported, never resolved silently.
    case allIndexes = "all-indexes"
}

/// One configured package index.
///
/// Guarantees: `url` is an absolute http(s) URL (it may carry userinfo credentials: print it only
/// through `URL.redacted`); `origin` names where it was configured and never holds a secret;
/// `credentials`, when set, came from uv's `UV_INDEX_<NAME>_USERNAME` / `_PASSWORD` for this
/// index's name and are bound to this index's origin.
public struct ConfiguredIndex: Sendable, Equatable {
    public var url: URL
    /// uv's index name (`[[index]] name`, `UV_INDEX=name=url`), nil for unnamed indexes.
    public var name: String?
    /// Where it was configured (a variable name, or a file and its key).
    public var origin: String
    /// uv's `default = true` (or `index-url` / `UV_DEFAULT_INDEX`): consulted last.
    public var isDefault: Bool
    /// uv's `explicit = true`: used by uv only for packages pinned to it in a project's
    /// `[tool.uv.sources]`, which wheeltrust does not read, so it is never consulted.
    public var isExplicit: Bool
    /// Credentials for this index from uv's per-index variables.
    public var credentials: IndexCredentials?

    public init(
        url: URL, name: String? = nil, origin: String, isDefault: Bool = false, isExplicit: Bool = false,
        credentials: IndexCredentials? = nil
    ) {
        self.url = url
        self.name = name
        self.origin = origin
        self.isDefault = isDefault
        self.isExplicit = isExplicit
        self.credentials = credentials
    }

    /// `url` without userinfo: how the index is named in reports and matched by a policy.
    public var address: URL { url.removingUserInfo }
}

/// The package index settings an installer (pip or uv) would use, as plain values.
///
/// Guarantees: `indexURL` and every `extraIndexURLs` element are absolute http(s) URLs (they may
/// carry userinfo credentials: print them only through `URL.redacted`). `source` names where the
/// index URL came from (a variable name, a file path and section, the caller's name for its own
/// URL, or `interpreter default`) and never contains secrets. `indexes` lists every configured index in
/// the order projects are looked up on them (pip: `indexURL` then `extraIndexURLs`; uv: its
/// priority order, the default index last, explicit indexes kept but flagged);
/// ``lookupIndexes`` are the ones actually consulted.
public struct IndexConfiguration: Sendable, Equatable {
    public var indexURL: URL
    public var extraIndexURLs: [URL]
    /// CA bundle path from pip's `cert` (file or `PIP_CERT`), else `REQUESTS_CA_BUNDLE`,
    /// `CURL_CA_BUNDLE`, `SSL_CERT_FILE`; `~` expanded.
    public var certificateBundle: String?
    public var source: String
    /// Whose configuration this is.
    public var tool: IndexTool
    /// How a project is looked up across ``lookupIndexes``.
    public var strategy: IndexStrategy
    /// Every configured index, in lookup order.
    public var indexes: [ConfiguredIndex]
    /// Whether the configuration itself names an index (false when the only index is the
    /// installer's built-in default).
    public var namesIndex: Bool

    /// A pip-style configuration: `indexURL` first, then `extraIndexURLs`, every index considered.
    public init(indexURL: URL, extraIndexURLs: [URL] = [], certificateBundle: String? = nil, source: String) {
        self.indexURL = indexURL
        self.extraIndexURLs = extraIndexURLs
        self.certificateBundle = certificateBundle
        self.source = source
        self.tool = .pip
        self.strategy = .allIndexes
        self.indexes =
            [ConfiguredIndex(url: indexURL, origin: source)]
            + extraIndexURLs.map { ConfiguredIndex(url: $0, origin: "extra-index-url") }
        self.namesIndex = true
    }

    /// A configuration with its indexes given in lookup order (uv's). `indexURL` becomes the
    /// default index (the last non-explicit one), `extraIndexURLs` the other non-explicit ones.
    /// `indexes` must hold at least one index that is not explicit (``UVConfiguration`` never
    /// builds one without).
    public init(
        tool: IndexTool, indexes: [ConfiguredIndex], strategy: IndexStrategy, certificateBundle: String?,
        source: String, namesIndex: Bool
    ) {
        let consulted = indexes.filter { !$0.isExplicit }
        precondition(!consulted.isEmpty, "IndexConfiguration needs at least one index that is consulted")
        let primary = consulted.last(where: \.isDefault) ?? consulted[consulted.count - 1]
        self.indexURL = primary.url
        self.extraIndexURLs = consulted.filter { $0 != primary }.map(\.url)
        self.certificateBundle = certificateBundle
        self.source = source
        self.tool = tool
        self.strategy = strategy
        self.indexes = indexes
        self.namesIndex = namesIndex
    }

    /// The indexes a project is looked up on, in order (explicit ones left out).
    public var lookupIndexes: [ConfiguredIndex] { indexes.filter { !$0.isExplicit } }

    /// One line for the report: the tool, the indexes consulted (masked) in order, the strategy
    /// when several are consulted, explicit indexes named as not consulted, and where the
    /// configuration came from.
    public var summary: String {
        let consulted = lookupIndexes.map(\.url.redacted).joined(separator: " + ")
        var text = "\(tool.rawValue): \(consulted)"
        if lookupIndexes.count > 1 { text += " (\(strategy.rawValue))" }
        let explicit = indexes.filter(\.isExplicit)
        if !explicit.isEmpty {
            text += "; not consulted (explicit): " + explicit.map { $0.name ?? $0.url.redacted }.joined(separator: ", ")
        }
        return text + " [from \(source)]"
    }
}
