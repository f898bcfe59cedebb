import Foundation
import Testing

@testable import Attestations
@testable import Sigstore

@Suite struct RekorBodyTests {
    static let files = [LogFixtures.prodAttestation, LogFixtures.stagingAttestation]

    static func check(_ file: String, edit: (inout Attestation) -> Void = { _ in }) throws -> LogCheckResult {
        var attestation = try LogFixtures.attestation(file)
        edit(&attestation)
        return RekorBody.checkConsistency(of: try LogFixtures.entry(file), with: attestation)
    }

    @Test(arguments: files)
    func dsseBodyMatchesItsAttestation(file: String) throws {
        #expect(try Self.check(file) == .verified)
        guard case .dsse(let body) = try RekorBody(of: try LogFixtures.entry(file)) else {
            Issue.record("not a dsse body")
            return
        }
        #expect(body.signatures.count == 1)
        #expect(body.signatures.first?.verifierPEM.hasPrefix("-----BEGIN CERTIFICATE-----") == true)
    }

    @Test(arguments: files)
    func changedStatementFails(file: String) throws {
        let result = try Self.check(file) { $0.envelope.statement = $0.envelope.statement.flipping(3) }
        #expect(result.failure?.reason == .bodyMismatch)
        #expect(result.failure?.message.contains("payloadHash") == true)
    }

    @Test(arguments: files)
    func changedSignatureFails(file: String) throws {
        let result = try Self.check(file) { $0.envelope.signature = $0.envelope.signature.flipping(10) }
        #expect(result.failure?.reason == .bodyMismatch)
        #expect(result.failure?.message.contains("signature") == true)
    }

    @Test func otherCertificateFails() throws {
        let other = try #require(try LogFixtures.attestation(LogFixtures.stagingAttestation).verificationMaterial?.certificate)
        let result = try Self.check(LogFixtures.prodAttestation) { $0.verificationMaterial?.certificate = other }
        #expect(result.failure?.reason == .bodyMismatch)
        #expect(result.failure?.message.contains("certificate") == true)
        let none = try Self.check(LogFixtures.prodAttestation) { $0.verificationMaterial = nil }
        #expect(none.failure?.reason == .bodyMismatch)
    }

    @Test func bodyWithTwoSignaturesOrWrongAlgorithmFails() throws {
        let entry = try LogFixtures.entry(LogFixtures.prodAttestation)
        let attestation = try LogFixtures.attestation(LogFixtures.prodAttestation)
        var json = try JSONValue.parse(Data(entry.canonicalizedBody), what: "body")
        guard case .object(var top) = json, case .object(var spec)? = top["spec"],
            case .array(let signatures)? = spec["signatures"]
        else {
            Issue.record("unexpected body shape")
            return
        }
        spec["signatures"] = .array(signatures + signatures)
        top["spec"] = .object(spec)
        json = .object(top)
        let doubled = entry.replacing(body: try CanonicalJSON.serialize(json))
        #expect(RekorBody.checkConsistency(of: doubled, with: attestation).failure?.message.contains("exactly one") == true)

        spec["signatures"] = .array(signatures)
        spec["payloadHash"] = .object(["algorithm": .string("sha512"), "value": .string("00")])
        top["spec"] = .object(spec)
        let sha512 = entry.replacing(body: try CanonicalJSON.serialize(.object(top)))
        #expect(RekorBody.checkConsistency(of: sha512, with: attestation).failure?.reason == .bodyMismatch)
    }

    @Test func malformedOrMismatchedBodiesFail() throws {
        let entry = try LogFixtures.entry(LogFixtures.prodAttestation)
        let attestation = try LogFixtures.attestation(LogFixtures.prodAttestation)
        for body in [
            "", "[]", #"{"apiVersion":"0.0.2","kind":"dsse","spec":{}}"#, #"{"apiVersion":"0.0.1","kind":"intoto","spec":{}}"#,
            #"{"apiVersion":"0.0.1","kind":"dsse","spec":{"payloadHash":{"algorithm":"sha256","value":"00"}}}"#,
            #"{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{}}"#,
        ] {
            let result = RekorBody.checkConsistency(of: entry.replacing(body: Array(body.utf8)), with: attestation)
            #expect(result.failure?.reason == .malformedBody, "\(body)")
        }
        // A hashedrekord body under an entry that says dsse.
        let hashed = try Self.hashedRekordEntry()
        let mixed = entry.replacing(body: hashed.canonicalizedBody)
        #expect(RekorBody.checkConsistency(of: mixed, with: attestation).failure?.reason == .malformedBody)
        // A hashedrekord entry does not record a DSSE attestation.
        #expect(RekorBody.checkConsistency(of: hashed, with: attestation).failure?.reason == .bodyMismatch)
    }

    static func hashedRekordEntry() throws -> TransparencyLogEntry {
        let bundle = try JSONValue.parse(try LogFixtures.data("bundle_v3.txt.sigstore"), what: "bundle")
        return try TransparencyLogEntry(json: try #require(bundle["verificationMaterial"]?["tlogEntries"]?[0]))
    }

    /// sigstore-python's v0.3 bundle: a hashedrekord entry on the staging log, verified end to end.
    @Test func hashedRekordEntryDecodesAndVerifies() throws {
        let entry = try Self.hashedRekordEntry()
        #expect(entry.kind == "hashedrekord")
        guard case .hashedRekord(let body) = try RekorBody(of: entry) else {
            Issue.record("not a hashedrekord body")
            return
        }
        #expect(body.hashAlgorithm == "sha256")
        #expect(body.hash == "5e6ae9de58c1177bea615b4fcbfb2fd688e8c4b51c2e56b6a38e817833ec24a2")
        #expect(body.signature.count > 64)
        #expect(body.publicKeyPEM.hasPrefix("-----BEGIN CERTIFICATE-----"))
        let log = try LogFixtures.log(root: "trust-staging.trusted_root.json", keyID: entry.logID)
        #expect(
            SignedEntryTimestamp.verify(entry, logKey: log.key, logKeyID: log.keyID, validFrom: log.validFrom, validUntil: log.validUntil)
                == .verified)
        #expect(MerkleInclusion.verify(entry) == .verified)
        #expect(Checkpoint.verify(entry, logKey: log.key, logKeyID: log.keyID, logHostname: log.hostname) == .verified)
    }
}
