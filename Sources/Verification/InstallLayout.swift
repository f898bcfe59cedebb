import PythonPackaging

/// Maps the paths a wheel's RECORD lists to the paths an installer writes them to.
///
/// Guarantees: every returned path is absolute, lies under one of the environment's scheme
/// directories, and contains no `..`, `.` or empty component; a RECORD path that would escape
/// gives `nil` (the caller reports it as a failure, never a skip). Files at the wheel's root go to
/// purelib or platlib as `Root-Is-Purelib` says; `<name>-<ver>.data/<scheme>/…` go to that scheme's
/// directory. The installed RECORD is never consulted: where a file lives follows from the verified
/// RECORD and the scheme alone (``headerCandidates(for:distributionName:)`` for headers).
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
    public func installPath(
        forRecordPath recordPath: String,
        dataDirectory: String,
        rootIsPurelib: Bool,
        distributionName: String
    ) -> (path: String, destination: Destination)? {
        let root = rootIsPurelib ? scheme.purelib : scheme.platlib
        // The common case, without splitting: a plain relative path whose first component cannot
        // be the `.data` directory (it does not end in `.data`) goes under the root as it is, the
        // result of the general path below.
        if isPlainPath(recordPath.utf8, absolute: false), !recordPath.utf8.contains(UInt8(ascii: "\\")),
            !Self.firstComponentEndsInData(recordPath.utf8)
        {
            return (Self.join(root, [recordPath]), rootIsPurelib ? .purelib : .platlib)
        }
        guard let parts = Self.safeComponents(recordPath) else { return nil }
        if parts.count >= 3, parts[0] == dataDirectory {
            let rest = Array(parts[2...])
            switch parts[1] {
            case "purelib": return (Self.join(scheme.purelib, rest), .purelib)
            case "platlib": return (Self.join(scheme.platlib, rest), .platlib)
            case "scripts": return (Self.join(scheme.scripts, rest), .scripts)
            case "data": return (Self.join(scheme.data, rest), .data)
            case "headers":
                return (Self.join(Self.join(headerBases[0], [distributionName]), rest), .headers)
            default: return nil
            }
        }
        return (Self.join(root, parts), rootIsPurelib ? .purelib : .platlib)
    }

    /// The directories under which installers put a distribution's headers directory: pip and uv
    /// use `<prefix>/include/site/pythonX.Y/<name>` in a virtual environment; pip uses the
    /// interpreter's `include` directory outside one.
    public var headerBases: [String] {
        [Self.join(prefix, ["include", "site", "python\(pythonVersion)"]), scheme.include]
    }

    /// Every place a header that ``installPath(forRecordPath:dataDirectory:rootIsPurelib:distributionName:)``
    /// mapped to `path` may have been installed: below each of ``headerBases``, in each existing
    /// directory whose name is a spelling of the project's name (pip names it as the requirement
    /// was written, uv by the normalised name), the same relative path, when a file is there; else
    /// `path` alone (where it is then missing). Each place found is checked: a second copy in
    /// another spelling cannot stand in for the one Python's build tools would find.
    public func headerCandidates(
        for path: String, distributionName: String,
        exists: (String) -> Bool, children: (String) -> [String]
    ) -> [String] {
        let defaultDirectory = Self.join(headerBases[0], [distributionName])
        guard path.hasPrefix(defaultDirectory + "/") else { return [path] }
        let relative = String(path.dropFirst(defaultDirectory.count + 1))
        let wanted = ProjectName(distributionName)
        var found: [String] = []
        for base in Set(headerBases).sorted() where !base.isEmpty {
            for name in children(base).sorted() where ProjectName(name) == wanted && !name.contains("/") {
                let candidate = Self.join(base, [name, relative])
                if exists(candidate) { found.append(candidate) }
            }
        }
        return found.isEmpty ? [path] : found
    }

    /// True when `path` is below one of `directories`, each a top-level directory of purelib or
    /// platlib (a package directory or a `.dist-info`), compared by bytes; one set lookup per root,
    /// whatever the number of directories.
    public func isInside(_ directories: Set<PathKey>, path: String) -> Bool {
        if directories.isEmpty { return false }
        for root in [scheme.purelib, scheme.platlib] {
            let utf8 = path.utf8
            guard utf8.count > root.utf8.count + 1, utf8.starts(with: root.utf8),
                utf8[utf8.index(utf8.startIndex, offsetBy: root.utf8.count)] == UInt8(ascii: "/")
            else { continue }
            let start = utf8.index(utf8.startIndex, offsetBy: root.utf8.count + 1)
            guard let slash = utf8[start...].firstIndex(of: UInt8(ascii: "/")) else { continue }
            if directories.contains(PathKey(String(path[..<slash]))) { return true }
        }
        return false
    }

    static func firstComponentEndsInData(_ bytes: String.UTF8View) -> Bool {
        let first = bytes.prefix { $0 != UInt8(ascii: "/") }
        return first.count >= 5 && first.suffix(5).elementsEqual(".data".utf8)
    }

    /// Splits a relative path into components, refusing absolute paths, `..`, `.`, empty
    /// components, backslashes and NUL.
    public static func safeComponents(_ path: String) -> [String]? {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.utf8.contains(UInt8(ascii: "\\")), !path.utf8.contains(0) else { return nil }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for part in parts where part.isEmpty || part == "." || part == ".." { return nil }
        return parts
    }

    static func join(_ base: String, _ parts: [String]) -> String {
        var joined = base.hasSuffix("/") ? String(base.dropLast()) : base
        for part in parts {
            joined += "/"
            joined += part
        }
        return joined
    }
}

