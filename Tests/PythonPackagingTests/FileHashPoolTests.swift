import Foundation
import Testing

@testable import PythonPackaging

@Suite struct FileHashPoolTests {
    @Test func resultsComeBackInRequestOrderAndMatchTheSerialDigest() async throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        var requests: [FileHashPool.Request] = []
        var expected: [FileHashPool.Outcome] = []
        for index in 0..<200 {
            let path = dir + "/file-\(index)"
            // Sizes from empty to several buffers, so threads finish out of order.
            let bytes = (0..<((index * 7919) % 70_000)).map { UInt8(truncatingIfNeeded: $0 &* (index + 1)) }
            _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
            let algorithm = HashAlgorithm.allCases[index % HashAlgorithm.allCases.count]
            requests.append(FileHashPool.Request(path: path, algorithm: algorithm))
            expected.append(.digest(FileDigest.compute(bytes, algorithm: algorithm), size: Int64(bytes.count)))
        }
        let pool = FileHashPool(width: 8, bufferSize: 4096)
        #expect(pool.digestsBlocking(requests) == expected)
        #expect(pool.digestsBlocking(Array(requests.reversed())) == Array(expected.reversed()), "a second batch on the same threads")
        #expect(pool.digestsBlocking([]) == [])
        #expect(await pool.digests(requests) == expected, "the async form: same results, same order")
        #expect(await pool.digests([]) == [])
    }

    @Test func concurrentCallersEachGetTheirOwnResults() async throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let pool = FileHashPool(width: 3, bufferSize: 4096)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for caller in 0..<6 {
                let path = dir + "/caller-\(caller)"
                let bytes = [UInt8](repeating: UInt8(caller), count: 10_000 + caller)
                _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
                let want = FileHashPool.Outcome.digest(FileDigest.compute(bytes, algorithm: .sha256), size: Int64(bytes.count))
                group.addTask {
                    let batch = Array(repeating: FileHashPool.Request(path: path, algorithm: .sha256), count: 20)
                    // Odd callers block a thread, even ones suspend: both kinds share the pool.
                    let got = caller % 2 == 0 ? await pool.digests(batch) : pool.digestsBlocking(batch)
                    return got.allSatisfy { $0 == want }
                }
            }
            for try await ok in group { #expect(ok) }
        }
    }

    @Test func missingLinksDirectoriesAndFifosAreNeverRead() throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let file = dir + "/file"
        _ = FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: file)
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: false)
        #expect(mkfifo(dir + "/fifo", 0o600) == 0)
        let outcomes = FileHashPool(width: 2).digestsBlocking(
            ["missing", "link", "sub", "fifo"].map {
                FileHashPool.Request(path: dir + "/" + $0, algorithm: .sha256)
            })
        #expect(outcomes == [.missing, .notRegularFile, .notRegularFile, .notRegularFile])
    }
}
