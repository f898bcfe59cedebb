/// Which distributions' installed RECORDs claim each path: only a hint, built once per run, so a
/// shared namespace directory does not make one package's files unexpected in another's.
///
/// Kept small for environments of tens of thousands of files: one entry per path naming its
/// first claimant, and a separate set for the few paths that more than one distribution claims.
public struct PathClaims: Sendable {
    private var firstOwner: [String: String] = [:]
    private var sharedPaths: Set<String> = []

    public init() {}

    /// Records that the distribution at `distInfo` claims `path`.
    public mutating func claim(_ path: String, by distInfo: String) {
        if let first = firstOwner[path] {
            if first != distInfo { sharedPaths.insert(path) }
        } else {
            firstOwner[path] = distInfo
        }
    }

    /// True when some distribution other than the one at `distInfo` claims `path`.
    public func isClaimed(_ path: String, byOtherThan distInfo: String) -> Bool {
        guard let first = firstOwner[path] else { return false }
        return first != distInfo || sharedPaths.contains(path)
    }
}
