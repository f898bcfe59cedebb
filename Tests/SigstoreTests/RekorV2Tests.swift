import AttestationsTestSupport
import Foundation
import Testing

@testable import Attestations
@testable import Sigstore

/// Rekor v2 entries (dsse 0.0.2, Ed25519 signed-note checkpoints, no SET): the staging vector
/// `…publish.attestation.with_rekor2_timestamp` (log2025-alpha3.rekor.sigstage.dev).
@Suite("Rekor v2")
struct RekorV2Tests {
    static let file = "pypi_attestations-0.0.19.tar.gz.publish.attestation.with_rekor2_timestamp"

    static func attestation() throws -> Attestation {
        try Attestation.decode(try TrustFixtures.data(file))
    }

    static func entryJSON(_ attestation: Attestation) throws -> JSONValue {
        try #require(attestation.verificationMaterial?.transparencyEntries.first)
    }

    /// The attestation with its first entry's JSON rewritten by `edit`.
    static func editing(_ edit: (inout [String: JSONValue]) -> Void) throws -> Attestation {
        var attestation = try attestation()
        var entry = try #require(try entryJSON(attestation).objectValue)
        edit(&entry)
        attestation.verificationMaterial?.transparencyEntries = [.object(entry)]
        return attestation
    }

    static func verify(_ attestation: Attestation, root: TrustedRoot? = nil) async throws -> SigstoreCoreVerdict {
        let material = try #require(attestation.verificationMaterial)
        return await SigstoreCore.verify(
            try SigstoreVerifier.evidence(of: attestation, material: material),
            trustedRoot: try root ?? TrustFixtures.root("staging")
        ) {
            TimestampVerificationTests.jku.evaluate($0)
        }
    }

    static func failure(_ verdict: SigstoreCoreVerdict) -> String? {
        if case .failed(let failure) = verdict { return failure.reason }
        return nil
    }

    @Test func ed25519KeyHintFollowsSignedNote() throws {
        let root = try TrustFixtures.root("staging")
        let log = try #require(root.tlogs.first { $0.baseURL.contains("alpha3") })
        let key = try #require(log.publicKey)
        let (hint, name) = Checkpoint.keyHint(logKey: key, logKeyID: log.keyID, logHostname: "log2025-alpha3.rekor.sigstage.dev")
        #expect(Encoding.hex(hint) == "d3d3a70c")
        #expect(name == "log2025-alpha3.rekor.sigstage.dev")
        // The C2SP formula itself, on the raw 32-byte key.
        #expect(Checkpoint.ed25519KeyHint(name: "log2025-alpha3.rekor.sigstage.dev", publicKey: Array(log.publicKeyDER.suffix(32))) == hint)
    }

    @Test func dsse002BodyDecodes() throws {
        let entry = try TransparencyLogEntry(json: try Self.entryJSON(try Self.attestation()))
        guard case .dsse(let body) = try RekorBody(of: entry) else {
            Issue.record("not a dsse body")
            return
        }
        #expect(body.apiVersion == "0.0.2")
        #expect(body.payloadHashAlgorithm == "sha256")
        #expect(body.payloadHash == "f9790e8a87d01898d00d2ce1ca6ce42bfc6ce59faaa31baa0ab64064a6968000")
        #expect(body.signatures.first?.verifierPEM.hasPrefix("-----BEGIN CERTIFICATE-----") == true)
    }

    @Test func verifiesWithTheStagingRootAndItsTimestamp() async throws {
        guard case .verified(let verified) = try await Self.verify(try Self.attestation()) else {
            Issue.record("not verified: \(String(describing: Self.failure(try await Self.verify(try Self.attestation()))))")
            return
        }
        #expect(verified.times.count == 1)
        #expect(verified.times.allSatisfy { if case .timestampAuthority = $0.source { true } else { false } })
        #expect(SigstoreVerifier.describe(verified).hasPrefix("Rekor v2 log index 27301; verified times: RFC 3161 timestamp"))
    }

