import Foundation
import Testing

@testable import Publishing

@Suite("Publishing store: fsck finds missing and corrupted blobs, orphans, staging leftovers")
struct StoreCheckTests {
    private func storeWithOneFile() throws -> (PublishingStore, StoredFile) {
        let store = try StoreTestSupport.makeStore()
        let upload = try StoreTestSupport.stage(
            Array("wheel".utf8), as: "demo-1.0-py3-none-any.whl", in: store,
            metadata: StoreTestSupport.metadata(name: "demo", version: "1.0"))
        guard case .published(let file) = try store.publish(upload) else { throw PublishingError(.io, "not published") }
        return (store, file)
    }

    /// A store written before uploads were checked for respellings may hold a published or
    /// deleted file again under another spelling of its name (rows written here as such a store
    /// has them, by Python's sqlite3): fsck names each as corruption, the earlier name beside it.
    @Test func aRespelledNameOfAPublishedOrDeletedFileIsFound() async throws {
        let (store, file) = try storeWithOneFile()
        defer { StoreTestSupport.remove(store) }
        guard case .published(let gone) = try store.publish(try StoreTestSupport.stage(Array("old".utf8), as: "old-2.0.tar.gz", in: store))
        else {
            Issue.record("old-2.0.tar.gz must publish")
            return
        }
        try #require(try store.delete(filename: gone.filename, by: "admin") != nil)
        #expect(try store.check().isConsistent)
        let script = """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            for name, project, sha in (("Demo-1.0.0-py3-none-any.whl", "demo", sys.argv[2]), ("Old-2.0.0.tar.gz", "old", sys.argv[3])):
                db.execute("INSERT INTO files (filename, project, version, sha256, size, upload_time, uploader) VALUES (?, ?, '1.0', ?, 3, 0, 'old')", (name, project, sha))
            db.commit()
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, store.directory.path + "/index.sqlite", file.sha256, gone.sha256]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        let report = try store.check()
        #expect(!report.isConsistent)
        let respelled = report.findings.filter { $0.kind == "respelled-name" }
        #expect(
            respelled == [
                .respelledName(filename: "Demo-1.0.0-py3-none-any.whl", sameAs: file.filename, deleted: false),
                .respelledName(filename: "Old-2.0.0.tar.gz", sameAs: "old-2.0.tar.gz", deleted: true),
            ], "\(report.findings)")
        #expect(respelled.first?.description == "Demo-1.0.0-py3-none-any.whl is another spelling of the published demo-1.0-py3-none-any.whl: one distribution, two names")
    }

    @Test func aMissingBlobIsCorruption() throws {
        let (store, file) = try storeWithOneFile()
        defer { StoreTestSupport.remove(store) }
        try FileManager.default.removeItem(atPath: file.blobPath)
        let report = try store.check()
        #expect(!report.isConsistent)
        #expect(report.findings == [.missingBlob(filename: file.filename, sha256: file.sha256, what: .distribution)])
        // Repair never hides corruption.
        #expect(try !store.check(repair: true).isConsistent)
    }

    @Test func aCorruptedBlobIsCorruptionNamingBothDigests() throws {
        let (store, file) = try storeWithOneFile()
        defer { StoreTestSupport.remove(store) }
        try Data("tampered".utf8).write(to: URL(fileURLWithPath: file.blobPath))
        let report = try store.check()
        #expect(!report.isConsistent)
        #expect(
            report.findings == [
                .corruptBlob(
                    filename: file.filename, expected: file.sha256, actual: StoreTestSupport.sha256Hex(Array("tampered".utf8)),
                    what: .distribution)
            ])
    }

    @Test func aCorruptedMetadataBlobIsFound() throws {
        let (store, file) = try storeWithOneFile()
        defer { StoreTestSupport.remove(store) }
        let metadataDigest = try #require(file.coreMetadataSHA256)
        let path = try #require(store.blobPath(sha256: metadataDigest))
        try Data("Name: evil\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(try store.check().findings.map(\.kind) == ["corrupt-blob"])
        if case .corruptBlob(_, _, _, let what) = try store.check().findings.first { #expect(what == .coreMetadata) }
    }

    @Test func orphansAndStagingLeftoversAreReclaimableAndRepairRemovesThem() throws {
        let (store, file) = try storeWithOneFile()
        defer { StoreTestSupport.remove(store) }
        // A blob renamed into place by an upload killed before its commit, and a half upload.
        let orphanDigest = StoreTestSupport.sha256Hex(Array("orphan".utf8))
        let orphan = try #require(store.blobPath(sha256: orphanDigest))
        try FileManager.default.createDirectory(
            atPath: (orphan as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data("orphan".utf8).write(to: URL(fileURLWithPath: orphan))
        let leftover = store.stagingDirectory.appendingPathComponent("upload-killed")
        try Data("half".utf8).write(to: leftover)
        let report = try store.check()
        #expect(report.isConsistent)
        #expect(report.findings == [.orphanBlob(path: orphan, size: 6), .stagingLeftover(path: leftover.path, size: 4)])
        #expect(report.reclaimableBytes == 10)
        #expect(report.removed.isEmpty)
        #expect(FileManager.default.fileExists(atPath: orphan))

        let repaired = try store.check(repair: true)
        #expect(repaired.removed == [orphan, leftover.path])
        #expect(!FileManager.default.fileExists(atPath: orphan))
        #expect(try store.check().findings.isEmpty)
        // The published file is untouched.
        #expect(try Data(contentsOf: URL(fileURLWithPath: file.blobPath)) == Data("wheel".utf8))
    }

    @Test func stagingLeftoversStayWhileAServerHoldsTheStore() throws {
        let (store, _) = try storeWithOneFile()
        defer { StoreTestSupport.remove(store) }
        let inFlight = store.stagingDirectory.appendingPathComponent("upload-in-flight")
        try Data("streaming".utf8).write(to: inFlight)
        let serverLock = try StoreLock(path: store.serverLockPath, exclusive: true)
        defer { serverLock.release() }
        let repaired = try store.check(repair: true)
        #expect(repaired.removed.isEmpty)
        #expect(FileManager.default.fileExists(atPath: inFlight.path))
    }
}
