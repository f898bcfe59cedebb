import Foundation
import PythonPackaging
import Testing

@testable import Verification

@Suite("install layout, shebangs, generated files")
struct InstalledLayoutTests {
    let layout = InstallLayout(
        scheme: PythonEnvironment.SchemePaths(
            purelib: "/v/lib/python3.11/site-packages", platlib: "/v/lib64/python3.11/site-packages",
            scripts: "/v/bin", data: "/v", include: "/usr/include/python3.11"),
        prefix: "/v", pythonVersion: "3.11")

    func map(_ path: String, purelib: Bool = true) -> String? {
        layout.installPath(
            forRecordPath: path, dataDirectory: "tool-1.0.data", rootIsPurelib: purelib,
            distributionName: "Tool")?.path
    }

    @Test func mapsEveryScheme() {
        #expect(map("tool/__init__.py") == "/v/lib/python3.11/site-packages/tool/__init__.py")
        #expect(map("tool/_x.so", purelib: false) == "/v/lib64/python3.11/site-packages/tool/_x.so")
        #expect(map("tool-1.0.data/scripts/run") == "/v/bin/run")
        #expect(map("tool-1.0.data/data/share/tool/a.txt") == "/v/share/tool/a.txt")
        #expect(map("tool-1.0.data/purelib/tool/b.py") == "/v/lib/python3.11/site-packages/tool/b.py")
        #expect(map("tool-1.0.data/platlib/tool/c.so") == "/v/lib64/python3.11/site-packages/tool/c.so")
        #expect(map("tool-1.0.data/headers/tool.h") == "/v/include/site/python3.11/Tool/tool.h")
    }

    @Test func plainPathsAndOtherDataDirectoriesGoUnderTheRoot() {
        #expect(map("six.py") == "/v/lib/python3.11/site-packages/six.py")
        #expect(map("tool-1.0.dist-info/METADATA") == "/v/lib/python3.11/site-packages/tool-1.0.dist-info/METADATA")
        // A `.data` directory that is not this wheel's is an ordinary directory.
        #expect(map("other-2.0.data/scripts/run") == "/v/lib/python3.11/site-packages/other-2.0.data/scripts/run")
        #expect(map("tool-1.0.data") == "/v/lib/python3.11/site-packages/tool-1.0.data")
        #expect(map("tool/a.data/b", purelib: false) == "/v/lib64/python3.11/site-packages/tool/a.data/b")
    }

    @Test func refusesPathsThatEscape() {
        #expect(map("../evil.py") == nil)
        #expect(map("/etc/passwd") == nil)
        #expect(map("tool/../../x") == nil)
        #expect(map("tool//x") == nil)
        #expect(map("tool-1.0.data/unknown/x") == nil)
        #expect(map("tool\\x.py") == nil)
        #expect(map("tool/\u{0}.py") == nil)
        #expect(map("tool/.") == nil)
        #expect(map("tool/") == nil)
        #expect(map("") == nil)
    }

