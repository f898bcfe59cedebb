import Foundation
import Testing

@testable import Attestations
@testable import Sigstore

@Suite struct TransparencyLogVerifierTests {
    static func root(_ name: String) throws -> TrustedRoot {
        try TrustedRoot.decode(try LogFixtures.data(name))
    }

    @Test(arguments: [
        (LogFixtures.prodAttestation, "trust-prod.trusted_root.json", 1733354041.0),
        (LogFixtures.stagingAttestation, "trust-staging.trusted_root.json", 1717699145.0),
    ])
    func everyCheckPassesWithTheTrustedRootsLog(file: String, root: String, time: Double) throws {
        let attestation = try LogFixtures.attestation(file)
        let entry = try LogFixtures.entry(file)
        let verdict = TransparencyLogVerifier.verify(entry, of: attestation, logs: try Self.root(root).tlogs)
        #expect(verdict.isVerified, "\(verdict.failures)")
        #expect(verdict.checks.map(\.name) == ["body", "signedEntryTimestamp", "inclusionProof", "checkpoint"])
        #expect(verdict.integratedTime == Date(timeIntervalSince1970: time))
    }

    @Test func wrongInstanceIsAnUnknownLog() throws {
        let attestation = try LogFixtures.attestation(LogFixtures.prodAttestation)
        let entry = try LogFixtures.entry(LogFixtures.prodAttestation)
        let verdict = TransparencyLogVerifier.verify(entry, of: attestation, logs: try Self.root("trust-staging.trusted_root.json").tlogs)
        #expect(!verdict.isVerified)
        #expect(verdict.integratedTime == nil)
        #expect(verdict.failures.map(\.name) == ["signedEntryTimestamp", "checkpoint"])
        #expect(verdict.failures.allSatisfy { $0.result.failure?.reason == .unknownLog })
    }

    @Test func everyCheckIsReportedWhenSeveralFail() throws {
        var attestation = try LogFixtures.attestation(LogFixtures.prodAttestation)
        attestation.envelope.signature = attestation.envelope.signature.flipping(4)
        let entry = try LogFixtures.entry(LogFixtures.prodAttestation)
        let tampered = entry.replacing(body: entry.canonicalizedBody.flipping(50))
        let verdict = TransparencyLogVerifier.verify(tampered, of: attestation, logs: try Self.root("trust-prod.trusted_root.json").tlogs)
        #expect(verdict.checks.count == 4)
        #expect(verdict.failures.map(\.name) == ["body", "signedEntryTimestamp", "inclusionProof"])
        #expect(verdict.checks.last?.result == .verified)  // the checkpoint itself is intact
    }
}
