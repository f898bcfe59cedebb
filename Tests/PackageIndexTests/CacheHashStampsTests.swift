import Foundation
import PythonPackaging
import Testing

@testable import PackageIndex

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A cache entry is re-hashed unless its file identity equals the one stamped when it last hashed
/// equal to its name; every way of changing the bytes must change that identity.
@Suite struct CacheHashStampsTests {
    static let content = Data("hello wheel, a cached entry".utf8)
    static let digest = FileDigest.compute([UInt8](content), algorithm: .sha256).hex
    static let hex = SHA256Hex(FileDigest.compute([UInt8](content), algorithm: .sha256))
    /// The stamp key of these tests (a real one is random, outside the cache: ``CacheStampKey``).
    static let key = [UInt8](repeating: 0x5A, count: CacheStampKey.byteCount)

    /// A cache holding `content`, its times already older than the (shortened) settling age.
    static func settledCache(_ dir: TemporaryDirectory) throws -> (cache: ContentCache, entry: String) {
        var cache = ContentCache(root: dir.path + "/cache")
        cache.hashStampMinimumAge = 0.05
        cache.stampKey = key
        try cache.store(download: try dir.write("download.tmp", data: content), sha256Hex: hex)
        usleep(120_000)
        return (cache, cache.path(sha256Hex: hex))
    }

    static func stampPath(_ cache: ContentCache) -> String {
        "\(cache.root)/checked/\(digest.prefix(2))/\(digest).hashed"
    }

    /// Overwrites one byte in place, then restores atime and mtime with `utimensat`.
    static func flipByteKeepingTimes(_ path: String) throws {
        var before = stat()
        try #require(stat(path, &before) == 0)
        let fd = open(path, O_WRONLY)
        try #require(fd >= 0)
        var byte: UInt8 = 0x58
        #expect(pwrite(fd, &byte, 1, 0) == 1)
        close(fd)
        var times = [before.st_atim, before.st_mtim]
        try #require(utimensat(AT_FDCWD, path, &times, 0) == 0)
        var after = stat()
        try #require(stat(path, &after) == 0)
        #expect(after.st_mtim.tv_sec == before.st_mtim.tv_sec && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec)
        #expect(after.st_size == before.st_size && after.st_ino == before.st_ino)
    }

    @Test func firstVerifiedReadStampsTheSettledEntryAndTheStampMatches() throws {
        let dir = try TemporaryDirectory()
        let (cache, entry) = try Self.settledCache(dir)
        #expect(!FileManager.default.fileExists(atPath: Self.stampPath(cache)))
        #expect(try cache.verifiedPath(sha256Hex: Self.hex) == entry)
        let identity = try #require(FileIdentity.of(path: entry))
        #expect(cache.hashStamps.matches(sha256Hex: Self.hex, identity: identity))
        #expect(try cache.verifiedPath(sha256Hex: Self.hex) == entry)
    }

    @Test func unsettledEntryIsNotStamped() throws {
        let dir = try TemporaryDirectory()
        var cache = ContentCache(root: dir.path + "/cache")
        cache.hashStampMinimumAge = 3600
        try cache.store(download: try dir.write("download.tmp", data: Self.content), sha256Hex: Self.hex)
        #expect(try cache.verifiedPath(sha256Hex: Self.hex) != nil)
        #expect(!FileManager.default.fileExists(atPath: Self.stampPath(cache)))
    }

    @Test func byteChangedInPlaceWithTimesRestoredIsStillDetected() throws {
        let dir = try TemporaryDirectory()
        let (cache, entry) = try Self.settledCache(dir)
        #expect(try cache.verifiedPath(sha256Hex: Self.hex) == entry)
        #expect(FileManager.default.fileExists(atPath: Self.stampPath(cache)))
        usleep(50_000)
        try Self.flipByteKeepingTimes(entry)
        // Same inode, size and mtime: only the ctime tells, and it must be enough.
        #expect(try cache.verifiedPath(sha256Hex: Self.hex) == nil)
        #expect(!FileManager.default.fileExists(atPath: entry))
        #expect(!FileManager.default.fileExists(atPath: Self.stampPath(cache)))
    }

    @Test func replacedFileIsRehashed() throws {
        let dir = try TemporaryDirectory()
        let (cache, entry) = try Self.settledCache(dir)
        #expect(try cache.verifiedPath(sha256Hex: Self.hex) == entry)
        var original = stat()
        try #require(stat(entry, &original) == 0)
        // A same-size impostor with the original's times, renamed over the entry (new inode).
        var tampered = [UInt8](Self.content)
        tampered[0] ^= 0x20
        let impostor = try dir.write("impostor", data: Data(tampered))
        var times = [original.st_atim, original.st_mtim]
        try #require(utimensat(AT_FDCWD, impostor, &times, 0) == 0)
        try #require(rename(impostor, entry) == 0)
        #expect(try cache.verifiedPath(sha256Hex: Self.hex) == nil)
        #expect(!FileManager.default.fileExists(atPath: entry))
    }

