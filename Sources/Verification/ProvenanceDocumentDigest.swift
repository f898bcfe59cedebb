import Foundation
import PackageIndex
import PythonPackaging

/// The provenance document one package's verification read, as received: the SHA-256 of its
/// exact bytes (before any parsing), the URL it was fetched from without credentials, and the
/// predicate type of the attestation that verified it (nil when none did).
///
/// Guarantees: `sha256` is 64 lowercase hex digits computed over the very bytes the signature
/// checks ran on; `url` never carries a user name or password. A Verification Summary lists these
/// as its `inputAttestations`.
public struct ProvenanceDocumentDigest: Codable, Sendable, Equatable {
    public var sha256: String
    /// Where the document came from (from the offline cache: where it was first fetched from).
    public var url: String
    /// The `predicateType` of the decisive attestation's statement, when one verified.
    public var predicateType: String?

    public init(sha256: String, url: String, predicateType: String? = nil) {
        self.sha256 = sha256
        self.url = url
        self.predicateType = predicateType
    }

    /// The digest of `fetched`'s bytes as received, with the decisive attestation's predicate type.
    public init(_ fetched: FetchedProvenance, decisivePredicateType: String?) {
        sha256 = FileDigest.compute(fetched.bytes, algorithm: .sha256).hex
        url = fetched.url.removingUserInfo.absoluteString
        predicateType = decisivePredicateType
    }
}
