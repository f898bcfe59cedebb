import Attestations
import Foundation
import SwiftASN1
import X509

/// An RFC 3161 time-stamp token, parsed (not verified): the CMS `SignedData` (RFC 5652) around a
/// `TSTInfo` (RFC 3161 §2.4.2).
///
/// Accepts a `TimeStampResp` whose status is granted (0) or grantedWithMods (1) — the form
/// Sigstore clients store — or a bare `TimeStampToken` (`ContentInfo`). Guarantees after
/// `init(derEncoded:)`: strict DER throughout; the content type is id-signedData and the
/// encapsulated content type id-ct-TSTInfo with the eContent present; exactly one SignerInfo;
/// its signed attributes are present, each attribute type at most once, with exactly one
/// content-type and one message-digest value; `signedAttributesDER` is those attributes re-encoded
/// as the DER `SET OF` the signature covers (RFC 5652 §5.4); TSTInfo version 1, a
/// message imprint, a GeneralizedTime `genTime`. Nothing is verified: see `TimestampVerification`.
public struct RFC3161Timestamp: Sendable {
    /// How the signer certificate is named in the SignerInfo.
    public enum SignerIdentifier: Sendable, Hashable {
        case issuerAndSerialNumber(issuer: DistinguishedName, serial: Certificate.SerialNumber)
        case subjectKeyIdentifier([UInt8])

        /// Whether `certificate` is the one this identifier names.
        public func names(_ certificate: Certificate) -> Bool {
            switch self {
            case .issuerAndSerialNumber(let issuer, let serial):
                return certificate.issuer == issuer && certificate.serialNumber == serial
            case .subjectKeyIdentifier(let identifier):
                guard let ski = try? certificate.extensions.subjectKeyIdentifier else { return false }
                return Array(ski.keyIdentifier) == identifier
            }
        }
    }

    /// The time the TSA asserts (TSTInfo `genTime`).
    public let genTime: Date
    /// TSTInfo `policy`.
    public let policy: ASN1ObjectIdentifier
    /// The hash algorithm of the message imprint.
    public let imprintAlgorithm: ASN1ObjectIdentifier
    /// The hashed message of the message imprint.
    public let imprint: [UInt8]
    /// TSTInfo `nonce`, big-endian bytes, when present.
    public let nonce: [UInt8]?
    /// The eContent: the DER TSTInfo the message-digest attribute covers.
    public let tstInfoDER: [UInt8]
    /// Certificates embedded in the SignedData (any order, maybe none).
    public let certificates: [Certificate]
    public let signer: SignerIdentifier
    /// SignerInfo `digestAlgorithm`.
    public let digestAlgorithm: ASN1ObjectIdentifier
    /// The content-type signed attribute's value.
    public let contentTypeAttribute: ASN1ObjectIdentifier
    /// The message-digest signed attribute's value.
    public let messageDigestAttribute: [UInt8]
    /// The first ESSCertIDv2 of the signing-certificate-v2 attribute (RFC 5816), when present:
    /// the hash algorithm (default SHA-256) and the hash of the TSA certificate.
    public let signingCertificateHash: (algorithm: ASN1ObjectIdentifier, hash: [UInt8])?
    /// The signed attributes as the DER `SET OF Attribute` the signature is computed over.
    public let signedAttributesDER: [UInt8]
    /// SignerInfo `signatureAlgorithm`.
    public let signatureAlgorithm: ASN1ObjectIdentifier
    public let signature: [UInt8]

    /// Tokens larger than this are refused.
    public static let maxBytes = 64 << 10
    /// More embedded certificates than this are refused.
    public static let maxCertificates = 16

    public init(derEncoded bytes: [UInt8]) throws(AttestationError) {
        guard bytes.count <= Self.maxBytes else { throw Self.error("token exceeds \(Self.maxBytes) bytes") }
        do {
            self = try Self.parse(DER.parse(bytes))
        } catch let error as AttestationError {
            throw error
        } catch {
            throw Self.error("not a DER TimeStampResp or TimeStampToken (\(error))")
        }
    }

    static func error(_ message: String) -> AttestationError {
        AttestationError(.malformedTimestamp, "RFC 3161 timestamp: \(message)")
    }

    private static func parse(_ root: ASN1Node) throws -> RFC3161Timestamp {
        guard case .constructed(let top) = root.content, root.identifier == .sequence else {
            throw error("not a SEQUENCE")
        }
        var iterator = top.makeIterator()
        guard let first = iterator.next() else { throw error("empty SEQUENCE") }
        // TimeStampResp: SEQUENCE { status PKIStatusInfo (a SEQUENCE), timeStampToken ContentInfo }.
        // ContentInfo: SEQUENCE { contentType OID, [0] EXPLICIT content }.
        if first.identifier == .sequence {
            try checkStatus(first)
            guard let token = iterator.next() else { throw error("TimeStampResp has no timeStampToken") }
            guard iterator.next() == nil else { throw error("TimeStampResp has trailing fields") }
            return try contentInfo(token)
        }
        return try contentInfo(root)
    }

