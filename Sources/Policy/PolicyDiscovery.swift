import Foundation
import PythonPackaging

/// Finds and loads the policy a command uses: `--policy FILE`, else `$WHEELTRUST_POLICY`, else
/// `$XDG_CONFIG_HOME/wheeltrust/policy.toml` (or `~/.config/wheeltrust/policy.toml` when
/// `XDG_CONFIG_HOME` is unset or empty), else the built-in default (``BuiltInPolicy``).
///
/// Guarantees: a file named by `--policy` or `$WHEELTRUST_POLICY` must exist and load (a missing
/// one is an error, never a silent fall back to the default); the user configuration file is used
/// when it exists (as a regular file or anything else: a directory or FIFO in its place is an
/// error, not skipped); the policy's `sha256` is of the exact bytes parsed.
public enum PolicyDiscovery {
    /// Where the policy comes from, before it is read.
    public enum Location: Sendable, Hashable {
        case file(String, PolicyOrigin)
        case builtIn
    }

    /// The location the rules above choose.
    public static func locate(explicit: String?, environment: [String: String], homeDirectory: String) -> Location {
        if let explicit { return .file(explicit, .option) }
        if let named = environment["WHEELTRUST_POLICY"], !named.isEmpty { return .file(named, .environment) }
        let configHome: String
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty {
            configHome = xdg
        } else {
            configHome = (homeDirectory as NSString).appendingPathComponent(".config")
        }
        let path = (configHome as NSString).appendingPathComponent("wheeltrust/policy.toml")
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) || Self.isDanglingLink(path) {
            return .file(path, .userConfiguration)
        }
        return .builtIn
    }

    static func isDanglingLink(_ path: String) -> Bool {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil
    }

    /// Loads the policy at `location`.
    public static func load(_ location: Location) throws(PolicyError) -> Policy {
        switch location {
        case .builtIn:
            return try BuiltInPolicy.policy()
        case .file(let path, let origin):
            return try load(path: path, origin: origin)
        }
    }

    /// Reads and parses the policy file at `path` (bounded, regular files only).
    public static func load(path: String, origin: PolicyOrigin = .option) throws(PolicyError) -> Policy {
        let bytes: [UInt8]
        do {
            bytes = try BoundedFile.read(path, cap: PolicyParser.maxBytes)
        } catch where error.code == .limitExceeded {
            throw PolicyError(.unreadable, file: path, line: nil, "larger than \(PolicyParser.maxBytes) bytes")
        } catch {
            throw PolicyError(.unreadable, file: path, line: nil, "cannot read the policy file (\(error.message))")
        }
        let directory = (path as NSString).deletingLastPathComponent
        return try PolicyParser.parse(bytes, file: path, baseDirectory: directory.isEmpty ? "." : directory, origin: origin)
    }
}

/// The policy used when nothing names one: today's trust, written in the policy format itself
/// (Red Hat release key 3, and keyless bound to the publisher the index names; provenance
/// required of every package).
///
/// Guarantees: it is parsed by the same ``PolicyParser`` as any file, so it obeys every rule a
/// file does, and its `sha256` is that of `text`.
public enum BuiltInPolicy {
    public static let name = "built-in policy"

    public static let text = """
        # wheeltrust's built-in policy: every package needs a signed provenance, by Red Hat
        # release key 3 or by the Trusted Publisher the index names for it (Sigstore keyless).
        version = 1

        [keys.redhat]
        builtin = "redhat-release3"

        [[rule]]
        packages = ["*"]
        require = "provenance"
        keys = ["redhat"]
        keyless = "index-publisher"

        """

    public static func policy() throws(PolicyError) -> Policy {
        var policy = try PolicyParser.parse(Array(text.utf8), file: name, baseDirectory: "/", origin: .builtIn)
        policy.path = nil
        return policy
    }
}
