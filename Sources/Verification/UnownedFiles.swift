/// Finds files under site-packages that no distribution accounts for, and names start-up hooks.
///
/// A `.pth` file is read by the interpreter at every start-up: its lines that begin with `import`
/// are executed. `sitecustomize.py` and `usercustomize.py` are imported at every start-up. These
/// are the places an attacker plants code that runs without any import of theirs, so they are
/// named as start-up hooks, not just "unexpected".
public enum UnownedFiles {
    /// Every file below `roots` that is not in `owned` (nor the bytecode of an owned source),
    /// sorted. `walked` are directories whose every file a verified distribution accounted for
    /// already: they are not entered (a link with such a name is still looked at as a file).
    public static func scan(roots: [String], owned: Set<String>, walked: Set<String> = []) -> [EnvironmentFinding] {
        var findings: [EnvironmentFinding] = []
        var seen: Set<String> = []
        for root in roots where seen.insert(root).inserted {
            // Streamed: the paths of the environment are never all held at once.
            FileSystem.walk(root, skipping: walked) { path in
                if owned.contains(path) { return }
                if let source = GeneratedFiles.bytecodeSource(of: path), owned.contains(source) { return }
                findings.append(EnvironmentFinding(path: path, detail: describe(path)))
            }
        }
        return findings.sorted { $0.path < $1.path }
    }

    static func describe(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if name.hasSuffix(".pth") {
            let text = FileSystem.readSmallFile(path, limit: 1 << 20).map { String(decoding: $0, as: UTF8.self) } ?? ""
            let executes = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" })
                .contains { $0.hasPrefix("import ") || $0.hasPrefix("import\t") }
            return executes ? "start-up hook: this .pth executes code at every interpreter start-up"
                : "start-up hook: this .pth adds to sys.path at every interpreter start-up"
        }
        if name == "sitecustomize.py" || name == "usercustomize.py" {
            return "start-up hook: \(name) runs at every interpreter start-up"
        }
        return "owned by no installed distribution"
    }
}
