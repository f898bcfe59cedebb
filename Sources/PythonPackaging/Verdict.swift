/// The one shape of every verdict the verifier returns (as swift-certificates gives every policy
/// one `PolicyEvaluationResult`): whether the thing checked verified and, when it did not, why.
///
/// Tamper findings are returned values, never thrown; a conforming type guarantees
/// `isVerified == (failure == nil)`: a verdict that is not verified always carries its reason,
/// and a verified one never does. Conforming types keep their own cases (what a verified verdict
/// holds differs: a chain, a timestamp, a signer's name), so code that only needs "did it pass,
/// and if not why" is written once against this protocol.
public protocol Verdict: Sendable {
    /// What a verdict that is not verified says about why (a one-line reason or a typed failure).
    associatedtype Failure: Sendable
    /// Whether the thing checked verified.
    var isVerified: Bool { get }
    /// Why it did not verify; nil exactly when `isVerified`.
    var failure: Failure? { get }
}

extension Verdict {
    public var isVerified: Bool { failure == nil }
}
