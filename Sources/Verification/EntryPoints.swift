/// The console and GUI scripts a wheel declares in `<dist-info>/entry_points.txt`.
///
/// Installers turn each into a small wrapper in the scripts directory; this is what lets us tell a
/// legitimate wrapper (its name declared by the verified wheel, its bytes exactly an installer's
/// template for the declared callable: ``ConsoleScriptWrappers``) from a file someone dropped or
/// edited there.
public struct EntryPoints: Sendable, Equatable {
    /// Script name → every reference declared for it (`module:attr`, extras removed), from
    /// `[console_scripts]` and `[gui_scripts]` in file order (a name declared twice, or in both
    /// sections, may have been written from either: installers differ in which wins).
    public var references: [String: [String]]

    /// Script name → its last declared `module:attr` reference.
    public var scripts: [String: String] { references.compactMapValues(\.last) }

    public init(scripts: [String: String] = [:]) {
        self.references = scripts.mapValues { [$0] }
    }

    /// Parses the INI-style file; unknown sections are ignored, malformed lines are skipped (the
    /// file itself is already verified against the RECORD, so this only reads what it declares).
    public init(parsing text: String) {
        var section = ""
        var references: [String: [String]] = [:]
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: Self.isLineBreak) {
            let line = rawLine.trimmingCharacters(in: " \t")
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast()).trimmingCharacters(in: " \t")
                continue
            }
            // `=` and `[` are found among the Unicode scalars, as Python's `split("=", 1)` finds
            // them: a combining mark after one (a single Character with it) must not hide it.
            let scalars = line.unicodeScalars
            guard section == "console_scripts" || section == "gui_scripts",
                let equals = scalars.firstIndex(of: "=")
            else { continue }
            let name = Substring(scalars[..<equals]).trimmingCharacters(in: " \t")
            var reference = Substring(scalars[scalars.index(after: equals)...]).trimmingCharacters(in: " \t")
            if let bracket = reference.unicodeScalars.firstIndex(of: "[") {
                reference = Substring(reference.unicodeScalars[..<bracket]).trimmingCharacters(in: " \t")
            }
            if !name.isEmpty, !reference.isEmpty { references[name, default: []].append(reference) }
        }
        self.references = references
    }

    /// The declared entry point a script file of this name stands for: its own name when declared,
    /// or, for the two entry points pip's installer also writes under versioned names, `pip` for
    /// `pip<major>` and `pip<major>.<minor>` and `easy_install` for `easy_install-<major>.<minor>`
    /// (only this environment's Python `major.minor`, and only when the wheel declares the base name).
    /// Names are taken as POSIX installers write them (no `.exe` or `-script.py` forms) and
    /// compared byte for byte: a Unicode-equivalent spelling (NFD for NFC, U+212A for `K`) is
    /// another file to the kernel, so it is not the declared name.
    public func declaredName(forScript name: String, pythonVersion: String) -> String? {
        func same(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }
        if references[name] != nil, let key = references.keys.first(where: { same($0, name) }) { return key }
        let major = pythonVersion.split(separator: ".").first.map(String.init) ?? pythonVersion
        if references["pip"] != nil, same(name, "pip" + major) || same(name, "pip" + pythonVersion) { return "pip" }
        if references["easy_install"] != nil, same(name, "easy_install-" + pythonVersion) { return "easy_install" }
        return nil
    }

    /// The names POSIX installers write in the scripts directory for these entry points: every
    /// declared name that is a plain file name, and pip's versioned `pip<major>`,
    /// `pip<major>.<minor>` and `easy_install-<major>.<minor>` (see
    /// ``declaredName(forScript:pythonVersion:)``). Sorted.
    public func scriptFileNames(pythonVersion: String) -> [String] {
        var names = Set(
            references.keys.filter { name in
                !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.contains("\0")
            })
        let major = pythonVersion.split(separator: ".").first.map(String.init) ?? pythonVersion
        if references["pip"] != nil { names.formUnion(["pip" + major, "pip" + pythonVersion]) }
        if references["easy_install"] != nil { names.insert("easy_install-" + pythonVersion) }
        return names.sorted()
    }

    /// The line boundaries of Python's `str.splitlines`, which installers read this file with
    /// (importlib.metadata): `\n`, `\r`, CR LF (one `Character` in Swift, so it must be named),
    /// `\v`, `\f`, `\x1c`–`\x1e`, U+0085, U+2028, U+2029.
    static func isLineBreak(_ character: Character) -> Bool {
        if character == "\r\n" { return true }
        guard character.unicodeScalars.count == 1, let scalar = character.unicodeScalars.first else { return false }
        switch scalar.value {
        case 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        var slice = Substring(self)
        while let first = slice.first, characters.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, characters.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
