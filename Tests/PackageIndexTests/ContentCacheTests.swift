import Foundation
import PythonPackaging
import Testing

@testable import PackageIndex

@Suite struct ContentCacheTests {
    static let content = Data("hello wheel".utf8)
    static let digest = FileDigest.compute([UInt8](content), algorithm: .sha256).hex
    static let hex = SHA256Hex(FileDigest.compute([UInt8](content), algorithm: .sha256))

    @Test func storeAndLookUp() throws {
        let dir = try TemporaryDirectory()
        let cache = ContentCache(root: dir.path + "/cache")
        let download = try dir.write("download.tmp", data: Self.content)
        #expect(!cache.contains(sha256Hex: Self.hex))
        try cache.store(download: download, sha256Hex: try #require(SHA256Hex(normalizing: Self.digest.uppercased())))
        let expected = "\(dir.path)/cache/sha256/\(Self.digest.prefix(2))/\(Self.digest)"
        #expect(cache.path(sha256Hex: Self.hex) == expected)
        #expect(cache.contains(sha256Hex: Self.hex))
        #expect(cache.contains(sha256Hex: Self.hex, verify: true))
        #expect(try cache.verifiedPath(sha256Hex: Self.hex) == expected)
        #expect(!FileManager.default.fileExists(atPath: download))
        #expect(FileManager.default.contents(atPath: expected) == Self.content)
    }

    @Test func mismatchIsDeletedNotStored() throws {
        let dir = try TemporaryDirectory()
        let cache = ContentCache(root: dir.path + "/cache")
        let download = try dir.write("download.tmp", data: Data("tampered".utf8))
        let error = #expect(throws: IndexError.self) { try cache.store(download: download, sha256Hex: Self.hex) }
        #expect(error?.code == .cache)
        #expect(!FileManager.default.fileExists(atPath: download))
        #expect(!cache.contains(sha256Hex: Self.hex))
    }

    @Test func corruptEntryIsDeletedOnVerifiedRead() throws {
        let dir = try TemporaryDirectory()
        let cache = ContentCache(root: dir.path)
        try dir.write("sha256/\(Self.digest.prefix(2))/\(Self.digest)", "corrupted")
        #expect(cache.contains(sha256Hex: Self.hex))
        #expect(try cache.verifiedPath(sha256Hex: Self.hex) == nil)
        #expect(!cache.contains(sha256Hex: Self.hex))
    }

    @Test func emptyEntryIsNotContained() throws {
        let dir = try TemporaryDirectory()
        let cache = ContentCache(root: dir.path)
        try dir.write("sha256/\(Self.digest.prefix(2))/\(Self.digest)", "")
        #expect(!cache.contains(sha256Hex: Self.hex))
    }

    @Test func invalidKeysNeverTouchTheFileSystem() throws {
        let dir = try TemporaryDirectory()
        let cache = ContentCache(root: dir.path)
        // Keys are SHA256Hex values: a text that is not 64 hex digits cannot name an entry, and
        // every key's path stays below the cache's root.
        for bad in ["../../etc/passwd", "zz", "../x", String(repeating: "a", count: 63) + "/"] {
            #expect(SHA256Hex(normalizing: bad) == nil)
        }
        #expect(cache.path(sha256Hex: Self.hex).hasPrefix(dir.path + "/sha256/"))
        #expect(!cache.contains(sha256Hex: Self.hex))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/sha256"))
    }

    @Test func defaultRoot() {
        #expect(ContentCache.defaultRoot(environment: ["XDG_CACHE_HOME": "/xdg", "HOME": "/h"]) == "/xdg/wheeltrust")
        #expect(ContentCache.defaultRoot(environment: ["XDG_CACHE_HOME": "relative", "HOME": "/h"]) == "/h/.cache/wheeltrust")
    }
}