    @Test func embeddedStagingRootVerifiesToo() async throws {
        #expect(Self.failure(try await Self.verify(try Self.attestation(), root: try .staging)) == nil)
    }

    @Test func withoutATimestampThereIsNoVerifiedTime() async throws {
        var attestation = try Self.attestation()
        attestation.verificationMaterial?.timestamps = []
        #expect(Self.failure(try await Self.verify(attestation))?.contains("a Rekor v2 entry has no integrated time") == true)
    }

    @Test func theProductionRootDoesNotKnowTheLog() async throws {
        let reason = try #require(Self.failure(try await Self.verify(try Self.attestation(), root: try TrustFixtures.root("prod"))))
        #expect(reason.contains("unknownLog"), "\(reason)")
    }

    @Test func aFlippedCheckpointSignatureFails() async throws {
        let attestation = try Self.editing { entry in
            guard var proof = entry["inclusionProof"]?.objectValue, let note = proof["checkpoint"]?["envelope"]?.stringValue else { return }
            proof["checkpoint"] = .object(["envelope": .string(note.replacingOccurrences(of: "09OnDBORH0C", with: "09OnDBORH0D"))])
            entry["inclusionProof"] = .object(proof)
        }
        #expect(Self.failure(try await Self.verify(attestation))?.contains("invalidCheckpointSignature") == true)
    }

    @Test func aCheckpointSignedUnderAnotherKeyNameFails() async throws {
        let attestation = try Self.editing { entry in
            guard var proof = entry["inclusionProof"]?.objectValue, let note = proof["checkpoint"]?["envelope"]?.stringValue else { return }
            proof["checkpoint"] = .object([
                "envelope": .string(note.replacingOccurrences(of: "\u{2014} log2025-alpha3", with: "\u{2014} log2025-alpha4"))
            ])
            entry["inclusionProof"] = .object(proof)
        }
        #expect(Self.failure(try await Self.verify(attestation))?.contains("noCheckpointSignatureForKey") == true)
    }

    @Test func aFlippedProofHashFails() async throws {
        let attestation = try Self.editing { entry in
            guard var proof = entry["inclusionProof"]?.objectValue, var hashes = proof["hashes"]?.arrayValue else { return }
            hashes[0] = .string("6PW4MIHqlleW+qI0c7/S3Y5mGSUBtShnVY6MNrxy+Z8=")
            proof["hashes"] = .array(hashes)
            entry["inclusionProof"] = .object(proof)
        }
        #expect(Self.failure(try await Self.verify(attestation))?.contains("rootMismatch") == true)
    }

    @Test func aChangedStatementOrSignatureFails() async throws {
        var statement = try Self.attestation()
        statement.envelope.statement[20] ^= 0x01
        #expect(Self.failure(try await Self.verify(statement))?.contains("bodyMismatch") == true)
        var signature = try Self.attestation()
        signature.envelope.signature[12] ^= 0x01
        // The timestamp stamps the original signature; the body records it too.
        let k1 = Self.failure(try await Self.verify(signature))
        #expect(
            k1 == "transparency entry (log index 27301) does not verify: body: bodyMismatch: Rekor body: "
                + "recorded signature differs from the attestation's signature")
    }

    @Test func theLogKeyMustBeValidAtTheTimestamp() async throws {
        let text = try TrustFixtures.text("trust-staging.trusted_root.json")
        // alpha3 is open-ended from 2025-09-22; end it before the 2025-10-10 timestamp.
        let edited = text.replacingOccurrences(
            of: "\"start\": \"2025-09-22T00:00:00Z\"", with: "\"start\": \"2025-09-22T00:00:00Z\", \"end\": \"2025-10-01T00:00:00Z\"")
        #expect(edited != text)
        let root = try TrustedRoot.decode(Data(edited.utf8))
        #expect(Self.failure(try await Self.verify(try Self.attestation(), root: root))?.contains("Rekor v2 log key is not valid") == true)
    }
}
