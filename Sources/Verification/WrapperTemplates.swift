/// The object reference of one console or GUI entry point (`module:attr.path`), as installers read it.
///
/// Guarantees: only what an installer turns into a wrapper parses. The value's extras (`[x, y]`)
/// are dropped, spaces around the colon are allowed (the entry-points specification, pypa
/// `installer`, uv); both sides must be dotted names of identifier characters (letters, digits,
/// `_`), so a generated template holds no other text. A module-only value (`pkg.mod`), an empty
/// side, a second colon or any other character gives nil: pip (`MissingCallableSuffix`), uv
/// ("invalid console script") and `installer` (its regex) all refuse to install such a wheel, so no
/// wrapper of it is ever genuine.
public struct EntryPointReference: Sendable, Hashable {
    /// `pkg.mod` of `pkg.mod:obj.method`.
    public let module: String
    /// `obj.method` of `pkg.mod:obj.method` (the callable; may be dotted).
    public let attribute: String
    /// `obj`: what the wrapper imports (`from pkg.mod import obj`).
    public var importName: String { String(attribute.prefix { $0 != "." }) }

    public init?(parsing value: String) {
        var text = Substring(value)
        if let bracket = text.firstIndex(of: "[") { text = text[..<bracket] }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let module = parts[0].trimmingCharacters(in: " \t")
        let attribute = parts[1].trimmingCharacters(in: " \t")
        guard Self.isDottedName(module), Self.isDottedName(attribute) else { return nil }
        self.module = module
        self.attribute = attribute
    }

    /// `a.b.c`: non-empty parts of letters, digits and `_` (Python's `\w`), joined by single dots.
    static func isDottedName(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.allSatisfy { part in
            !part.isEmpty && part.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isAlphabetic || $0.properties.numericType != nil }
        }
    }
}

/// The bodies (everything after the `#!` line) that installers write for an entry point on POSIX.
///
/// Each case is one installer's template, written from its source; the versions matched are
/// named per case. Windows launchers (`.exe`) are not generated on POSIX and are not covered.
/// Every template has exactly one `{module}`, one `{import}` and one `{function}` slot, so a body's
/// length is ``fixedLength`` plus the lengths of those three texts.
public enum WrapperTemplate: String, CaseIterable, Sendable {
    /// distlib's `SCRIPT_TEMPLATE` 0.2.9 – 0.3.9, which pip 19.3 – 25.1.1 write (their vendored
    /// distlib; pip ≤ 19.2 had its own template and is not covered).
    case distlib
    /// distlib ≥ 0.4.0's default (the import moved under `if __name__`): what `ScriptMaker` users
    /// other than pip write, e.g. virtualenv's seeded `pip`.
    case distlib04
    /// pip 25.2 – 25.3 (its own `PipScriptMaker.script_template`, no `import re`).
    case pip25
    /// pip 26.0 – 26.2.1 (`removesuffix('.exe')`).
    case pip26
    /// pypa `installer` 0.2.0 – 1.1.0 (`installer/scripts.py`), and uv 0.1.x – 0.5.19, whose
    /// template was byte-identical.
    case installer
    /// uv 0.5.20 – 0.13.9 (`uv-install-wheel`'s `get_script_launcher`, no `import re`).
    case uv

    /// Which installers write it, for notes.
    public var installers: String {
        switch self {
        case .distlib: return "pip 19.3–25.1"
        case .distlib04: return "distlib 0.4 ScriptMaker"
        case .pip25: return "pip 25.2–25.3"
        case .pip26: return "pip 26"
        case .installer: return "installer, uv ≤ 0.5.19"
        case .uv: return "uv ≥ 0.5.20"
        }
    }

    /// The exact bytes of the body for `reference`.
    public func body(for reference: EntryPointReference) -> [UInt8] {
        render(module: reference.module, importName: reference.importName, function: reference.attribute)
    }

    /// The body's length without its three slots (rendered once per template: every file of a
    /// scripts directory is sized against it).
    var fixedLength: Int { Self.fixedLengths[self] ?? render(module: "", importName: "", function: "").count }

    private static let fixedLengths: [WrapperTemplate: Int] = Dictionary(
        uniqueKeysWithValues: allCases.map { ($0, $0.render(module: "", importName: "", function: "").count) })

