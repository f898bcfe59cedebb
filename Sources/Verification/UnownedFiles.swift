/// Finds files under site-packages that no distribution accounts for, and names start-up hooks.
///
/// A `.pth` file in a site-packages directory is read by the interpreter at every start-up: its
/// lines that begin with `import` are executed. A module named `sitecustomize` or `usercustomize`
/// (a `.py`, a `.pyc`, an extension, or a package directory) is imported at every start-up. These
/// are the places an attacker plants code that runs without any import of theirs, so they are
/// named as start-up hooks, not just "unexpected". A walk that cannot see everything is reported
/// too (a directory too deep or unreadable, a name that is not UTF-8), never silently passed.
public enum UnownedFiles {
    /// Every file below `roots` that is not in `owned` (nor the bytecode of an owned source),
    /// sorted by bytes. `walked` are directories whose every file a verified distribution accounted
    /// for already: they are not entered (a link with such a name is still looked at as a file).
    /// `claimedOnlyBy` names, for a path, the unverified distribution whose installed RECORD
    /// claims it (such a claim owns nothing here, but the report says who made it).
    /// `hookRoots` are the directories whose `.pth` files and customize modules run at start-up
    /// (the site-packages directories; `roots` by default).
    public static func scan(
        roots: [String], owned: PathSet, walked: Set<PathKey> = [],
        claimedOnlyBy: [PathKey: String] = [:], hookRoots: [String]? = nil
    ) -> [EnvironmentFinding] {
        let hookRoots = hookRoots ?? roots
        var findings: [EnvironmentFinding] = []
        var seen = Set<PathKey>()
        for root in roots where seen.insert(PathKey(root)).inserted {
            // Streamed: the paths of the environment are never all held at once.
            let problems = FileSystem.walk(root, skipping: walked) { path in
                if owned.contains(path) { return }
                if let source = GeneratedFiles.bytecodeSource(of: path), owned.contains(source) { return }
                var detail = describe(path, roots: hookRoots)
                if let claimant = claimedOnlyBy[PathKey(path)] {
                    detail += " (claimed only by the installed RECORD of \(claimant), which was not verified)"
                }
                findings.append(EnvironmentFinding(path: path, detail: detail))
            }
            for problem in problems {
                findings.append(EnvironmentFinding(path: problem.path, detail: problem.reason))
            }
        }
        return findings.sorted { PathKey($0.path) < PathKey($1.path) }
    }

    /// True when `path` is a start-up hook of one of `roots`: a `.pth` file directly in it, or an
    /// importable `sitecustomize`/`usercustomize` there (a module file or a package directory's
    /// file).
    public static func isStartupHook(_ path: String, roots: [String]) -> Bool {
        for root in roots
        where path.utf8.count > root.utf8.count + 1 && path.utf8.starts(with: root.utf8)
            && path.utf8.dropFirst(root.utf8.count).first == UInt8(ascii: "/")
        {
            let relative = String(decoding: path.utf8.dropFirst(root.utf8.count + 1), as: UTF8.self)
            let first = relative.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            let top = String(first[0])
            let isDirectoryMember = first.count > 1
            if !isDirectoryMember, top.hasSuffix(".pth") { return true }
            let name = ShadowingCheck.importableName(of: top, isDirectory: isDirectoryMember)
            if let name, ["sitecustomize", "usercustomize"].contains(ShadowingCheck.normalized(name)) { return true }
        }
        return false
    }

    static func describe(_ path: String, roots: [String]) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if name.hasSuffix(".pth"), isStartupHook(path, roots: roots) {
            // One that cannot be read whole is never called path-only: it may hold an `import` line.
            guard let bytes = FileSystem.readSmallFile(path, limit: 1 << 20) else {
                return "start-up hook: this .pth (too large or unreadable to read whole) may execute code at every interpreter start-up"
            }
            // Lines as the interpreter reads them (universal newlines: `\n`, `\r`, `\r\n`), on the bytes
            // (a `String` holds `\r\n` as one character, which is neither separator).
            let executes = bytes.split(whereSeparator: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") })
                .contains { $0.starts(with: Array("import ".utf8)) || $0.starts(with: Array("import\t".utf8)) }
            return executes
                ? "start-up hook: this .pth executes code at every interpreter start-up"
                : "start-up hook: this .pth adds to sys.path at every interpreter start-up"
        }
        if isStartupHook(path, roots: roots) {
            return "start-up hook: \(name) is imported at every interpreter start-up"
        }
        return "owned by no installed distribution"
    }
}