/// Resolves a path as an installed RECORD lists it (relative to the site-packages directory that
/// holds the `.dist-info`, possibly with `../` to reach `bin/` or `include/`) to an absolute,
/// lexically normalised path. Returns nil for a path that climbs above `/`.
public func resolveInstalledRecordPath(_ path: String, root: String) -> String? {
    resolveInstalledRecordPath(path, root: root, rootIsPlain: root.utf8.count > 1 && isPlainPath(root.utf8, absolute: true))
}

/// The absolute paths `distribution`'s installed RECORD lists (see ``resolveInstalledRecordPath(_:root:)``;
/// paths that climb above `/` are left out). Only a hint of what the installer wrote.
func resolvedInstalledRecordPaths(of distribution: InstalledDistribution) -> Set<String> {
    let root = distribution.root
    let rootIsPlain = root.utf8.count > 1 && isPlainPath(root.utf8, absolute: true)
    var paths: Set<String> = []
    for listed in distribution.installedRecordPaths() {
        if let path = resolveInstalledRecordPath(listed, root: root, rootIsPlain: rootIsPlain) { paths.insert(path) }
    }
    return paths
}

/// `rootIsPlain`: `root` is an absolute path longer than `/` with no empty, `.` or `..` part.
func resolveInstalledRecordPath(_ path: String, root: String, rootIsPlain: Bool) -> String? {
    // The common case (every file of a package below site-packages) without splitting: a plain
    // relative path under an already normal absolute root resolves to their concatenation.
    if rootIsPlain, isPlainPath(path.utf8, absolute: false) {
        return root + "/" + path
    }
    if path.utf8.contains(0) { return nil }
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

/// True when `bytes` is a path with no empty, `.` or `..` component and no NUL byte: absolute
/// (leading `/`) or relative as asked, never ending in `/`. Such a path is already normalised.
func isPlainPath(_ bytes: String.UTF8View, absolute: Bool) -> Bool {
    let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
    var iterator = bytes.makeIterator()
    if absolute {
        guard iterator.next() == slash else { return false }
    }
    var length = 0  // bytes in the current component
    var dots = 0  // how many of them are dots
    var sawAny = false
    while let byte = iterator.next() {
        sawAny = true
        if byte == 0 { return false }
        if byte == slash {
            if length == 0 || (length == dots && dots <= 2) { return false }
            length = 0
            dots = 0
        } else {
            length += 1
            if byte == dot { dots += 1 }
        }
    }
    guard sawAny, length > 0 else { return false }
    return !(length == dots && dots <= 2)
}
