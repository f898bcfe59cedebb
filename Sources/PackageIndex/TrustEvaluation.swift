#if canImport(Security)
import Foundation
import Security

/// Darwin only: evaluates a server trust against a custom set of anchor certificates only.
///
/// Guarantees: returns true only when the chain validates to one of `anchors` under the
/// default SSL policy (host name included); system anchors are not consulted.
enum TrustEvaluation {
    static func evaluate(_ trust: SecTrust, anchors: [[UInt8]]) -> Bool {
        let certificates = anchors.compactMap { SecCertificateCreateWithData(nil, Data($0) as CFData) }
        guard !certificates.isEmpty else { return false }
        guard SecTrustSetAnchorCertificates(trust, certificates as CFArray) == errSecSuccess,
              SecTrustSetAnchorCertificatesOnly(trust, true) == errSecSuccess
        else { return false }
        var error: CFError?
        return SecTrustEvaluateWithError(trust, &error)
    }
}
#endif
