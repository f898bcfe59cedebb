import Attestations
import Foundation
import Policy
import PythonPackaging
import Sigstore
import Testing

@testable import Publishing

/// Filenames that an attestation cannot tell apart (the same project, version, build tag and
/// tags, spelled differently: `Dotted.Pkg` for `dotted_pkg`, `1.2` for `1.2.0`) name ONE file of
/// the store. An upload token holder re-uploading a signed file under another spelling must not
/// get a second copy served beside a yanked one, nor bring back a deleted one, nor put other
/// bytes beside a published file.
@Suite struct EquivalentFilenameTests {
    /// Spellings of `dotted_pkg-1.2.0-0-py3-none-any.whl` that parse to the same wheel.
    static let respellings = [
        "Dotted.Pkg-1.2.0-0-py3-none-any.whl",
        "dotted_pkg-1.2-0-py3-none-any.whl",
        "DOTTED_PKG-1.2.0.0-0-py3-none-any.whl",
    ]

    /// A folder holding the fixture wheel under `name` with its attestation (signed for the
    /// original filename: its subject names an equivalent file, so the door accepts it).
    static func folder(with name: String, wheel: String, attestation: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("wt-equiv-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: wheel, toPath: folder + "/" + name)
        try FileManager.default.copyItem(atPath: attestation, toPath: folder + "/" + name + ".slsa.attestation")
        return folder
    }

    @Test func aSignedFileUnderAnotherSpellingIsRefusedWhilePublishedYankedOrDeleted() async throws {
        let store = try StoreTestSupport.makeStore()
        defer { StoreTestSupport.remove(store) }
        let original = FileManager.default.temporaryDirectory.appendingPathComponent("wt-equiv-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: original, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: original) }
        let key = try PrivateKey.generate(.ecdsaP256)
        let wheel = original + "/" + UploadFixtures.dottedWheel
        try FileManager.default.copyItem(
            atPath: UploadFixtures.fixtureWheels.appendingPathComponent(UploadFixtures.dottedWheel).path, toPath: wheel)
        let attestation = try await Attester.attest(
            wheel: wheel, key: key, builderID: "https://ci.example/b", buildType: Attester.defaultBuildType)
        let gate = UploadGate(policy: UploadFixtures.policy(key: key.publicKey), trustedRoot: try TrustedRoot.production)
        let first = try await StoreImport.importFolder(original, gate: gate, store: store)
        guard first.count == 1, case .imported = first[0].outcome else {
            Issue.record("the signed original must import: \(first)")
            return
        }

        // Published, then yanked, then deleted: every respelling is refused at each stage, and the
        // project keeps one file (or none once deleted).
        for stage in ["published", "yanked", "deleted"] {
            if stage == "yanked" {
                try #require(try store.yank(filename: UploadFixtures.dottedWheel, reason: "withdrawn", by: "admin") != nil)
            }
            if stage == "deleted" {
                try #require(try store.delete(filename: UploadFixtures.dottedWheel, by: "admin") != nil)
            }
            for name in Self.respellings {
                let folder = try Self.folder(with: name, wheel: wheel, attestation: attestation)
                defer { try? FileManager.default.removeItem(atPath: folder) }
                let outcome = try await StoreImport.importFolder(folder, gate: gate, store: store)
                guard outcome.count == 1, case .refused(let reason) = outcome[0].outcome else {
                    Issue.record("\(stage): \(name) must be refused, got \(outcome)")
                    continue
                }
                #expect(reason.hasPrefix("file-exists: "), "\(stage): \(name): \(reason)")
                #expect(reason.contains(UploadFixtures.dottedWheel), "\(stage): \(name): the refusal names the stored file: \(reason)")
                #expect(try store.file(named: name) == nil, "\(stage): \(name) must not be stored")
            }
            let files = try store.files(ofProject: "dotted-pkg")
            #expect(files.map(\.filename) == (stage == "deleted" ? [] : [UploadFixtures.dottedWheel]), "\(stage)")
            #expect(files.allSatisfy { $0.yanked == (stage == "yanked") })
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.stagingDirectory.path).isEmpty, "nothing left in staging")
    }

    @Test func otherBytesUnderAnEquivalentNameAreNotPublished() throws {
        let store = try StoreTestSupport.makeStore()
        defer { StoreTestSupport.remove(store) }
        let published = try store.publish(try StoreTestSupport.stage(Array("first".utf8), as: "demo-1.0.tar.gz", in: store))
        guard case .published(let original) = published else {
            Issue.record("expected published, got \(published)")
            return
        }
        // The same release spelled otherwise, with other bytes: never a second file.
        for name in ["Demo-1.0.tar.gz", "demo-1.0.0.tar.gz", "DEMO-1.0.0.0.tar.gz"] {
            let outcome = try store.publish(try StoreTestSupport.stage(Array("other \(name)".utf8), as: name, in: store))
            #expect(outcome == .equivalentExists(original), "\(name): \(outcome)")
            #expect(try store.file(named: name) == nil)
        }
        // A different release, or the other sdist format, is another file.
        guard case .published = try store.publish(try StoreTestSupport.stage(Array("z".utf8), as: "demo-1.0.zip", in: store)),
            case .published = try store.publish(try StoreTestSupport.stage(Array("n".utf8), as: "demo-1.0.1.tar.gz", in: store))
        else {
            Issue.record("other files of the project must publish")
            return
        }
        // Deleted: its respellings stay retired too.
        try #require(try store.delete(filename: "demo-1.0.tar.gz", by: "admin") != nil)
        for name in ["Demo-1.0.tar.gz", "demo-1.0.0.tar.gz"] {
            #expect(try store.publish(try StoreTestSupport.stage(Array("again".utf8), as: name, in: store)) == .filenameRetired("demo-1.0.tar.gz"))
        }
        #expect(try store.files(ofProject: "demo").map(\.filename) == ["demo-1.0.1.tar.gz", "demo-1.0.zip"])
        #expect(StoreTestSupport.stagingNames(store).isEmpty)
    }
}
