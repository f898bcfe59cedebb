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
/// file in the same directory, then rename); keys are `SHA256Hex` values (64 lowercase hex digits),
/// so no path can escape `root`.
public struct WheelContentsMemo: Sendable {
    /// `<cache root>/checked`.
    public let root: String

    public init(cacheRoot: String) {
        self.root = cacheRoot + "/checked"
    }

    /// True when the wheel with this sha256 was found clean before.
    public func isChecked(sha256Hex: SHA256Hex) -> Bool {
        var info = stat()
        return lstat(path(sha256Hex), &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// Records that the wheel with this sha256 was found clean; failures only cost the memo.
    public func markChecked(sha256Hex: SHA256Hex) {
        try? AtomicFile.write([UInt8](), to: path(sha256Hex))
    }

    func path(_ sha256Hex: SHA256Hex) -> String {
        sha256Hex.shardedPath(under: root)
    }
}
