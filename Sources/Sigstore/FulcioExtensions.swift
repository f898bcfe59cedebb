import Attestations
import Foundation
import SwiftASN1
import X509

/// The identity a Fulcio signing certificate asserts: its Subject Alternative Name and the
/// Fulcio OID extensions `1.3.6.1.4.1.57264.1.*`.
///
/// Guarantees: every value is exactly the certificate's bytes decoded as UTF-8 — `.1.1`
/// (legacy issuer) raw, `.1.8`–`.1.22` from a DER UTF8String (an extension that is not a valid
/// UTF8String is an error, never silently dropped); absent extensions are nil. Nothing here is
/// trusted until the certificate's chain has been verified.
public struct FulcioIdentity: Sendable, Hashable {
    /// The SAN the certificate was issued to.
    public enum SubjectName: Sendable, Hashable {
        case uri(String)
        case email(String)
        /// otherName `1.3.6.1.4.1.57264.1.7` (a UTF8String username).
        case otherName(String)

        /// The SAN's text.
        public var value: String {
            switch self {
            case .uri(let s), .email(let s), .otherName(let s): s
            }
        }
    }

    /// The first URI / email / Fulcio otherName SAN, nil when the certificate carries none.
    public var subjectAlternativeName: SubjectName?
    /// `.1.1` OIDC issuer (v1, raw bytes; deprecated but still written).
    public var issuerV1: String?
    /// `.1.8` OIDC issuer (v2, DER UTF8String).
    public var issuer: String?
    /// `.1.9` Build Signer URI.
    public var buildSignerURI: String?
    /// `.1.10` Build Signer Digest.
    public var buildSignerDigest: String?
    /// `.1.11` Runner Environment.
    public var runnerEnvironment: String?
    /// `.1.12` Source Repository URI.
    public var sourceRepositoryURI: String?
    /// `.1.13` Source Repository Digest.
    public var sourceRepositoryDigest: String?
    /// `.1.14` Source Repository Ref.
    public var sourceRepositoryRef: String?
    /// `.1.15` Source Repository Identifier.
    public var sourceRepositoryIdentifier: String?
    /// `.1.16` Source Repository Owner URI.
    public var sourceRepositoryOwnerURI: String?
    /// `.1.17` Source Repository Owner Identifier.
    public var sourceRepositoryOwnerIdentifier: String?
    /// `.1.18` Build Config URI.
    public var buildConfigURI: String?
    /// `.1.19` Build Config Digest.
    public var buildConfigDigest: String?
    /// `.1.20` Build Trigger.
    public var buildTrigger: String?
    /// `.1.21` Run Invocation URI.
    public var runInvocationURI: String?
    /// `.1.22` Source Repository Visibility At Signing.
    public var sourceRepositoryVisibility: String?

    public init() {}

    /// The OIDC issuer: `.1.8` when present, else the legacy `.1.1`.
    public var effectiveIssuer: String? { issuer ?? issuerV1 }

    /// Reads the identity of a DER certificate.
    public init(certificateDER der: [UInt8]) throws(AttestationError) {
        let cert: Certificate
        do {
            cert = try Certificate(derEncoded: der)
        } catch {
            throw AttestationError(.malformedCertificate, "signing certificate: not a DER X.509 certificate")
        }
        try self.init(certificate: cert)
    }

    /// Reads the identity of a parsed certificate.
    public init(certificate cert: Certificate) throws(AttestationError) {
        self.init()
        do {
            if let san = try cert.extensions.subjectAlternativeNames {
                for name in san {
                    switch name {
                    case .uniformResourceIdentifier(let uri): subjectAlternativeName = .uri(uri)
                    case .rfc822Name(let email): subjectAlternativeName = .email(email)
                    case .otherName(let other) where other.typeID == FulcioOID.otherNameSAN:
                        if let node = other.value, let text = try? ASN1UTF8String(asn1Any: node) {
                            subjectAlternativeName = .otherName(String(text))
                        }
                    default: continue
                    }
                    if subjectAlternativeName != nil { break }
                }
            }
        } catch {
            throw AttestationError(.malformedCertificate, "signing certificate: malformed subjectAltName extension")
        }
        for ext in cert.extensions {
            guard let arc = FulcioOID.arc(of: ext.oid) else { continue }
            if arc == 1 {
                guard let text = String(validatingUTF8Bytes: ext.value) else {
                    throw AttestationError(.malformedCertificate, "signing certificate: extension \(ext.oid) is not UTF-8")
                }
                issuerV1 = text
                continue
            }
            guard (8...22).contains(arc) else { continue }
            let text: String
            do {
                text = String(try ASN1UTF8String(derEncoded: ext.value))
            } catch {
                throw AttestationError(.malformedCertificate, "signing certificate: extension \(ext.oid) is not a DER UTF8String")
            }
            switch arc {
            case 8: issuer = text
            case 9: buildSignerURI = text
            case 10: buildSignerDigest = text
            case 11: runnerEnvironment = text
            case 12: sourceRepositoryURI = text
            case 13: sourceRepositoryDigest = text
            case 14: sourceRepositoryRef = text
            case 15: sourceRepositoryIdentifier = text
            case 16: sourceRepositoryOwnerURI = text
            case 17: sourceRepositoryOwnerIdentifier = text
            case 18: buildConfigURI = text
            case 19: buildConfigDigest = text
            case 20: buildTrigger = text
            case 21: runInvocationURI = text
            default: sourceRepositoryVisibility = text
            }
        }
    }
}

/// Fulcio's OID arc (internal).
enum FulcioOID {
    static let prefix: [UInt] = [1, 3, 6, 1, 4, 1, 57264, 1]
    static let otherNameSAN: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 57264, 1, 7]

    /// The last component when `oid` is `1.3.6.1.4.1.57264.1.<n>`.
    static func arc(of oid: ASN1ObjectIdentifier) -> UInt? {
        let components = Array(oid.oidComponents)
        guard components.count == prefix.count + 1, Array(components.prefix(prefix.count)) == prefix else { return nil }
        return components.last
    }
}

extension String {
    /// Strict UTF-8 decoding (nil on invalid sequences).
    init?(validatingUTF8Bytes bytes: some Collection<UInt8>) {
        var out = ""
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): out.unicodeScalars.append(scalar)
            case .emptyInput: break loop
            case .error: return nil
            }
        }
        self = out
    }
}
