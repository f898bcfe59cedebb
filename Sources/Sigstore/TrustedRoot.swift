import Attestations
import Foundation
import X509

/// A Sigstore trust root: the protobuf-JSON `dev.sigstore.trustedroot.v1.TrustedRoot` document
/// (`trusted_root.json`).
///
/// Guarantees after `decode`: the media type is a known TrustedRoot type (v0.1 or v0.2 form);
/// every certificate authority has at least one certificate and every certificate parses as
/// X.509 DER; every log has a non-empty key id, a DER public key and a validity window; every
/// timestamp parsed as RFC 3339. Unknown fields are ignored (protobuf-JSON forward
/// compatibility). Whether a CA actually carries a trust anchor (a self-signed certificate) is
/// not required here: `CertificateAuthority.trustAnchor` is nil for such a CA and chain
/// verification treats it as unusable.
public struct TrustedRoot: Sendable {
    /// Media types accepted for a trusted root.
    public static let mediaTypes: Set<String> = [
        "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
        "application/vnd.dev.sigstore.trustedroot+json;version=0.2",
        "application/vnd.dev.sigstore.trustedroot.v0.2+json",
    ]
    /// Size cap for a trusted root document.
    public static let maxBytes = 4 << 20

    public let mediaType: String
    /// Fulcio CAs (signing certificates are checked against these).
    public let certificateAuthorities: [CertificateAuthority]
    /// Rekor transparency logs.
    public let tlogs: [TransparencyLogInstance]
    /// Certificate Transparency logs (for the SCT embedded in Fulcio certificates).
    public let ctlogs: [TransparencyLogInstance]
    /// RFC 3161 timestamp authorities.
    public let timestampAuthorities: [CertificateAuthority]

    public init(
        mediaType: String, certificateAuthorities: [CertificateAuthority], tlogs: [TransparencyLogInstance],
        ctlogs: [TransparencyLogInstance], timestampAuthorities: [CertificateAuthority]
    ) {
        self.mediaType = mediaType
        self.certificateAuthorities = certificateAuthorities
        self.tlogs = tlogs
        self.ctlogs = ctlogs
        self.timestampAuthorities = timestampAuthorities
    }

    /// The Rekor log whose `logId.keyId` equals `keyID`.
    public func tlog(keyID: [UInt8]) -> TransparencyLogInstance? {
        tlogs.first { $0.keyID == keyID }
    }

    /// The CT log whose `logId.keyId` equals `keyID`.
    public func ctlog(keyID: [UInt8]) -> TransparencyLogInstance? {
        ctlogs.first { $0.keyID == keyID }
    }

    /// Parses a `trusted_root.json` document.
    public static func decode(_ data: Data) throws(AttestationError) -> TrustedRoot {
        let json = try parseJSON(data, what: "trusted root")
        let root = try JSONObjectReader(json, path: "trustedRoot", code: .malformedTrustedRoot)
        let mediaType = try root.string("mediaType")
        guard mediaTypes.contains(mediaType) else {
            throw root.fail("mediaType", "unsupported media type \"\(mediaType.prefix(100))\"")
        }
        func list<T>(_ key: String, _ element: (JSONValue, String) throws(AttestationError) -> T) throws(AttestationError) -> [T] {
            guard root.optional(key) != nil else { return [] }
            let values = try root.array(key)
            guard values.count <= 256 else { throw root.fail(key, "more than 256 entries") }
            var out: [T] = []
            for (index, value) in values.enumerated() {
                out.append(try element(value, "\(root.child(key))[\(index)]"))
            }
            return out
        }
        return TrustedRoot(
            mediaType: mediaType,
            certificateAuthorities: try list("certificateAuthorities") { v, p throws(AttestationError) in
                try CertificateAuthority(json: v, path: p)
            },
            tlogs: try list("tlogs") { v, p throws(AttestationError) in try TransparencyLogInstance(json: v, path: p) },
            ctlogs: try list("ctlogs") { v, p throws(AttestationError) in try TransparencyLogInstance(json: v, path: p) },
            timestampAuthorities: try list("timestampAuthorities") { v, p throws(AttestationError) in
                try CertificateAuthority(json: v, path: p)
            }
        )
    }

    static func parseJSON(_ data: Data, what: String) throws(AttestationError) -> JSONValue {
        do {
            return try JSONValue.parse(data, maxBytes: maxBytes, what: what)
        } catch {
            throw AttestationError(.malformedTrustedRoot, error.message)
        }
    }

