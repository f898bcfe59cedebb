import Attestations
import Crypto
import Foundation
import PythonPackaging
import SwiftASN1
// `@_spi(FixedExpiryValidationTime)`: see the comment on this import in FulcioChain.swift.
@_spi(FixedExpiryValidationTime) import X509
import _CryptoExtras

/// An RFC 3161 timestamp that verified against a timestamp authority of the trusted root.
///
/// Guarantees (only obtainable from `TimestampVerification.verify`): see there.
public struct VerifiedTimestamp: Sendable {
    /// The TSA's `genTime`: an authenticated time the signature existed at.
    public let time: Date
    /// The timestamp authority of the trusted root whose chain the TSA leaf verified to.
    public let authority: CertificateAuthority
    /// The TSA signing certificate.
    public let tsaCertificate: Certificate
}

/// The outcome of verifying one RFC 3161 timestamp.
public enum TimestampVerdict: Verdict {
    case verified(VerifiedTimestamp)
    case failed(String)

    public var timestamp: VerifiedTimestamp? {
        if case .verified(let stamp) = self { return stamp }
        return nil
    }

    public var failure: String? {
        if case .failed(let reason) = self { return reason }
        return nil
    }
}

/// Verifies RFC 3161 timestamps over a Sigstore signature against the trusted root's timestamp
/// authorities.
///
/// Guarantees when `verify` returns `.verified`: the token parses (`RFC3161Timestamp`); its
/// message imprint is the hash (SHA-256/384/512, the imprint's own algorithm) of exactly the
/// signature bytes; the content-type signed attribute is id-ct-TSTInfo and the message-digest
/// attribute equals the SignerInfo digest algorithm's hash of the eContent (the TSTInfo); a
/// certificate named by the SignerInfo (the embedded one when the token carries it, else one listed
/// in the trusted root) and,
/// when the signing-certificate-v2 attribute is present, whose hash is the one it binds, signed the DER `SET OF` signed attributes (ECDSA P-256/P-384 or RSA PKCS#1 v1.5, hash from the
/// signature algorithm); that certificate chains, by issuer and signature, to a self-signed
/// anchor of one `timestampAuthorities` entry whose `validFor` contains `genTime`, with only
/// that entry's certificates as intermediates; every certificate of the chain is valid at
/// `genTime`; the leaf carries a critical ExtendedKeyUsage with id-kp-timeStamping.
public enum TimestampVerification {
    /// More timestamps than this on one signature are refused (as sigstore clients do).
    public static let maxTimestamps = 32

    public static func verify(token bytes: [UInt8], signature: [UInt8], trustedRoot: TrustedRoot) async -> TimestampVerdict {
        let token: RFC3161Timestamp
        do {
            token = try RFC3161Timestamp(derEncoded: bytes)
        } catch {
            return .failed(error.message)
        }
        return await verify(token, signature: signature, trustedRoot: trustedRoot)
    }