    func render(module: String, importName: String, function: String) -> [UInt8] {
        let from = "from \(module) import \(importName)"
        let exit = "sys.exit(\(function)())"
        let lines: [String]
        switch self {
        case .distlib:
            lines = [
                "# -*- coding: utf-8 -*-", "import re", "import sys", from,
                "if __name__ == '__main__':",
                #"    sys.argv[0] = re.sub(r'(-script\.pyw|\.exe)?$', '', sys.argv[0])"#,
                "    " + exit,
            ]
        case .distlib04:
            lines = [
                "# -*- coding: utf-8 -*-", "import re", "import sys",
                "if __name__ == '__main__':",
                "    " + from,
                #"    sys.argv[0] = re.sub(r'(-script\.pyw|\.exe)?$', '', sys.argv[0])"#,
                "    " + exit,
            ]
        case .pip25:
            lines = [
                "import sys", from,
                "if __name__ == '__main__':",
                "    if sys.argv[0].endswith('.exe'):",
                "        sys.argv[0] = sys.argv[0][:-4]",
                "    " + exit,
            ]
        case .pip26:
            lines = [
                "import sys", from,
                "if __name__ == '__main__':",
                "    sys.argv[0] = sys.argv[0].removesuffix('.exe')",
                "    " + exit,
            ]
        case .installer:
            lines = [
                "# -*- coding: utf-8 -*-", "import re", "import sys", from,
                #"if __name__ == "__main__":"#,
                #"    sys.argv[0] = re.sub(r"(-script\.pyw|\.exe)?$", "", sys.argv[0])"#,
                "    " + exit,
            ]
        case .uv:
            lines = [
                "# -*- coding: utf-8 -*-", "import sys", from,
                #"if __name__ == "__main__":"#,
                #"    if sys.argv[0].endswith("-script.pyw"):"#,
                "        sys.argv[0] = sys.argv[0][:-11]",
                #"    elif sys.argv[0].endswith(".exe"):"#,
                "        sys.argv[0] = sys.argv[0][:-4]",
                "    " + exit,
            ]
        }
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }
}

/// The first line(s) installers write to run a wrapper with an interpreter, on POSIX.
///
/// Guarantees: every form returned runs exactly `interpreter` (or, for uv's relocatable form, the
/// file of that name beside the wrapper) with the wrapper as its script; a path that a form's
/// shell quoting would not carry verbatim (a newline, a NUL, or shell-special characters where the
/// form leaves them unquoted or double-quoted) gets no such form.
public enum WrapperShebang {
    /// `#!<path>` — pip, uv and `installer` for a path without spaces that fits the kernel's limit.
    /// `#!/bin/sh` trampolines (`'''exec' <path> "$0" "$@"` then `' '''`) — for long or spaced paths:
    /// distlib (pip) leaves the path bare, or in double quotes when it holds a space; `installer`
    /// uses `shlex.quote` (bare when safe, else single quotes); uv always single quotes (0.1.14+).
    /// uv's relocatable venvs (`uv venv --relocatable`) name the interpreter beside the script:
    /// `"$(dirname -- "$(realpath -- "$0")")"/'python'` (uv 0.4.21+) or the `CDPATH= cd` form of
    /// uv 0.2.31 – 0.4.20; only for an interpreter directly in `scriptsDirectory`.
    public static func forms(interpreter path: String, scriptsDirectory: String) -> [[UInt8]] {
        guard path.hasPrefix("/"), !path.contains("\n"), !path.contains("\r"), !path.contains("\0") else { return [] }
        func trampoline(_ command: String) -> String { "#!/bin/sh\n'''exec' " + command + " \"$0\" \"$@\"\n' '''\n" }
        var forms: [String] = []
        if !path.contains(" "), !path.contains("\t") { forms.append("#!" + path + "\n") }
        if isBareSafe(path) {
            forms.append(trampoline(path))
        } else if path.contains(" "), !path.unicodeScalars.contains(where: { "\"$`\\".unicodeScalars.contains($0) }) {
            forms.append(trampoline("\"" + path + "\""))
        }
        forms.append(trampoline(singleQuoted(path)))
        if let slash = path.lastIndex(of: "/"), path[..<slash] == scriptsDirectory {
            let name = singleQuoted(String(path[path.index(after: slash)...]))
            forms.append(trampoline(#""$(dirname -- "$(realpath -- "$0")")"/"# + name))
            forms.append(trampoline(#""$(CDPATH= cd -- "$(dirname -- "$0")" && echo "$PWD")"/"# + name))
        }
        return forms.map { Array($0.utf8) }
    }

    /// A path the shell takes literally without quotes: ASCII letters, digits and `@%+=:,./-_`
    /// (Python's `shlex` safe set), or non-ASCII characters.
    static func isBareSafe(_ path: String) -> Bool {
        path.unicodeScalars.allSatisfy { scalar in
            switch scalar.value {
            case 0x80...: return true
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
            default: return "@%+=:,./-_".unicodeScalars.contains(scalar)
            }
        }
    }

    /// `'…'` with each `'` written as `'"'"'` (Python's `shlex.quote`, uv's `shlex_posix`).
    static func singleQuoted(_ text: String) -> String {
        var quoted = "'"
        for character in text { quoted += character == "'" ? #"'"'"'"# : String(character) }
        return quoted + "'"
    }
}
