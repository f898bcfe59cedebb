import Foundation
import Testing

@testable import PythonPackaging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite struct AtomicFileTests {
    private func entries(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    @Test func writesCreatingTheDirectoryThenReplaces() throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let path = dir + "/a/b/file"
        try AtomicFile.write(Array("first".utf8), to: path)
        #expect(FileManager.default.contents(atPath: path) == Data("first".utf8))
        try AtomicFile.write(Data("second, longer".utf8), to: path)
        #expect(FileManager.default.contents(atPath: path) == Data("second, longer".utf8))
        try AtomicFile.write([UInt8](), to: path)
        #expect(FileManager.default.contents(atPath: path) == Data())
        #expect(entries(dir + "/a/b") == ["file"], "no temporary file is left behind")
    }

    @Test func anExactModeIsKeptWhateverTheUmask() throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let old = umask(0o077)
        defer { umask(old) }
        try AtomicFile.write(Array("k".utf8), to: dir + "/key", mode: 0o640)
        var info = stat()
        #expect(stat(dir + "/key", &info) == 0)
        #expect(info.st_mode & 0o777 == 0o640)
    }

    @Test func aLinkAtThePathIsReplacedNotWrittenThrough() throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let victim = dir + "/victim"
        FileManager.default.createFile(atPath: victim, contents: Data("keep".utf8))
        #expect(symlink(victim, dir + "/entry") == 0)
        try AtomicFile.write(Array("new".utf8), to: dir + "/entry")
        #expect(FileManager.default.contents(atPath: victim) == Data("keep".utf8))
        var info = stat()
        #expect(lstat(dir + "/entry", &info) == 0)
        #expect(info.st_mode & S_IFMT == S_IFREG)
    }

    @Test func aDirectoryAtThePathFailsNamingTheRenameAndLeavesNoTemporary() throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        try FileManager.default.createDirectory(atPath: dir + "/occupied/inside", withIntermediateDirectories: true)
        do {
            try AtomicFile.write(Array("x".utf8), to: dir + "/occupied")
            Issue.record("writing over a non-empty directory succeeded")
        } catch {
            #expect(error.code == .io)
            #expect(error.message.hasPrefix("cannot rename into \(dir)/occupied: "))
        }
        #expect(entries(dir) == ["occupied"])
    }

    @Test func aFileWhereTheDirectoryShouldBeFailsNamingTheDirectory() throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        FileManager.default.createFile(atPath: dir + "/plain", contents: Data())
        #expect(throws: PackagingError(.io, "cannot create directory \(dir)/plain")) {
            try AtomicFile.write(Array("x".utf8), to: dir + "/plain/file")
        }
    }

    @Test func parentDirectory() {
        #expect(AtomicFile.parentDirectory(of: "/a/b") == "/a")
        #expect(AtomicFile.parentDirectory(of: "/b") == "/")
        #expect(AtomicFile.parentDirectory(of: "b") == ".")
    }
}