    @Test("headers are looked for only in spellings of the project's name below the scheme's header bases")
    func headerCandidates() {
        let path = "/v/include/site/python3.11/Tool/sub/tool.h"
        let tree: [String: [String]] = [
            "/v/include/site/python3.11": ["tool", "TOOL", "aaa", "tool-extra"],
            "/usr/include/python3.11": ["Tool"],
        ]
        let files: Set<String> = [
            "/v/include/site/python3.11/tool/sub/tool.h", "/v/include/site/python3.11/TOOL/sub/tool.h",
            "/v/include/site/python3.11/aaa/sub/tool.h", "/usr/include/python3.11/Tool/sub/tool.h",
        ]
        let found = layout.headerCandidates(
            for: path, distributionName: "Tool", exists: { files.contains($0) },
            children: { tree[$0] ?? [] })
        #expect(
            found == [
                "/usr/include/python3.11/Tool/sub/tool.h", "/v/include/site/python3.11/TOOL/sub/tool.h",
                "/v/include/site/python3.11/tool/sub/tool.h",
            ], "never aaa/, whatever the installed RECORD says")
        #expect(
            layout.headerCandidates(for: path, distributionName: "Tool", exists: { _ in false }, children: { tree[$0] ?? [] })
                == [path], "none installed: the default place, reported missing")
    }

    @Test func resolvesInstalledRecordPaths() {
        #expect(resolveInstalledRecordPath("../../../bin/run", root: "/v/lib/python3.11/site-packages") == "/v/bin/run")
        #expect(resolveInstalledRecordPath("tool/./a.py", root: "/s") == "/s/tool/a.py")
        #expect(resolveInstalledRecordPath("../../../../../..", root: "/a/b") == nil)
    }

    @Test func acceptsOnlyTheInstallersShebangRewrite() {
        let shebang = ScriptShebang(interpreters: ["/v/bin/python"])
        let wheel = Array("#!python\nprint('hi')\n".utf8)
        #expect(shebang.matchesRewrite(wheel: wheel, installed: Array("#!/v/bin/python\nprint('hi')\n".utf8)))
        #expect(
            !shebang.matchesRewrite(wheel: wheel, installed: Array("#!/usr/bin/python\nprint('hi')\n".utf8)),
            "another interpreter is a modification")
        #expect(!shebang.matchesRewrite(wheel: wheel, installed: Array("#!/v/bin/python\nprint('pwned')\n".utf8)))
        #expect(!shebang.matchesRewrite(wheel: Array("#!/bin/sh\necho\n".utf8), installed: Array("#!/v/bin/python\necho\n".utf8)))
        let trampoline = "#!/bin/sh\n'''exec' \"/v/bin/python\" \"$0\" \"$@\"\n' '''\nprint('hi')\n"
        #expect(shebang.matchesRewrite(wheel: wheel, installed: Array(trampoline.utf8)))
        let withArgs = ScriptShebang(interpreters: ["/v/bin/python"])
        #expect(withArgs.matchesRewrite(wheel: Array("#!python -E\nx\n".utf8), installed: Array("#!/v/bin/python -E\nx\n".utf8)))
        #expect(!withArgs.matchesRewrite(wheel: Array("#!python -E\nx\n".utf8), installed: Array("#!/v/bin/python\nx\n".utf8)))
    }

    @Test func recognisesBytecodeOfASource() {
        #expect(GeneratedFiles.bytecodeSource(of: "/s/pkg/__pycache__/core.cpython-311.pyc") == "/s/pkg/core.py")
        #expect(GeneratedFiles.bytecodeSource(of: "/s/pkg/__pycache__/core.cpython-311.opt-1.pyc") == "/s/pkg/core.py")
        #expect(GeneratedFiles.bytecodeSource(of: "/s/pkg/core.pyc") == nil, "a .pyc outside __pycache__ is not generated")
        #expect(GeneratedFiles.bytecodeSource(of: "/s/pkg/__pycache__/core.pyc") == nil)
        #expect(GeneratedFiles.bytecodeSource(of: "/s/pkg/__pycache__/.cpython-311.pyc") == nil, "no module name")
        #expect(GeneratedFiles.bytecodeSource(of: "/s/pkg/__pycache__/core..pyc") == nil, "no tag")
        #expect(GeneratedFiles.bytecodeSource(of: "/s/pkg/x__pycache__/core.cpython-311.pyc") == nil)
        #expect(GeneratedFiles.bytecodeSource(of: "__pycache__/core.cpython-311.pyc") == "core.py")
        #expect(GeneratedFiles.bytecodeSource(of: "/__pycache__/core.cpython-311.pyc") == "/core.py")
        #expect(GeneratedFiles.bytecodeSource(of: "core.cpython-311.pyc") == nil)
        #expect(GeneratedFiles.isInstallerMetadata("/s/a-1.dist-info/INSTALLER", distInfo: "/s/a-1.dist-info"))
        #expect(!GeneratedFiles.isInstallerMetadata("/s/a-1.dist-info/METADATA", distInfo: "/s/a-1.dist-info"))
        // uv writes uv_cache.json when it installs from local files (the install gate's copies).
        #expect(GeneratedFiles.isInstallerMetadata("/s/a-1.dist-info/uv_cache.json", distInfo: "/s/a-1.dist-info"))
        #expect(!GeneratedFiles.isInstallerMetadata("/s/a-1.dist-info/sub/uv_cache.json", distInfo: "/s/a-1.dist-info"))
    }

    @Test func entryPointWrappers() {
        let points = EntryPoints(parsing: "[console_scripts]\nclitool = clitool.cli:main [extra]\n[other]\nx = y:z\n")
        #expect(points.scripts == ["clitool": "clitool.cli:main"])
        let wrappers = ConsoleScriptWrappers(
            entryPoints: points, interpreters: ["/v/bin/python"], scriptsDirectory: "/v/bin",
            pythonVersion: "3.11")
        let wrapper =
            "#!/v/bin/python\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom clitool.cli import main\n"
            + "if __name__ == '__main__':\n    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n    sys.exit(main())\n"
        #expect(wrappers.judge(bytes: Array(wrapper.utf8), declared: "clitool") == .generated(.distlib))
        #expect(
            wrappers.judge(
                bytes: Array(wrapper.replacingOccurrences(of: "clitool.cli", with: "evil").utf8),
                declared: "clitool") != .generated(.distlib))
        #expect(points.declaredName(forScript: "x", pythonVersion: "3.11") == nil, "a script the wheel does not declare")
    }

    @Test func entryPointsSplitLinesAsPythonDoes() {
        // Found by the entry-points fuzzer: CR LF is one Swift Character, so a file written with
        // Windows line endings read as a single line and declared nothing (its wrappers then looked
        // dropped in). Installers read the file with `str.splitlines`; so does the parser now.
        for newline in ["\r\n", "\r", "\n", "\u{0B}", "\u{0C}", "\u{1C}", "\u{1D}", "\u{1E}", "\u{85}", "\u{2028}", "\u{2029}"] {
            let text = ["[console_scripts]", "clitool = clitool.cli:main", "[gui_scripts]", "gui = clitool.gui:run", ""]
                .joined(separator: newline)
            #expect(
                EntryPoints(parsing: text).scripts == ["clitool": "clitool.cli:main", "gui": "clitool.gui:run"],
                "lines split at \(newline.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        // Not a line boundary for Python either: the name keeps it, nothing spans two entries.
        let unitSeparator = EntryPoints(parsing: "[console_scripts]\na\u{1F}b = m:f\n")
        #expect(unitSeparator.scripts == ["a\u{1F}b": "m:f"])
        let points = EntryPoints(parsing: "[console_scripts]\r\na = m:f\r\nb = n:g\r\n")
        #expect(points.scripts.values.allSatisfy { !$0.contains("\r") && !$0.contains("\n") })
        // `=` or `[` followed by a combining mark is one Character; Python still splits there.
        let marks = EntryPoints(parsing: "[console_scripts]\ntool =\u{301}m:f\nother = n:g [\u{301}extra]\n")
        #expect(marks.scripts == ["tool": "\u{301}m:f", "other": "n:g"])
    }

    @Test func installedRecordPathsResolveTheSameOnTheFastPathAndOffIt() {
        let root = "/v/lib/python3.11/site-packages"
        #expect(resolveInstalledRecordPath("pkg/mod.py", root: root) == root + "/pkg/mod.py")
        #expect(resolveInstalledRecordPath("../../../bin/tool", root: root) == "/v/bin/tool")
        #expect(resolveInstalledRecordPath("./pkg/./mod.py", root: root) == root + "/pkg/mod.py")
        #expect(resolveInstalledRecordPath("pkg//mod.py", root: root) == root + "/pkg/mod.py")
        #expect(resolveInstalledRecordPath("pkg/..", root: root) == root)
        #expect(resolveInstalledRecordPath(".../x", root: root) == root + "/.../x", "three dots is a name")
        #expect(resolveInstalledRecordPath("..x/y", root: root) == root + "/..x/y")
        #expect(resolveInstalledRecordPath("pkg/\0evil", root: root) == nil, "NUL is refused")
        #expect(resolveInstalledRecordPath("/etc/passwd", root: root) == "/etc/passwd")
        #expect(resolveInstalledRecordPath("a", root: "/") == "/a")
        #expect(resolveInstalledRecordPath("a", root: "/s/") == "/s/a")
        #expect(resolveInstalledRecordPath("a", root: "/s/./t") == "/s/./t/a", "the root is taken as given, as before")
        #expect(resolveInstalledRecordPath("../../../x", root: "/s/t") == nil, "climbing above /")
        #expect(isPlainPath("/s/t".utf8, absolute: true) && !isPlainPath("s/t".utf8, absolute: true))
        #expect(isPlainPath("a/b.c".utf8, absolute: false) && !isPlainPath("a/".utf8, absolute: false))
        #expect(!isPlainPath("".utf8, absolute: false) && !isPlainPath("/".utf8, absolute: true))
    }

    @Test func pipsVersionedScriptsStandForItsDeclaredEntryPoint() {
        // pip's installer writes `pip`, `pip3` and `pip3.11` for pip's one `pip` entry point.
        let pip = EntryPoints(parsing: "[console_scripts]\npip=pip._internal.cli.main:cli\n")
        let wrappers = ConsoleScriptWrappers(
            entryPoints: pip, interpreters: ["/v/bin/python"], scriptsDirectory: "/v/bin",
            pythonVersion: "3.11")
        let wrapper = Array(
            ("#!/v/bin/python\nimport sys\nfrom pip._internal.cli.main import cli\nif __name__ == '__main__':\n"
                + "    sys.argv[0] = sys.argv[0].removesuffix('.exe')\n    sys.exit(cli())\n").utf8)
        #expect(pip.declaredName(forScript: "pip3.11", pythonVersion: "3.11") == "pip")
        #expect(pip.declaredName(forScript: "pip3", pythonVersion: "3.11") == "pip")
        #expect(wrappers.judge(bytes: wrapper, declared: "pip") == .generated(.pip26))
        #expect(pip.scriptFileNames(pythonVersion: "3.11") == ["pip", "pip3", "pip3.11"])
        #expect(pip.declaredName(forScript: "pip3.12", pythonVersion: "3.11") == nil, "another interpreter's name")
        #expect(pip.declaredName(forScript: "pip3.11x", pythonVersion: "3.11") == nil)
        #expect(
            wrappers.judge(bytes: Array("from evil import cli\n".utf8), declared: "pip") != .generated(.pip26),
            "the body must import the declared callable")
        let other = EntryPoints(parsing: "[console_scripts]\ntool=tool:main\n")
        #expect(other.declaredName(forScript: "pip3.11", pythonVersion: "3.11") == nil, "only when the wheel declares pip")
        let setuptools = EntryPoints(parsing: "[console_scripts]\neasy_install=setuptools.command.easy_install:main\n")
        #expect(setuptools.declaredName(forScript: "easy_install-3.11", pythonVersion: "3.11") == "easy_install")
    }
}

