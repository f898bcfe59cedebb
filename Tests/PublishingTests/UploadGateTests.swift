import Attestations
import Foundation
import Policy
import PythonPackaging
import Sigstore
import Testing

@testable import Publishing

/// The door check: every attestation must verify for the very file uploaded, under the rule the
/// server's policy has for the project.
@Suite struct UploadGateTests {
    let key: PrivateKey
    let file: UploadedFile

    init() throws {
        key = try PrivateKey.generate(.ecdsaP256)
        file = UploadedFile(
            filename: "demo_pkg-1.0-py3-none-any.whl", project: ProjectName("demo-pkg"),
            sha256: SHA256Hex(FileDigest.compute(Array("the wheel bytes".utf8), algorithm: .sha256)))
    }

    func gate(_ policy: Policy, requireProvenance: Bool = true, indexURL: URL? = nil) throws -> UploadGate {
        UploadGate(policy: policy, requireProvenance: requireProvenance, trustedRoot: try TrustedRoot.production, indexURL: indexURL)
    }

    @Test func acceptsAnAttestationByThePolicyKeyAndStoresAProvenanceNamingTheKey() async throws {
        let gate = try gate(UploadFixtures.policy(key: key.publicKey))
        let attestation = try await UploadFixtures.attestation(filename: file.filename, sha256: file.sha256, key: key)
        let decision = await gate.judgeUpload(file, attestationsField: UploadFixtures.field([attestation]))
        guard case .accepted(let accepted) = decision, let document = accepted.provenance else {
            Issue.record("refused: \(String(describing: decision.refusal))")
            return
        }
        let provenance = try Provenance.decode(Data(document))
        #expect(provenance.attestationBundles.count == 1)
        let publisher = try #require(provenance.attestationBundles.first?.publisher)
        #expect(publisher.kind == UploadGate.keyPublisherKind)
        #expect(publisher.fields["key"] == .string("release"))
        #expect(publisher.fields["fingerprint"] == .string("sha256:\(key.publicKey.fingerprint)"))
        #expect(provenance.attestationBundles[0].attestations == [attestation])
        #expect(accepted.signers == [.key(name: "release", fingerprint: "sha256:\(key.publicKey.fingerprint)")])
        // What is stored verifies again, for that file, with the same key.
        let again = await ProvenanceVerifier(verifiers: [KeySignatureVerifier(trustedKeys: [TrustedKey(name: "k", key: key.publicKey)])])
            .verify(provenance, distribution: file.filename, sha256Hex: file.sha256)
        #expect(again.isVerified)
    }

    @Test func refusesAForgedSignature() async throws {
        let gate = try gate(UploadFixtures.policy(key: key.publicKey))
        var attestation = try await UploadFixtures.attestation(filename: file.filename, sha256: file.sha256, key: key)
        attestation.envelope.signature[attestation.envelope.signature.count / 2] ^= 0x01
        let refusal = try #require(await gate.judgeUpload(file, attestationsField: UploadFixtures.field([attestation])).refusal)
        #expect(refusal.code == .untrustedSigner)
        #expect(refusal.message.contains("not signed by a signer rule 1 accepts"))
    }

    @Test func refusesAStatementWhoseBytesWereChangedAfterSigning() async throws {
        let gate = try gate(UploadFixtures.policy(key: key.publicKey))
        let other = SHA256Hex(FileDigest.compute(Array("other bytes".utf8), algorithm: .sha256))
        var attestation = try await UploadFixtures.attestation(filename: file.filename, sha256: other, key: key)
        // The attacker rewrites the subject digest to the uploaded file's and keeps the signature.
        attestation.envelope.statement = Array(
            String(decoding: attestation.envelope.statement, as: UTF8.self).replacingOccurrences(of: other.text, with: file.sha256.text)
                .utf8)
        let refusal = try #require(await gate.judgeUpload(file, attestationsField: UploadFixtures.field([attestation])).refusal)
        #expect(refusal.code == .untrustedSigner)
    }