    @Test func replacedFileWithTheSameBytesIsRehashedAndRestamped() throws {
        let dir = try TemporaryDirectory()
        let (cache, entry) = try Self.settledCache(dir)
        #expect(try cache.verifiedPath(sha256Hex: Self.hex) == entry)
        let first = try #require(FileIdentity.of(path: entry))
        let copy = try dir.write("copy", data: Self.content)
        try #require(rename(copy, entry) == 0)
        usleep(120_000)
        let second = try #require(FileIdentity.of(path: entry))
        #expect(first.inode != second.inode)
        #expect(!cache.hashStamps.matches(sha256Hex: Self.hex, identity: second))
        #expect(try cache.verifiedPath(sha256Hex: Self.hex) == entry)
        #expect(cache.hashStamps.matches(sha256Hex: Self.hex, identity: second))
    }

    @Test func missingOrGarbledStampMeansRehash() throws {
        let dir = try TemporaryDirectory()
        let (cache, entry) = try Self.settledCache(dir)
        let identity = try #require(FileIdentity.of(path: entry))
        let stamps = cache.hashStamps
        #expect(!stamps.matches(sha256Hex: Self.hex, identity: identity))  // missing
        let valid = CacheHashStamps.format(identity, sha256Hex: Self.hex, key: Self.key)
        let garbled = [
            "", "garbage\n", valid.replacingOccurrences(of: "\n", with: ""),
            valid.replacingOccurrences(of: "wheeltrust-hashed-v2", with: "wheeltrust-hashed-v1"),
            // Right identity, MAC under another key (or none): what a cache attacker can write.
            CacheHashStamps.format(identity, sha256Hex: Self.hex, key: [UInt8](repeating: 1, count: CacheStampKey.byteCount)),
            String(valid.dropLast().dropLast(65)) + "\n",
            valid.replacingOccurrences(of: Self.digest, with: String(repeating: "0", count: 64)),
            valid.replacingOccurrences(of: " \(identity.inode) ", with: " \(identity.inode + 1) "),
            valid.replacingOccurrences(of: "\n", with: " \n"),
            valid + "trailing\n", String(repeating: "9", count: 600),
        ]
        for text in garbled {
            try dir.write("cache/checked/\(Self.digest.prefix(2))/\(Self.digest).hashed", text)
            #expect(!stamps.matches(sha256Hex: Self.hex, identity: identity), "\(text.prefix(40))")
        }
        // A garbled stamp costs a re-hash, which writes a valid one again.
        #expect(try cache.verifiedPath(sha256Hex: Self.hex) == entry)
        #expect(stamps.matches(sha256Hex: Self.hex, identity: identity))
        try dir.write("cache/checked/\(Self.digest.prefix(2))/\(Self.digest).hashed", valid)
        #expect(stamps.matches(sha256Hex: Self.hex, identity: identity))
    }

    @Test func invalidKeysAreNeverStamped() throws {
        let dir = try TemporaryDirectory()
        let stamps = CacheHashStamps(cacheRoot: dir.path, minimumAge: 0, key: Self.key)
        let identity = FileIdentity(
            device: 1, inode: 2, size: 3, modificationSeconds: 0, modificationNanoseconds: 0,
            changeSeconds: 0, changeNanoseconds: 0)
        // A key is a SHA256Hex: what is not 64 lowercase hex digits cannot name a stamp at all.
        #expect(SHA256Hex("../../x") == nil)
        #expect(SHA256Hex(Self.digest.uppercased()) == nil)
        #expect(stamps.path(Self.hex) == "\(dir.path)/checked/\(Self.digest.prefix(2))/\(Self.digest).hashed")
        stamps.record(sha256Hex: Self.hex, identity: identity, now: 0)
        #expect(stamps.matches(sha256Hex: Self.hex, identity: identity))
        let written = try FileManager.default.subpathsOfDirectory(atPath: dir.path)
        #expect(
            written.sorted() == ["checked", "checked/\(Self.digest.prefix(2))", "checked/\(Self.digest.prefix(2))/\(Self.digest).hashed"])
    }

    @Test func withoutAKeyNoStampIsWrittenOrTrusted() throws {
        let dir = try TemporaryDirectory()
        var (cache, entry) = try Self.settledCache(dir)
        cache.stampKey = nil
        #expect(try cache.verifiedPath(sha256Hex: Self.hex) == entry)
        #expect(!FileManager.default.fileExists(atPath: Self.stampPath(cache)), "no key, no stamp")
        let identity = try #require(FileIdentity.of(path: entry))
        try dir.write(
            "cache/checked/\(Self.digest.prefix(2))/\(Self.digest).hashed", CacheHashStamps.format(identity, sha256Hex: Self.hex, key: Self.key))
        #expect(!cache.hashStamps.matches(sha256Hex: Self.hex, identity: identity), "a stamp is never trusted without the key")
    }

    @Test func theKeyLivesOutsideTheCacheAndIsKept() throws {
        let dir = try TemporaryDirectory()
        let environment = ["HOME": dir.path]
        let key = try #require(CacheStampKey.load(environment: environment, cacheRoot: dir.path + "/cache"))
        #expect(key.count == CacheStampKey.byteCount)
        #expect(CacheStampKey.load(environment: environment, cacheRoot: dir.path + "/cache") == key, "created once, then read")
        let path = try #require(CacheStampKey.path(environment: environment))
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        // A cache that holds the key's directory: the key would be the cache attacker's.
        #expect(CacheStampKey.load(environment: environment, cacheRoot: dir.path) == nil)
        #expect(CacheStampKey.load(environment: ["XDG_STATE_HOME": dir.path + "/cache/state"], cacheRoot: dir.path + "/cache") == nil)
    }
}
