import Foundation
import TestSupport
import Testing

@testable import PythonPackaging

@Suite struct FileHashingTests {
    @Test func emptyFileHasTheEmptyDigest() throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let path = dir + "/empty"
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        let (digest, size) = try FileHashing.digest(ofFileAt: path, algorithm: .sha256)
        #expect(size == 0)
        #expect(digest.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func smallBufferGivesTheSameDigestAsOneShot() throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let path = dir + "/data"
        let bytes = (0..<100_003).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        for algorithm in HashAlgorithm.allCases {
            let (digest, size) = try FileHashing.digest(ofFileAt: path, algorithm: algorithm, bufferSize: 4096)
            #expect(size == 100_003)
            #expect(digest == FileDigest.compute(bytes, algorithm: algorithm))
        }
    }

    @Test("a file hashed with its first bytes replaced: the rewritten #! line undone, streamed")
    func replacingTheFirstBytes() throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let path = dir + "/script"
        let body = Array("import sys\nprint(sys.argv)\n".utf8) + (0..<70_000).map { UInt8(truncatingIfNeeded: $0) }
        _ = FileManager.default.createFile(atPath: path, contents: Data(Array("#!/v/bin/python\n".utf8) + body))
        let original = Array("#!python\n".utf8) + body
        let (digest, size) = try FileHashing.digest(
            ofFileAt: path, algorithm: .sha256, replacingFirst: 16,
            with: Array("#!python\n".utf8), bufferSize: 4096)
        #expect(digest == FileDigest.compute(original, algorithm: .sha256))
        #expect(size == Int64(original.count))
        #expect(throws: PackagingError.self) {
            _ = try FileHashing.digest(ofFileAt: path, algorithm: .sha256, replacingFirst: 1 << 30, with: [])
        }
    }

    @Test("with a limit, reading stops one buffer past it: a file larger while read is never followed to its end")
    func readingStopsPastTheLimit() throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let path = dir + "/grown"
        _ = FileManager.default.createFile(atPath: path, contents: Data(repeating: 7, count: 1 << 20))
        let fd = try SystemIO.openReadOnly(path)
        defer { SystemIO.close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 16)
        defer { buffer.deallocate() }
        let (_, size) = try FileHashing.hashToEnd(fd, path: path, algorithm: .sha256, buffer: buffer, stopAfter: 10_000)
        #expect(size > 10_000 && size <= 10_000 + 4096, "read \(size) bytes")
    }

    @Test func fiftyMegabytesMatchesSha256sum() async throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let path = dir + "/big"
        var bytes = [UInt8](repeating: 0, count: 50 << 20)
        var x: UInt32 = 2_463_534_242
        for i in bytes.indices {
            x ^= x << 13; x ^= x >> 17; x ^= x << 5
            bytes[i] = UInt8(truncatingIfNeeded: x)
        }
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        bytes = []
        let (digest, size) = try FileHashing.digest(ofFileAt: path, algorithm: .sha256)
        #expect(size == 50 << 20)

        let output = try await ChildProcess.run("/usr/bin/env", ["sha256sum", path]).stdoutText
        #expect(String(output.prefix(64)) == digest.hex)
    }

    @Test func missingFileErrorNamesThePath() {
        let error = #expect(throws: PackagingError.self) {
            try FileHashing.digest(ofFileAt: "/nonexistent/wheeltrust-nothing", algorithm: .sha256)
        }
        #expect(error?.code == .io)
        #expect(error?.message.contains("/nonexistent/wheeltrust-nothing") == true)
    }

    @Test func directoryIsAnIOError() throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let error = #expect(throws: PackagingError.self) {
            try FileHashing.digest(ofFileAt: dir, algorithm: .sha256)
        }
        #expect(error?.code == .io)
        #expect(error?.message.contains(dir) == true)
    }
}

extension FileHashingTests {
    @Test func fifoIsRefusedWithoutBlocking() throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let path = dir + "/fifo"
        #expect(mkfifo(path, 0o600) == 0)
        let error = #expect(throws: PackagingError.self) {
            try FileHashing.digest(ofFileAt: path, algorithm: .sha256)
        }
        #expect(error?.message.contains("not a regular file") == true)
    }
}
