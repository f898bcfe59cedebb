/// The console and GUI scripts a wheel declares in `<dist-info>/entry_points.txt`.
///
/// Installers turn each into a small wrapper in the scripts directory; this is what lets us tell a
/// legitimate wrapper (its name declared by the verified wheel, its body importing exactly the
/// declared callable) from a file someone dropped or edited there.
public struct EntryPoints: Sendable, Equatable {
    /// Script name → `module:attr` reference, from `[console_scripts]` and `[gui_scripts]`.
    public var scripts: [String: String]

    public init(scripts: [String: String] = [:]) {
        self.scripts = scripts
    }

    /// Parses the INI-style file; unknown sections are ignored, malformed lines are skipped (the
    /// file itself is already verified against the RECORD, so this only reads what it declares).
    public init(parsing text: String) {
        var section = ""
        var scripts: [String: String] = [:]
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let line = rawLine.trimmingCharacters(in: " \t")
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast()).trimmingCharacters(in: " \t")
                continue
            }
            guard section == "console_scripts" || section == "gui_scripts",
                  let equals = line.firstIndex(of: "=") else { continue }
            let name = line[..<equals].trimmingCharacters(in: " \t")
            var reference = line[line.index(after: equals)...].trimmingCharacters(in: " \t")
            if let bracket = reference.firstIndex(of: "[") {
                reference = reference[..<bracket].trimmingCharacters(in: " \t")
            }
            if !name.isEmpty, !reference.isEmpty { scripts[name] = reference }
        }
        self.scripts = scripts
    }

    /// True when `body` is a plausible installer wrapper for script `name`: the name is declared,
    /// the file is small, and it imports the declared callable (`from module import attr`).
    public func isWrapper(named name: String, body: [UInt8]) -> Bool {
        guard body.count <= 8192, let reference = scripts[Self.stripExecutableSuffix(name)] else { return false }
        let parts = reference.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: " ") }
        guard parts.count == 2, let head = parts[1].split(separator: ".").first else { return false }
        let text = String(decoding: body, as: UTF8.self)
        let importLine = "from \(parts[0]) import \(head)"
        return text.split(separator: "\n").contains { $0.trimmingCharacters(in: " \t\r") == importLine }
    }

    /// The declared entry point a script file of this name stands for: its own name when declared,
    /// or, for the two entry points pip's installer also writes under versioned names, `pip` for
    /// `pip<major>` and `pip<major>.<minor>` and `easy_install` for `easy_install-<major>.<minor>`
    /// (only this environment's Python `major.minor`, and only when the wheel declares the base name).
    public func declaredName(forScript file: String, pythonVersion: String) -> String? {
        let name = Self.stripExecutableSuffix(file)
        if scripts[name] != nil { return name }
        let major = pythonVersion.split(separator: ".").first.map(String.init) ?? pythonVersion
        if scripts["pip"] != nil, name == "pip" + major || name == "pip" + pythonVersion { return "pip" }
        if scripts["easy_install"] != nil, name == "easy_install-" + pythonVersion { return "easy_install" }
        return nil
    }

    /// ``isWrapper(named:body:)`` for the entry point ``declaredName(forScript:pythonVersion:)`` names.
    public func isWrapper(ofScript file: String, pythonVersion: String, body: [UInt8]) -> Bool {
        guard let declared = declaredName(forScript: file, pythonVersion: pythonVersion) else { return false }
        return isWrapper(named: declared, body: body)
    }

    static func stripExecutableSuffix(_ name: String) -> String {
        for suffix in ["-script.pyw", "-script.py", ".exe"] where name.hasSuffix(suffix) {
            return String(name.dropLast(suffix.count))
        }
        return name
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
