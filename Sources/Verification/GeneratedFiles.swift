/// Recognises the files an installer adds that a wheel's RECORD cannot list.
///
/// Only these kinds count as "generated" (accounted for, not failures): the `.dist-info` files
/// `INSTALLER`, `REQUESTED`, `direct_url.json`, uv's `uv_cache.json` (written when uv installs from
/// local files; data, never imported) and the rewritten `RECORD`; and `__pycache__/*.pyc`
/// whose source module the verified RECORD lists (their content is then checked by
/// ``BytecodeChecker`` unless bytecode checks are off). Console-script wrappers are judged separately
/// by ``ConsoleScriptWrappers``. Anything else not in the verified RECORD is unexpected.
public enum GeneratedFiles {
    /// `.dist-info` members written at install time.
    public static let installerMetadata: Set<String> = ["INSTALLER", "REQUESTED", "direct_url.json", "uv_cache.json", "RECORD"]

    /// For a path `dir/__pycache__/mod.cpython-311.pyc` (or `.opt-1.pyc`), the source path
    /// `dir/mod.py` that would have produced it; nil for anything else.
    public static func bytecodeSource(of path: String) -> String? {
        guard path.hasSuffix(".pyc"), let lastSlash = path.lastIndex(of: "/") else { return nil }
        // Only the last two components are looked at (called for every file of an environment).
        let directory = path[..<lastSlash]
        let parentSlash = directory.lastIndex(of: "/")
        let cacheName: Substring = parentSlash.map { directory[directory.index(after: $0)...] } ?? directory
        guard cacheName == "__pycache__" else { return nil }
        let file = path[path.index(after: lastSlash)...]
        // mod.cpython-311.pyc, mod.cpython-311.opt-1.pyc: the module name is everything before the first dot
        guard let dot = file.firstIndex(of: "."), dot != file.startIndex else { return nil }
        let tagAndRest = file[file.index(after: dot)...]
        guard tagAndRest.split(separator: ".").count >= 2 else { return nil }
        let module = String(file[..<dot]) + ".py"
        guard let parentSlash else { return module }
        return String(path[..<parentSlash]) + "/" + module
    }

    /// True when `path` (absolute) is `<distInfo>/<name>` for one of ``installerMetadata``.
    public static func isInstallerMetadata(_ path: String, distInfo: String) -> Bool {
        guard path.hasPrefix(distInfo + "/") else { return false }
        return installerMetadata.contains(String(path.dropFirst(distInfo.count + 1)))
    }
}

/// What a `__pycache__` file name says: the source it comes from, the interpreter's cache tag
/// and the optimisation level.
public struct BytecodeName: Sendable, Equatable {
    /// `dir/mod.py` for `dir/__pycache__/mod.<tag>[.opt-N].pyc`.
    public var source: String
    /// `cpython-311` (the interpreter's `sys.implementation.cache_tag`).
    public var tag: String
    /// N of `.opt-N` (0 without it); nil when the name is not one an interpreter writes
    /// (`mod.tag.pyc` or `mod.tag.opt-N.pyc` with N 1 or 2), so it is never loaded.
    public var optimize: Int?

    /// Nil unless ``GeneratedFiles/bytecodeSource(of:)`` recognises the path.
    public init?(path: String) {
        guard let source = GeneratedFiles.bytecodeSource(of: path) else { return nil }
        self.source = source
        let file = path.split(separator: "/").last ?? ""
        var parts = file.split(separator: ".", omittingEmptySubsequences: false).dropFirst()  // drop the module name
        parts = parts.dropLast()  // "pyc"
        tag = parts.first.map(String.init) ?? ""
        switch parts.count {
        case 1: optimize = 0
        case 2 where parts.last == "opt-1": optimize = 1
        case 2 where parts.last == "opt-2": optimize = 2
        default: optimize = nil
        }
    }
}
