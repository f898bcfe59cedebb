import Foundation
import PythonPackaging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which cache entries were hashed and found equal to their name, and the ``FileIdentity`` they
/// had then: one small text file `<cache>/checked/<first two hex>/<sha256>.hashed` per entry,
/// beside the wheel-contents memo markers.
///
/// What it trusts: that a file whose device, inode, size, modification time and status-change
/// time (both with nanoseconds) are all unchanged since it was hashed still holds the bytes that
/// were hashed. Writing to the file, truncating it, replacing it (new inode) or touching its times
/// (`utimensat`) changes the status-change time, which user space cannot set, so any of those is
/// seen and the entry re-hashed. It does not defend against whoever can set the system clock back
/// or write the disk's block device (root), who can equally change the binary. To keep a change
/// from hiding in the clock tick of the last status change, a stamp is only written for an entry
/// whose times are at least `minimumAge` seconds old when its hash finished, and only when the
/// identity before the first read equals the one after the last (nothing changed while hashing).
///
/// Guarantees: a missing, unreadable or garbled stamp, or one for another digest, never matches
/// (the entry is re-hashed as without stamps). Stamps are written atomically (temporary file in
/// the same directory, then rename); a key that is not 64 lowercase hex digits is never looked up
/// or written, so no path can escape the cache root.
public struct CacheHashStamps: Sendable {
    /// `<cache root>/checked`.
    public let root: String
    /// How old an entry's times must be before a stamp is written for it.
    public let minimumAge: Double
    /// The ``CacheStampKey`` that authenticates stamps; without one no stamp is trusted or written
    /// (the cache, stamps included, is the attacker's to write: an unauthenticated stamp would let
    /// a forged wheel skip its hash).
    public let key: [UInt8]?

    public init(cacheRoot: String, minimumAge: Double = 1, key: [UInt8]? = nil) {
        self.root = cacheRoot + "/checked"
        self.minimumAge = minimumAge
        self.key = key
    }

    /// True when a stamp for this digest exists, its MAC verifies under ``key`` and it records
    /// exactly `identity`.
    public func matches(sha256Hex: SHA256Hex, identity: FileIdentity) -> Bool {
        guard let key, let text = Self.readStamp(path(sha256Hex)) else { return false }
        return Self.parse(text, sha256Hex: sha256Hex, key: key) == identity
    }

    /// Records that the entry with `identity` hashed to `sha256Hex`, when `identity` is settled
    /// (see the type's documentation); failures only cost the stamp.
    public func record(sha256Hex: SHA256Hex, identity: FileIdentity, now: Double = FileIdentity.now()) {
        guard let key, identity.isSettled(now: now, minimumAge: minimumAge) else { return }
        try? AtomicFile.write(Array(Self.format(identity, sha256Hex: sha256Hex, key: key).utf8), to: path(sha256Hex))
    }

    /// Removes the stamp for this digest (after the entry was found corrupt or deleted).
    public func remove(sha256Hex: SHA256Hex) {
        unlink(path(sha256Hex))
    }

    func path(_ sha256Hex: SHA256Hex) -> String {
        sha256Hex.shardedPath(under: root, suffix: ".hashed")
    }

    static let magic = "wheeltrust-hashed-v2"

    /// One line: the magic, the digest, the identity's seven numbers, and the HMAC of all that.
    static func format(_ identity: FileIdentity, sha256Hex: SHA256Hex, key: [UInt8]) -> String {
        let body =
            "\(magic) \(sha256Hex) \(identity.device) \(identity.inode) \(identity.size) "
            + "\(identity.modificationSeconds) \(identity.modificationNanoseconds) "
            + "\(identity.changeSeconds) \(identity.changeNanoseconds)"
        return body + " " + CacheStampKey.mac(body, key: key) + "\n"
    }

    /// The identity in a stamp's text, nil unless it is exactly one well-formed line for `sha256Hex`
    /// whose MAC verifies under `key`.
    static func parse(_ text: String, sha256Hex: SHA256Hex, key: [UInt8]) -> FileIdentity? {
        guard text.hasSuffix("\n") else { return nil }
        let line = text.dropLast()
        guard let lastSpace = line.lastIndex(of: " ") else { return nil }
        let body = String(line[..<lastSpace])
        let expected = Array(CacheStampKey.mac(body, key: key).utf8), given = Array(line[line.index(after: lastSpace)...].utf8)
        // Compared in full whatever the first difference (no early exit to time).
        guard expected.count == given.count, zip(expected, given).reduce(UInt8(0), { $0 | ($1.0 ^ $1.1) }) == 0 else { return nil }
        let fields = body.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 9, fields[0] == magic, fields[1] == sha256Hex.text,
            let device = UInt64(fields[2]), let inode = UInt64(fields[3]), let size = Int64(fields[4]),
            let mtime = Int64(fields[5]), let mtimeNanoseconds = Int64(fields[6]),
            let ctime = Int64(fields[7]), let ctimeNanoseconds = Int64(fields[8])
        else { return nil }
        return FileIdentity(
            device: device, inode: inode, size: size, modificationSeconds: mtime,
            modificationNanoseconds: mtimeNanoseconds, changeSeconds: ctime, changeNanoseconds: ctimeNanoseconds)
    }

    /// The stamp's text (at most 512 bytes, regular files only), nil when absent or unreadable.
    static func readStamp(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size > 0, info.st_size <= 512 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        return String(validating: buffer[0..<count], as: UTF8.self)
    }
}