    @Test func refusesAnAttestationOfAnotherFile() async throws {
        let gate = try gate(UploadFixtures.policy(key: key.publicKey))
        // Properly signed, but for another filename.
        let otherName = try await UploadFixtures.attestation(filename: "demo_pkg-0.9-py3-none-any.whl", sha256: file.sha256, key: key)
        let byName = try #require(await gate.judgeUpload(file, attestationsField: UploadFixtures.field([otherName])).refusal)
        #expect(byName.code == .attestationForAnotherFile)
        #expect(byName.message.contains("subject name"))
        // Properly signed, same filename, other bytes.
        let otherBytes = SHA256Hex(FileDigest.compute(Array("other bytes".utf8), algorithm: .sha256))
        let otherDigest = try await UploadFixtures.attestation(filename: file.filename, sha256: otherBytes, key: key)
        let byDigest = try #require(await gate.judgeUpload(file, attestationsField: UploadFixtures.field([otherDigest])).refusal)
        #expect(byDigest.code == .attestationForAnotherFile)
        #expect(byDigest.message.contains("subject digest"))
    }

    @Test func refusesAKeyThePolicyDoesNotName() async throws {
        let gate = try gate(UploadFixtures.policy(key: key.publicKey))
        let stranger = try PrivateKey.generate(.ecdsaP256)
        let attestation = try await UploadFixtures.attestation(filename: file.filename, sha256: file.sha256, key: stranger)
        let refusal = try #require(await gate.judgeUpload(file, attestationsField: UploadFixtures.field([attestation])).refusal)
        #expect(refusal.code == .untrustedSigner)
    }

    @Test func oneBadAttestationAmongGoodOnesRefusesTheUpload() async throws {
        let gate = try gate(UploadFixtures.policy(key: key.publicKey))
        let good = try await UploadFixtures.attestation(filename: file.filename, sha256: file.sha256, key: key)
        let stranger = try await UploadFixtures.attestation(
            filename: file.filename, sha256: file.sha256, key: try PrivateKey.generate(.ed25519))
        let refusal = try #require(await gate.judgeUpload(file, attestationsField: UploadFixtures.field([good, stranger])).refusal)
        #expect(refusal.code == .untrustedSigner)
        #expect(refusal.message.hasPrefix("attestation 1 "))
    }

    @Test func missingAttestationsAreRefusedWhenProvenanceIsRequired() async throws {
        let required = try gate(UploadFixtures.policy(key: key.publicKey))
        for field in [nil, Array("[]".utf8)] {
            let refusal = try #require(await required.judgeUpload(file, attestationsField: field).refusal)
            #expect(refusal.code == .missingAttestations)
            #expect(refusal.message.contains("requires provenance"))
        }
        // Unattested uploads allowed, but this project's rule requires provenance: still refused.
        let relaxed = try gate(UploadFixtures.policy(key: key.publicKey), requireProvenance: false)
        let byRule = try #require(await relaxed.judgeUpload(file, attestationsField: nil).refusal)
        #expect(byRule.code == .missingAttestations)
        #expect(byRule.message.contains("rule 1 requires provenance for demo-pkg"))
        // Allowed when the project's rule does not require provenance.
        let integrity = try gate(UploadFixtures.policy(key: key.publicKey, requirement: .integrity), requireProvenance: false)
        guard case .accepted(let accepted) = await integrity.judgeUpload(file, attestationsField: nil) else {
            Issue.record("an unattested upload under an integrity rule was refused")
            return
        }
        #expect(accepted.provenance == nil)
    }

    @Test func aProjectNoRuleCoversIsRefused() async throws {
        let gate = try gate(UploadFixtures.policy(key: key.publicKey, packages: ["other-*"]))
        let attestation = try await UploadFixtures.attestation(filename: file.filename, sha256: file.sha256, key: key)
        let refusal = try #require(await gate.judgeUpload(file, attestationsField: UploadFixtures.field([attestation])).refusal)
        #expect(refusal.code == .noPolicyRule)
        #expect(refusal.message.contains("no policy rule covers demo-pkg"))
    }

