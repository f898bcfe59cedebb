import Foundation
import Testing

@testable import Publishing

@Suite("Publishing store: publish, duplicates, concurrency, yank, delete")
struct PublishingStoreTests {
    @Test func publishMakesFileMetadataAndProvenanceVisible() throws {
        let store = try StoreTestSupport.makeStore()
        defer { StoreTestSupport.remove(store) }
        let bytes = Array("wheel bytes of demo".utf8)
        let metadata = StoreTestSupport.metadata(name: "Demo_Pkg", version: "1.0", requiresPython: ">=3.9")
        let provenance = Array(#"{"version":1,"attestation_bundles":[]}"#.utf8)
        let upload = try StoreTestSupport.stage(
            bytes, as: "Demo_Pkg-1.0-py3-none-any.whl", in: store, metadata: metadata, provenance: provenance)
        let outcome = try store.publish(upload)
        guard case .published(let file) = outcome else {
            Issue.record("expected published, got \(outcome)")
            return
        }
        #expect(file.project == "demo-pkg")
        #expect(file.version == "1.0")
        #expect(file.sha256 == StoreTestSupport.sha256Hex(bytes))
        #expect(file.size == Int64(bytes.count))
        #expect(file.uploader == "ci")
        #expect(file.requiresPython == ">=3.9")
        #expect(file.coreMetadataSHA256 == StoreTestSupport.sha256Hex(metadata))
        #expect(file.hasProvenance)
        #expect(!file.yanked)
        #expect(try Data(contentsOf: URL(fileURLWithPath: file.blobPath)) == Data(bytes))
        #expect(file.blobPath.hasPrefix(store.directory.path + "/blobs/" + file.sha256.prefix(2) + "/"))
        let metadataDigest = try #require(file.coreMetadataSHA256)
        let metadataPath = try #require(store.blobPath(sha256: metadataDigest))
        #expect(try Data(contentsOf: URL(fileURLWithPath: metadataPath)) == Data(metadata))
        #expect(try store.provenance(ofFile: file.filename) == provenance)
        #expect(try store.file(named: file.filename) == file)
        #expect(try store.files(ofProject: "DEMO.pkg") == [file])
        let projects = try store.projects()
        #expect(projects.map(\.name) == ["demo-pkg"])
        #expect(projects.first?.displayName == "Demo_Pkg")
        #expect(projects.first?.fileCount == 1)
        // The staged upload is consumed; nothing is left in staging.
        #expect(StoreTestSupport.stagingNames(store).isEmpty)
        #expect(try store.check().findings.isEmpty)
    }

    @Test func bytesThatDisagreeWithTheDeclaredDigestAreNotStored() throws {
        let store = try StoreTestSupport.makeStore()
        defer { StoreTestSupport.remove(store) }
        let upload = try StoreTestSupport.stage(
            Array("real".utf8), as: "demo-1.0-py3-none-any.whl", in: store, declaredSHA256: String(repeating: "ab", count: 32))
        #expect {
            try store.publish(upload)
        } throws: { error in
            let error = error as? PublishingError
            return error?.code == .invalidUpload && error?.message.contains("not the declared") == true
        }
        #expect(try store.file(named: "demo-1.0-py3-none-any.whl") == nil)
        #expect(try store.projects().isEmpty)
        // No blob was renamed into place, no staging file is left.
        #expect(try store.check().findings.isEmpty)
    }

