import PythonPackaging
import Verification

/// A PEP 751 lock file (`pylock.toml`) as read: what it pins and where each entry is written.
///
/// Guarantees: a value comes only from ``PylockParser``, which checked every field it holds
/// against the PEP (types, required fields, one kind of source per package, hashes in hex of the
/// right length, file names of the package's own project and version, markers that parse); the
/// values are TOMLKit's, never re-read by hand.
public struct PylockFile: Sendable {
    /// The file's path as given (for messages).
    public var path: String
    public var lockVersion: String
    public var requiresPython: String?
    /// Markers of the environments the lock supports (empty: any).
    public var environments: [String]
    /// The extras the lock supports (`extras`), as written.
    public var extras: [String]
    /// The dependency groups the lock supports (`dependency-groups`), as written.
    public var dependencyGroups: [String]
    /// The groups installed when none is named (`default-groups`).
    public var defaultGroups: [String]
    public var packages: [LockedPackage]
    /// The file's text as read (what ``IdentityRewrite`` edits).
    public var text: String
}

/// One `[[packages]]` entry.
public struct LockedPackage: Sendable {
    /// 0-based position among the lock's packages.
    public var position: Int
    /// 1-based line of its `[[packages]]` header, when known.
    public var line: Int?
    public var name: ProjectName
    public var version: PythonVersion?
    public var marker: String?
    public var requiresPython: String?
    /// The entry's `index` (a simple API URL), when given.
    public var index: String?
    public var source: Source
    /// The entry's `attestation-identities`; nil when the key is absent.
    public var identities: [LockedIdentity]?

    /// Where the entry's files come from.
    public enum Source: Sendable {
        /// Distribution files (from an index): its wheels and its sdist.
        case files(wheels: [LockedFile], sdist: LockedFile?)
        /// A `vcs`, `directory` or `archive` entry: no index file to verify against.
        case other(kind: String, detail: String)
    }

    /// `name version` for messages.
    public var label: String { name.raw + (version.map { " \($0)" } ?? "") }
}

/// A wheel or sdist of a locked package.
public struct LockedFile: Sendable, Equatable {
    public var filename: String
    public var url: String?
    public var path: String?
    public var size: Int?
    /// Algorithm (lowercase) → lowercase hex digest.
    public var hashes: [String: String]
}

/// One entry of a package's `attestation-identities`: who may have signed its files.
///
/// `kind = "key"` with a `fingerprint` (`sha256:<hex>` of the key's SPKI DER) names a trusted
/// key (wheeltrust's addition: PEP 740 publishers are keyless); any other kind is a Trusted
/// Publisher kind with its publisher fields.
public struct LockedIdentity: Sendable, Equatable {
    public var kind: String
    /// The other fields, all strings.
    public var fields: [String: String]

    public init(kind: String, fields: [String: String]) {
        self.kind = kind
        self.fields = fields
    }

    /// Whether a verified signer is this identity: the same key, or a publisher of the same kind
    /// whose every field named here has the same value (GitHub/GitLab repositories compare
    /// without case); fields the lock does not name do not matter.
    public func matches(_ signer: PinnedIdentity) -> Bool {
        switch signer {
        case .key(let fingerprint):
            return kind == "key" && fields["fingerprint"]?.lowercased() == fingerprint.lowercased()
        case .publisher(let signerKind, let signerFields):
            guard kind == signerKind else { return false }
            let caseless = kind == "GitHub" || kind == "GitLab"
            for (name, value) in fields {
                guard let theirs = signerFields[name] else { return false }
                if caseless && name == "repository" {
                    guard value.lowercased() == theirs.lowercased() else { return false }
                } else if value != theirs {
                    return false
                }
            }
            return true
        }
    }

    /// The identity recorded for a verified signer (what `lock-identities` writes).
    public init(_ signer: PinnedIdentity) {
        switch signer {
        case .key(let fingerprint): self.init(kind: "key", fields: ["fingerprint": fingerprint])
        case .publisher(let kind, let fields): self.init(kind: kind, fields: fields)
        }
    }

    /// One line for people: `key sha256:…` or `GitHub org/repo release.yml environment=pypi`.
    public var summary: String {
        if kind == "key" { return "key \(fields["fingerprint"] ?? "")" }
        return PinnedIdentity.publisher(kind: kind, fields: fields).summary
    }
}
