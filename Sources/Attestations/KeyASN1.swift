import SwiftASN1

/// Object identifiers for the key algorithms the module accepts (internal).
package enum KeyOID {
    package static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 1]
    package static let ecPublicKey: ASN1ObjectIdentifier = [1, 2, 840, 10_045, 2, 1]
    package static let p256: ASN1ObjectIdentifier = [1, 2, 840, 10_045, 3, 1, 7]
    package static let p384: ASN1ObjectIdentifier = [1, 3, 132, 0, 34]
    package static let ed25519: ASN1ObjectIdentifier = [1, 3, 101, 112]
}

/// `AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }` (internal).
package struct KeyAlgorithmIdentifier: DERImplicitlyTaggable, Hashable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var algorithm: ASN1ObjectIdentifier
    package var parameters: ASN1Any?

    package init(algorithm: ASN1ObjectIdentifier, parameters: ASN1Any?) {
        self.algorithm = algorithm
        self.parameters = parameters
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let algorithm = try ASN1ObjectIdentifier(derEncoded: &nodes)
            let parameters = nodes.next().map { ASN1Any(derEncoded: $0) }
            return KeyAlgorithmIdentifier(algorithm: algorithm, parameters: parameters)
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(algorithm)
            if let parameters { try coder.serialize(parameters) }
        }
    }

    /// The named-curve OID in the parameters, if they hold one.
    package var namedCurve: ASN1ObjectIdentifier? {
        guard let parameters else { return nil }
        return try? ASN1ObjectIdentifier(asn1Any: parameters)
    }

    /// Whether the parameters are absent or an explicit NULL.
    package var parametersAreAbsentOrNull: Bool {
        guard let parameters else { return true }
        return (try? ASN1Null(asn1Any: parameters)) != nil
    }
}

/// `SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }`
/// (internal).
package struct SubjectPublicKeyInfo: DERImplicitlyTaggable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var algorithm: KeyAlgorithmIdentifier
    package var key: ASN1BitString

    package init(algorithm: KeyAlgorithmIdentifier, key: ASN1BitString) {
        self.algorithm = algorithm
        self.key = key
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let algorithm = try KeyAlgorithmIdentifier(derEncoded: &nodes)
            let key = try ASN1BitString(derEncoded: &nodes)
            return SubjectPublicKeyInfo(algorithm: algorithm, key: key)
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(algorithm)
            try coder.serialize(key)
        }
    }

    package func derBytes() throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(self)
        return serializer.serializedBytes
    }
}

/// `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }` (PKCS#1, internal).
package struct RSAPublicKeyASN1: DERImplicitlyTaggable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var modulus: ArraySlice<UInt8>
    package var exponent: ArraySlice<UInt8>

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        (modulus, exponent) = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let modulus = try ArraySlice<UInt8>(derEncoded: &nodes)
            let exponent = try ArraySlice<UInt8>(derEncoded: &nodes)
            return (modulus, exponent)
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(modulus)
            try coder.serialize(exponent)
        }
    }

    /// Bit length of the modulus (leading zero bytes and bits ignored).
    package var modulusBits: Int {
        guard let first = modulus.firstIndex(where: { $0 != 0 }) else { return 0 }
        let bytes = modulus.endIndex - first
        return (bytes - 1) * 8 + (8 - modulus[first].leadingZeroBitCount)
    }
}

/// `OneAsymmetricKey` / PKCS#8 `PrivateKeyInfo ::= SEQUENCE { version INTEGER, algorithm
/// AlgorithmIdentifier, privateKey OCTET STRING, ... }` (internal). Trailing optional fields
/// (attributes, public key) are accepted and ignored.
package struct PKCS8PrivateKeyInfo: DERImplicitlyTaggable {
    package static var defaultIdentifier: ASN1Identifier { .sequence }

    package var version: Int
    package var algorithm: KeyAlgorithmIdentifier
    package var privateKey: ASN1OctetString

    package init(algorithm: KeyAlgorithmIdentifier, privateKey: ASN1OctetString) {
        self.version = 0
        self.algorithm = algorithm
        self.privateKey = privateKey
    }

    package init(derEncoded rootNode: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(rootNode, identifier: identifier) { nodes in
            let version = try Int(derEncoded: &nodes)
            let algorithm = try KeyAlgorithmIdentifier(derEncoded: &nodes)
            let privateKey = try ASN1OctetString(derEncoded: &nodes)
            while nodes.next() != nil {}
            var info = PKCS8PrivateKeyInfo(algorithm: algorithm, privateKey: privateKey)
            info.version = version
            return info
        }
    }

    package func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(version)
            try coder.serialize(algorithm)
            try coder.serialize(privateKey)
        }
    }

    package func derBytes() throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(self)
        return serializer.serializedBytes
    }
}

/// SEC1 `ECPrivateKey ::= SEQUENCE { version INTEGER (1), privateKey OCTET STRING,
/// parameters [0] ECParameters OPTIONAL, publicKey [1] BIT STRING OPTIONAL }` (internal): only the
/// curve is read here, swift-crypto parses the rest.
package struct SEC1Curve {
    package var curve: ASN1ObjectIdentifier?
    package var privateKeyLength: Int

    package init(der: [UInt8]) throws {
        let root = try DER.parse(der)
        self = try DER.sequence(root, identifier: .sequence) { nodes in
            let version = try Int(derEncoded: &nodes)
            guard version == 1 else { throw ASN1Error.invalidASN1Object(reason: "EC private key version \(version)") }
            let key = try ASN1OctetString(derEncoded: &nodes)
            let curve = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { node in
                try ASN1ObjectIdentifier(derEncoded: node)
            }
            while nodes.next() != nil {}
            return SEC1Curve(curve: curve, privateKeyLength: key.bytes.count)
        }
    }

    private init(curve: ASN1ObjectIdentifier?, privateKeyLength: Int) {
        self.curve = curve
        self.privateKeyLength = privateKeyLength
    }
}