    private static func checkStatus(_ node: ASN1Node) throws {
        guard case .constructed(let fields) = node.content else { throw error("PKIStatusInfo is not a SEQUENCE") }
        var iterator = fields.makeIterator()
        guard let statusNode = iterator.next() else { throw error("PKIStatusInfo has no status") }
        let status = try Int(derEncoded: statusNode)
        guard status == 0 || status == 1 else { throw error("TimeStampResp status \(status) is not granted") }
    }

    private static let signedDataOID: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 7, 2]
    static let tstInfoOID: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 16, 1, 4]
    static let contentTypeAttributeOID: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 3]
    static let messageDigestAttributeOID: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 4]
    static let signingCertificateV2OID: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 16, 2, 47]

    private static func contentInfo(_ node: ASN1Node) throws -> RFC3161Timestamp {
        try DER.sequence(node, identifier: .sequence) { nodes in
            let type = try ASN1ObjectIdentifier(derEncoded: &nodes)
            guard type == signedDataOID else { throw error("content type \(type) is not id-signedData") }
            guard let wrapper = nodes.next(), wrapper.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific),
                case .constructed(let inner) = wrapper.content
            else {
                throw error("ContentInfo has no [0] content")
            }
            var innerNodes = inner.makeIterator()
            guard let signedData = innerNodes.next(), innerNodes.next() == nil else { throw error("[0] content is not one SignedData") }
            guard nodes.next() == nil else { throw error("ContentInfo has trailing fields") }
            return try parseSignedData(signedData)
        }
    }

    private static func parseSignedData(_ node: ASN1Node) throws -> RFC3161Timestamp {
        try DER.sequence(node, identifier: .sequence) { nodes in
            _ = try Int(derEncoded: &nodes)  // version
            guard let digestAlgorithms = nodes.next(), digestAlgorithms.identifier == .set else {
                throw error("SignedData digestAlgorithms missing")
            }
            // EncapsulatedContentInfo.
            guard let encapsulated = nodes.next() else { throw error("SignedData encapContentInfo missing") }
            let eContent: [UInt8] = try DER.sequence(encapsulated, identifier: .sequence) { fields in
                let type = try ASN1ObjectIdentifier(derEncoded: &fields)
                guard type == tstInfoOID else { throw error("encapsulated content type \(type) is not id-ct-TSTInfo") }
                guard let explicit = fields.next(), explicit.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific),
                    case .constructed(let wrapped) = explicit.content
                else {
                    throw error("eContent missing")
                }
                var wrappedNodes = wrapped.makeIterator()
                guard let octets = wrappedNodes.next(), wrappedNodes.next() == nil else { throw error("eContent is not one OCTET STRING") }
                guard fields.next() == nil else { throw error("encapContentInfo has trailing fields") }
                return Array(try ASN1OctetString(derEncoded: octets).bytes)
            }
            var next = nodes.next()
            var certificates: [Certificate] = []
            if let certs = next, certs.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) {
                guard case .constructed(let list) = certs.content else { throw error("certificates is not constructed") }
                for element in list {
                    guard certificates.count < maxCertificates else { throw error("more than \(maxCertificates) certificates") }
                    // Other certificate formats (attribute certificates, [n]-tagged) are skipped.
                    guard element.identifier == .sequence else { continue }
                    certificates.append(try Certificate(derEncoded: Array(element.encodedBytes)))
                }
                next = nodes.next()
            }
            if let crls = next, crls.identifier == ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific) {
                next = nodes.next()
            }
            guard let signerInfos = next, signerInfos.identifier == .set, case .constructed(let infos) = signerInfos.content else {
                throw error("SignedData signerInfos missing")
            }
            guard nodes.next() == nil else { throw error("SignedData has trailing fields") }
            var infoIterator = infos.makeIterator()
            guard let info = infoIterator.next(), infoIterator.next() == nil else {
                throw error("SignedData must carry exactly one SignerInfo")
            }
            let tst = try TSTInfo(derEncoded: eContent)
            return try signerInfo(info, tst: tst, eContent: eContent, certificates: certificates)
        }
    }

    private static func signerInfo(
        _ node: ASN1Node, tst: TSTInfo, eContent: [UInt8], certificates: [Certificate]
    ) throws -> RFC3161Timestamp {
        try DER.sequence(node, identifier: .sequence) { nodes in
            _ = try Int(derEncoded: &nodes)  // version
            guard let sidNode = nodes.next() else { throw error("SignerInfo sid missing") }
            let signer: SignerIdentifier
            if sidNode.identifier == .sequence {
                signer = try DER.sequence(sidNode, identifier: .sequence) { fields in
                    guard let nameNode = fields.next() else { throw error("IssuerAndSerialNumber issuer missing") }
                    let issuer = try DistinguishedName(derEncoded: nameNode)
                    guard let serialNode = fields.next(), serialNode.identifier == .integer,
                        case .primitive(let serialBytes) = serialNode.content
                    else {
                        throw error("IssuerAndSerialNumber serial missing")
                    }
                    guard fields.next() == nil else { throw error("IssuerAndSerialNumber has trailing fields") }
                    return .issuerAndSerialNumber(issuer: issuer, serial: Certificate.SerialNumber(bytes: serialBytes))
                }
            } else if sidNode.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific),
                case .primitive(let keyID) = sidNode.content
            {
                signer = .subjectKeyIdentifier(Array(keyID))
            } else {
                throw error("SignerInfo sid is neither IssuerAndSerialNumber nor SubjectKeyIdentifier")
            }
            let digestAlgorithm = try KeyAlgorithmIdentifier(derEncoded: &nodes).algorithm
            guard let attributes = nodes.next(), attributes.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific),
                case .constructed(let attributeList) = attributes.content
            else {
                throw error("SignerInfo has no signed attributes")
            }
            var contentType: ASN1ObjectIdentifier?
            var messageDigest: [UInt8]?
            var certificateHash: (algorithm: ASN1ObjectIdentifier, hash: [UInt8])?
            var seen: Set<ASN1ObjectIdentifier> = []
            for attribute in attributeList {
                let (type, values) = try DER.sequence(attribute, identifier: .sequence) { fields -> (ASN1ObjectIdentifier, [ASN1Node]) in
                    let type = try ASN1ObjectIdentifier(derEncoded: &fields)
                    guard let set = fields.next(), set.identifier == .set, case .constructed(let members) = set.content else {
                        throw error("attribute \(type) has no value SET")
                    }
                    guard fields.next() == nil else { throw error("attribute \(type) has trailing fields") }
                    return (type, Array(members))
                }
                guard seen.insert(type).inserted else { throw error("signed attribute \(type) appears twice") }
                if type == contentTypeAttributeOID {
                    guard values.count == 1 else { throw error("content-type attribute must have one value") }
                    contentType = try ASN1ObjectIdentifier(derEncoded: values[0])
                } else if type == messageDigestAttributeOID {
                    guard values.count == 1 else { throw error("message-digest attribute must have one value") }
                    messageDigest = Array(try ASN1OctetString(derEncoded: values[0]).bytes)
                } else if type == signingCertificateV2OID {
                    guard values.count == 1 else { throw error("signing-certificate-v2 attribute must have one value") }
                    certificateHash = try essCertIDv2(values[0])
                }
            }
            guard let contentType else { throw error("signed attributes lack content-type") }
            guard let messageDigest else { throw error("signed attributes lack message-digest") }
            // The signature covers the attributes with the universal SET OF tag (RFC 5652 §5.4).
            var signed = Array(attributes.encodedBytes)
            signed[0] = 0x31
            let signatureAlgorithm = try KeyAlgorithmIdentifier(derEncoded: &nodes).algorithm
            let signature = Array(try ASN1OctetString(derEncoded: &nodes).bytes)
            if let unsigned = nodes.next() {
                guard unsigned.identifier == ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific) else {
                    throw error("SignerInfo has trailing fields")
                }
                guard nodes.next() == nil else { throw error("SignerInfo has trailing fields") }
            }
            return RFC3161Timestamp(
                genTime: tst.genTime, policy: tst.policy, imprintAlgorithm: tst.imprintAlgorithm, imprint: tst.imprint,
                nonce: tst.nonce, tstInfoDER: eContent, certificates: certificates, signer: signer,
                digestAlgorithm: digestAlgorithm, contentTypeAttribute: contentType, messageDigestAttribute: messageDigest,
                signingCertificateHash: certificateHash, signedAttributesDER: signed, signatureAlgorithm: signatureAlgorithm,
                signature: signature)
        }
    }

    /// `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, … }`; the first
    /// `ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256, certHash OCTET STRING, … }`.
    private static func essCertIDv2(_ node: ASN1Node) throws -> (algorithm: ASN1ObjectIdentifier, hash: [UInt8]) {
        try DER.sequence(node, identifier: .sequence) { fields in
            guard let certs = fields.next(), case .constructed(let list) = certs.content else {
                throw error("signing-certificate-v2 has no certs")
            }
            var iterator = list.makeIterator()
            guard let first = iterator.next() else { throw error("signing-certificate-v2 certs is empty") }
            let bound: (algorithm: ASN1ObjectIdentifier, hash: [UInt8]) = try DER.sequence(first, identifier: .sequence) { id in
                guard let head = id.next() else { throw error("ESSCertIDv2 is empty") }
                let result: (ASN1ObjectIdentifier, [UInt8])
                if head.identifier == .sequence {
                    let algorithm = try KeyAlgorithmIdentifier(derEncoded: head).algorithm
                    result = (algorithm, Array(try ASN1OctetString(derEncoded: &id).bytes))
                } else {
                    result = (TimestampVerification.sha256OID, Array(try ASN1OctetString(derEncoded: head).bytes))
                }
                while id.next() != nil {}  // issuerSerial
                return result
            }
            while fields.next() != nil {}  // policies
            return bound
        }
    }

    private init(
        genTime: Date, policy: ASN1ObjectIdentifier, imprintAlgorithm: ASN1ObjectIdentifier, imprint: [UInt8],
        nonce: [UInt8]?, tstInfoDER: [UInt8], certificates: [Certificate], signer: SignerIdentifier,
        digestAlgorithm: ASN1ObjectIdentifier, contentTypeAttribute: ASN1ObjectIdentifier,
        messageDigestAttribute: [UInt8], signingCertificateHash: (algorithm: ASN1ObjectIdentifier, hash: [UInt8])?,
        signedAttributesDER: [UInt8], signatureAlgorithm: ASN1ObjectIdentifier,
        signature: [UInt8]
    ) {
        self.genTime = genTime
        self.policy = policy
        self.imprintAlgorithm = imprintAlgorithm
        self.imprint = imprint
        self.nonce = nonce
        self.tstInfoDER = tstInfoDER
        self.certificates = certificates
        self.signer = signer
        self.digestAlgorithm = digestAlgorithm
        self.contentTypeAttribute = contentTypeAttribute
        self.messageDigestAttribute = messageDigestAttribute
        self.signingCertificateHash = signingCertificateHash
        self.signedAttributesDER = signedAttributesDER
        self.signatureAlgorithm = signatureAlgorithm
        self.signature = signature
    }
}

