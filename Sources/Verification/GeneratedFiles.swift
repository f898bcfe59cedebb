/// Recognises the files an installer adds that a wheel's RECORD cannot list.
///
/// Only these kinds count as "generated" (accounted for, not failures): the `.dist-info` files
/// `INSTALLER`, `REQUESTED`, `direct_url.json` and the rewritten `RECORD`; and `__pycache__/*.pyc`
/// whose source module the verified RECORD lists. Console-script wrappers are judged separately
/// by ``EntryPoints``. Anything else not in the verified RECORD is unexpected.
public enum GeneratedFiles {
    /// `.dist-info` members written at install time.
    public static let installerMetadata: Set<String> = ["INSTALLER", "REQUESTED", "direct_url.json", "RECORD"]

    /// For a path `dir/__pycache__/mod.cpython-311.pyc` (or `.opt-1.pyc`), the source path
    /// `dir/mod.py` that would have produced it; nil for anything else.
    public static func bytecodeSource(of path: String) -> String? {
        guard path.hasSuffix(".pyc") else { return nil }
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, parts[parts.count - 2] == "__pycache__" else { return nil }
        let file = parts.removeLast()
        parts.removeLast()  // __pycache__
        // mod.cpython-311.pyc, mod.cpython-311.opt-1.pyc: the module name is everything before the first dot
        guard let dot = file.firstIndex(of: "."), dot != file.startIndex else { return nil }
        let stem = file[..<dot]
        let tagAndRest = file[file.index(after: dot)...]
        guard tagAndRest.split(separator: ".").count >= 2 else { return nil }
        parts.append(stem + ".py")
        return parts.joined(separator: "/")
    }

    /// True when `path` (absolute) is `<distInfo>/<name>` for one of ``installerMetadata``.
    public static func isInstallerMetadata(_ path: String, distInfo: String) -> Bool {
        guard path.hasPrefix(distInfo + "/") else { return false }
        return installerMetadata.contains(String(path.dropFirst(distInfo.count + 1)))
    }
}
