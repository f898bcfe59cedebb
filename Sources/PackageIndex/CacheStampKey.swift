import Crypto
import Foundation
import PythonPackaging

/// The secret that authenticates ``CacheHashStamps``: 32 random bytes in a file outside the cache,
/// `$XDG_STATE_HOME/wheeltrust/cache-stamp.key` (when absolute), else
/// `$HOME/.local/state/wheeltrust/cache-stamp.key`, created with mode 0600 on first use.
///
/// Whoever can write the cache can write a stamp too, and a stamp lets a cached wheel skip its
/// hash: without a key it would let a forged wheel stand under a genuine wheel's name. With one, a
/// stamp only counts when its MAC (HMAC-SHA256 under this key) is right, which nobody without
/// the key file can make; a cache restored from elsewhere (a CI cache) then just re-hashes.
///
/// Guarantees: ``load(environment:cacheRoot:)`` gives the key or nil, never throws. Nil (stamps are
/// then neither trusted nor written, so every cached entry is re-hashed before use) when no home
/// is known, when the key file would lie inside the cache root (as written or resolved), when the
/// file is a link, not a regular file, or not exactly 32 bytes, or when it cannot be created.
public enum CacheStampKey {
    public static let byteCount = 32

    /// Where the key lives for `environment`; nil without an absolute state or home directory.
    public static func path(environment: [String: String]) -> String? {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/wheeltrust/cache-stamp.key" }
        guard let home = environment["HOME"], home.hasPrefix("/") else { return nil }
        return home + "/.local/state/wheeltrust/cache-stamp.key"
    }

    /// The key for a cache at `cacheRoot`, created when absent.
    public static func load(environment: [String: String], cacheRoot: String) -> [UInt8]? {
        guard let path = path(environment: environment) else { return nil }
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // Inside the cache, the key would be the attacker's to read or write.
        let cache = PathResolution.absolute(cacheRoot)
        let realCache = URL(fileURLWithPath: cache).resolvingSymlinksInPath().path
        let realDirectory = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
        for root in [cache, realCache] {
            for place in [directory, realDirectory] where place == root || place.hasPrefix(root + "/") { return nil }
        }
        if let bytes = try? BoundedFile.read(path, cap: byteCount, followLinks: false) {
            return bytes.count == byteCount ? bytes : nil
        }
        guard !FileManager.default.fileExists(atPath: path) else { return nil }  // there but unreadable: no stamps
        var generator = SystemRandomNumberGenerator()
        let key = (0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        do { try AtomicFile.write(key, to: path, mode: 0o600, creatingDirectory: false) } catch { return nil }
        return key
    }

    /// HMAC-SHA256 of `message` under `key`, as lowercase hex.
    static func mac(_ message: String, key: [UInt8]) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: key))
        return code.map { String($0, radix: 16).leftPaddedHex }.joined()
    }
}

private extension String {
    var leftPaddedHex: String { count == 1 ? "0" + self : self }
}