/// The fields of a TSTInfo this module uses (RFC 3161 §2.4.2).
private struct TSTInfo {
    let policy: ASN1ObjectIdentifier
    let imprintAlgorithm: ASN1ObjectIdentifier
    let imprint: [UInt8]
    let genTime: Date
    let nonce: [UInt8]?

    init(derEncoded bytes: [UInt8]) throws {
        let root = try DER.parse(bytes)
        guard root.encodedBytes.count == bytes.count else { throw RFC3161Timestamp.error("TSTInfo has trailing bytes") }
        (policy, imprintAlgorithm, imprint, genTime, nonce) = try DER.sequence(root, identifier: .sequence) { nodes in
            let version = try Int(derEncoded: &nodes)
            guard version == 1 else { throw RFC3161Timestamp.error("TSTInfo version \(version) is not 1") }
            let policy = try ASN1ObjectIdentifier(derEncoded: &nodes)
            let (algorithm, hashed) = try DER.sequence(of: ASN1Any.self, identifier: .sequence, nodes: &nodes) { inner in
                let algorithm = try KeyAlgorithmIdentifier(derEncoded: &inner).algorithm
                let hashed = Array(try ASN1OctetString(derEncoded: &inner).bytes)
                return (algorithm, hashed)
            }
            guard let serial = nodes.next(), serial.identifier == .integer else {
                throw RFC3161Timestamp.error("TSTInfo serialNumber missing")
            }
            let time = try GeneralizedTime(derEncoded: &nodes)
            var nonce: [UInt8]?
            while let node = nodes.next() {
                if node.identifier == .integer, case .primitive(let value) = node.content { nonce = Array(value) }
            }
            return (policy, algorithm, hashed, try Self.date(time), nonce)
        }
    }

    static func date(_ time: GeneralizedTime) throws -> Date {
        var components = DateComponents()
        components.calendar = Calendar(identifier: .gregorian)
        components.timeZone = TimeZone(identifier: "UTC")
        components.year = time.year
        components.month = time.month
        components.day = time.day
        components.hour = time.hours
        components.minute = time.minutes
        components.second = time.seconds
        guard let date = components.date else { throw RFC3161Timestamp.error("genTime is not a date") }
        return date.addingTimeInterval(time.fractionalSeconds)
    }
}

extension DER {
    /// Parses one constructed SEQUENCE out of `nodes` with `builder` over its children.
    fileprivate static func sequence<T>(
        of _: ASN1Any.Type, identifier: ASN1Identifier, nodes: inout ASN1NodeCollection.Iterator,
        _ builder: (inout ASN1NodeCollection.Iterator) throws -> T
    ) throws -> T {
        guard let node = nodes.next() else { throw RFC3161Timestamp.error("a field is missing") }
        return try DER.sequence(node, identifier: identifier, builder)
    }
}
