import Foundation

/// The names in a few shared directories (site-packages, its `__pycache__`, the headers bases),
/// listed once per run instead of once per package: a whole-environment run of 140 packages would
/// otherwise read site-packages 140 times for the shadowing check alone.
///
/// Guarantees: the first listing of a directory is the one every later caller of this run sees (a
/// snapshot, as a walk is); thread-safe; names as ``FileSystem/children(_:)`` gives them.
public final class ListingCache: @unchecked Sendable {
    private let lock = NSLock()
    private var listings: [PathKey: [String]] = [:]

    public init() {}

    func children(_ directory: String) -> [String] {
        let key = PathKey(directory)
        lock.lock()
        if let known = listings[key] { lock.unlock(); return known }
        lock.unlock()
        let names = FileSystem.children(directory)
        lock.lock()
        defer { lock.unlock() }
        if let known = listings[key] { return known }
        listings[key] = names
        return names
    }
}
