import Attestations
import Crypto
import Foundation
import PythonPackaging
import SwiftASN1
import X509

/// One RFC 6962 Signed Certificate Timestamp as embedded in a certificate (v1).
///
/// Guarantees: parsed from exactly the TLS encoding (no trailing bytes); `logID` is 32 bytes.
/// Parsing alone proves nothing: see `SCTVerification.verify`.
public struct SignedCertificateTimestamp: Sendable, Hashable {
    /// The SCT extension's OID, 1.3.6.1.4.1.11129.2.4.2.
    public static let extensionOID: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 11129, 2, 4, 2]

    /// 0 for v1.
    public let version: UInt8
    /// SHA-256 of the CT log's DER public key.
    public let logID: [UInt8]
    /// Milliseconds since the epoch.
    public let timestamp: UInt64
    public let extensions: [UInt8]
    /// TLS HashAlgorithm (4 = sha256).
    public let hashAlgorithm: UInt8
    /// TLS SignatureAlgorithm (1 = rsa, 3 = ecdsa).
    public let signatureAlgorithm: UInt8
    public let signature: [UInt8]

    /// `timestamp` as a date.
    public var date: Date { Date(timeIntervalSince1970: Double(timestamp) / 1000) }

    public init(
        version: UInt8, logID: [UInt8], timestamp: UInt64, extensions: [UInt8], hashAlgorithm: UInt8,
        signatureAlgorithm: UInt8, signature: [UInt8]
    ) {
        self.version = version
        self.logID = logID
        self.timestamp = timestamp
        self.extensions = extensions
        self.hashAlgorithm = hashAlgorithm
        self.signatureAlgorithm = signatureAlgorithm
        self.signature = signature
    }

    /// The SCTs embedded in `certificate` (empty when it has no SCT extension).
    public static func embedded(in certificate: Certificate) throws(AttestationError) -> [SignedCertificateTimestamp] {
        guard let ext = certificate.extensions.first(where: { $0.oid == extensionOID }) else { return [] }
        let list: ASN1OctetString
        do {
            list = try ASN1OctetString(derEncoded: ext.value)
        } catch {
            throw AttestationError(.malformedCertificate, "SCT list extension: not a DER OCTET STRING")
        }
        return try parseList(Array(list.bytes))
    }

    /// Parses a TLS `SignedCertificateTimestampList`.
    public static func parseList(_ bytes: [UInt8]) throws(AttestationError) -> [SignedCertificateTimestamp] {
        var reader = TLSReader(bytes)
        guard let listBytes = reader.vector(lengthBytes: 2), reader.isAtEnd else {
            throw AttestationError(.malformedCertificate, "SCT list: bad length")
        }
        var list = TLSReader(listBytes)
        var out: [SignedCertificateTimestamp] = []
        while !list.isAtEnd {
            guard out.count < 64, let item = list.vector(lengthBytes: 2) else {
                throw AttestationError(.malformedCertificate, "SCT list: bad entry length")
            }
            out.append(try parse(item))
        }
        return out
    }

    /// Parses one TLS-encoded SCT.
    public static func parse(_ bytes: [UInt8]) throws(AttestationError) -> SignedCertificateTimestamp {
        var r = TLSReader(bytes)
        guard let version = r.integer(1), version == 0 else {
            throw AttestationError(.malformedCertificate, "SCT: unsupported version")
        }
        guard let logID = r.bytes(32), let timestamp = r.integer(8), let extensions = r.vector(lengthBytes: 2),
            let hash = r.integer(1), let sigAlg = r.integer(1), let signature = r.vector(lengthBytes: 2),
            r.isAtEnd
        else {
            throw AttestationError(.malformedCertificate, "SCT: truncated or trailing bytes")
        }
        return SignedCertificateTimestamp(
            version: UInt8(version), logID: logID, timestamp: timestamp, extensions: extensions,
            hashAlgorithm: UInt8(hash), signatureAlgorithm: UInt8(sigAlg), signature: signature)
    }

    /// The RFC 6962 `digitally-signed` input for a precertificate entry.
    public func signedData(issuerKeyHash: [UInt8], precertificateTBS: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [version, 0]  // sct_version, signature_type = certificate_timestamp
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: timestamp >> UInt64(shift))) }
        out += [0, 1]  // entry_type = precert_entry
        out += issuerKeyHash
        let n = precertificateTBS.count
        out += [UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n)]
        out += precertificateTBS
        out += [UInt8(truncatingIfNeeded: extensions.count >> 8), UInt8(truncatingIfNeeded: extensions.count)]
        out += extensions
        return out
    }
}

/// The outcome of SCT verification: the verified SCT and its log, or the reason it failed.
public enum SCTVerdict: Verdict {
    case verified(SignedCertificateTimestamp, log: TransparencyLogInstance)
    case failed(String)

    /// Whether the SCT verified.
    public var isVerified: Bool {
        if case .verified = self { return true }
        return false
    }

    /// The reason when failed.
    public var failure: String? {
        if case .failed(let reason) = self { return reason }
        return nil
    }
}

