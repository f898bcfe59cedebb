import Foundation
import PythonPackaging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A content-addressed store of downloaded files: `<root>/sha256/<first two hex>/<full hex>`.
///
/// Guarantees: an entry is only ever created by renaming a complete file whose SHA-256 was
/// checked to equal its name, within the same directory (atomic on POSIX), so readers see either
/// no entry or a whole one. A file whose hash differs is deleted, never stored. Keys that are not
/// 64 hex digits never touch the file system (no path can escape `root`).
public struct ContentCache: Sendable {
    public let root: String
    /// How old an entry's times must be before its identity is stamped (tests shorten it).
    var hashStampMinimumAge: Double = 1

    /// The ``CacheStampKey`` for ``hashStamps``; nil: no stamp is trusted, every entry re-hashed.
    public var stampKey: [UInt8]?

    public init(root: String) {
        self.root = root
    }

    /// A cache whose hash stamps are authenticated with the ``CacheStampKey`` of `environment`
    /// (loaded, or created, outside the cache).
    public init(root: String, stampKeyFrom environment: [String: String]) {
        self.root = root
        stampKey = CacheStampKey.load(environment: environment, cacheRoot: root)
    }

    /// `$XDG_CACHE_HOME/wheeltrust` (when absolute), else `$HOME/.cache/wheeltrust`.
    public static func defaultRoot(environment: [String: String]) -> String {
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/wheeltrust" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.cache/wheeltrust"
    }

    /// The entry path for a digest: `<root>/sha256/<aa>/<hex>` (the digits keep it below `root`).
    public func path(sha256Hex: SHA256Hex) -> String {
        sha256Hex.shardedPath(under: root + "/sha256")
    }

    /// Whether a non-empty regular file exists for the digest; with `verify`, it is also
    /// re-hashed (a corrupt entry is deleted and reported absent).
    public func contains(sha256Hex: SHA256Hex, verify: Bool = false) -> Bool {
        if verify { return ((try? verifiedPath(sha256Hex: sha256Hex)) ?? nil) != nil }
        var info = stat()
        guard stat(path(sha256Hex: sha256Hex), &info) == 0 else { return false }
        return (info.st_mode & S_IFMT) == S_IFREG && info.st_size > 0
    }

    /// The entry's path once its bytes are known to equal its name; nil when absent; a corrupt
    /// entry is deleted and nil returned. Throws `cache` when the entry exists but cannot be read.
    ///
    /// The entry is re-hashed unless ``CacheHashStamps`` holds a stamp with exactly its current
    /// identity (device, inode, size, mtime and ctime with nanoseconds), written when it last
    /// hashed equal to its name; a re-hash that matches and saw no change while reading writes
    /// that stamp (for entries whose times are settled).
    public func verifiedPath(sha256Hex hex: SHA256Hex) throws(IndexError) -> String? {
        guard contains(sha256Hex: hex) else { return nil }
        let entry = path(sha256Hex: hex)
        if let identity = FileIdentity.of(path: entry), hashStamps.matches(sha256Hex: hex, identity: identity) {
            return entry
        }
        let hashed: (digest: FileDigest, size: Int64, before: FileIdentity, after: FileIdentity)
        do {
            hashed = try FileHashing.digestAndIdentity(ofFileAt: entry, algorithm: .sha256)
        } catch {
            throw IndexError(.cache, "cannot read cache entry \(entry): \(error.message)")
        }
        if hashed.digest.hex != hex.text {
            hashStamps.remove(sha256Hex: hex)
            unlink(entry)
            return nil
        }
        if hashed.before == hashed.after {
            hashStamps.record(sha256Hex: hex, identity: hashed.after)
        }
        return entry
    }

    /// Where the identities of entries last found equal to their name are kept.
    public var hashStamps: CacheHashStamps { CacheHashStamps(cacheRoot: root, minimumAge: hashStampMinimumAge, key: stampKey) }

    /// A fresh path under `<root>/tmp` (created if needed) to download into: on the cache's file
    /// system, so `store(download:sha256Hex:)` is a plain rename. Nothing is created at the path.
    public func temporaryPath() -> String {
        let directory = root + "/tmp"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return "\(directory)/download-\(UUID().uuidString)"
    }

    /// Moves the file at `download` into the cache under `sha256Hex` after checking its hash.
    /// The source file is consumed (moved, or copied then removed when on another file system).
    /// A mismatching file is deleted and a `cache` error thrown.
    public func store(download: String, sha256Hex hex: SHA256Hex) throws(IndexError) {
        let actual: String
        do {
            actual = try FileHashing.digest(ofFileAt: download, algorithm: .sha256).digest.hex
        } catch {
            throw IndexError(.cache, "cannot hash \(download) for the cache: \(error.message)")
        }
        guard actual == hex.text else {
            unlink(download)
            throw IndexError(.cache, "refused to cache \(download): sha256 is \(actual), expected \(hex)")
        }
        let final = path(sha256Hex: hex)
        let directory = String(final[..<(final.lastIndex(of: "/") ?? final.endIndex)])
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw IndexError(.cache, "cannot create cache directory \(directory)")
        }
        let temporary = "\(directory)/.tmp-\(UUID().uuidString)"
        if rename(download, temporary) != 0 {
            let renameErrno = errno
            guard renameErrno == EXDEV else {
                throw IndexError(.cache, "cannot move \(download) into the cache: \(String(cString: strerror(renameErrno)))")
            }
            do {
                try FileManager.default.copyItem(atPath: download, toPath: temporary)
            } catch {
                unlink(temporary)
                throw IndexError(.cache, "cannot copy \(download) into the cache \(directory)")
            }
            unlink(download)
        }
        guard rename(temporary, final) == 0 else {
            let code = errno
            unlink(temporary)
            throw IndexError(.cache, "cannot rename into cache entry \(final): \(String(cString: strerror(code)))")
        }
    }
}
