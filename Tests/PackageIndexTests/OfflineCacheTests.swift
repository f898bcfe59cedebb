import Foundation
import PythonPackaging
import Testing

@testable import PackageIndex

@Suite struct OfflineCacheTests {
    static let sha = String(repeating: "ab", count: 32)
    static let hex = SHA256Hex(String(repeating: "ab", count: 32))!
    static let index = URL(string: "http://user:secret@127.0.0.1:1/simple/")!

    static func entry() -> CachedProvenance {
        CachedProvenance(
            filename: "a-1.0-py3-none-any.whl", sha256: sha.uppercased(), projectName: "a", version: "1.0",
            provenance: Data("{\"version\":1}".utf8),
            fetchedFrom: URL(string: "http://user:secret@127.0.0.1:1/integrity/a/1.0/a.whl/provenance")!)
    }

    @Test func provenanceRoundTripsWithoutCredentials() throws {
        let dir = try TemporaryDirectory()
        let cache = OfflineCache(root: dir.path)
        #expect(cache.provenance(sha256Hex: Self.hex) == nil)
        try cache.storeProvenance(Self.entry())
        #expect(cache.provenancePath(sha256Hex: Self.hex) == "\(dir.path)/verdicts/ab/\(Self.sha).json")
        let read = try #require(cache.provenance(sha256Hex: Self.hex))
        #expect(read == Self.entry())
        #expect(read.provenance == Data("{\"version\":1}".utf8))
        #expect(!read.fetchedFrom.contains("secret"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/verdicts/ab")
        #expect(leftovers == ["\(Self.sha).json"], "no temporary file left behind")
    }

    @Test func anUnchangedEntryIsNotRewrittenAndAChangedOneIs() throws {
        let dir = try TemporaryDirectory()
        let cache = OfflineCache(root: dir.path)
        try cache.storeProvenance(Self.entry())
        let path = try #require(cache.provenancePath(sha256Hex: Self.hex))
        func inode() throws -> UInt64 {
            try #require(try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64)
        }
        let first = try inode()
        try cache.storeProvenance(Self.entry())
        #expect(try inode() == first, "the same bytes again: the entry is left in place (no rename)")
        var changed = Self.entry()
        changed.version = "1.0.post1"
        try cache.storeProvenance(changed)
        #expect(try inode() != first, "different bytes: a new entry is renamed into place")
        #expect(cache.provenance(sha256Hex: Self.hex)?.version == "1.0.post1")
    }

    @Test func partialOrCorruptEntriesReadAsAbsent() throws {
        let dir = try TemporaryDirectory()
        let cache = OfflineCache(root: dir.path)
        _ = try dir.write("verdicts/ab/.tmp-leftover", "{\"filename\":")
        #expect(cache.provenance(sha256Hex: Self.hex) == nil)
        _ = try dir.write("verdicts/ab/\(Self.sha).json", "{\"filename\":")
        #expect(cache.provenance(sha256Hex: Self.hex) == nil)
    }

    @Test func aFIFOPlantedAsAnEntryReadsAsAbsentWithoutBlocking() throws {
        let dir = try TemporaryDirectory()
        let cache = OfflineCache(root: dir.path)
        let path = try #require(cache.provenancePath(sha256Hex: Self.hex))
        try FileManager.default.createDirectory(atPath: dir.path + "/verdicts/ab", withIntermediateDirectories: true)
        #expect(mkfifo(path, 0o600) == 0)
        #expect(cache.provenance(sha256Hex: Self.hex) == nil)
    }

    @Test func invalidKeysNeverTouchTheFileSystem() throws {
        let dir = try TemporaryDirectory()
        let cache = OfflineCache(root: dir.path)
        var bad = Self.entry()
        bad.sha256 = "../../etc/passwd"
        let error = #expect(throws: IndexError.self) { try cache.storeProvenance(bad) }
        #expect(error?.code == .cache)
        #expect(SHA256Hex(normalizing: "../x") == nil)  // lookups take SHA256Hex keys only
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/verdicts"))
    }

    @Test func projectPageRoundTripsPerIndexAndProject() throws {
        let dir = try TemporaryDirectory()
        let cache = OfflineCache(root: dir.path)
        let file = IndexFile(
            filename: "a-1.0-py3-none-any.whl", url: URL(string: "http://user:secret@127.0.0.1:1/f/a.whl")!,
            sha256: Self.hex, provenanceURL: nil, coreMetadata: false, yanked: false, indexURL: Self.index)
        let page = ProjectPage(name: "a", files: [file], url: URL(string: "http://127.0.0.1:1/simple/a/")!)
        try cache.storeProjectPage(page, indexURL: Self.index, project: ProjectName("A"))
        let read = try #require(cache.projectPage(indexURL: Self.index, project: ProjectName("a")))
        #expect(read.files.map(\.filename) == ["a-1.0-py3-none-any.whl"])
        #expect(read.files.first?.sha256?.text == Self.sha)
        #expect(read.files.first?.url.absoluteString.contains("secret") == false)
        #expect(cache.projectPage(indexURL: Self.index, project: ProjectName("b")) == nil)
        #expect(cache.projectPage(indexURL: URL(string: "http://127.0.0.1:2/simple/")!, project: ProjectName("a")) == nil)
        let stored = try String(contentsOfFile: cache.projectPagePath(indexURL: Self.index, project: ProjectName("a")), encoding: .utf8)
        #expect(!stored.contains("secret"))
    }
}
