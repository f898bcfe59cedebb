import Attestations
import Foundation
import X509

/// A Sigstore bundle (`dev.sigstore.bundle.v1.Bundle`, protobuf-JSON), versions 0.1, 0.2 and 0.3.
///
/// Guarantees after `decode`: the media type is one of `mediaTypes` (`version` 1, 2 or 3); the
/// verification material carries exactly one of `certificate` (DER), `x509CertificateChain`
/// (1 to `maxChainCertificates` DER certificates, none self-signed (a bundle never carries a
/// trust anchor); its first certificate is the leaf; refused in v0.3, which allows only a
/// single certificate) or `publicKey` (hint only); `bytes` fields are standard padded base64,
/// line breaks (CR, LF) ignored as protobuf-JSON readers do; exactly one transparency entry, decoded
/// (`TransparencyLogEntry`); at most `TimestampVerification.maxTimestamps` RFC 3161 tokens,
/// decoded; exactly one of `messageSignature` (signature, optional SHA2_256 message digest) or
/// `dsseEnvelope` (payload, payload type, exactly one signature). Nothing is verified here:
/// see `BundleVerifier`.
public struct SigstoreBundle: Sendable {
    /// The media types accepted, mapped to the bundle minor version.
    public static let mediaTypes: [String: Int] = [
        "application/vnd.dev.sigstore.bundle+json;version=0.1": 1,
        "application/vnd.dev.sigstore.bundle+json;version=0.2": 2,
        "application/vnd.dev.sigstore.bundle+json;version=0.3": 3,
        "application/vnd.dev.sigstore.bundle.v0.3+json": 3,
    ]
    /// The media type written by `encoded()`.
    public static let v03MediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"
    /// Bundles larger than this are refused.
    public static let maxBytes = 8 << 20
    /// More certificates than this in a v0.1/v0.2 `x509CertificateChain` are refused.
    public static let maxChainCertificates = 10

    /// The signing material of the bundle.
    public enum Material: Sendable, Hashable {
        /// DER of the leaf certificate (from `certificate` or the chain's first entry).
        case certificate([UInt8])
        /// A public key identified only by a hint; the verifier supplies the key.
        case publicKey(hint: String)
    }

    /// What was signed.
    public enum Content: Sendable, Hashable {
        /// `messageSignature`: the signature and, when present, the SHA-256 message digest.
        case messageSignature(digest: [UInt8]?, signature: [UInt8])
        /// `dsseEnvelope` with its single signature.
        case dsse(payloadType: String, payload: [UInt8], signature: [UInt8])
    }

    public let mediaType: String
    /// 1, 2 or 3 (bundle v0.1, v0.2, v0.3).
    public let version: Int
    public let material: Material
    /// The transparency entry (exactly one), also as received JSON (for re-encoding).
    public let entry: TransparencyLogEntry
    public let entryJSON: JSONValue
    /// RFC 3161 tokens (DER).
    public let timestamps: [[UInt8]]
    public let content: Content

    public init(
        mediaType: String, material: Material, entryJSON: JSONValue, timestamps: [[UInt8]], content: Content
    ) throws(AttestationError) {
        guard let version = Self.mediaTypes[mediaType] else {
            throw Self.error("mediaType", "unsupported media type \"\(mediaType.prefix(100))\"")
        }
        self.mediaType = mediaType
        self.version = version
        self.material = material
        self.entryJSON = entryJSON
        self.entry = try TransparencyLogEntry(json: entryJSON)
        self.timestamps = timestamps
        self.content = content
    }

    private static func error(_ path: String, _ message: String) -> AttestationError {
        AttestationError(.malformedBundle, "bundle.\(path): \(message)")
    }

