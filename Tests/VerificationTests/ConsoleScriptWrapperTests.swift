import Foundation
import Testing

@testable import Verification

/// The wrapper templates and their comparison, against the exact bytes each installer writes.
///
/// The expected files below were written from the installers' sources (pip's vendored distlib
/// `SCRIPT_TEMPLATE` and `_build_shebang`, pip's `PipScriptMaker.script_template` of 25.2 and 26.x,
/// distlib 0.4.0's template, pypa `installer`'s `scripts.py`, uv's `get_script_launcher` and
/// `format_shebang`) and checked against what pip 23.2.1's distlib, `installer` 1.1.0 and uv 0.13.9
/// produced on this machine for the same entry points.
@Suite("console-script wrappers")
struct ConsoleScriptWrapperTests {
    static let declarations = """
        [console_scripts]
        clitool = clitool:main
        tool = pkg.mod:obj.method
        bare = pkg.mod
        spaced = pkg.mod : run   [cli, extra]
        [gui_scripts]
        gtool = pkg.gui:App.run [gui]
        """

    static func wrappers(
        _ text: String = declarations, interpreters: [String] = ["/v/bin/python"],
        scripts: String = "/v/bin"
    ) -> ConsoleScriptWrappers {
        ConsoleScriptWrappers(
            entryPoints: EntryPoints(parsing: text), interpreters: interpreters,
            scriptsDirectory: scripts, pythonVersion: "3.11")
    }