    public static func verify(_ token: RFC3161Timestamp, signature: [UInt8], trustedRoot: TrustedRoot) async -> TimestampVerdict {
        let stamp = token.genTime.formatted(.iso8601)
        guard let imprint = digest(token.imprintAlgorithm, signature) else {
            return .failed("RFC 3161 timestamp: message imprint algorithm \(token.imprintAlgorithm) is not SHA-256/384/512")
        }
        guard imprint == token.imprint else {
            return .failed("RFC 3161 timestamp: message imprint is not the hash of this signature (the token stamps another signature)")
        }
        guard token.contentTypeAttribute == RFC3161Timestamp.tstInfoOID else {
            return .failed("RFC 3161 timestamp: content-type attribute \(token.contentTypeAttribute) is not id-ct-TSTInfo")
        }
        guard let contentDigest = digest(token.digestAlgorithm, token.tstInfoDER) else {
            return .failed("RFC 3161 timestamp: SignerInfo digest algorithm \(token.digestAlgorithm) is not SHA-256/384/512")
        }
        guard contentDigest == token.messageDigestAttribute else {
            return .failed("RFC 3161 timestamp: message-digest attribute is not the hash of the TSTInfo")
        }
        let authorities = trustedRoot.timestampAuthorities.filter { $0.validFor.contains(token.genTime) }
        guard !authorities.isEmpty else {
            return .failed("RFC 3161 timestamp: no timestamp authority of the trusted root is valid at genTime \(stamp)")
        }
        var reasons: [String] = []
        for authority in authorities {
            let name = authority.commonName ?? authority.uri ?? "?"
            // A signer certificate embedded in the token is the one used (a corrupted copy is
            // not replaced by the root's); only a token without one takes the root's.
            let embedded = token.certificates.filter { token.signer.names($0) }
            let candidates = (embedded.isEmpty ? authority.certificates.filter { token.signer.names($0) } : embedded).filter {
                certificate in
                guard let bound = token.signingCertificateHash else { return true }
                return digest(bound.algorithm, derBytes(certificate)) == bound.hash
            }
            guard !candidates.isEmpty else {
                reasons.append("TSA \(name): no certificate matches the SignerInfo (and its signing-certificate-v2 hash)")
                continue
            }
            guard
                let leaf = candidates.first(where: {
                    signatureIsValid(
                        token.signature, over: token.signedAttributesDER, key: $0.publicKey,
                        signatureAlgorithm: token.signatureAlgorithm, digestAlgorithm: token.digestAlgorithm)
                })
            else {
                reasons.append("TSA \(name): SignerInfo signature does not verify with the named certificate")
                continue
            }
            let anchors = authority.trustAnchors
            guard !anchors.isEmpty else {
                reasons.append("TSA \(name): no self-signed trust anchor")
                continue
            }
            var verifier = Verifier(rootCertificates: CertificateStore(anchors)) {
                RFC5280Policy(fixedExpiryValidationTime: token.genTime)
                TimestampingLeafPolicy()
            }
            let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore(authority.intermediates))
            switch result {
            case .validCertificate:
                return .verified(VerifiedTimestamp(time: token.genTime, authority: authority, tsaCertificate: leaf))
            case .couldNotValidate(let failures):
                let detail = failures.first.map { ": \($0.policyFailureReason)" } ?? ""
                reasons.append("TSA \(name): no valid chain at \(stamp)\(detail)")
            }
        }
        return .failed(
            "RFC 3161 timestamp (genTime \(stamp)) does not verify with a TSA of the trusted root (\(reasons.joined(separator: "; ")))")
    }

    /// The DER of `certificate` (empty when it cannot be serialised, which matches no hash).
    static func derBytes(_ certificate: Certificate) -> [UInt8] {
        var serializer = DER.Serializer()
        guard (try? serializer.serialize(certificate)) != nil else { return [] }
        return serializer.serializedBytes
    }

    static let sha256OID: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 1]
    static let sha384OID: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 2]
    static let sha512OID: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 3]

    /// The hash named by `algorithm` of `bytes`; nil for an algorithm other than SHA-256/384/512.
    static func digest(_ algorithm: ASN1ObjectIdentifier, _ bytes: [UInt8]) -> [UInt8]? {
        switch algorithm {
        case sha256OID: return Array(SHA256.hash(data: bytes))
        case sha384OID: return Array(SHA384.hash(data: bytes))
        case sha512OID: return Array(SHA512.hash(data: bytes))
        default: return nil
        }
    }

    private enum Hash { case sha256, sha384, sha512 }

    /// The hash a signature algorithm implies; a bare key algorithm (rsaEncryption,
    /// id-ecPublicKey) takes the SignerInfo digest algorithm.
    private static func hash(signatureAlgorithm: ASN1ObjectIdentifier, digestAlgorithm: ASN1ObjectIdentifier) -> Hash? {
        switch signatureAlgorithm {
        case [1, 2, 840, 10045, 4, 3, 2], [1, 2, 840, 113549, 1, 1, 11]: return .sha256
        case [1, 2, 840, 10045, 4, 3, 3], [1, 2, 840, 113549, 1, 1, 12]: return .sha384
        case [1, 2, 840, 10045, 4, 3, 4], [1, 2, 840, 113549, 1, 1, 13]: return .sha512
        case [1, 2, 840, 10045, 2, 1], [1, 2, 840, 113549, 1, 1, 1]:
            switch digestAlgorithm {
            case sha256OID: return .sha256
            case sha384OID: return .sha384
            case sha512OID: return .sha512
            default: return nil
            }
        default: return nil
        }
    }

    /// Whether `signature` over `message` verifies with `key` under the given algorithms.
    static func signatureIsValid(
        _ signature: [UInt8], over message: [UInt8], key: Certificate.PublicKey,
        signatureAlgorithm: ASN1ObjectIdentifier, digestAlgorithm: ASN1ObjectIdentifier
    ) -> Bool {
        guard let hash = hash(signatureAlgorithm: signatureAlgorithm, digestAlgorithm: digestAlgorithm) else { return false }
        let isECDSA = signatureAlgorithm.description.hasPrefix("1.2.840.10045")
        if isECDSA {
            if let p256 = P256.Signing.PublicKey(key) {
                guard let sig = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
                switch hash {
                case .sha256: return p256.isValidSignature(sig, for: SHA256.hash(data: message))
                case .sha384: return p256.isValidSignature(sig, for: SHA384.hash(data: message))
                case .sha512: return p256.isValidSignature(sig, for: SHA512.hash(data: message))
                }
            }
            if let p384 = P384.Signing.PublicKey(key) {
                guard let sig = try? P384.Signing.ECDSASignature(derRepresentation: signature) else { return false }
                switch hash {
                case .sha256: return p384.isValidSignature(sig, for: SHA256.hash(data: message))
                case .sha384: return p384.isValidSignature(sig, for: SHA384.hash(data: message))
                case .sha512: return p384.isValidSignature(sig, for: SHA512.hash(data: message))
                }
            }
            return false
        }
        guard let rsa = _RSA.Signing.PublicKey(key), rsa.keySizeInBits >= 2048 else { return false }
        let sig = _RSA.Signing.RSASignature(rawRepresentation: signature)
        switch hash {
        case .sha256: return rsa.isValidSignature(sig, for: SHA256.hash(data: message), padding: .insecurePKCS1v1_5)
        case .sha384: return rsa.isValidSignature(sig, for: SHA384.hash(data: message), padding: .insecurePKCS1v1_5)
        case .sha512: return rsa.isValidSignature(sig, for: SHA512.hash(data: message), padding: .insecurePKCS1v1_5)
        }
    }
}

/// The RFC 3161 §2.3 TSA certificate profile as a swift-certificates policy (internal): the leaf
/// carries a critical ExtendedKeyUsage containing id-kp-timeStamping. It claims the critical
/// extensions a TSA leaf carries (EKU, KeyUsage) as handled.
struct TimestampingLeafPolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [
        .X509ExtensionID.extendedKeyUsage,
        .X509ExtensionID.keyUsage,
    ]

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        if let problem = Self.problem(with: chain.leaf) {
            return .failsToMeetPolicy(reason: "TSA leaf profile: \(problem)")
        }
        return .meetsPolicy
    }

    static func problem(with leaf: Certificate) -> String? {
        guard let ext = leaf.extensions[oid: .X509ExtensionID.extendedKeyUsage] else {
            return "no ExtendedKeyUsage"
        }
        guard ext.critical else { return "ExtendedKeyUsage is not critical" }
        guard let usage = try? leaf.extensions.extendedKeyUsage, usage.contains(.timeStamping) else {
            return "ExtendedKeyUsage lacks timeStamping"
        }
        return nil
    }
}
