import PythonPackaging
import Testing

@testable import Attestations
@testable import Sigstore

/// Every verdict type has the one shape of `Verdict`: `isVerified` exactly when `failure` is nil,
/// and a verdict that is not verified carries its reason.
@Suite struct VerdictShapeTests {
    /// The shape's invariant, checked through the protocol (so it is the conformance that is tested).
    private func expectShape<V: Verdict>(_ verdict: V, verified: Bool, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(verdict.isVerified == verified, sourceLocation: sourceLocation)
        #expect((verdict.failure == nil) == verified, sourceLocation: sourceLocation)
    }

    @Test func signatureVerdict() {
        expectShape(SignatureVerdict.verified(signer: "key a1b2", identity: .key(name: "a", fingerprint: "sha256:a1b2")), verified: true)
        expectShape(SignatureVerdict.failed("bad signature"), verified: false)
        expectShape(SignatureVerdict.notApplicable("no key material"), verified: false)
        #expect(SignatureVerdict.failed("bad signature").failure == "bad signature")
        #expect(SignatureVerdict.notApplicable("no key material").failure == "no key material")
    }

    @Test func publisherIdentityVerdict() {
        expectShape(PublisherIdentityVerdict.matches("repo@ref"), verified: true)
        expectShape(PublisherIdentityVerdict.mismatch("issuer differs"), verified: false)
        #expect(PublisherIdentityVerdict.mismatch("issuer differs").failure == "issuer differs")
        #expect(PublisherIdentityVerdict.matches("x").isVerified == PublisherIdentityVerdict.matches("x").isMatch)
        #expect(PublisherIdentityVerdict.mismatch("x").isVerified == PublisherIdentityVerdict.mismatch("x").isMatch)
    }

    @Test func logCheckResult() {
        let failure = LogCheckFailure(reason: .unknownLog, message: "no such log")
        expectShape(LogCheckResult.verified, verified: true)
        expectShape(LogCheckResult.failed(failure), verified: false)
        #expect(LogCheckResult.failed(failure).failure == failure)
    }

    @Test func sigstoreVerdicts() {
        let failure = SigstoreFailure(.signature, "signature does not verify")
        expectShape(BundleVerdict.verified("identity"), verified: true)
        expectShape(BundleVerdict.failed(failure), verified: false)
        #expect(BundleVerdict.failed(failure).failure == "signature does not verify")
        #expect(BundleVerdict.failed(failure).refusal == failure)
        expectShape(SigstoreCoreVerdict.failed(failure), verified: false)
        #expect(SigstoreCoreVerdict.failed(failure).failure == failure)
    }

    @Test func chainTimestampAndSCTVerdictsFailWithTheirReason() {
        expectShape(FulcioChainVerdict.failed("no chain"), verified: false)
        #expect(FulcioChainVerdict.failed("no chain").failure == "no chain")
        expectShape(TimestampVerdict.failed("imprint differs"), verified: false)
        #expect(TimestampVerdict.failed("imprint differs").failure == "imprint differs")
        expectShape(SCTVerdict.failed("no SCT"), verified: false)
        #expect(SCTVerdict.failed("no SCT").failure == "no SCT")
    }
}
