import Attestations
import Foundation
import PythonPackaging
import Testing

@testable import Verification

/// `LocalVerification.signature` for a bare filename (no file, no `--sha256`): the digest judged is
/// the one a statement states, parsed as a ``SHA256Hex``; a stated text that is not 64 hex digits is
/// never taken, and when no statement states one the `statement` check fails saying so.
@Suite struct LocalSignatureDigestTests {
    static let filename = "demo-1.0-py3-none-any.whl"
    static let stated = String(repeating: "ab", count: 32)

    /// A key-signed attestation of `filename` whose one subject has `digest`.
    static func attestation(digest: [String: String], key: PrivateKey) async throws -> Attestation {
        let statement: JSONValue = .object([
            "_type": .string(Statement.inTotoV1),
            "subject": .array([.object(["name": .string(filename), "digest": .object(digest.mapValues(JSONValue.string))])]),
            "predicateType": .string(Statement.slsaV1),
            "predicate": SLSAProvenance(buildType: "urn:t", builderID: "urn:b", finishedOn: "2026-01-01T00:00:00Z").json,
        ])
        return try await AttestationBuilder.sign(statement: Array(JSONEncoder().encode(statement)), with: key)
    }

    /// The report for the bare filename against these attestations, trusting only `key`.
    static func report(_ attestations: [Attestation], key: PrivateKey) async throws -> PackageReport {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("wt-local-digest-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try key.publicKey.pemRepresentation.write(toFile: folder + "/key.pub", atomically: true, encoding: .utf8)
        let provenance = Provenance(attestationBundles: [AttestationBundle(publisher: Publisher(kind: "Test"), attestations: attestations)])
        try JSONEncoder().encode(provenance).write(to: URL(fileURLWithPath: folder + "/demo.provenance"))
        let setup = VerificationSetup(keyFiles: [folder + "/key.pub"], environment: [:])
        return try await LocalVerification.signature(
            of: filename, sha256: nil, provenanceFile: folder + "/demo.provenance", setup: setup)
    }

    @Test("no statement stating a sha256 of 64 hex digits: the statement check fails, naming the file")
    func noStatedDigestFailsTheStatementCheck() async throws {
        let key = try PrivateKey.generate(.ecdsaP256)
        for digest in [
            ["sha512": String(repeating: "e", count: 128)], ["sha256": ""], ["sha256": "../" + String(repeating: "a", count: 61)],
        ] {
            let report = try await Self.report([try await Self.attestation(digest: digest, key: key)], key: key)
            #expect(report.status == .failed, "\(digest): \(report.checks)")
            #expect(report.sha256 == nil)
            let statement = try #require(report.checks.first { $0.name == .statement }, "\(report.checks)")
            #expect(statement.status == .fail)
            #expect(statement.detail == "no attestation's single subject states a sha256 (64 hex digits) for \(Self.filename)")
            #expect(statement.remedy == .giveFileDigest)
            #expect(report.checks.first { $0.name == .download }?.status == .skip)
        }
    }

    @Test("a malformed stated digest is passed over for a later attestation that states a real one")
    func aMalformedStatedDigestIsNeverTaken() async throws {
        let key = try PrivateKey.generate(.ecdsaP256)
        let attestations = [
            try await Self.attestation(digest: ["sha256": "not hex"], key: key),
            try await Self.attestation(digest: ["sha256": Self.stated.uppercased()], key: key),
        ]
        let provenance = Provenance(attestationBundles: [AttestationBundle(publisher: Publisher(kind: "Test"), attestations: attestations)])
        #expect(LocalVerification.statedDigest(in: provenance, naming: Self.filename) == SHA256Hex(Self.stated))
        let report = try await Self.report(attestations, key: key)
        #expect(report.status == .verified, "\(report.checks)")
        #expect(report.sha256 == nil, "the digest is not checked: none is reported")
        let statement = try #require(report.checks.first { $0.name == .statement })
        #expect(statement.status == .pass && statement.detail.contains("(digest not checked)"), "\(statement.detail)")
    }
}