/// Verification of the SCT embedded in a Fulcio certificate (RFC 6962 §3.2, precertificate entry).
///
/// Guarantees for `.verified`: the leaf embeds exactly one SCT; its log id names a ctlog of the
/// trusted root whose key `validFor` contains the SCT time (any listing of that key id); the SCT signature (SHA-256) verifies
/// with that key over the precertificate `digitally-signed` struct built from the leaf's
/// TBSCertificate without the SCT extension and the SHA-256 of the issuer's DER SPKI.
public enum SCTVerification {
    /// Verifies the embedded SCT of a verified chain's leaf (issuer = the certificate after the leaf).
    public static func verify(chain: FulcioChain, trustedRoot: TrustedRoot) -> SCTVerdict {
        verify(leaf: chain.leaf, issuer: chain.issuer, trustedRoot: trustedRoot)
    }

    /// Verifies the embedded SCT of `leaf`, issued by `issuer` (from a verified `FulcioChain`).
    public static func verify(leaf: Certificate, issuer: Certificate, trustedRoot: TrustedRoot) -> SCTVerdict {
        let scts: [SignedCertificateTimestamp]
        do {
            scts = try SignedCertificateTimestamp.embedded(in: leaf)
        } catch {
            return .failed("signing certificate: \(error.message)")
        }
        guard scts.count == 1, let sct = scts.first else {
            return .failed("signing certificate embeds \(scts.count) SCTs, expected exactly one")
        }
        // The same key may be listed more than once (e.g. with successive windows): any listing
        // whose window contains the SCT time will do.
        let listings = trustedRoot.ctlogs.filter { $0.keyID == sct.logID }
        guard let first = listings.first else {
            return .failed("SCT log id \(Encoding.base64String(sct.logID)) names no CT log of the trusted root")
        }
        guard let log = listings.first(where: { $0.validFor.contains(sct.date) }) else {
            return .failed("CT log \(first.baseURL) key is not valid at the SCT time \(sct.date.formatted(.iso8601))")
        }
        guard sct.hashAlgorithm == 4 else {
            return .failed("SCT hash algorithm \(sct.hashAlgorithm) is not SHA-256")
        }
        guard let key = log.publicKey else {
            return .failed("CT log \(log.baseURL) key type is not supported")
        }
        let tbs: [UInt8]
        let spki: [UInt8]
        do {
            tbs = try precertificateTBS(of: leaf)
            var serializer = DER.Serializer()
            try serializer.serialize(issuer.publicKey)
            spki = serializer.serializedBytes
        } catch {
            return .failed("signing certificate: cannot rebuild the precertificate TBSCertificate")
        }
        let message = sct.signedData(issuerKeyHash: Array(SHA256.hash(data: spki)), precertificateTBS: tbs)
        guard key.isValidSignature(sct.signature, for: message, rsaPadding: .pkcs1v15) else {
            return .failed("SCT signature does not verify with CT log \(log.baseURL)")
        }
        return .verified(sct, log: log)
    }

    /// The leaf's TBSCertificate with the SCT list extension removed, re-encoded in DER.
    static func precertificateTBS(of certificate: Certificate) throws -> [UInt8] {
        let root = try DER.parse(certificate.tbsCertificateBytes)
        guard case .constructed(let children) = root.content else { throw ASN1Error.invalidASN1Object(reason: "tbs") }
        let extensionsTag = ASN1Identifier(tagWithNumber: 3, tagClass: .contextSpecific)
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: root.identifier) { tbs in
            for child in children {
                guard child.identifier == extensionsTag else {
                    tbs.serializeRawBytes(child.encodedBytes)
                    continue
                }
                guard case .constructed(let wrapper) = child.content, let sequence = wrapper.first(where: { _ in true }),
                    case .constructed(let extensions) = sequence.content
                else { throw ASN1Error.invalidASN1Object(reason: "extensions") }
                try tbs.appendConstructedNode(identifier: extensionsTag) { explicit in
                    try explicit.appendConstructedNode(identifier: .sequence) { list in
                        for ext in extensions {
                            guard case .constructed(let fields) = ext.content, let oidNode = fields.first(where: { _ in true }) else {
                                throw ASN1Error.invalidASN1Object(reason: "extension")
                            }
                            let oid = try ASN1ObjectIdentifier(derEncoded: oidNode)
                            if oid != SignedCertificateTimestamp.extensionOID { list.serializeRawBytes(ext.encodedBytes) }
                        }
                    }
                }
            }
        }
        return serializer.serializedBytes
    }
}

/// Big-endian TLS presentation-language reader (internal, bounds-checked).
struct TLSReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func bytes(_ count: Int) -> [UInt8]? {
        guard count >= 0, bytes.count - offset >= count else { return nil }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    mutating func integer(_ size: Int) -> UInt64? {
        guard let raw = bytes(size) else { return nil }
        return raw.reduce(0) { ($0 << 8) | UInt64($1) }
    }

    mutating func vector(lengthBytes: Int) -> [UInt8]? {
        guard let length = integer(lengthBytes) else { return nil }
        return bytes(Int(length))
    }
}
