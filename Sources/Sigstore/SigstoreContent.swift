import Attestations
import Crypto
import Foundation

/// What a Sigstore signature signs: a DSSE envelope (PEP 740 attestations, bundles' `dsseEnvelope`)
/// or an artifact by digest (bundles' `messageSignature`).
///
/// Guarantees: a value only; the verifier decides what to check (see `SigstoreCore`).
public enum SigstoreContent: Sendable, Hashable {
    /// One DSSE signature over `PAE(payloadType, payload)`.
    case dsse(payloadType: String, payload: [UInt8], signature: [UInt8])
    /// A signature over an artifact whose SHA-256 is `digest`.
    case messageSignature(digest: [UInt8], signature: [UInt8])

    /// A PEP 740 envelope (payload type in-toto JSON).
    public init(_ envelope: Envelope) {
        self = .dsse(payloadType: DSSE.inTotoPayloadType, payload: envelope.statement, signature: envelope.signature)
    }

    /// The signature bytes (what RFC 3161 timestamps stamp).
    public var signature: [UInt8] {
        switch self {
        case .dsse(_, _, let signature), .messageSignature(_, let signature): return signature
        }
    }
}

/// Who signed: a Fulcio (or other X.509) leaf certificate, or a bare public key.
public enum SigstoreSigner: Sendable, Hashable {
    /// DER of the leaf certificate.
    case certificate([UInt8])
    case publicKey(PublicKey)
}

/// A SHA-256 digest given as bytes (a `sha256:` artifact reference), for prehashed ECDSA
/// verification. Internal: only `SigstoreCore` builds one, from a 32-byte digest.
struct PrehashedSHA256: Digest {
    static var byteCount: Int { 32 }
    let bytes: [UInt8]

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes(body)
    }

    func makeIterator() -> Array<UInt8>.Iterator { bytes.makeIterator() }

    var description: String { "SHA256 digest: \(Encoding.hex(bytes))" }
}
