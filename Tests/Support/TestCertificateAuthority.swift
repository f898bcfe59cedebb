import Crypto
import Foundation
import SwiftASN1
import X509

/// A certificate authority made in a test, and TLS server certificates it issues (P-256).
///
/// Test support only (the `TestSupport` target is not a product): keys live in memory and the
/// certificates are valid for one hour around now.
public struct TestCertificateAuthority: Sendable {
    public let key: P256.Signing.PrivateKey
    public let certificate: Certificate
    public let name: DistinguishedName

    public init(commonName: String = "wheeltrust test CA") throws {
        key = P256.Signing.PrivateKey()
        name = try DistinguishedName { CommonName(commonName) }
        let now = Date()
        certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(3600),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: Certificate.PrivateKey(key))
    }

    public var pem: String {
        get throws { try certificate.serializeAsPEM().pemString }
    }

    /// A server certificate for `ipAddresses` (IPv4, dotted) and `dnsNames`; returns (certificate PEM, key PEM).
    public func issueServerCertificate(ipAddresses: [String] = ["127.0.0.1"], dnsNames: [String] = ["localhost"]) throws -> (String, String)
    {
        let serverKey = P256.Signing.PrivateKey()
        var names: [GeneralName] = dnsNames.map { .dnsName($0) }
        for address in ipAddresses {
            let octets = address.split(separator: ".").compactMap { UInt8($0) }
            names.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(octets))))
        }
        let now = Date()
        let leaf = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(serverKey.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(3600),
            issuer: name, subject: try DistinguishedName { CommonName(dnsNames.first ?? ipAddresses.first ?? "server") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(names)
            },
            issuerPrivateKey: Certificate.PrivateKey(key))
        return (try leaf.serializeAsPEM().pemString, serverKey.pemRepresentation)
    }
}
