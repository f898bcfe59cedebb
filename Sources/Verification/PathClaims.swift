/// Which distributions' installed RECORDs claim each path: only a hint, built once per run, so a
/// shared namespace directory does not make one package's files unexpected in another's.
public struct PathClaims: Sendable {
    private var owners: [String: [String]] = [:]

    public init() {}

    /// Records that the distribution at `distInfo` claims `path`.
    public mutating func claim(_ path: String, by distInfo: String) {
        owners[path, default: []].append(distInfo)
    }

    /// True when some distribution other than the one at `distInfo` claims `path`.
    public func isClaimed(_ path: String, byOtherThan distInfo: String) -> Bool {
        owners[path]?.contains { $0 != distInfo } ?? false
    }
}
