import PythonPackaging

/// Maps the paths a wheel's RECORD lists to the paths an installer writes them to.
///
/// Guarantees: every returned path is absolute, lies under one of the environment's scheme
/// directories, and contains no `..`, `.` or empty component; a RECORD path that would escape
/// gives `nil` (the caller reports it as a failure, never a skip). Files at the wheel's root go to
/// purelib or platlib as `Root-Is-Purelib` says; `<name>-<ver>.data/<scheme>/…` go to that scheme's
/// directory. The installed RECORD is used only as a hint for where `headers` landed, and only when
/// that place is inside the environment.
public struct InstallLayout: Sendable {
    /// The scheme directories of the environment being checked.
    public let scheme: PythonEnvironment.SchemePaths
    /// The environment's prefix (`sys.prefix`); headers must land below it.
    public let prefix: String
    /// Python `major.minor`, for pip's headers directory.
    public let pythonVersion: String

    public init(scheme: PythonEnvironment.SchemePaths, prefix: String, pythonVersion: String) {
        self.scheme = scheme
        self.prefix = prefix
        self.pythonVersion = pythonVersion
    }

    /// Which scheme directory a RECORD entry belongs to.
    public enum Destination: String, Sendable {
        case purelib, platlib, scripts, headers, data
    }

    /// The install path and scheme for a wheel RECORD path, or nil when the path is unsafe or
    /// names an unknown `.data` scheme.
    ///
    /// - Parameters:
    ///   - recordPath: the path exactly as the wheel's RECORD lists it.
    ///   - dataDirectory: the wheel's `<name>-<ver>.data` directory name.
    ///   - rootIsPurelib: from the wheel's WHEEL file.
    ///   - distributionName: the raw project name, for pip's headers directory.
    ///   - installedHint: resolves a relative path to where the installed RECORD says it went.
    public func installPath(
        forRecordPath recordPath: String,
        dataDirectory: String,
        rootIsPurelib: Bool,
        distributionName: String,
        installedHint: (String) -> String? = { _ in nil }
    ) -> (path: String, destination: Destination)? {
        guard let parts = Self.safeComponents(recordPath) else { return nil }
        if parts.count >= 3, parts[0] == dataDirectory {
            let rest = Array(parts[2...])
            let relative = rest.joined(separator: "/")
            switch parts[1] {
            case "purelib": return (Self.join(scheme.purelib, rest), .purelib)
            case "platlib": return (Self.join(scheme.platlib, rest), .platlib)
            case "scripts": return (Self.join(scheme.scripts, rest), .scripts)
            case "data": return (Self.join(scheme.data, rest), .data)
            case "headers":
                if let hinted = installedHint(relative), hinted.hasPrefix(prefix + "/"),
                   Self.safeComponents(String(hinted.dropFirst(prefix.count + 1))) != nil {
                    return (hinted, .headers)
                }
                let base = Self.join(prefix, ["include", "site", "python\(pythonVersion)", distributionName])
                return (Self.join(base, rest), .headers)
            default: return nil
            }
        }
        let root = rootIsPurelib ? scheme.purelib : scheme.platlib
        return (Self.join(root, parts), rootIsPurelib ? .purelib : .platlib)
    }

    /// Splits a relative path into components, refusing absolute paths, `..`, `.`, empty
    /// components, backslashes and NUL.
    public static func safeComponents(_ path: String) -> [String]? {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\\"), !path.contains("\0") else { return nil }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for part in parts where part.isEmpty || part == "." || part == ".." { return nil }
        return parts
    }

    static func join(_ base: String, _ parts: [String]) -> String {
        ([base.hasSuffix("/") ? String(base.dropLast()) : base] + parts).joined(separator: "/")
    }
}

/// Resolves a path as an installed RECORD lists it (relative to the site-packages directory that
/// holds the `.dist-info`, possibly with `../` to reach `bin/` or `include/`) to an absolute,
/// lexically normalised path. Returns nil for a path that climbs above `/`.
public func resolveInstalledRecordPath(_ path: String, root: String) -> String? {
    if path.contains("\0") { return nil }
    var stack: [Substring] = path.hasPrefix("/") ? [] : root.split(separator: "/")
    for part in path.split(separator: "/", omittingEmptySubsequences: true) {
        switch part {
        case ".": continue
        case "..":
            if stack.isEmpty { return nil }
            stack.removeLast()
        default: stack.append(part)
        }
    }
    return "/" + stack.joined(separator: "/")
}
