import Foundation
import Testing

@testable import Verification

/// The walk never vouches for what it did not see: each way it can stop short is a problem it
/// returns (issue 9, attack 9), and links are never followed.
@Suite("file-system walk")
struct FileSystemWalkTests {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("wt-walk-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    func make(_ relative: String) throws {
        let path = root + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path, contents: Data("x".utf8))
    }

    @Test func aCleanWalkSeesEveryFileAndHasNoProblem() throws {
        try make("a/b/c.py")
        try make("d.py")
        let walk = FileSystem.walk(root)
        #expect(Set(walk.files) == [root + "/a/b/c.py", root + "/d.py"])
        #expect(walk.problems.isEmpty)
    }

    @Test func tooDeepIsAFindingNamingTheDirectory() throws {
        try make("a/b/c/d/e.py")
        let walk = FileSystem.walk(root, maxDepth: 2)
        #expect(walk.problems == [FileSystem.WalkProblem(path: root + "/a/b/c", kind: .tooDeep(limit: 2))])
        #expect(walk.problems.allSatisfy { $0.isFinding })
        #expect(walk.files.isEmpty)
    }

    @Test func tooManyEntriesIsAnErrorNotAFinding() throws {
        for index in 0..<5 { try make("f\(index).py") }
        let walk = FileSystem.walk(root, maxEntries: 3)
        #expect(walk.problems == [FileSystem.WalkProblem(path: root, kind: .tooMany(limit: 3))])
        #expect(!walk.problems[0].isFinding)
    }

    @Test func aNameThatIsNotUTF8IsReportedEscapedAndNotEntered() throws {
        let bytes = Array(root.utf8) + [UInt8(ascii: "/"), 0x66, 0xFF]
        let made = (bytes + [0]).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { mkdir($0.baseAddress!, 0o755) }
        }
        try #require(made == 0)
        let walk = FileSystem.walk(root)
        #expect(walk.problems == [FileSystem.WalkProblem(path: root + "/f\\xFF", kind: .notUTF8)])
        #expect(FileSystem.children(root) == ["f\\xFF"], "children never drop such a name")
    }

    @Test func linksAreVisitedAsFilesNeverFollowed() throws {
        try make("real/inside.py")
        try FileManager.default.createSymbolicLink(atPath: root + "/link", withDestinationPath: root + "/real")
        let walk = FileSystem.walk(root)
        #expect(Set(walk.files) == [root + "/real/inside.py", root + "/link"])
    }

    @Test func anAbsentRootHidesNothingButAFileAsRootDoesNotCount() throws {
        #expect(FileSystem.walk(root + "/absent").problems.isEmpty)
        try make("plain")
        #expect(FileSystem.walk(root + "/plain").problems.isEmpty)
    }

    @Test func skippingComparesBytes() throws {
        try make("caf\u{E9}/a.py")
        try make("cafe\u{301}/b.py")
        let walk = FileSystem.walk(root, skipping: [PathKey(root + "/caf\u{E9}")]) { _ in }
        #expect(walk.isEmpty)
        var seen: [String] = []
        FileSystem.walk(root, skipping: [PathKey(root + "/caf\u{E9}")]) { seen.append($0) }
        #expect(seen.map { Array($0.utf8) } == [Array((root + "/cafe\u{301}/b.py").utf8)], "the NFD twin is walked")
    }
}