@Suite("report")
struct ReportTests {
    @Test func statusAndExitCodesFollowTheChecks() {
        let pass = PackageReport(name: "a", version: "1", checks: [CheckResult(.signature, .pass, "")])
        var failed = pass
        failed.checks.append(CheckResult(.statement, .fail, "two subjects"))
        var errored = pass
        errored.checks.append(CheckResult(.provenance, .error, "network"))
        var unclean = pass
        unclean.files.unexpected = ["/x"]
        #expect(pass.status == .verified)
        #expect(failed.status == .failed)
        #expect(errored.status == .error)
        #expect(unclean.status == .failed)
        #expect(
            PackageReport(name: "b", version: "1", checks: [CheckResult(.indexHash, .skip, "")]).status == .error,
            "skips alone never verify")
        #expect(Report(packages: [pass]).exitCode == 0)
        #expect(Report(packages: [pass, failed, errored]).exitCode == 1)
        #expect(Report(packages: [pass, errored]).exitCode == 3)
        #expect(Report(packages: []).exitCode == 3, "nothing verified is not a pass")
        #expect(Report(packages: [pass], unexpected: [EnvironmentFinding(path: "/x.pth", detail: "")]).exitCode == 1)
    }

    @Test func textAndJSONAreDeterministic() throws {
        let a = PackageReport(name: "b", version: "1", checks: [CheckResult(.signature, .pass, "ok")])
        let b = PackageReport(name: "a", version: "2", checks: [CheckResult(.signature, .fail, "bad")])
        let one = Report(packages: [a, b]), two = Report(packages: [b, a])
        #expect(try one.jsonData() == two.jsonData())
        #expect(TextReport().render(one) == TextReport().render(two))
        #expect(TextReport().render(one).contains("✗ FAILED a 2"))
        let table = TextReport().render(one)
        #expect(table.contains("Summary of 2 packages") && table.contains("    ✗ a 2: signature: bad"), "\(table)")
        #expect(!TextReport(detail: .quiet).render(one).contains("Summary of"))
    }
}
