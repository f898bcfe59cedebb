import PythonPackaging

/// Which distributions' installed RECORDs claim each path: only a hint, built once per run. A claim
/// never accounts for a file by itself: a file in one package's directories that another
/// distribution's installed RECORD claims is held until that distribution's *verified* wheel is
/// shown to own it (see ``InstalledFilesVerifier/Outcome/deferredClaims``), so a fake or
/// unverified `.dist-info` cannot vouch for anything.
///
/// Kept small for environments of tens of thousands of files: a path is stored as the first 128
/// bits of its SHA-256 (16 bytes instead of a ~100-byte string; two different paths share a key
/// with probability about n²/2¹²⁹, ~2⁻⁹⁸ for 40,000 paths, and finding such a pair is as hard as
/// a 128-bit collision of SHA-256), its first claimant as a small index into the list of
/// distributions, and the few paths more than one distribution claims in a separate set.
public struct PathClaims: Sendable {
    struct Key: Hashable, Sendable {
        var high: UInt64
        var low: UInt64

        init(_ path: String) {
            var hasher = StreamingHasher(algorithm: .sha256)
            var path = path
            path.withUTF8 { hasher.update(UnsafeRawBufferPointer($0)) }
            let bytes = hasher.finalize().bytes
            var high: UInt64 = 0, low: UInt64 = 0
            for index in 0..<8 { high = high << 8 | UInt64(bytes[index]) }
            for index in 8..<16 { low = low << 8 | UInt64(bytes[index]) }
            self.high = high
            self.low = low
        }
    }

    private var firstOwner: [Key: Int32] = [:]
    /// Every claimant of the few paths more than one distribution claims, in claim order.
    private var sharedPaths: [Key: [Int32]] = [:]
    private var owners: [String] = []
    private var ownerIndex: [String: Int32] = [:]

    public init() {}

    /// Records that the distribution at `distInfo` claims `path`.
    public mutating func claim(_ path: String, by distInfo: String) {
        claim(Key(path), by: distInfo)
    }

    /// Records a claim on a path already reduced to its key (so keys can be computed in parallel).
    mutating func claim(_ key: Key, by distInfo: String) {
        let owner: Int32
        if let known = ownerIndex[distInfo] {
            owner = known
        } else {
            owner = Int32(owners.count)
            owners.append(distInfo)
            ownerIndex[distInfo] = owner
        }
        if let first = firstOwner[key] {
            if first != owner {
                var all = sharedPaths[key] ?? [first]
                if !all.contains(owner) { all.append(owner) }
                sharedPaths[key] = all
            }
        } else {
            firstOwner[key] = owner
        }
    }

    /// True when some distribution other than the one at `distInfo` claims `path`.
    public func isClaimed(_ path: String, byOtherThan distInfo: String) -> Bool {
        !claimants(of: path, otherThan: distInfo).isEmpty
    }

    /// The `.dist-info` paths of the distributions other than `distInfo` whose installed RECORDs
    /// claim `path`, in the order they were entered.
    public func claimants(of path: String, otherThan distInfo: String) -> [String] {
        let key = Key(path)
        guard let first = firstOwner[key] else { return [] }
        let all = sharedPaths[key] ?? [first]
        return all.map { owners[Int($0)] }.filter { $0 != distInfo }
    }
}
