import Foundation
import PythonPackaging

/// Whether the backend's hooks can run without network, and how.
///
/// Guarantees: `.namespace` only after `unshare -rn` (a new user and network namespace: only a
/// loopback interface that is down, so no address is reachable) actually ran a program here;
/// otherwise `.unavailable` with the reason, which the output and the provenance state plainly.
public enum NetworkIsolation: Sendable, Hashable {
    case namespace(unshare: String)
    case unavailable(reason: String)

    /// Tries `unshare -rn /bin/true` (or `/usr/bin/true`), through the one process runner (awaited
    /// off Swift's cooperative pool; stopped after 30 s).
    public static func probe() async -> NetworkIsolation {
        guard let unshare = ["/usr/bin/unshare", "/bin/unshare"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            return .unavailable(reason: "no unshare program on this system")
        }
        guard let truePath = ["/bin/true", "/usr/bin/true"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            return .unavailable(reason: "no true program to probe unshare with")
        }
        let status: Int32
        do {
            status = try await InterpreterProcess.run(
                unshare, arguments: ["-rn", truePath], environment: [:], timeoutSeconds: 30, maxOutputBytes: 64 << 10
            ).status
        } catch {
            return .unavailable(reason: error.message)
        }
        guard status == 0 else {
            return .unavailable(reason: "`unshare -rn` failed with status \(status) (user namespaces not permitted here)")
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
