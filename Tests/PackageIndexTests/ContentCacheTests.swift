import Foundation
import PythonPackaging
import Testing

@testable import PackageIndex

@Suite struct ContentCacheTests {
    static let content = Data("hello wheel".utf8)
    static let digest = FileDigest.compute([UInt8](content), algorithm: .sha256).hex

    @Test func storeAndLookUp() throws {
        let dir = try TemporaryDirectory()
        let cache = ContentCache(root: dir.path + "/cache")
        let download = try dir.write("download.tmp", data: Self.content)
        #expect(!cache.contains(sha256Hex: Self.digest))
        try cache.store(download: download, sha256Hex: Self.digest.uppercased())
        let expected = "\(dir.path)/cache/sha256/\(Self.digest.prefix(2))/\(Self.digest)"
        #expect(cache.path(sha256Hex: Self.digest) == expected)
        #expect(cache.contains(sha256Hex: Self.digest))
        #expect(cache.contains(sha256Hex: Self.digest, verify: true))
        #expect(try cache.verifiedPath(sha256Hex: Self.digest) == expected)
        #expect(!FileManager.default.fileExists(atPath: download))
        #expect(FileManager.default.contents(atPath: expected) == Self.content)
    }

    @Test func mismatchIsDeletedNotStored() throws {
        let dir = try TemporaryDirectory()
        let cache = ContentCache(root: dir.path + "/cache")
        let download = try dir.write("download.tmp", data: Data("tampered".utf8))
        let error = #expect(throws: IndexError.self) { try cache.store(download: download, sha256Hex: Self.digest) }
        #expect(error?.code == .cache)
        #expect(!FileManager.default.fileExists(atPath: download))
        #expect(!cache.contains(sha256Hex: Self.digest))
    }

    @Test func corruptEntryIsDeletedOnVerifiedRead() throws {
        let dir = try TemporaryDirectory()
        let cache = ContentCache(root: dir.path)
        try dir.write("sha256/\(Self.digest.prefix(2))/\(Self.digest)", "corrupted")
        #expect(cache.contains(sha256Hex: Self.digest))
        #expect(try cache.verifiedPath(sha256Hex: Self.digest) == nil)
        #expect(!cache.contains(sha256Hex: Self.digest))
    }

    @Test func emptyEntryIsNotContained() throws {
        let dir = try TemporaryDirectory()
        let cache = ContentCache(root: dir.path)
        try dir.write("sha256/\(Self.digest.prefix(2))/\(Self.digest)", "")
        #expect(!cache.contains(sha256Hex: Self.digest))
    }

    @Test func invalidKeysNeverTouchTheFileSystem() throws {
        let dir = try TemporaryDirectory()
        let cache = ContentCache(root: dir.path)
        #expect(cache.path(sha256Hex: "../../etc/passwd") == dir.path + "/sha256/invalid/invalid")
        #expect(!cache.contains(sha256Hex: "../../etc/passwd"))
        #expect(try cache.verifiedPath(sha256Hex: "zz") == nil)
        let download = try dir.write("d.tmp", "x")
        let refused = #expect(throws: IndexError.self) { try cache.store(download: download, sha256Hex: "../x") }
        #expect(refused?.code == .cache)
        #expect(refused?.message == "cache key '../x' is not a sha256 hex digest")
    }

    @Test func defaultRoot() {
        #expect(ContentCache.defaultRoot(environment: ["XDG_CACHE_HOME": "/xdg", "HOME": "/h"]) == "/xdg/wheeltrust")
        #expect(ContentCache.defaultRoot(environment: ["XDG_CACHE_HOME": "relative", "HOME": "/h"]) == "/h/.cache/wheeltrust")
    }
}
