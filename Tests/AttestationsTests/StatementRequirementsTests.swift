import Foundation
import Testing

@testable import Attestations

/// A policy's `builders` and `predicate-types` against real statements: Red Hat's nested SLSA v0.2
/// shape (the real amqp provenance, verified with the embedded release key 3).
@Suite("statement requirements")
struct StatementRequirementsTests {
    static func redHatVerdict(_ requirements: StatementRequirements) async throws -> ProvenanceVerdict {
        let provenance = try Provenance.decode(try Fixtures.data("amqp-5.3.1-0-py3-none-any.whl.provenance"))
        let verifier = ProvenanceVerifier(
            verifiers: [KeySignatureVerifier(trustedKeys: [TrustedKey.redHatRelease3])], requirements: requirements)
        return await verifier.verify(provenance, distribution: Fixtures.redHatDistribution, sha256Hex: Fixtures.redHatDigest)
    }

    @Test("the nested statement's builder and both predicate types are what a rule is checked against")
    func nestedShapePasses() async throws {
        let verdict = try await Self.redHatVerdict(
            StatementRequirements(
                builders: ["https://konflux-ci.dev/calunga"], predicateTypes: ["https://slsa.dev/provenance/v0.2"], origin: "rule 1"))
        #expect(verdict.isVerified)
        let checks = try #require(verdict.decisive?.checks)
        #expect(checks.contains { $0.name == StatementRequirements.builder && $0.passed })
        #expect(checks.contains { $0.name == StatementRequirements.allowedPredicateType && $0.passed })
    }

    @Test("a builder the rule does not allow: the signature verifies, the attestation does not")
    func builderRefused() async throws {
        let verdict = try await Self.redHatVerdict(StatementRequirements(builders: ["https://other.example/builder"], origin: "rule 2"))
        #expect(!verdict.isVerified)
        let attestation = try #require(verdict.attestations.first)
        #expect(attestation.signature.isVerified)
        let failed = try #require(attestation.checks.first { !$0.passed })
        #expect(failed.name == "builder")
        #expect(failed.detail == "builder https://konflux-ci.dev/calunga is not allowed by rule 2 (allowed: https://other.example/builder)")
    }

    @Test("a predicate type the rule does not allow fails that check")
    func predicateTypeRefused() async throws {
        let verdict = try await Self.redHatVerdict(StatementRequirements(predicateTypes: ["https://slsa.dev/provenance/v1"], origin: "rule 3"))
        #expect(!verdict.isVerified)
        let failed = try #require(verdict.attestations.first?.checks.first { !$0.passed })
        #expect(failed.name == StatementRequirements.allowedPredicateType)
        #expect(failed.detail.hasPrefix("predicate type https://slsa.dev/provenance/v0.2 is not allowed by rule 3"))
    }

    @Test("no requirement adds no check")
    func noneAddsNothing() async throws {
        let verdict = try await Self.redHatVerdict(StatementRequirements())
        #expect(verdict.isVerified)
        #expect(
            verdict.decisive?.checks.map(\.name) == [
                "statement type", "predicate type", "single subject", "subject name", "subject digest",
            ])
    }
}