    /// Every installer's exact file for `tool = pkg.mod:obj.method` with `#!/v/bin/python`.
    static let dottedFiles: [WrapperTemplate: String] = [
        .distlib: #"""
        #!/v/bin/python
        # -*- coding: utf-8 -*-
        import re
        import sys
        from pkg.mod import obj
        if __name__ == '__main__':
            sys.argv[0] = re.sub(r'(-script\.pyw|\.exe)?$', '', sys.argv[0])
            sys.exit(obj.method())

        """#,
        .distlib04: #"""
        #!/v/bin/python
        # -*- coding: utf-8 -*-
        import re
        import sys
        if __name__ == '__main__':
            from pkg.mod import obj
            sys.argv[0] = re.sub(r'(-script\.pyw|\.exe)?$', '', sys.argv[0])
            sys.exit(obj.method())

        """#,
        .pip25: """
        #!/v/bin/python
        import sys
        from pkg.mod import obj
        if __name__ == '__main__':
            if sys.argv[0].endswith('.exe'):
                sys.argv[0] = sys.argv[0][:-4]
            sys.exit(obj.method())

        """,
        .pip26: """
        #!/v/bin/python
        import sys
        from pkg.mod import obj
        if __name__ == '__main__':
            sys.argv[0] = sys.argv[0].removesuffix('.exe')
            sys.exit(obj.method())

        """,
        .installer: #"""
        #!/v/bin/python
        # -*- coding: utf-8 -*-
        import re
        import sys
        from pkg.mod import obj
        if __name__ == "__main__":
            sys.argv[0] = re.sub(r"(-script\.pyw|\.exe)?$", "", sys.argv[0])
            sys.exit(obj.method())

        """#,
        .uv: """
        #!/v/bin/python
        # -*- coding: utf-8 -*-
        import sys
        from pkg.mod import obj
        if __name__ == "__main__":
            if sys.argv[0].endswith("-script.pyw"):
                sys.argv[0] = sys.argv[0][:-11]
            elif sys.argv[0].endswith(".exe"):
                sys.argv[0] = sys.argv[0][:-4]
            sys.exit(obj.method())

        """,
    ]

    @Test("references parse as installers read them: extras dropped, spaces around the colon, module-only refused")
    func references() throws {
        let dotted = try #require(EntryPointReference(parsing: "pkg.mod:obj.method"))
        #expect(dotted.module == "pkg.mod" && dotted.attribute == "obj.method" && dotted.importName == "obj")
        let spaced = try #require(EntryPointReference(parsing: "pkg.mod : run   [cli, extra]"))
        #expect(spaced.module == "pkg.mod" && spaced.attribute == "run")
        for refused in [
            "pkg.mod", "pkg.mod:", ":main", "a:b:c", "pkg..mod:main", "pkg.mod:main()", "pkg-mod:main",
            "pkg.mod:main; import os", "os;os.system('x'):main", "",
        ] {
            #expect(EntryPointReference(parsing: refused) == nil, "\(refused) is no entry point an installer writes")
        }
        #expect(EntryPointReference(parsing: "pkg_é.mod:main") != nil, "identifiers may be non-ASCII, as Python's \\w")
    }

    @Test("every installer's exact bytes for a dotted attribute (pkg.mod:obj.method), and each is accepted")
    func dottedAttribute() throws {
        let wrappers = Self.wrappers()
        let reference = try #require(EntryPointReference(parsing: "pkg.mod:obj.method"))
        #expect(Set(Self.dottedFiles.keys) == Set(WrapperTemplate.allCases), "every template has its expected file")
        for (template, file) in Self.dottedFiles {
            let bytes = Array(file.utf8)
            #expect(Array("#!/v/bin/python\n".utf8) + template.body(for: reference) == bytes, "\(template)")
            #expect(wrappers.judge(bytes: bytes, declared: "tool") == .generated(template))
            #expect(template.body(for: reference).count == template.fixedLength + ConsoleScriptWrappers.slotLength(reference))
        }
    }

    @Test("a simple entry point and a GUI script with extras: the same templates, extras ignored")
    func simpleAndGui() throws {
        let wrappers = Self.wrappers()
        let simple =
            "#!/v/bin/python\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom clitool import main\n"
            + "if __name__ == '__main__':\n    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n    sys.exit(main())\n"
        #expect(wrappers.judge(bytes: Array(simple.utf8), declared: "clitool") == .generated(.distlib))
        // pip 23.2.1 wrote exactly this for the gui script `gtool = pkg.gui:App.run [gui]` on this machine.
        let gui =
            "#!/v/bin/python\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom pkg.gui import App\n"
            + "if __name__ == '__main__':\n    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n    sys.exit(App.run())\n"
        #expect(wrappers.judge(bytes: Array(gui.utf8), declared: "gtool") == .generated(.distlib))
        let spaced =
            "#!/v/bin/python\nimport sys\nfrom pkg.mod import run\nif __name__ == '__main__':\n"
            + "    sys.argv[0] = sys.argv[0].removesuffix('.exe')\n    sys.exit(run())\n"
        #expect(wrappers.judge(bytes: Array(spaced.utf8), declared: "spaced") == .generated(.pip26))
    }

    @Test("a module-only entry point has no wrapper: installers refuse it, so any file under its name is modified")
    func moduleOnly() {
        let wrappers = Self.wrappers()
        let file =
            "#!/v/bin/python\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom pkg import mod\n"
            + "if __name__ == '__main__':\n    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n    sys.exit(mod())\n"
        guard case .modified(let note) = wrappers.judge(bytes: Array(file.utf8), declared: "bare") else {
            Issue.record("a wrapper of a module-only entry point was accepted")
            return
        }
        #expect(note.contains("bare = pkg.mod") && note.contains("names no callable"), "\(note)")
    }

    @Test("anything else is modified, the note naming the declared entry point: lines added, imports edited, other interpreters")
    func modifiedWrappers() throws {
        let wrappers = Self.wrappers()
        let genuine = try #require(Self.dottedFiles[.distlib])
        let shebangEnd = try #require(genuine.firstIndex(of: "\n"))
        let body = String(genuine[genuine.index(after: shebangEnd)...])
        let variants: [String: String] = [
            "a line appended": genuine + "import os; os.system('id')\n",
            "a comment appended": genuine + "# x\n",
            "no final newline": String(genuine.dropLast()),
            "a line before the template": "#!/v/bin/python\nimport os; os.system('id')\n" + body,
            "an edited import": genuine.replacingOccurrences(of: "from pkg.mod import obj", with: "from evil import obj"),
            "another callable": genuine.replacingOccurrences(of: "obj.method()", with: "obj.other()"),
            "CRLF line ends": genuine.replacingOccurrences(of: "\n", with: "\r\n"),
            "a mix of two templates": genuine.replacingOccurrences(of: "if __name__ == '__main__':", with: "if __name__ == \"__main__\":"),
            "the shebang alone": "#!/v/bin/python\n",
            "empty": "",
        ]
        for (what, file) in variants {
            guard case .modified(let note) = wrappers.judge(bytes: Array(file.utf8), declared: "tool") else {
                Issue.record("\(what) was accepted")
                continue
            }
            #expect(note.contains("not any installer's wrapper of the declared entry point tool = pkg.mod:obj.method"), "\(what): \(note)")
            if what == "a line before the template" { #expect(note.contains("text added between its #! line and the template"), "\(note)") }
        }
        for shebang in [
            "#!/usr/bin/python3", "#!/v/bin/python -E", "#!/usr/bin/env python", "#!/v/bin/python3", "#!/tmp/evil/python",
            "#!/bin/sh\n'''exec' /tmp/evil \"$0\" \"$@\"\n' '''",
        ] {
            let file = shebang + "\n" + body
            guard case .modified(let note) = wrappers.judge(bytes: Array(file.utf8), declared: "tool") else {
                Issue.record("\(shebang) was accepted")
                continue
            }
            #expect(
                note.contains(
                    "not any installer's wrapper of the declared entry point tool = pkg.mod:obj.method (its #! line runs no interpreter of this environment)"
                ), "\(note)")
        }
        // The body of another declared entry point is not this one's.
        let clitool = try #require(EntryPointReference(parsing: "clitool:main"))
        let other = Array("#!/v/bin/python\n".utf8) + WrapperTemplate.distlib.body(for: clitool)
        #expect(wrappers.judge(bytes: other, declared: "tool") != .generated(.distlib))
        #expect(wrappers.judge(bytes: other, declared: "clitool") == .generated(.distlib))
    }

    @Test("the /bin/sh trampolines: pip's bare and double-quoted paths, installer's and uv's single quotes, uv relocatable")
    func trampolines() throws {
        let spaced = "/w/with space/bin/python"
        let long = "/w/" + String(repeating: "long", count: 30) + "/bin/python"
        let quote = "/w/it's/bin/python"
        let wrappers = Self.wrappers(interpreters: [spaced, long, quote, "/v/bin/python"], scripts: "/v/bin")
        let reference = try #require(EntryPointReference(parsing: "pkg.mod:obj.method"))
        func file(_ exec: String, _ template: WrapperTemplate) -> [UInt8] {
            Array("#!/bin/sh\n'''exec' \(exec) \"$0\" \"$@\"\n' '''\n".utf8) + template.body(for: reference)
        }
        // As pip 23.2.1, installer 1.1.0 and uv 0.13.9 wrote them on this machine.
        #expect(wrappers.judge(bytes: file("\"\(spaced)\"", .distlib), declared: "tool") == .generated(.distlib))
        #expect(wrappers.judge(bytes: file("'\(spaced)'", .installer), declared: "tool") == .generated(.installer))
        #expect(wrappers.judge(bytes: file("'\(spaced)'", .uv), declared: "tool") == .generated(.uv))
        #expect(wrappers.judge(bytes: file(long, .distlib), declared: "tool") == .generated(.distlib))
        #expect(wrappers.judge(bytes: file(long, .installer), declared: "tool") == .generated(.installer))
        #expect(wrappers.judge(bytes: file("'\(long)'", .uv), declared: "tool") == .generated(.uv))
        #expect(wrappers.judge(bytes: file(#"'/w/it'"'"'s/bin/python'"#, .uv), declared: "tool") == .generated(.uv))
        #expect(wrappers.judge(bytes: file(#""$(dirname -- "$(realpath -- "$0")")"/'python'"#, .uv), declared: "tool") == .generated(.uv))
        #expect(
            wrappers.judge(
                bytes: file(#""$(CDPATH= cd -- "$(dirname -- "$0")" && echo "$PWD")"/'python'"#, .installer),
                declared: "tool") == .generated(.installer), "uv 0.2.31–0.4.20 relocatable form")
        // Not generated: a bare path with a space, a path the shell would split or expand, a command around it.
        for exec in [
            spaced, "'\(spaced)' -c 'import evil'", "\"/tmp/evil\"", "/v/bin/python; id", "\"$(id)\"/'python'",
            #""$(dirname -- "$(realpath -- "$0")")"/'evil'"#,
        ] {
            #expect(wrappers.judge(bytes: file(exec, .distlib), declared: "tool") != .generated(.distlib), "\(exec)")
        }
        // A path the trampoline would not carry verbatim gets no trampoline form.
        #expect(
            !WrapperShebang.forms(interpreter: "/w/$(id)/python", scriptsDirectory: "/v/bin").contains(
                Array(
                    "#!/bin/sh\n'''exec' /w/$(id)/python \"$0\" \"$@\"\n' '''\n".utf8)))
        #expect(WrapperShebang.forms(interpreter: "/w/a\nb/python", scriptsDirectory: "/v/bin").isEmpty)
        #expect(WrapperShebang.forms(interpreter: "python", scriptsDirectory: "/v/bin").isEmpty, "only absolute paths")
    }

    @Test("the interpreters a wrapper may name: inside the environment; in bin/ only python, python3, python3.11")
    func interpreters() {
        let accepted = ConsoleScriptWrappers.interpreters(
            from: [
                "/v/bin/python", "/v/bin/python3", "/v/bin/python3.11", "/v/bin/python-evil", "/v/bin/python3.11-config",
                "/v/bin/python3.99", "/v/bin/python2", "/opt/base/bin/python3.11", "/usr/bin/python3",
            ],
            prefix: "/v", scriptsDirectory: "/v/bin", pythonVersion: "3.11")
        #expect(accepted == ["/v/bin/python", "/v/bin/python3", "/v/bin/python3.11"])
        let system = ConsoleScriptWrappers.interpreters(
            from: ["/usr/bin/python3", "/usr/bin/python3.11"], prefix: "/usr",
            scriptsDirectory: "/usr/local/bin", pythonVersion: "3.11")
        #expect(system == ["/usr/bin/python3", "/usr/bin/python3.11"], "a system interpreter outside the scripts directory")
    }

    @Test("files: a symlink, a FIFO, a directory are never wrappers; a huge file is read only up to the limit")
    func filesOnDisk() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wt-wrap-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/bin", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bin = directory + "/bin"
        let wrappers = Self.wrappers(interpreters: [bin + "/python"], scripts: bin)
        let reference = try #require(EntryPointReference(parsing: "pkg.mod:obj.method"))
        let genuine = Data(Array("#!\(bin)/python\n".utf8) + WrapperTemplate.uv.body(for: reference))
        try genuine.write(to: URL(fileURLWithPath: bin + "/tool"))
        #expect(wrappers.judge(path: bin + "/tool", declared: "tool") == .generated(.uv))

        try genuine.write(to: URL(fileURLWithPath: directory + "/elsewhere"))
        try FileManager.default.removeItem(atPath: bin + "/tool")
        try FileManager.default.createSymbolicLink(atPath: bin + "/tool", withDestinationPath: directory + "/elsewhere")
        guard case .modified(let linkNote) = wrappers.judge(path: bin + "/tool", declared: "tool") else {
            Issue.record("a symlink to a genuine wrapper was accepted")
            return
        }
        #expect(linkNote.contains("symbolic link") && linkNote.contains("tool = pkg.mod:obj.method"))

        try FileManager.default.removeItem(atPath: bin + "/tool")
        #expect(mkfifo(bin + "/tool", 0o644) == 0)
        #expect(wrappers.judge(path: bin + "/tool", declared: "tool") != .generated(.uv), "a FIFO (and it did not block)")
        try FileManager.default.removeItem(atPath: bin + "/tool")
        try FileManager.default.createDirectory(atPath: bin + "/tool", withIntermediateDirectories: false)
        #expect(wrappers.judge(path: bin + "/tool", declared: "tool") != .generated(.uv))
        try FileManager.default.removeItem(atPath: bin + "/tool")

        // A 4 GiB sparse file: judged from its first bytes only.
        try genuine.write(to: URL(fileURLWithPath: bin + "/tool"))
        #expect(truncate(bin + "/tool", 4 << 30) == 0)
        let limit = wrappers.readLimit(forDeclared: "tool")
        #expect(limit < 8192 && limit > genuine.count)
        guard case .bytes(let prefix, let complete) = FileSystem.readPrefix(bin + "/tool", limit: limit) else {
            Issue.record("the huge file was not read")
            return
        }
        #expect(prefix.count == limit && !complete)
        guard case .modified(let hugeNote) = wrappers.judge(path: bin + "/tool", declared: "tool") else {
            Issue.record("a genuine wrapper followed by 4 GiB was accepted")
            return
        }
        #expect(hugeNote.contains("larger than any installer's wrapper"))
    }

    @Test("an alias: a byte-for-byte copy of a declared wrapper under another name is found; other files are not")
    func aliases() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wt-alias-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let wrappers = Self.wrappers(interpreters: [directory + "/python"], scripts: directory)
        let reference = try #require(EntryPointReference(parsing: "clitool:main"))
        let genuine = Array("#!\(directory)/python\n".utf8) + WrapperTemplate.distlib.body(for: reference)
        try Data(genuine).write(to: URL(fileURLWithPath: directory + "/ls"))
        let note = try #require(wrappers.aliasNote(path: directory + "/ls"))
        #expect(note.contains("clitool = clitool:main") && note.contains("under another name"))
        var sameSize = genuine
        sameSize[sameSize.count - 3] = UInt8(ascii: "x")
        try Data(sameSize).write(to: URL(fileURLWithPath: directory + "/other"))
        #expect(wrappers.aliasNote(path: directory + "/other") == nil, "a file of the same size that is no wrapper")
        try Data(genuine + Array("x\n".utf8)).write(to: URL(fileURLWithPath: directory + "/longer"))
        #expect(wrappers.aliasNote(path: directory + "/longer") == nil, "sizes that fit no wrapper are not read")
        try FileManager.default.createSymbolicLink(atPath: directory + "/link", withDestinationPath: directory + "/ls")
        #expect(wrappers.aliasNote(path: directory + "/link") == nil, "links are not followed")
        #expect(Self.wrappers("").aliasNote(path: directory + "/ls") == nil, "no entry points, no aliases")
        // A name that is not UTF-8 is read by its bytes, not skipped.
        let raw = Array((directory + "/cli").utf8) + [0xFF] + Array("tool".utf8)
        let fd = FileSystem.withCPath(raw) { open($0, O_WRONLY | O_CREAT | O_EXCL, 0o755) }
        try #require(fd >= 0)
        _ = genuine.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        #expect(FileSystem.childNameBytes(directory).contains(Array("cli".utf8) + [0xFF] + Array("tool".utf8)))
        #expect(wrappers.aliasNote(pathBytes: raw) != nil)
    }

    @Test("a script name is its bytes: a Unicode-equivalent spelling is not the declared name")
    func namesAreBytes() {
        let points = EntryPoints(parsing: "[console_scripts]\nKube = k:main\ncaf\u{E9} = c:main\n")
        #expect(points.declaredName(forScript: "Kube", pythonVersion: "3.11") == "Kube")
        #expect(points.declaredName(forScript: "\u{212A}ube", pythonVersion: "3.11") == nil, "KELVIN SIGN, canonically K")
        #expect(points.declaredName(forScript: "caf\u{E9}", pythonVersion: "3.11") == "caf\u{E9}")
        #expect(points.declaredName(forScript: "cafe\u{301}", pythonVersion: "3.11") == nil, "NFD of an NFC name")
        #expect(
            points.scriptFileNames(pythonVersion: "3.11").map { Array($0.utf8) }
                == [Array("Kube".utf8), Array("caf\u{E9}".utf8)])
    }
}
