import Foundation

/// A file path compared and hashed by its exact bytes.
///
/// Swift's `String` equality is Unicode canonical equivalence: `"café"` spelt with U+00E9 equals
/// `"cafe\u{301}"`. To the kernel, and to Python's import system, those are two different files.
/// Every set of paths that decides what is accounted for uses this key, so a canonically
/// equivalent twin of a verified file is never taken for it.
///
/// Guarantees: two keys are equal exactly when their UTF-8 bytes are equal.
public struct PathKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let path: String

    public init(_ path: String) {
        self.path = path
    }

    public static func == (lhs: PathKey, rhs: PathKey) -> Bool {
        compare(lhs, rhs) == 0
    }

    public func hash(into hasher: inout Hasher) {
        var copy = path
        copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Byte order (not Unicode order), so sorting is stable across twins.
    public static func < (lhs: PathKey, rhs: PathKey) -> Bool {
        compare(lhs, rhs) < 0
    }

    /// The paths' UTF-8 bytes compared as unsigned bytes, a shorter prefix first (memcmp on the
    /// strings' contiguous storage: these comparisons run for every installed file).
    static func compare(_ lhs: PathKey, _ rhs: PathKey) -> Int {
        var (left, right) = (lhs.path, rhs.path)
        return left.withUTF8 { a in
            right.withUTF8 { b in
                let shared = min(a.count, b.count)
                if shared > 0, let x = a.baseAddress, let y = b.baseAddress {
                    let order = memcmp(x, y, shared)
                    if order != 0 { return Int(order) }
                }
                return a.count - b.count
            }
        }
    }

    public var description: String { path }
}

/// A set of paths keyed by their bytes (see ``PathKey``).
public struct PathSet: Sendable, Sequence {
    private var keys: Set<PathKey>

    public init() { keys = [] }
    public init<S: Sequence>(_ paths: S) where S.Element == String { keys = Set(paths.lazy.map(PathKey.init)) }

    public func contains(_ path: String) -> Bool { keys.contains(PathKey(path)) }
    @discardableResult
    public mutating func insert(_ path: String) -> Bool { keys.insert(PathKey(path)).inserted }
    public mutating func remove(_ path: String) { keys.remove(PathKey(path)) }
    public mutating func formUnion<S: Sequence>(_ paths: S) where S.Element == String {
        for path in paths { keys.insert(PathKey(path)) }
    }
    public mutating func formUnion(_ other: PathSet) { keys.formUnion(other.keys) }
    public func filter(_ isIncluded: (String) -> Bool) -> PathSet {
        var result = PathSet()
        result.keys = keys.filter { isIncluded($0.path) }
        return result
    }
    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }
    /// The paths in byte order.
    public var sorted: [String] { keys.sorted().map(\.path) }

    public func makeIterator() -> some IteratorProtocol<String> {
        keys.lazy.map(\.path).makeIterator()
    }
}
