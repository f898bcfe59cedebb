import Foundation
import PythonPackaging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which cached wheels were already found consistent with their own RECORD:
/// an empty marker file `<cache>/checked/<first two hex>/<sha256>` per wheel.
///
/// Guarantees: a marker is only written after ``PythonPackaging/Wheel/checkMembers()`` found the
/// wheel clean (every member recorded, present and matching), keyed by the sha256 of the very
/// bytes checked (the pipeline re-hashes the content-addressed cache entry on every run unless its
/// file identity is unchanged since it last hashed equal to its name, see
/// ``PackageIndex/CacheHashStamps``, so the key always names the bytes now in use). That check is a pure function of those bytes, so a
/// marker only saves inflating and re-hashing every member again; it never stands in for the
/// signature, the index's hash or the installed files. Markers are written atomically (temporary
/// file in the same directory, then rename); a key that is not 64 lowercase hex digits is never
/// looked up or written, so no path can escape `root`.
public struct WheelContentsMemo: Sendable {
    /// `<cache root>/checked`.
    public let root: String

    public init(cacheRoot: String) {
        self.root = cacheRoot + "/checked"
    }

    /// True when the wheel with this sha256 was found clean before.
    public func isChecked(sha256Hex: String) -> Bool {
        guard let path = path(sha256Hex) else { return false }
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// Records that the wheel with this sha256 was found clean; failures only cost the memo.
    public func markChecked(sha256Hex: String) {
        guard let path = path(sha256Hex) else { return }
        try? AtomicFile.write([UInt8](), to: path)
    }

    func path(_ sha256Hex: String) -> String? {
        SHA256Hex(sha256Hex)?.shardedPath(under: root)
    }
}