    @Test func wrongSizeAndBadFilenameAreRefused() throws {
        let store = try StoreTestSupport.makeStore()
        defer { StoreTestSupport.remove(store) }
        var upload = try StoreTestSupport.stage(Array("abc".utf8), as: "demo-1.0-py3-none-any.whl", in: store)
        upload.size = 4
        #expect {
            try store.publish(upload)
        } throws: { ($0 as? PublishingError)?.message.contains("not the declared 4") == true }
        let bad = try StoreTestSupport.stage(Array("abc".utf8), as: "../demo-1.0-py3-none-any.whl", in: store)
        #expect {
            try store.publish(bad)
        } throws: { ($0 as? PublishingError)?.code == .invalidUpload }
        let notDistribution = try StoreTestSupport.stage(Array("abc".utf8), as: "demo.zip", in: store)
        #expect {
            try store.publish(notDistribution)
        } throws: { ($0 as? PublishingError)?.code == .invalidUpload }
        #expect(try store.allFiles().isEmpty)
    }

    @Test func aSecondPublishOfOneFilenameGetsAlreadyExistsAndChangesNothing() throws {
        let store = try StoreTestSupport.makeStore()
        defer { StoreTestSupport.remove(store) }
        let first = try StoreTestSupport.stage(Array("first".utf8), as: "demo-1.0.tar.gz", in: store)
        guard case .published(let original) = try store.publish(first) else {
            Issue.record("first publish did not publish")
            return
        }
        let second = try StoreTestSupport.stage(
            Array("second, different".utf8), as: "demo-1.0.tar.gz", in: store, provenance: Array("{}".utf8))
        #expect(try store.publish(second) == .alreadyExists(original))
        #expect(try store.file(named: "demo-1.0.tar.gz") == original)
        #expect(try store.provenance(ofFile: "demo-1.0.tar.gz") == nil)
        #expect(StoreTestSupport.stagingNames(store).isEmpty)
    }

    @Test func concurrentPublishesOfDifferentFilesAllLand() async throws {
        let store = try StoreTestSupport.makeStore()
        defer { StoreTestSupport.remove(store) }
        let count = 24
        let uploads = try (0..<count).map { index in
            try StoreTestSupport.stage(
                Array("content \(index)".utf8), as: "proj\(index % 3)-1.\(index)-py3-none-any.whl", in: store,
                metadata: StoreTestSupport.metadata(name: "proj\(index % 3)", version: "1.\(index)"))
        }
        let outcomes = try await StoreTestSupport.concurrently(uploads) { try store.publish($0) }
        #expect(outcomes.filter { if case .published = $0 { true } else { false } }.count == count)
        #expect(try store.allFiles().count == count)
        #expect(try store.projects().map(\.name) == ["proj0", "proj1", "proj2"])
        #expect(try store.projects().map(\.fileCount) == [8, 8, 8])
        #expect(try store.check().findings.isEmpty)
    }

    @Test func ofConcurrentPublishesOfOneFilenameExactlyOneWins() async throws {
        let store = try StoreTestSupport.makeStore()
        defer { StoreTestSupport.remove(store) }
        let contenders = 12
        let uploads = try (0..<contenders).map { index in
            try StoreTestSupport.stage(
                Array("contender \(index)".utf8), as: "race-2.0-py3-none-any.whl", in: store,
                provenance: Array("{\"n\":\(index)}".utf8))
        }
        let outcomes = try await StoreTestSupport.concurrently(uploads) { try store.publish($0) }
        let winners = outcomes.compactMap { if case .published(let file) = $0 { file } else { nil } }
        #expect(winners.count == 1)
        let winner = try #require(winners.first)
        #expect(outcomes.filter { $0 == .alreadyExists(winner) }.count == contenders - 1)
        let stored = try #require(try store.file(named: "race-2.0-py3-none-any.whl"))
        #expect(stored == winner)
        // The visible provenance is the winner's own, with the winner's bytes.
        let index = try #require(
            (0..<contenders).first { StoreTestSupport.sha256Hex(Array("contender \($0)".utf8)) == stored.sha256 })
        #expect(try store.provenance(ofFile: stored.filename) == Array("{\"n\":\(index)}".utf8))
        // The losers' blobs are orphans (reclaimable), never corruption; a repair removes them.
        let report = try store.check()
        #expect(report.isConsistent)
        #expect(report.findings.allSatisfy { $0.kind == "orphan-blob" })
        let repaired = try store.check(repair: true)
        #expect(repaired.removed.count == repaired.findings.count)
        #expect(try store.check().findings.isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: stored.blobPath)) == Data("contender \(index)".utf8))
    }

    @Test func attachProvenanceOnlyOnceAndOnlyToAPublishedFile() throws {
        let store = try StoreTestSupport.makeStore()
        defer { StoreTestSupport.remove(store) }
        #expect(try store.attachProvenance(filename: "none-1.0.tar.gz", provenance: Array("{}".utf8), by: "a") == .noSuchFile)
        let upload = try StoreTestSupport.stage(Array("x".utf8), as: "demo-1.0.tar.gz", in: store)
        _ = try store.publish(upload)
        let serial = try store.serial()
        guard case .attached(let file) = try store.attachProvenance(filename: "demo-1.0.tar.gz", provenance: Array("{\"a\":1}".utf8), by: "a")
        else {
            Issue.record("first attach did not attach")
            return
        }
        #expect(file.hasProvenance)
        #expect(try store.serial() > serial)
        #expect(
            try store.attachProvenance(filename: "demo-1.0.tar.gz", provenance: Array("{\"b\":2}".utf8), by: "b")
                == .alreadyHasProvenance(file))
        #expect(try store.provenance(ofFile: "demo-1.0.tar.gz") == Array("{\"a\":1}".utf8))
    }

    @Test func yankKeepsTheFileAndDeleteRetiresTheFilename() throws {
        let store = try StoreTestSupport.makeStore()
        defer { StoreTestSupport.remove(store) }
        let upload = try StoreTestSupport.stage(Array("x".utf8), as: "demo-1.0.tar.gz", in: store)
        _ = try store.publish(upload)
        let before = try #require(try store.projects().first?.serial)
        let yanked = try #require(try store.yank(filename: "demo-1.0.tar.gz", reason: "broken build", by: "admin"))
        #expect(yanked.yanked)
        #expect(yanked.yankedReason == "broken build")
        let after = try #require(try store.projects().first?.serial)
        #expect(after > before)
        #expect(try store.yank(filename: "nothing-1.0.tar.gz", reason: nil, by: "admin") == nil)
        let unyanked = try #require(try store.unyank(filename: "demo-1.0.tar.gz", by: "admin"))
        #expect(!unyanked.yanked && unyanked.yankedReason == nil)

        #expect(try store.delete(filename: "demo-1.0.tar.gz", by: "admin")?.filename == "demo-1.0.tar.gz")
        #expect(try store.file(named: "demo-1.0.tar.gz") == nil)
        #expect(try store.delete(filename: "demo-1.0.tar.gz", by: "admin") == nil)
        // The same filename can never be published again, whatever the bytes.
        let again = try StoreTestSupport.stage(Array("y".utf8), as: "demo-1.0.tar.gz", in: store)
        #expect(try store.publish(again) == .filenameRetired("demo-1.0.tar.gz"))
        #expect(try store.file(named: "demo-1.0.tar.gz") == nil)
        // The deleted file's blob is now an orphan.
        #expect(try store.check().findings.map(\.kind) == ["orphan-blob"])
    }

    @Test func aStoreReopensWithItsData() throws {
        let store = try StoreTestSupport.makeStore()
        defer { StoreTestSupport.remove(store) }
        _ = try store.publish(try StoreTestSupport.stage(Array("x".utf8), as: "demo-1.0.tar.gz", in: store))
        let reopened = try PublishingStore(directory: store.directory)
        #expect(try reopened.file(named: "demo-1.0.tar.gz")?.sha256 == StoreTestSupport.sha256Hex(Array("x".utf8)))
    }

    @Test func aStorePathThatIsAFileIsAConfigurationError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wheeltrust-notastore-\(UUID().uuidString)")
        try Data("x".utf8).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        #expect {
            try PublishingStore(directory: path)
        } throws: { ($0 as? PublishingError)?.code == .configuration }
    }
}