    /// Parses a bundle document.
    public static func decode(_ data: Data) throws(AttestationError) -> SigstoreBundle {
        let json = try JSONValue.parse(data, maxBytes: maxBytes, what: "Sigstore bundle")
        let root = try JSONObjectReader(json, path: "bundle", code: .malformedBundle)
        let mediaType = try root.string("mediaType")
        guard let version = mediaTypes[mediaType] else { throw error("mediaType", "unsupported media type \"\(mediaType.prefix(100))\"") }
        let vm = try JSONObjectReader(
            try root.require("verificationMaterial"), path: root.child("verificationMaterial"), code: .malformedBundle)

        let forms = ["certificate", "x509CertificateChain", "publicKey"].filter { vm.optional($0) != nil }
        guard forms.count == 1, let form = forms.first else {
            throw vm.fail("content", "exactly one of certificate, x509CertificateChain or publicKey is required (found \(forms.count))")
        }
        let material: Material
        switch form {
        case "certificate":
            let cert = try JSONObjectReader(try vm.require("certificate"), path: vm.child("certificate"), code: .malformedBundle)
            material = .certificate(try cert.base64("rawBytes", lineBreaks: true))
        case "x509CertificateChain":
            guard version < 3 else { throw vm.fail("x509CertificateChain", "a v0.3 bundle carries a single certificate, not a chain") }
            let chain = try JSONObjectReader(
                try vm.require("x509CertificateChain"), path: vm.child("x509CertificateChain"), code: .malformedBundle)
            let certificates = try chain.array("certificates")
            guard let first = certificates.first else { throw chain.fail("certificates", "empty certificate chain") }
            guard certificates.count <= maxChainCertificates else {
                throw chain.fail("certificates", "\(certificates.count) certificates; at most \(maxChainCertificates) are accepted")
            }
            let leaf = try JSONObjectReader(first, path: chain.child("certificates[0]"), code: .malformedBundle)
            material = .certificate(try leaf.base64("rawBytes", lineBreaks: true))
            // The rest of the chain is never used (chains are built from the trusted root), but a
            // bundle that ships a trust anchor of its own is refused, as Sigstore clients do.
            for index in certificates.indices {
                let path = chain.child("certificates[\(index)]")
                let element = try JSONObjectReader(certificates[index], path: path, code: .malformedBundle)
                let der = try element.base64("rawBytes", lineBreaks: true)
                guard let certificate = try? Certificate(derEncoded: der) else {
                    throw AttestationError(.malformedBundle, "\(path).rawBytes: not a DER X.509 certificate")
                }
                if certificate.subject == certificate.issuer {
                    throw AttestationError(
                        .malformedBundle,
                        "\(path): a self-signed (root) certificate; trust anchors come from the trusted root, never from the bundle")
                }
            }
        default:
            let key = try JSONObjectReader(try vm.require("publicKey"), path: vm.child("publicKey"), code: .malformedBundle)
            material = .publicKey(hint: key.optional("hint") == nil ? "" : try key.string("hint"))
        }

        let entries = vm.optional("tlogEntries") == nil ? [] : try vm.array("tlogEntries")
        guard entries.count == 1, let entryJSON = entries.first else {
            throw vm.fail("tlogEntries", "exactly one transparency entry is required (found \(entries.count))")
        }

        var timestamps: [[UInt8]] = []
        if let data = vm.optional("timestampVerificationData") {
            let reader = try JSONObjectReader(data, path: vm.child("timestampVerificationData"), code: .malformedBundle)
            if reader.optional("rfc3161Timestamps") != nil {
                let list = try reader.array("rfc3161Timestamps")
                guard list.count <= TimestampVerification.maxTimestamps else {
                    throw reader.fail(
                        "rfc3161Timestamps", "\(list.count) timestamps; at most \(TimestampVerification.maxTimestamps) are accepted")
                }
                for (index, element) in list.enumerated() {
                    let stamp = try JSONObjectReader(
                        element, path: "\(reader.child("rfc3161Timestamps"))[\(index)]", code: .malformedBundle)
                    timestamps.append(try stamp.base64("signedTimestamp", lineBreaks: true))
                }
            }
        }

        let contents = ["messageSignature", "dsseEnvelope"].filter { root.optional($0) != nil }
        guard contents.count == 1 else {
            throw root.fail("content", "exactly one of messageSignature or dsseEnvelope is required (found \(contents.count))")
        }
        let content: Content
        if let message = root.optional("messageSignature") {
            let reader = try JSONObjectReader(message, path: root.child("messageSignature"), code: .malformedBundle)
            var digest: [UInt8]?
            if let digestJSON = reader.optional("messageDigest") {
                let d = try JSONObjectReader(digestJSON, path: reader.child("messageDigest"), code: .malformedBundle)
                let algorithm = try d.string("algorithm")
                guard algorithm == "SHA2_256" else { throw d.fail("algorithm", "\(algorithm) is not SHA2_256") }
                digest = try d.base64("digest", lineBreaks: true)
                guard digest?.count == 32 else { throw d.fail("digest", "not 32 bytes") }
            }
            content = .messageSignature(digest: digest, signature: try reader.base64("signature", lineBreaks: true))
        } else {
            let reader = try JSONObjectReader(try root.require("dsseEnvelope"), path: root.child("dsseEnvelope"), code: .malformedBundle)
            let signatures = try reader.array("signatures")
            guard signatures.count == 1, let only = signatures.first else {
                throw reader.fail("signatures", "exactly one DSSE signature is required (found \(signatures.count))")
            }
            let signature = try JSONObjectReader(only, path: reader.child("signatures[0]"), code: .malformedBundle)
            content = .dsse(
                payloadType: try reader.string("payloadType"), payload: try reader.base64("payload", lineBreaks: true),
                signature: try signature.base64("sig", lineBreaks: true))
        }
        return try SigstoreBundle(mediaType: mediaType, material: material, entryJSON: entryJSON, timestamps: timestamps, content: content)
    }

    /// The bundle as protobuf-JSON (sorted keys); the transparency entry is written as received.
    public func encoded() -> Data {
        var material: [String: JSONValue] = ["tlogEntries": .array([entryJSON])]
        switch self.material {
        case .certificate(let der): material["certificate"] = .object(["rawBytes": .string(Encoding.base64String(der))])
        case .publicKey(let hint): material["publicKey"] = .object(["hint": .string(hint)])
        }
        if !timestamps.isEmpty {
            material["timestampVerificationData"] = .object([
                "rfc3161Timestamps": .array(
                    timestamps.map {
                        .object(["signedTimestamp": .string(Encoding.base64String($0))])
                    })
            ])
        }
        var document: [String: JSONValue] = ["mediaType": .string(mediaType), "verificationMaterial": .object(material)]
        switch content {
        case .messageSignature(let digest, let signature):
            var message: [String: JSONValue] = ["signature": .string(Encoding.base64String(signature))]
            if let digest {
                message["messageDigest"] = .object(["algorithm": .string("SHA2_256"), "digest": .string(Encoding.base64String(digest))])
            }
            document["messageSignature"] = .object(message)
        case .dsse(let type, let payload, let signature):
            document["dsseEnvelope"] = .object([
                "payload": .string(Encoding.base64String(payload)), "payloadType": .string(type),
                "signatures": .array([.object(["sig": .string(Encoding.base64String(signature))])]),
            ])
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return (try? encoder.encode(JSONValue.object(document))) ?? Data()
    }
}
