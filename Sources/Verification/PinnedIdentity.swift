import Attestations

/// The identity one pin remembers for a project: who must sign it from now on.
///
/// Guarantees: built from a verified signer (``init(_:)``) it holds exactly what identifies that
/// signer from one release to the next: a trusted key's `sha256:<hex>` fingerprint (not the name
/// the key was given on this machine), or a keyless publisher's kind and the fields that name it
/// (``identifyingFields``; for a kind not listed there, every non-empty string field). What
/// changes with every release (the certificate's ref or digest, its serial, the log entry) is
/// never part of it. ``sameSigner(as:)`` is equality, except that a GitHub or GitLab repository
/// compares case-insensitively, as those hosts and the certificate check treat it.
public enum PinnedIdentity: Sendable, Hashable {
    /// A key: `sha256:` and the 64 lowercase hex digits of the SHA-256 of its SPKI DER.
    case key(fingerprint: String)
    /// A keyless (Trusted Publishing) publisher: its kind and its identifying fields.
    case publisher(kind: String, fields: [String: String])

    /// Per known publisher kind, the fields that identify it: those it must have, then those it may.
    /// The first are the fields the certificate is checked against (`PublisherIdentityPolicy`);
    /// `environment` is the index's word only (no certificate carries it), pinned so that a
    /// release from another deployment environment is noticed.
    public static let identifyingFields: [String: (required: [String], optional: [String])] = [
        "GitHub": (["repository", "workflow"], ["environment"]),
        "GitLab": (["repository", "workflow_filepath"], ["environment"]),
        "Google": (["email"], []),
        "CircleCI": (["organization_id", "project_id", "pipeline_definition_id"], ["vcs_origin", "vcs_ref"]),
        "ActiveState": (["organization", "project"], []),
    ]

    /// The field that holds the certificate's identity when a keyless signer's publisher has no
    /// identifying field of its own (a lone attestation read from a file, bound only by the user's
    /// identity options).
    static let certificateIdentityField = "certificate_identity"

    /// What a verified signer's pin holds.
    public init(_ signer: SignerIdentity) {
        switch signer {
        case .key(_, let fingerprint):
            self = .key(fingerprint: fingerprint)
        case .keyless(let publisher, let certificateIdentity):
            var fields: [String: String] = [:]
            let names: [String]
            if let known = Self.identifyingFields[publisher.kind] {
                names = known.required + known.optional
            } else {
                names = Array(publisher.fields.keys)
            }
            for name in names {
                if case .string(let value)? = publisher.fields[name], !value.isEmpty { fields[name] = value }
            }
            if fields.isEmpty, !certificateIdentity.isEmpty { fields[Self.certificateIdentityField] = certificateIdentity }
            self = .publisher(kind: publisher.kind, fields: fields)
        }
    }

    /// Whether `other` names the same signer (see the type's guarantees).
    public func sameSigner(as other: PinnedIdentity) -> Bool {
        switch (self, other) {
        case (.key(let mine), .key(let theirs)):
            return mine == theirs
        case (.publisher(let kind, let mine), .publisher(let otherKind, let theirs)):
            guard kind == otherKind, mine.count == theirs.count else { return false }
            let caseless = kind == "GitHub" || kind == "GitLab" ? ["repository"] : []
            for (name, value) in mine {
                guard let their = theirs[name] else { return false }
                if caseless.contains(name) {
                    guard value.lowercased() == their.lowercased() else { return false }
                } else if value != their {
                    return false
                }
            }
            return true
        default:
            return false
        }
    }

    /// One line for people: `key sha256:…`, or the kind and the field values in a fixed order
    /// (`GitHub org/a release.yml environment=pypi`: optional fields and the fields of a kind not
    /// listed are shown as `name=value`).
    public var summary: String {
        switch self {
        case .key(let fingerprint):
            return "key \(fingerprint)"
        case .publisher(let kind, let fields):
            var parts = [kind]
            if let known = Self.identifyingFields[kind] {
                for name in known.required { if let value = fields[name] { parts.append(value) } }
                for name in known.optional { if let value = fields[name] { parts.append("\(name)=\(value)") } }
            } else {
                for name in fields.keys.sorted() { parts.append("\(name)=\(fields[name] ?? "")") }
            }
            return parts.joined(separator: " ")
        }
    }
}
