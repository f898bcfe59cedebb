import Crypto
import Foundation
import SwiftASN1
import X509

/// A private RFC 3161 timestamp authority (test support): a self-signed root and TSA leaves it
/// issued (ECDSA P-256, fresh per instance), from which `token` builds a TimeStampToken — CMS
/// SignedData (RFC 5652) around a TSTInfo (RFC 3161 §2.4.2), signed attributes content-type +
/// message-digest and, by default, signing-certificate-v2 (RFC 5816) — with swift-asn1 alone,
/// independently of the module's parser.
struct PrivateTSA {
    /// Which TSA leaf signs a token.
    enum Leaf {
        /// Critical EKU id-kp-timeStamping (RFC 3161 §2.3): the one the trusted root lists.
        case good
        /// No ExtendedKeyUsage at all.
        case noEKU
        /// EKU timeStamping, but not critical.
        case nonCriticalEKU
        /// EKU codeSigning only (critical).
        case codeSigningEKU
    }

    static let policyOID: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 57264, 2]
    static let signedDataOID: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 7, 2]
    static let tstInfoOID: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 16, 1, 4]
    static let contentTypeOID: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 3]
    static let messageDigestOID: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 4]
    static let signingCertificateV2OID: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 16, 2, 47]
    static let sha256OID: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 1]
    static let ecdsaWithSHA256OID: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 2]

    let name: String
    let rootKey = P256.Signing.PrivateKey()
    let root: Certificate
    /// One key for every leaf (the leaves differ only in their extensions and serials).
    let leafKey = P256.Signing.PrivateKey()
    let leaves: [Leaf: Certificate]

    /// A root `CN=<name>` and leaves `CN=<name>-leaf`, valid from `notBefore` to `notAfter`. Two
    /// TSAs with the same name have identical subject names but other keys.
    init(name: String = "private-tsa", notBefore: Date, notAfter: Date) throws {
        self.name = name
        let rootName = try DistinguishedName {
            OrganizationName("wheeltrust.test")
            CommonName(name)
        }
        let leafName = try DistinguishedName {
            OrganizationName("wheeltrust.test")
            CommonName("\(name)-leaf")
        }
        let rootKey = self.rootKey
        root = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(rootKey.publicKey),
            notValidBefore: notBefore, notValidAfter: notAfter, issuer: rootName, subject: rootName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: .init(rootKey))
        var leaves: [Leaf: Certificate] = [:]
        for kind in [Leaf.good, .noEKU, .nonCriticalEKU, .codeSigningEKU] {
            var extensions: [Certificate.Extension] = [
                try Certificate.Extension(KeyUsage(digitalSignature: true), critical: true)
            ]
            switch kind {
            case .good: extensions.append(try Certificate.Extension(ExtendedKeyUsage([.timeStamping]), critical: true))
            case .noEKU: break
            case .nonCriticalEKU: extensions.append(try Certificate.Extension(ExtendedKeyUsage([.timeStamping]), critical: false))
            case .codeSigningEKU: extensions.append(try Certificate.Extension(ExtendedKeyUsage([.codeSigning]), critical: true))
            }
            leaves[kind] = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: .init(leafKey.publicKey),
                notValidBefore: notBefore, notValidAfter: notAfter, issuer: rootName, subject: leafName,
                signatureAlgorithm: .ecdsaWithSHA256, extensions: try Certificate.Extensions(extensions),
                issuerPrivateKey: .init(rootKey))
        }
        self.leaves = leaves
    }

    /// What one token looks like; the defaults give a token that verifies.
    struct TokenOptions {
        var leaf = Leaf.good
        /// Add the RFC 5816 signing-certificate-v2 attribute binding the leaf's SHA-256.
        var essCertIDv2 = true
        /// Embed the leaf in the SignedData `certificates`.
        var embedCertificate = true
        /// Wrap the token in a TimeStampResp with status granted (what sigstore clients store).
        var asResponse = false
    }

    /// A TimeStampToken over `signature` (imprint SHA-256 of exactly those bytes) at `genTime`.
    func token(over signature: [UInt8], genTime: Date, _ options: TokenOptions = TokenOptions()) throws -> [UInt8] {
        guard let leaf = leaves[options.leaf] else { throw ASN1Error.invalidASN1Object(reason: "no such leaf") }
        // TSTInfo.
        let imprint = Array(SHA256.hash(data: signature))
        var tst = DER.Serializer()
        try tst.appendConstructedNode(identifier: .sequence) { c in
            try c.serialize(1)
            try c.serialize(Self.policyOID)
            try c.appendConstructedNode(identifier: .sequence) { m in
                try Self.algorithm(Self.sha256OID, into: &m)
                try m.serialize(ASN1OctetString(contentBytes: ArraySlice(imprint)))
            }
            try c.serialize(Int(genTime.timeIntervalSince1970) & 0x7FFF_FFFF)  // serialNumber
            try c.serialize(try Self.generalizedTime(genTime))
            try c.serialize(0x5EED)  // nonce
        }
        let tstInfo = tst.serializedBytes

        // Signed attributes, as the DER SET OF the signature covers (sorted by encoding).
        var attributes: [[UInt8]] = [
            try Self.attribute(Self.contentTypeOID) { try $0.serialize(Self.tstInfoOID) },
            try Self.attribute(Self.messageDigestOID) {
                try $0.serialize(ASN1OctetString(contentBytes: ArraySlice(SHA256.hash(data: tstInfo))))
            },
        ]
        if options.essCertIDv2 {
            let certHash = Array(SHA256.hash(data: try PrivateSigstore.der(leaf)))
            attributes.append(
                try Self.attribute(Self.signingCertificateV2OID) { v in
                    try v.appendConstructedNode(identifier: .sequence) { s in  // SigningCertificateV2
                        try s.appendConstructedNode(identifier: .sequence) { certs in  // certs SEQUENCE OF ESSCertIDv2
                            try certs.appendConstructedNode(identifier: .sequence) { id in  // hashAlgorithm DEFAULT sha256
                                try id.serialize(ASN1OctetString(contentBytes: ArraySlice(certHash)))
                            }
                        }
                    }
                })
        }
        attributes.sort { $0.lexicographicallyPrecedes($1) }
        let attributeContent = attributes.flatMap { $0 }
        var signedSet = DER.Serializer()
        signedSet.appendConstructedNode(identifier: .set) { $0.serializeRawBytes(attributeContent) }
        let toSign = signedSet.serializedBytes
        let signatureValue = Array(try leafKey.signature(for: toSign).derRepresentation)

        var out = DER.Serializer()
        try out.appendConstructedNode(identifier: .sequence) { contentInfo in
            try contentInfo.serialize(Self.signedDataOID)
            try contentInfo.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) { explicit in
                try explicit.appendConstructedNode(identifier: .sequence) { sd in
                    try sd.serialize(3)
                    try sd.appendConstructedNode(identifier: .set) { try Self.algorithm(Self.sha256OID, into: &$0) }
                    try sd.appendConstructedNode(identifier: .sequence) { encap in
                        try encap.serialize(Self.tstInfoOID)
                        try encap.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) {
                            try $0.serialize(ASN1OctetString(contentBytes: ArraySlice(tstInfo)))
                        }
                    }
                    if options.embedCertificate {
                        try sd.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) {
                            try $0.serialize(leaf)
                        }
                    }
                    try sd.appendConstructedNode(identifier: .set) { infos in
                        try infos.appendConstructedNode(identifier: .sequence) { si in
                            try si.serialize(1)
                            try si.appendConstructedNode(identifier: .sequence) { sid in
                                try sid.serialize(leaf.issuer)
                                sid.appendPrimitiveNode(identifier: .integer) { $0.append(contentsOf: leaf.serialNumber.bytes) }
                            }
                            try Self.algorithm(Self.sha256OID, into: &si)
                            si.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) {
                                $0.serializeRawBytes(attributeContent)
                            }
                            try Self.algorithm(Self.ecdsaWithSHA256OID, into: &si)
                            try si.serialize(ASN1OctetString(contentBytes: ArraySlice(signatureValue)))
                        }
                    }
                }
            }
        }
        let token = out.serializedBytes
        guard options.asResponse else { return token }
        // TimeStampResp ::= SEQUENCE { status PKIStatusInfo { status 0 }, timeStampToken }
        var response = DER.Serializer()
        try response.appendConstructedNode(identifier: .sequence) { r in
            try r.appendConstructedNode(identifier: .sequence) { try $0.serialize(0) }
            r.serializeRawBytes(token)
        }
        return response.serializedBytes
    }

    /// `timestampAuthorities[]` of a trusted root: the good leaf and the root, `validFor` as given.
    func trustedRootEntry(_ window: PrivateSigstore.Window) throws -> [String: Any] {
        var validFor: [String: Any] = ["start": PrivateSigstore.rfc3339(window.start)]
        if let end = window.end { validFor["end"] = PrivateSigstore.rfc3339(end) }
        let chain = [try PrivateSigstore.der(leaves[.good] ?? root), try PrivateSigstore.der(root)]
        return [
            "subject": ["organization": "wheeltrust.test", "commonName": name],
            "uri": "https://\(name).private.test",
            "certChain": ["certificates": chain.map { ["rawBytes": Data($0).base64EncodedString()] }],
            "validFor": validFor,
        ]
    }

    // MARK: - DER helpers

    /// `AlgorithmIdentifier` with absent parameters (RFC 5754 for SHA-2; RFC 5758 for ECDSA).
    private static func algorithm(_ oid: ASN1ObjectIdentifier, into coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { try $0.serialize(oid) }
    }

    /// `Attribute ::= SEQUENCE { attrType OID, attrValues SET OF value }` with one value.
    private static func attribute(_ type: ASN1ObjectIdentifier, _ value: (inout DER.Serializer) throws -> Void) throws -> [UInt8] {
        var coder = DER.Serializer()
        try coder.appendConstructedNode(identifier: .sequence) { a in
            try a.serialize(type)
            try a.appendConstructedNode(identifier: .set) { try value(&$0) }
        }
        return coder.serializedBytes
    }

    static func generalizedTime(_ date: Date) throws -> GeneralizedTime {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return try GeneralizedTime(
            year: c.year ?? 0, month: c.month ?? 0, day: c.day ?? 0, hours: c.hour ?? 0,
            minutes: c.minute ?? 0, seconds: c.second ?? 0, fractionalSeconds: 0)
    }
}
