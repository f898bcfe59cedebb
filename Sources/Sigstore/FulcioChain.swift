import Foundation
import PythonPackaging
import SwiftASN1
// `@_spi(FixedExpiryValidationTime)`: Sigstore checks a short-lived (10-minute) certificate at
// the verified signing time, not now, and swift-certificates offers no public, non-deprecated way
// to do that. `RFC5280Policy()` checks expiry against the current time (every Fulcio leaf would
// fail); `RFC5280Policy(fixedValidationTime:)` is the same code as the SPI initialiser but
// deprecated, its message pointing to this SPI; rebuilding RFC 5280 from its parts is not possible
// either (`VersionPolicy`, `ExpiryPolicy`, `BasicConstraintsPolicy`, `NameConstraintsPolicy` are
// internal) and would mean writing path validation ourselves. The SPI is the route the library
// documents; should it change, the build fails here rather than a check going quiet, and
// FulcioChainTests / TimestampVerificationTests pin the behaviour (a chain outside its validity
// at the given time is refused).
@_spi(FixedExpiryValidationTime) import X509

/// A Fulcio signing certificate whose chain to a CA of the trusted root was verified at a given
/// time.
///
/// Guarantees (only obtainable from `FulcioChain.verify`): the leaf chains, by issuer name and
/// signature (never by list position), to a self-signed trust anchor of one
/// `CertificateAuthority` whose `validFor` contains `time`; every certificate of the chain is
/// within its validity at `time` (RFC 5280 profile: version, basic constraints, name
/// constraints); the leaf is an end-entity certificate with KeyUsage digitalSignature and
/// ExtendedKeyUsage codeSigning.
public struct FulcioChain: Sendable {
    /// Leaf first, trust anchor last.
    public let certificates: [Certificate]
    /// The CA (of the trusted root) the chain ends in.
    public let authority: CertificateAuthority
    /// The time the chain was verified at.
    public let time: Date

    /// The signing (leaf) certificate.
    public var leaf: Certificate { certificates[0] }
    /// The certificate that issued the leaf (for the SCT's issuer key hash).
    public var issuer: Certificate { certificates.count > 1 ? certificates[1] : certificates[0] }

    /// Verifies a DER leaf certificate against the trusted root's Fulcio CAs at `time`.
    public static func verify(leafDER: [UInt8], trustedRoot: TrustedRoot, at time: Date) async -> FulcioChainVerdict {
        guard let leaf = try? Certificate(derEncoded: leafDER) else {
            return .failed("signing certificate: not a DER X.509 certificate")
        }
        return await verify(leaf: leaf, trustedRoot: trustedRoot, at: time)
    }

    /// Verifies a parsed leaf certificate against the trusted root's Fulcio CAs at `time`.
    public static func verify(leaf: Certificate, trustedRoot: TrustedRoot, at time: Date) async -> FulcioChainVerdict {
        let stamp = time.formatted(.iso8601)
        guard leaf.notValidBefore <= time, time <= leaf.notValidAfter else {
            return .failed(
                "signing certificate is not valid at \(stamp) (valid \(leaf.notValidBefore.formatted(.iso8601)) to \(leaf.notValidAfter.formatted(.iso8601)))"
            )
        }
        if let problem = FulcioLeafProfilePolicy.problem(with: leaf) {
            return .failed("signing certificate: \(problem)")
        }
        let authorities = trustedRoot.certificateAuthorities.filter { $0.validFor.contains(time) }
        guard !authorities.isEmpty else {
            return .failed("no Fulcio CA of the trusted root is valid at \(stamp)")
        }
        var reasons: [String] = []
        for authority in authorities {
            let anchors = authority.trustAnchors
            guard !anchors.isEmpty else {
                reasons.append("CA \(authority.uri ?? "?") has no self-signed trust anchor")
                continue
            }
            var verifier = Verifier(rootCertificates: CertificateStore(anchors)) {
                RFC5280Policy(fixedExpiryValidationTime: time)
                FulcioLeafProfilePolicy()
            }
            let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore(authority.intermediates))
            switch result {
            case .validCertificate(let chain):
                return .verified(FulcioChain(certificates: Array(chain), authority: authority, time: time))
            case .couldNotValidate(let failures):
                let detail = failures.first.map { ": \($0.policyFailureReason)" } ?? ""
                reasons.append("no chain to CA \(authority.uri ?? "?")\(detail)")
            }
        }
        return .failed("signing certificate does not chain to a trusted Fulcio CA at \(stamp) (\(reasons.joined(separator: "; ")))")
    }
}

/// The outcome of Fulcio chain verification: a verified chain or the reason it failed.
public enum FulcioChainVerdict: Verdict {
    case verified(FulcioChain)
    case failed(String)

    /// The chain when verified.
    public var chain: FulcioChain? {
        if case .verified(let chain) = self { return chain }
        return nil
    }

    /// The reason when failed.
    public var failure: String? {
        if case .failed(let reason) = self { return reason }
        return nil
    }
}

/// The Sigstore leaf profile as a swift-certificates policy (internal): the leaf is not a CA,
/// has KeyUsage digitalSignature and ExtendedKeyUsage codeSigning. It declares the extensions
/// a Fulcio leaf marks critical (SAN, since the subject is empty; KeyUsage; EKU) as handled:
/// swift-certificates rejects a chain with any critical extension no policy claims.
struct FulcioLeafProfilePolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [
        .X509ExtensionID.subjectAlternativeName,
        .X509ExtensionID.keyUsage,
        .X509ExtensionID.extendedKeyUsage,
    ]

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        if let problem = Self.problem(with: chain.leaf) {
            return .failsToMeetPolicy(reason: "Fulcio leaf profile: \(problem)")
        }
        return .meetsPolicy
    }

    /// What is wrong with `leaf` as a Sigstore signing certificate, nil when nothing.
    static func problem(with leaf: Certificate) -> String? {
        do {
            if let constraints = try leaf.extensions.basicConstraints, case .isCertificateAuthority = constraints {
                return "is a CA certificate"
            }
            guard let usage = try leaf.extensions.keyUsage, usage.digitalSignature else {
                return "KeyUsage lacks digitalSignature"
            }
            guard let extended = try leaf.extensions.extendedKeyUsage, extended.contains(.codeSigning) else {
                return "ExtendedKeyUsage lacks codeSigning"
            }
            guard let san = try leaf.extensions.subjectAlternativeNames, !san.isEmpty else {
                return "no subjectAltName"
            }
        } catch {
            return "malformed extension (\(error))"
        }
        return nil
    }
}
