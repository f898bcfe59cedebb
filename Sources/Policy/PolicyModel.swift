import Attestations
import Foundation
import PythonPackaging
import Sigstore

/// What a rule requires of the packages it covers.
public enum Requirement: String, Sendable, Hashable, CaseIterable {
    /// A signed attestation by one of the rule's keys or identities (steps 1–5).
    case provenance
    /// No provenance: the installed files match the index's wheel, and that wheel the sha256 the
    /// index publishes (status `integrity-only`, never `verified`).
    case integrity
    /// Not checked at all (status `waived`, with the rule's reason).
    case none
}

/// A named trust anchor for key-signed attestations (`[keys.NAME]`).
///
/// Guarantees: `key` is a parsed public key (`builtin` one embedded in the tool, or read from
/// `file`), and when the policy gave a `fingerprint` the key's SHA-256 SPKI fingerprint is exactly
/// it (checked when the policy was loaded).
public struct KeyAnchor: Sendable, Hashable {
    public var name: String
    /// Where the key came from, for people: `builtin redhat-release3` or the file as written.
    public var origin: String
    public var key: TrustedKey

    public init(name: String, origin: String, key: TrustedKey) {
        self.name = name
        self.origin = origin
        self.key = key
    }

    /// `sha256:<hex>` of the key's SPKI DER, as `wheeltrust keys` prints it (with the prefix).
    public var fingerprint: String { "sha256:\(key.key.fingerprint)" }
}

/// A named Trusted Publisher identity (`[identities.NAME]`): PEP 740 publisher fields a keyless
/// certificate must satisfy under ``PublisherIdentityPolicy``.
///
/// Guarantees: `kind` is one ``PublisherIdentityPolicy`` has a rule for and every field that
/// rule needs is present and non-empty (checked when the policy was loaded).
public struct IdentityAnchor: Sendable, Hashable {
    public var name: String
    public var publisher: Publisher

    public init(name: String, publisher: Publisher) {
        self.name = name
        self.publisher = publisher
    }

    /// The identity as ``SigstoreVerifier`` checks it.
    public var named: NamedPublisher { NamedPublisher(name: name, publisher: publisher) }

    /// `GitHub org/repo workflow.yml [environment]`.
    public var summary: String {
        SignerIdentity.keyless(publisher: publisher, certificateIdentity: "").summary
    }
}

/// A day in the proleptic Gregorian calendar (a TOML local date), as `expires` gives it.
public struct PolicyDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The UTC day of `date`.
    public init(_ date: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        self.init(year: parts.year ?? 0, month: parts.month ?? 0, day: parts.day ?? 0)
    }

    public static func < (lhs: PolicyDate, rhs: PolicyDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public var description: String {
        let pad = { (value: Int, width: Int) -> String in
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }
}

/// One `[[rule]]`: which packages it covers and what proves them.
///
/// Guarantees (checked when loaded): `packages` is not empty; every name in `keys` and
/// `identities` is an anchor of the same policy; `reason` is present for `integrity` and `none`;
/// a `provenance` rule accepts at least one signer (a key, an identity or the index-named
/// publisher).
public struct Rule: Sendable, Hashable {
    /// 1-based position among the policy's `[[rule]]` tables.
    public var position: Int
    /// The line of its `[[rule]]` header, when known.
    public var line: Int?
    public var index: IndexMatch?
    public var packages: [NameGlob]
    public var requirement: Requirement
    /// Names of key anchors accepted, in the order written.
    public var keys: [String]
    /// Names of identity anchors accepted, in the order written.
    public var identities: [String]
    /// Also accept keyless bound to the publisher the index names (`keyless = "index-publisher"`).
    public var indexPublisher: Bool
    public var builders: [String]?
    public var predicateTypes: [String]?
    public var reason: String?
    /// The last day the rule applies (UTC); from the next day it no longer matches.
    public var expires: PolicyDate?

    public init(
        position: Int, line: Int? = nil, index: IndexMatch? = nil, packages: [NameGlob], requirement: Requirement,
        keys: [String] = [], identities: [String] = [], indexPublisher: Bool = false,
        builders: [String]? = nil, predicateTypes: [String]? = nil, reason: String? = nil, expires: PolicyDate? = nil
    ) {
        self.position = position
        self.line = line
        self.index = index
        self.packages = packages
        self.requirement = requirement
        self.keys = keys
        self.identities = identities
        self.indexPublisher = indexPublisher
        self.builders = builders
        self.predicateTypes = predicateTypes
        self.reason = reason
        self.expires = expires
    }

    /// Whether the rule covers `project` served by the index at `indexURL` (the date aside).
    public func covers(_ project: ProjectName, indexURL: URL?) -> Bool {
        if let index {
            guard let indexURL, index.matches(indexURL) else { return false }
        }
        return packages.contains { $0.matches(project) }
    }

    /// Whether the rule has expired on `day`.
    public func isExpired(on day: PolicyDate) -> Bool {
        guard let expires else { return false }
        return day > expires
    }

    /// `rule 2`.
    public var label: String { "rule \(position)" }
}

/// Where a policy came from.
public enum PolicyOrigin: String, Sendable, Hashable {
    /// `--policy FILE`.
    case option
    /// `$WHEELTRUST_POLICY`.
    case environment
    /// `$XDG_CONFIG_HOME/wheeltrust/policy.toml` or `~/.config/wheeltrust/policy.toml`.
    case userConfiguration = "user-configuration"
    /// The built-in default (today's trust: Red Hat release key 3 and keyless bound to the
    /// index-named publisher, provenance required of every package).
    case builtIn = "built-in"
    /// The trust flags (`--key`, `--no-default-keys`, identity pins, `--allow-keyless`): a
    /// one-rule policy built in code.
    case flags
}

/// A whole trust policy: named anchors and ordered rules.
///
/// Guarantees: every rule's anchor names resolve in `keys` / `identities`; `sha256` is the
/// SHA-256 of the exact bytes parsed (nil for a policy built from flags).
public struct Policy: Sendable, Hashable {
    public var keys: [String: KeyAnchor]
    public var identities: [String: IdentityAnchor]
    public var rules: [Rule]
    /// The file as named (nil for built-in and flags).
    public var path: String?
    public var sha256: String?
    public var origin: PolicyOrigin

    public init(
        keys: [String: KeyAnchor], identities: [String: IdentityAnchor], rules: [Rule],
        path: String?, sha256: String?, origin: PolicyOrigin
    ) {
        self.keys = keys
        self.identities = identities
        self.rules = rules
        self.path = path
        self.sha256 = sha256
        self.origin = origin
    }
}