    /// The public-good production trust root bundled with this module (from sigstore-python 4.5.1).
    public static var production: TrustedRoot {
        get throws(AttestationError) { try bundled("prod") }
    }

    /// The public-good staging trust root bundled with this module (from sigstore-python 4.5.1).
    public static var staging: TrustedRoot {
        get throws(AttestationError) { try bundled("staging") }
    }

    private static func bundled(_ instance: String) throws(AttestationError) -> TrustedRoot {
        guard
            let url = Bundle.module.url(
                forResource: "trusted_root", withExtension: "json", subdirectory: "Resources/sigstore/\(instance)"),
            let data = try? Data(contentsOf: url)
        else {
            throw AttestationError(
                .malformedTrustedRoot, "bundled resource Resources/sigstore/\(instance)/trusted_root.json is missing")
        }
        return try decode(data)
    }
}

/// An inclusive validity window (`validFor`): `start ≤ t ≤ end`, open-ended when `end` is nil.
public struct ValidityWindow: Sendable, Hashable {
    public let start: Date
    public let end: Date?

    public init(start: Date, end: Date?) {
        self.start = start
        self.end = end
    }

    /// Whether `date` lies in the window (both ends inclusive).
    public func contains(_ date: Date) -> Bool {
        if date < start { return false }
        if let end, date > end { return false }
        return true
    }

    init(json: JSONValue, path: String) throws(AttestationError) {
        let reader = try JSONObjectReader(json, path: path, code: .malformedTrustedRoot)
        func time(_ key: String) throws(AttestationError) -> Date {
            let text = try reader.string(key)
            guard let date = RFC3339.parse(text) else { throw reader.fail(key, "not an RFC 3339 timestamp") }
            return date
        }
        start = try time("start")
        end = reader.optional("end") == nil ? nil : try time("end")
        if let end, end < start { throw reader.fail("end", "ends before it starts") }
    }
}

/// A certificate authority of a trusted root (Fulcio CA or timestamp authority).
///
/// Guarantees: at least one certificate, each parsed as X.509 (DER kept verbatim in `chainDER`).
/// The chain order of the document is NOT relied upon (sigstore 3.6.1 lists the root first).
public struct CertificateAuthority: Sendable {
    public let organization: String?
    public let commonName: String?
    public let uri: String?
    /// The certificates as listed, DER.
    public let chainDER: [[UInt8]]
    /// The same certificates, parsed.
    public let certificates: [Certificate]
    public let validFor: ValidityWindow

    /// The self-signed certificates of the chain (issuer == subject and the signature verifies
    /// with its own key): the trust anchors. Empty for a CA that omits its root.
    public var trustAnchors: [Certificate] {
        certificates.filter { cert in
            cert.issuer == cert.subject && cert.publicKey.isValidSignature(cert.signature, for: cert)
        }
    }

    /// The first trust anchor, or nil when the CA has none (such a CA is unusable).
    public var trustAnchor: Certificate? { trustAnchors.first }

    /// The certificates that are not trust anchors (intermediates).
    public var intermediates: [Certificate] {
        let anchors = trustAnchors
        return certificates.filter { !anchors.contains($0) }
    }

    /// A CA from DER certificates (any order); throws when empty or a certificate does not parse.
    public init(
        organization: String? = nil, commonName: String? = nil, uri: String? = nil, chainDER: [[UInt8]],
        validFor: ValidityWindow
    ) throws(AttestationError) {
        guard !chainDER.isEmpty else { throw AttestationError(.malformedTrustedRoot, "certificate authority: empty certificate chain") }
        var certs: [Certificate] = []
        for (index, der) in chainDER.enumerated() {
            guard let cert = try? Certificate(derEncoded: der) else {
                throw AttestationError(.malformedTrustedRoot, "certificate authority: certificate \(index) is not DER X.509")
            }
            certs.append(cert)
        }
        self.organization = organization
        self.commonName = commonName
        self.uri = uri
        self.chainDER = chainDER
        self.certificates = certs
        self.validFor = validFor
    }

    /// Parses a lone `CertificateAuthority` message (protobuf-JSON).
    public static func decode(_ data: Data) throws(AttestationError) -> CertificateAuthority {
        try CertificateAuthority(json: try TrustedRoot.parseJSON(data, what: "certificate authority"), path: "certificateAuthority")
    }

