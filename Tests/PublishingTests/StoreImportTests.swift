import Attestations
import Foundation
import Policy
import PythonPackaging
import Sigstore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@testable import Publishing

/// `serve import` in process: each file of a folder through the upload door; the same bytes
/// again are unchanged; refusals are per file with the door's reason; a link is not followed; an
/// oversized side file refuses its file; nothing is left in staging.
@Suite struct StoreImportTests {
    static let datatool = "datatool-0.3-py3-none-any.whl"

    @Test func eachFilePassesTheDoorAndRefusalsNameTheCheck() async throws {
        let store = try StoreTestSupport.makeStore()
        defer { StoreTestSupport.remove(store) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("wt-import-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let key = try PrivateKey.generate(.ecdsaP256)
        let other = try PrivateKey.generate(.ecdsaP256)
        let dotted = folder + "/" + UploadFixtures.dottedWheel
        try FileManager.default.copyItem(
            atPath: UploadFixtures.fixtureWheels.appendingPathComponent(UploadFixtures.dottedWheel).path, toPath: dotted)
        _ = try await Attester.attest(wheel: dotted, key: key, builderID: "https://ci.example/b", buildType: Attester.defaultBuildType)
        // datatool signed by a key the policy does not name.
        let datatool = folder + "/" + Self.datatool
        try FileManager.default.copyItem(atPath: UploadFixtures.fixtureWheels.appendingPathComponent(Self.datatool).path, toPath: datatool)
        _ = try await Attester.attest(wheel: datatool, key: other, builderID: "https://ci.example/b", buildType: Attester.defaultBuildType)
        // A link to a wheel elsewhere: never followed.
        try FileManager.default.createSymbolicLink(atPath: folder + "/linked-1.0-py3-none-any.whl", withDestinationPath: dotted)
        let gate = UploadGate(policy: UploadFixtures.policy(key: key.publicKey), trustedRoot: try TrustedRoot.production)

        let first = try await StoreImport.importFolder(folder, gate: gate, store: store)
        #expect(first.map(\.filename) == [Self.datatool, UploadFixtures.dottedWheel])
        guard case .refused(let reason) = first[0].outcome else {
            Issue.record("datatool: \(first[0].outcome)")
            return
        }
        #expect(reason.hasPrefix("untrusted-signer: "), "\(reason)")
        guard case .imported(let signers) = first[1].outcome else {
            Issue.record("dotted: \(first[1].outcome)")
            return
        }
        #expect(signers?.count == 1)
        #expect(try store.file(named: UploadFixtures.dottedWheel) != nil)
        #expect(try store.file(named: Self.datatool) == nil)

        // Again: the same bytes are unchanged; an oversized attestation refuses its file only.
        try Data(repeating: 0x20, count: UploadGate.maxDocumentBytes + 1).write(
            to: URL(fileURLWithPath: datatool + ".slsa.attestation"))
        let second = try await StoreImport.importFolder(folder, gate: gate, store: store)
        #expect(second.first { $0.filename == UploadFixtures.dottedWheel }?.outcome == .unchanged)
        guard case .refused(let oversized) = second.first(where: { $0.filename == Self.datatool })?.outcome else {
            Issue.record("datatool: \(second)")
            return
        }
        #expect(oversized.hasPrefix("malformed-attestations: ") && oversized.contains("is larger than"), "\(oversized)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.stagingDirectory.path).isEmpty, "nothing left in staging")
    }

    /// A side file that is a symbolic link (to the file's own genuine attestation) or a FIFO is
    /// not read: its file is refused naming it, the import goes on, nothing blocks and nothing is
    /// left in staging.
    @Test(.timeLimit(.minutes(1))) func aLinkedOrFIFOSideFileRefusesItsFileWithoutBlocking() async throws {
        let store = try StoreTestSupport.makeStore()
        defer { StoreTestSupport.remove(store) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("wt-import-\(UUID().uuidString)").path
        let elsewhere = folder + "-elsewhere"
        for path in [folder, elsewhere] { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        defer {
            try? FileManager.default.removeItem(atPath: folder)
            try? FileManager.default.removeItem(atPath: elsewhere)
        }
        let key = try PrivateKey.generate(.ecdsaP256)
        // The dotted wheel's genuine attestation, made elsewhere and linked in beside it.
        let signed = elsewhere + "/" + UploadFixtures.dottedWheel
        try FileManager.default.copyItem(
            atPath: UploadFixtures.fixtureWheels.appendingPathComponent(UploadFixtures.dottedWheel).path, toPath: signed)
        let attestation = try await Attester.attest(
            wheel: signed, key: key, builderID: "https://ci.example/b", buildType: Attester.defaultBuildType)
        try FileManager.default.copyItem(atPath: signed, toPath: folder + "/" + UploadFixtures.dottedWheel)
        try FileManager.default.createSymbolicLink(
            atPath: folder + "/" + UploadFixtures.dottedWheel + ".slsa.attestation", withDestinationPath: attestation)
        // datatool with a FIFO as its attestation: opening it for reading would wait for a writer.
        try FileManager.default.copyItem(
            atPath: UploadFixtures.fixtureWheels.appendingPathComponent(Self.datatool).path, toPath: folder + "/" + Self.datatool)
        try #require(mkfifo(folder + "/" + Self.datatool + ".slsa.attestation", 0o600) == 0)
        let gate = UploadGate(policy: UploadFixtures.policy(key: key.publicKey), trustedRoot: try TrustedRoot.production)

        let outcomes = try await StoreImport.importFolder(folder, gate: gate, store: store)
        #expect(outcomes.map(\.filename) == [Self.datatool, UploadFixtures.dottedWheel])
        for outcome in outcomes {
            guard case .refused(let reason) = outcome.outcome else {
                Issue.record("\(outcome.filename) must be refused: \(outcome.outcome)")
                continue
            }
            #expect(reason.hasPrefix("malformed-attestations: side file: "), "\(outcome.filename): \(reason)")
            #expect(reason.contains(outcome.filename + ".slsa.attestation"), "\(reason)")
        }
        #expect(try store.allFiles().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.stagingDirectory.path).isEmpty, "nothing left in staging")
    }
}
