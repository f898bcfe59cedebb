import Foundation
import Publishing
import PythonPackaging
import Testing

/// The store's admin commands through the real binary: tokens (printed once, alone on the last
/// line; never listed), fsck (exit 0 consistent, 1 on corruption naming the finding; --repair),
/// yank and delete, and their usage errors.
@Suite("serve admin commands")
struct ServeStoreCommandTests {
    static func run(_ arguments: [String]) async throws -> ProcessResult {
        try await TestProcess.run(TestProcess.wheeltrust, arguments)
    }

    static func temporaryStore() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("wt-store-cli-\(UUID().uuidString)").path
    }

    @Test func tokenAddPrintsTheTokenAloneOnTheLastLineAndListNeverShowsIt() async throws {
        let store = Self.temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let added = try await Self.run(["serve", "token", "add", "ci", "--store", store, "--upload", "--project", "Demo_Pkg"])
        #expect(added.status == 0, "\(added.output)")
        let lines = added.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.last == "")  // the output ends with a newline
        let token = String(try #require(lines.dropLast().last))
        #expect(token.hasPrefix("wt_") && token.count == 3 + 16 + 1 + 64 && !token.contains(" "), "\(token)")
        #expect(added.stdout.contains("upload token ci for demo-pkg"), "\(added.stdout)")

        let opened = try PublishingStore(directory: URL(fileURLWithPath: store))
        #expect(try opened.authenticate(user: "__token__", password: token)?.name == "ci")

        let listed = try await Self.run(["serve", "token", "list", "--store", store, "--format", "json"])
        #expect(listed.status == 0, "\(listed.output)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 1 && rows.first?["name"] as? String == "ci" && rows.first?["role"] as? String == "upload")
        #expect(rows.first?["projects"] as? [String] == ["demo-pkg"])
        let secret = String(token.split(separator: "_").last!)
        #expect(!listed.output.contains(secret))
        let text = try await Self.run(["serve", "token", "list", "--store", store])
        #expect(text.stdout.hasPrefix("ci\tupload\tdemo-pkg\t") && !text.output.contains(secret), "\(text.stdout)")

        let duplicate = try await Self.run(["serve", "token", "add", "ci", "--store", store])
        #expect(duplicate.status == 2 && duplicate.stderr.contains("a token named ci already exists"), "\(duplicate.output)")
        let scopedRead = try await Self.run(["serve", "token", "add", "reader", "--store", store, "--project", "x"])
        #expect(scopedRead.status == 2 && scopedRead.stderr.contains("--project restricts upload tokens"), "\(scopedRead.output)")

        let revoked = try await Self.run(["serve", "token", "revoke", "ci", "--store", store])
        #expect(revoked.status == 0, "\(revoked.output)")
        #expect(try opened.authenticate(user: "__token__", password: token) == nil)
        let again = try await Self.run(["serve", "token", "revoke", "ci", "--store", store])
        #expect(again.status == 2 && again.stderr.contains("no token named ci"), "\(again.output)")
    }

    @Test func fsckReportsCorruptionWithExitOneAndRepairsOnlyReclaimableFindings() async throws {
        let storePath = Self.temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: storePath) }
        let store = try PublishingStore(directory: URL(fileURLWithPath: storePath))
        let staged = store.stagingDirectory.appendingPathComponent("up")
        try Data("sdist bytes".utf8).write(to: staged)
        guard
            case .published(let file) = try store.publish(
                StoreUpload(
                    stagedFile: staged, filename: "demo-1.0.tar.gz",
                    sha256: FileDigestHex.sha256(Array("sdist bytes".utf8)), size: 11, coreMetadata: nil, provenance: nil,
                    uploader: "t"))
        else {
            Issue.record("not published")
            return
        }
        let clean = try await Self.run(["serve", "fsck", "--store", storePath])
        #expect(clean.status == 0 && clean.stdout.contains("1 files checked: consistent"), "\(clean.output)")

        try Data("orphan".utf8).write(to: store.stagingDirectory.appendingPathComponent("left-over"))
        let reclaimable = try await Self.run(["serve", "fsck", "--store", storePath, "--format", "json"])
        #expect(reclaimable.status == 0, "\(reclaimable.output)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(reclaimable.stdout.utf8)) as? [String: Any])
        #expect(document["consistent"] as? Bool == true)
        #expect((document["findings"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["staging-leftover"])

        try Data("tampered".utf8).write(to: URL(fileURLWithPath: file.blobPath))
        let corrupt = try await Self.run(["serve", "fsck", "--store", storePath, "--format", "json", "--repair"])
        #expect(corrupt.status == 1, "\(corrupt.output)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(corrupt.stdout.utf8)) as? [String: Any])
        #expect(report["consistent"] as? Bool == false)
        let findings = try #require(report["findings"] as? [[String: Any]])
        #expect(findings.map { $0["kind"] as? String } == ["corrupt-blob", "staging-leftover"])
        #expect(findings.first?["corruption"] as? Bool == true)
        #expect((findings.first?["message"] as? String)?.contains("demo-1.0.tar.gz") == true)
        #expect((report["removed"] as? [String])?.count == 1)
    }

    @Test func yankDeleteAndAStorePathThatIsNoStore() async throws {
        let storePath = Self.temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: storePath) }
        let store = try PublishingStore(directory: URL(fileURLWithPath: storePath))
        let staged = store.stagingDirectory.appendingPathComponent("up")
        try Data("x".utf8).write(to: staged)
        _ = try store.publish(
            StoreUpload(
                stagedFile: staged, filename: "demo-1.0.tar.gz", sha256: FileDigestHex.sha256(Array("x".utf8)), size: 1,
                coreMetadata: nil, provenance: nil, uploader: "t"))
        let yanked = try await Self.run(["serve", "yank", "demo-1.0.tar.gz", "--store", storePath, "--reason", "bad"])
        #expect(yanked.status == 0, "\(yanked.output)")
        #expect(try store.file(named: "demo-1.0.tar.gz")?.yankedReason == "bad")
        let unyanked = try await Self.run(["serve", "yank", "demo-1.0.tar.gz", "--store", storePath, "--undo"])
        #expect(unyanked.status == 0, "\(unyanked.output)")
        #expect(try store.file(named: "demo-1.0.tar.gz")?.yanked == false)
        let deleted = try await Self.run(["serve", "delete", "demo-1.0.tar.gz", "--store", storePath])
        #expect(deleted.status == 0, "\(deleted.output)")
        #expect(try store.file(named: "demo-1.0.tar.gz") == nil)
        let missing = try await Self.run(["serve", "delete", "demo-1.0.tar.gz", "--store", storePath])
        #expect(missing.status == 2 && missing.stderr.contains("no published file named demo-1.0.tar.gz"), "\(missing.output)")

        let nowhere = Self.temporaryStore()
        let notAStore = try await Self.run(["serve", "fsck", "--store", nowhere])
        #expect(notAStore.status == 2 && notAStore.stderr.contains("is not a publishing store"), "\(notAStore.output)")
        #expect(!FileManager.default.fileExists(atPath: nowhere))
        let both = try await Self.run(["serve", "/tmp", "--store", storePath])
        #expect(both.status == 2 && both.stderr.contains("not both"), "\(both.output)")
        let neither = try await Self.run(["serve"])
        #expect(neither.status == 2 && neither.stderr.contains("name the folder to serve, or --store DIR"), "\(neither.output)")
    }
}

/// SHA-256 hex of bytes, for the stores built in these tests.
enum FileDigestHex {
    static func sha256(_ bytes: [UInt8]) -> String {
        FileDigest.compute(bytes, algorithm: .sha256).hex
    }
}
