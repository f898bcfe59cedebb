import Foundation

/// Whether the backend's hooks can run without network, and how.
///
/// Guarantees: `.namespace` only after `unshare -rn` (a new user and network namespace: only a
/// loopback interface that is down, so no address is reachable) actually ran a program here;
/// otherwise `.unavailable` with the reason, which the output and the provenance state plainly.
public enum NetworkIsolation: Sendable, Hashable {
    case namespace(unshare: String)
    case unavailable(reason: String)

    /// Tries `unshare -rn /bin/true` (or `/usr/bin/true`).
    public static func probe() -> NetworkIsolation {
        guard let unshare = ["/usr/bin/unshare", "/bin/unshare"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            return .unavailable(reason: "no unshare program on this system")
        }
        guard let truePath = ["/bin/true", "/usr/bin/true"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            return .unavailable(reason: "no true program to probe unshare with")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: unshare)
        process.arguments = ["-rn", truePath]
        process.environment = [:]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return .unavailable(reason: "cannot run \(unshare): \(error.localizedDescription)") }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            return .unavailable(reason: "`unshare -rn` failed with status \(process.terminationStatus) (user namespaces not permitted here)")
        }
        return .namespace(unshare: unshare)
    }

    /// The command prefix that runs a program under this isolation.
    var prefix: [String] {
        switch self {
        case .namespace(let unshare): [unshare, "-rn", "--"]
        case .unavailable: []
        }
    }

    public var isIsolated: Bool {
        if case .namespace = self { return true }
        return false
    }

    /// One line for the output and the provenance.
    public var summary: String {
        switch self {
        case .namespace: "no network: the backend ran in a new user and network namespace (unshare -rn)"
        case .unavailable(let reason): "NOT isolated from the network: \(reason)"
        }
    }
}
