import Attestations
import Foundation
import Policy
import PythonPackaging
import Sigstore

/// The policy a Verification Summary says its subjects were verified against: a URI naming it and
/// the SHA-256 of its bytes, and, when the policy has no place of its own to be fetched from (the
/// built-in trust rules), those bytes themselves.
///
/// Guarantees: `sha256` is the lowercase hex SHA-256 of `content` whenever `content` is given.
/// The one parameter a policy file plugs into: `VerificationSummaryPolicy(uri:sha256:)` with the
/// file's URI and digest.
public struct VerificationSummaryPolicy: Sendable, Equatable {
    /// The URI of the built-in trust rules (described in `content`).
    public static let builtInURI = "urn:wheeltrust:policy:built-in"

    public var uri: String
    public var sha256: String
    /// The policy's text, carried in the summary's `policy.content` when it has no other home.
    public var content: [UInt8]?

    public init(uri: String, sha256: String) {
        self.uri = uri
        self.sha256 = sha256.lowercased()
        self.content = nil
    }

    /// A policy carried whole: its digest is computed from `content`.
    public init(uri: String, content: [UInt8]) {
        self.uri = uri
        self.sha256 = FileDigest.compute(content, algorithm: .sha256).hex
        self.content = content
    }
}

extension VerificationSetup {
    /// The policy in force, as a Verification Summary names it: a policy file by its `file:` URI
    /// and sha256; the built-in default policy carried whole (its text, as the `Policy` module
    /// parses it); trust flags by ``builtInTrustPolicy()``'s canonical description of them.
    public func summaryPolicy() throws(VerificationError) -> VerificationSummaryPolicy {
        let policy = try trustPolicy().summary
        if let sha256 = policy.sha256, let path = policy.path {
            return VerificationSummaryPolicy(uri: URL(fileURLWithPath: path).absoluteString, sha256: sha256)
        }
        if policy.sha256 != nil {
            return VerificationSummaryPolicy(uri: VerificationSummaryPolicy.builtInURI, content: Array(BuiltInPolicy.text.utf8))
        }
        return try builtInTrustPolicy()
    }

    /// The trust rules these options put in force, as a short canonical text (one line per rule,
    /// keys by SHA-256 fingerprint, so the same trust gives the same bytes wherever its files lie)
    /// and its digest: what a Verification Summary names as its policy until a policy file does.
    /// Fails as ``trustedKeys()`` does (an unreadable key file is a usage error).
    public func builtInTrustPolicy() throws(VerificationError) -> VerificationSummaryPolicy {
        var lines = ["wheeltrust built-in trust policy v1", "require: provenance for every package"]
        let keys = try trustedKeys()
        if keys.isEmpty { lines.append("trusted keys: none") }
        for key in keys.map(\.key.fingerprint).sorted() { lines.append("trusted key: sha256:\(key)") }
        if acceptsKeyless {
            lines.append("keyless: accepted, bound to the publisher the index names")
            if let trustedRootFile {
                let bytes = try NamedFile.read(trustedRootFile, cap: TrustedRoot.maxBytes, what: "trusted root file")
                lines.append("sigstore root: file sha256:\(FileDigest.compute(bytes, algorithm: .sha256).hex)")
            } else {
                lines.append("sigstore root: \(staging ? "staging" : "production") (embedded, or the cached copy its TUF repository verified)")
            }
            let pins: [(String, String?)] = [
                ("repository", identityPins.repository), ("workflow", identityPins.workflow), ("identity", identityPins.identity),
                ("issuer", identityPins.issuer), ("gcp-service-account", identityPins.gcpServiceAccount),
            ]
            for case let (name, value?) in pins { lines.append("identity pin: \(name)=\(value)") }
        } else {
            lines.append("keyless: refused")
        }
        return VerificationSummaryPolicy(
            uri: VerificationSummaryPolicy.builtInURI, content: Array((lines.joined(separator: "\n") + "\n").utf8))
    }
}