    @Test func attestationsUnderARuleWithNoSignerAreRefused() async throws {
        let gate = try gate(UploadFixtures.policy(key: key.publicKey, requirement: .integrity), requireProvenance: false)
        let attestation = try await UploadFixtures.attestation(filename: file.filename, sha256: file.sha256, key: key)
        let refusal = try #require(await gate.judgeUpload(file, attestationsField: UploadFixtures.field([attestation])).refusal)
        #expect(refusal.code == .noPolicyRule)
        #expect(refusal.message.contains("accepts no signer"))
    }

    @Test func aRuleScopedToAnotherIndexDoesNotApplyToThisServer() async throws {
        let policy = UploadFixtures.policy(key: key.publicKey, index: "https://other.example/simple/")
        let attestation = try await UploadFixtures.attestation(filename: file.filename, sha256: file.sha256, key: key)
        let field = UploadFixtures.field([attestation])
        let here = try gate(policy).serving(at: URL(string: "http://127.0.0.1:8080/pypi/wheeltrust/main/simple/")!)
        #expect(await here.judgeUpload(file, attestationsField: field).refusal?.code == .noPolicyRule)
        let there = try gate(policy).serving(at: URL(string: "https://other.example/simple/")!)
        #expect(await there.judgeUpload(file, attestationsField: field).refusal == nil)
    }

    @Test func theRulesPredicateTypesAndBuildersAreEnforced() async throws {
        let attestation = try await UploadFixtures.attestation(filename: file.filename, sha256: file.sha256, key: key)
        let field = UploadFixtures.field([attestation])
        let types = try gate(UploadFixtures.policy(key: key.publicKey, predicateTypes: [Statement.pypiPublishV1]))
        let byType = try #require(await types.judgeUpload(file, attestationsField: field).refusal)
        #expect(byType.code == .statementRejected)
        #expect(byType.message.contains(StatementRequirements.allowedPredicateType))
        let builders = try gate(UploadFixtures.policy(key: key.publicKey, builders: ["https://trusted.example/builder"]))
        let byBuilder = try #require(await builders.judgeUpload(file, attestationsField: field).refusal)
        #expect(byBuilder.code == .statementRejected)
        #expect(byBuilder.message.contains("builder https://builder.example/v1 is not allowed"))
    }

    @Test func malformedAttestationFieldsAreRefused() async throws {
        let gate = try gate(UploadFixtures.policy(key: key.publicKey))
        for field in [#"{"not": "an array"}"#, "[1]", #"[{"version": 1}]"#, "not json"] {
            let refusal = try #require(await gate.judgeUpload(file, attestationsField: Array(field.utf8)).refusal)
            #expect(refusal.code == .malformedAttestations, "\(field)")
        }
        let many = await [Attestation](
            repeating: try UploadFixtures.attestation(filename: file.filename, sha256: file.sha256, key: key),
            count: UploadGate.maxAttestations + 1)
        #expect(await gate.judgeUpload(file, attestationsField: UploadFixtures.field(many)).refusal?.code == .tooLarge)
    }

    @Test func aProvenanceDocumentIsVerifiedAndItsClaimedPublisherReplaced() async throws {
        let gate = try gate(UploadFixtures.policy(key: key.publicKey))
        let attestation = try await UploadFixtures.attestation(filename: file.filename, sha256: file.sha256, key: key)
        let claimed = Provenance(attestationBundles: [
            AttestationBundle(
                publisher: Publisher(kind: "GitHub", fields: ["repository": .string("someone/else")]), attestations: [attestation])
        ])
        let document = [UInt8](try JSONEncoder().encode(claimed))
        guard case .accepted(let accepted) = await gate.judgeProvenance(document, for: file), let stored = accepted.provenance else {
            Issue.record("a valid provenance was refused")
            return
        }
        let provenance = try Provenance.decode(Data(stored))
        #expect(provenance.attestationBundles.map(\.publisher.kind) == [UploadGate.keyPublisherKind])
        // The same document for another file is refused.
        let other = UploadedFile(filename: "demo_pkg-2.0-py3-none-any.whl", project: file.project, sha256: file.sha256)
        #expect(await gate.judgeProvenance(document, for: other).refusal?.code == .attestationForAnotherFile)
        #expect(await gate.judgeProvenance(Array("{}".utf8), for: file).refusal?.code == .malformedAttestations)
    }
}