    init(json: JSONValue, path: String) throws(AttestationError) {
        let reader = try JSONObjectReader(json, path: path, code: .malformedTrustedRoot)
        if let subject = reader.optional("subject") {
            let s = try JSONObjectReader(subject, path: reader.child("subject"), code: .malformedTrustedRoot)
            organization = s.optional("organization") == nil ? nil : try s.string("organization")
            commonName = s.optional("commonName") == nil ? nil : try s.string("commonName")
        } else {
            organization = nil
            commonName = nil
        }
        uri = reader.optional("uri") == nil ? nil : try reader.string("uri")
        let chain = try JSONObjectReader(try reader.require("certChain"), path: reader.child("certChain"), code: .malformedTrustedRoot)
        let entries = try chain.array("certificates")
        guard !entries.isEmpty else { throw chain.fail("certificates", "empty certificate chain") }
        guard entries.count <= 16 else { throw chain.fail("certificates", "more than 16 certificates") }
        var ders: [[UInt8]] = []
        var certs: [Certificate] = []
        for (index, entry) in entries.enumerated() {
            let e = try JSONObjectReader(entry, path: "\(chain.child("certificates"))[\(index)]", code: .malformedTrustedRoot)
            let der = try e.base64("rawBytes")
            guard let cert = try? Certificate(derEncoded: der) else {
                throw e.fail("rawBytes", "not a DER X.509 certificate")
            }
            ders.append(der)
            certs.append(cert)
        }
        chainDER = ders
        certificates = certs
        validFor = try ValidityWindow(json: try reader.require("validFor"), path: reader.child("validFor"))
    }
}

/// A transparency log (Rekor or CT) of a trusted root.
///
/// Guarantees: a non-empty `keyID` (the `logId.keyId` bytes), a non-empty DER public key with its
/// `keyDetails` name and validity window.
public struct TransparencyLogInstance: Sendable {
    public let baseURL: String
    public let hashAlgorithm: String
    /// DER SubjectPublicKeyInfo.
    public let publicKeyDER: [UInt8]
    /// e.g. `PKIX_ECDSA_P256_SHA_256`, `PKIX_ED25519`, `PKCS1_RSA_PKCS1V5`.
    public let keyDetails: String
    /// When this log's key may be used.
    public let validFor: ValidityWindow
    /// `logId.keyId`: for Rekor v1 and CT logs, SHA-256 of the DER SPKI.
    public let keyID: [UInt8]
    /// v0.2 `checkpointKeyId.keyId` when present.
    public let checkpointKeyID: [UInt8]?

    /// The key as a `PublicKey` (nil when its type is not one this module supports). `rawBytes`
    /// is a DER SPKI, except for `PKCS1_*` key details where some roots carry a bare PKCS#1
    /// `RSAPublicKey` (the retired staging CT log): both forms are read.
    public var publicKey: PublicKey? {
        if let key = try? PublicKey(spkiDER: publicKeyDER) { return key }
        guard keyDetails.hasPrefix("PKCS1_") else { return nil }
        return try? PublicKey(pkcs1DER: publicKeyDER)
    }

    init(json: JSONValue, path: String) throws(AttestationError) {
        let reader = try JSONObjectReader(json, path: path, code: .malformedTrustedRoot)
        baseURL = try reader.string("baseUrl")
        hashAlgorithm = reader.optional("hashAlgorithm") == nil ? "" : try reader.string("hashAlgorithm")
        let key = try JSONObjectReader(try reader.require("publicKey"), path: reader.child("publicKey"), code: .malformedTrustedRoot)
        publicKeyDER = try key.base64("rawBytes")
        guard !publicKeyDER.isEmpty else { throw key.fail("rawBytes", "empty key") }
        keyDetails = key.optional("keyDetails") == nil ? "" : try key.string("keyDetails")
        validFor = try ValidityWindow(json: try key.require("validFor"), path: key.child("validFor"))
        let logID = try JSONObjectReader(try reader.require("logId"), path: reader.child("logId"), code: .malformedTrustedRoot)
        keyID = try logID.base64("keyId")
        guard !keyID.isEmpty else { throw logID.fail("keyId", "empty key id") }
        if let checkpoint = reader.optional("checkpointKeyId") {
            let c = try JSONObjectReader(checkpoint, path: reader.child("checkpointKeyId"), code: .malformedTrustedRoot)
            checkpointKeyID = try c.base64("keyId")
        } else {
            checkpointKeyID = nil
        }
    }
}
