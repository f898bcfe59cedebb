import Foundation
import Testing

/// Attack 1 of issue 9 and its class, against the real binary: nothing from the checked
/// environment runs inside wheeltrust, and what an interpreter reports is checked, not believed.
@Suite("interpreter trust, end to end")
struct InterpreterTrustEndToEndTests {
    static let layouts: [Scenario.Layout] = [.venv, .venvCopies, .system]

    /// The JSON report (fails the test when stdout is not one).
    static func json(_ result: ProcessResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.output)")
    }

    static func package(_ report: [String: Any], _ name: String) throws -> [String: Any] {
        let packages = try #require(report["packages"] as? [[String: Any]])
        return try #require(packages.first { ($0["name"] as? String)?.lowercased() == name }, "\(packages)")
    }

    static func check(_ package: [String: Any], _ name: String) -> [String: Any]? {
        (package["checks"] as? [[String: Any]])?.first { $0["name"] as? String == name }
    }

    static func unexpectedPaths(_ report: [String: Any]) -> [String] {
        (report["unexpected"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
    }

    /// A Python string literal of `text` (ASCII paths and code only).
    static func literal(_ text: String) -> String { String(reflecting: text) }

    @Test(
        "attack 1: a .pth acting only under -I redirects sysconfig to a pristine copy; the tampered module still fails installed-files",
        arguments: layouts)
    func isolatedOnlyPthCannotRedirectTheQuery(layout: Scenario.Layout) async throws {
        try await Scenario.with(packages: ["dotted.pkg"], layout: layout) { scenario in
            let site = scenario.sitePackages
            let pristine = scenario.root + "/pristine"
            let marker = scenario.root + "/MARKER"
            try FileManager.default.copyItem(atPath: site, toPath: pristine)
            let hook = """
                if sys.flags.isolated:
                 import sysconfig, pathlib
                 pathlib.Path(\(Self.literal(marker))).write_text("ran")
                 real = sysconfig.get_paths
                 def fake(*a, _real=real, **k):
                  p = _real(*a, **k); p["purelib"] = p["platlib"] = \(Self.literal(pristine)); return p
                 sysconfig.get_paths = fake

                """
            try "import sys; exec(\(Self.literal(hook)))\n".write(toFile: site + "/zz_redirect.pth", atomically: true, encoding: .utf8)
            let victim = site + "/dotted_pkg/core.py"
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: victim))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("\n__import__('os').environ['TAMPERED'] = '1'\n".utf8))
            try handle.close()
            // The attack is live: the environment's interpreter, run as the old query ran it (-I),
            // runs the hook and reports the pristine copy; importing the module runs the tampered code.
            let fooled = try await TestProcess.run(
                scenario.python, ["-I", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
            #expect(fooled.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == pristine, "\(fooled.output)")
            let imported = try await TestProcess.run(
                scenario.python, ["-c", "import os, dotted_pkg.core; print(os.environ.get('TAMPERED'))"])
            #expect(imported.stdout.contains("1"), "\(imported.output)")
            try FileManager.default.removeItem(atPath: marker)

            for arguments in [["verify", "--all", "--check-bytecode"], ["verify", "dotted.pkg", "--check-bytecode"]] {
                let result = try await scenario.wheeltrust(arguments + ["--format", "json"])
                #expect(result.status == 1, "\(result.output)")
                let report = try Self.json(result)
                let package = try Self.package(report, "dotted.pkg")
                #expect(package["status"] as? String == "failed")
                #expect(Self.check(package, "installed-files")?["status"] as? String == "fail", "\(package)")
                let modified = (package["files"] as? [String: Any])?["modified"] as? [String] ?? []
                #expect(modified.contains { $0.hasSuffix("dotted_pkg/core.py") }, "\(package)")
                if arguments.contains("--all") {
                    #expect(Self.unexpectedPaths(report).contains { $0.hasSuffix("zz_redirect.pth") }, "\(report)")
                }
                // The report says who answered: for a venv its base interpreter, outside the venv.
                let interpreter = try #require(report["interpreter"] as? [String: Any], "\(report)")
                let path = try #require(interpreter["path"] as? String)
                #expect(report["python"] as? String == scenario.python)
                if layout == .system {
                    #expect(interpreter["basis"] as? String == "named" && path == scenario.python)
                } else {
                    #expect(interpreter["basis"] as? String == "venv-base" && !path.hasPrefix(scenario.venv + "/"), "\(interpreter)")
                }
                #expect(!FileManager.default.fileExists(atPath: marker), "the hook ran inside wheeltrust")
            }
        }
    }

    @Test("sitecustomize, usercustomize, their bytecode, .pth imports and PYTHON* variables never run in wheeltrust")
    func startUpHooksAndVariablesNeverRun() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            let site = scenario.sitePackages
            let marker = scenario.root + "/MARKER"
            let write = "import pathlib; pathlib.Path(\(Self.literal(marker))).write_text('ran')"
            try (write + "\n").write(toFile: site + "/sitecustomize.py", atomically: true, encoding: .utf8)
            try (write + "\n").write(toFile: site + "/usercustomize.py", atomically: true, encoding: .utf8)
            try "import os; \(write)\n".write(toFile: site + "/aa_hook.pth", atomically: true, encoding: .utf8)
            let compiled = try await TestProcess.run(
                scenario.python,
                [
                    "-S", "-c", "import py_compile, sys; py_compile.compile(sys.argv[1])",
                    site + "/sitecustomize.py",
                ])
            #expect(compiled.status == 0, "\(compiled.output)")
            // Hostile variables in wheeltrust's own environment: a path with a sitecustomize, a
            // start-up file, a home that would keep Python from starting at all if it were honoured.
            let hostile = scenario.root + "/pythonpath"
            try FileManager.default.createDirectory(atPath: hostile, withIntermediateDirectories: true)
            try (write + "\n").write(toFile: hostile + "/sitecustomize.py", atomically: true, encoding: .utf8)
            try (write + "\n").write(toFile: hostile + "/startup.py", atomically: true, encoding: .utf8)
            let live = try await TestProcess.run(scenario.python, ["-c", "pass"])
            #expect(live.status == 0 && FileManager.default.fileExists(atPath: marker), "the hooks are live: \(live.output)")
            try FileManager.default.removeItem(atPath: marker)

            let args = [
                "verify", "--all", "--check-bytecode", "--format", "json", "--python", scenario.python,
                "--index-url", scenario.indexURL, "--cache-dir", scenario.cache, "--timeout", "30", "--key", scenario.publicKeyPath,
            ]
            let result = try await TestProcess.run(
                TestProcess.wheeltrust, args,
                environment: [
                    "HOME": scenario.root, "PIP_CONFIG_FILE": "/dev/null", "PYTHONPATH": hostile, "PYTHONSTARTUP": hostile + "/startup.py",
                    "PYTHONHOME": scenario.root + "/no-such-home", "PYTHONINSPECT": "1", "PYTHONUSERBASE": hostile,
                ])
            #expect(result.status == 1, "\(result.output)")
            let report = try Self.json(result)
            let package = try Self.package(report, "dotted.pkg")
            #expect(package["status"] as? String == "verified", "the query and the bytecode check ran as usual: \(package)")
            #expect(Self.check(package, "bytecode")?["status"] as? String == "pass", "\(package)")
            let unexpected = Self.unexpectedPaths(report)
            for name in ["sitecustomize.py", "usercustomize.py", "aa_hook.pth"] {
                #expect(unexpected.contains { $0.hasSuffix("/" + name) }, "\(name): \(unexpected)")
            }
            #expect(!FileManager.default.fileExists(atPath: marker), "a start-up hook or a PYTHON* variable ran inside wheeltrust")
        }
    }

    @Test("a bin/python replaced by a script fails closed (exit 3) naming the file, and is never run")
    func replacedBinPythonFailsClosed() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            let marker = scenario.root + "/MARKER"
            let bin = scenario.venv + "/bin/"
            let target = try FileManager.default.destinationOfSymbolicLink(atPath: bin + "python")
            let file = target.hasPrefix("/") ? bin + "python" : bin + target
            try FileManager.default.removeItem(atPath: file)
            // A fake interpreter that would answer the old query with a pristine picture.
            try "#!/bin/sh\ntouch \(marker)\nexec \(TestProcess.python3) \"$@\"\n".write(toFile: file, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file)
            for format in ["json", "text"] {
                let result = try await scenario.wheeltrust(["verify", "--all", "--check-bytecode", "--format", format])
                #expect(result.status == 3, "\(result.output)")
                #expect(result.stdout.isEmpty, "no report claims anything: \(result.stdout)")
                #expect(result.stderr.contains(file + " is not the base interpreter"), "\(result.stderr)")
                #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
            }
            #expect(!FileManager.default.fileExists(atPath: marker), "the replaced bin/python ran")
        }
    }

    @Test("clean baselines verify, and say which interpreter answered", arguments: layouts)
    func cleanBaselinesVerify(layout: Scenario.Layout) async throws {
        try await Scenario.with(packages: ["dotted.pkg", "datatool", "clitool"], layout: layout) { scenario in
            let result = try await scenario.wheeltrust(["verify", "--all", "--check-bytecode", "--format", "json"])
            #expect(result.status == 0, "\(result.output)")
            let report = try Self.json(result)
            #expect((report["summary"] as? [String: Any])?["verified"] as? Int == 3, "\(report)")
            let interpreter = try #require(report["interpreter"] as? [String: Any])
            let reason = interpreter["reason"] as? String ?? ""
            switch layout {
            case .venv: #expect(reason.contains("pyvenv.cfg") && reason.contains("links to it"), "\(reason)")
            case .venvCopies: #expect(reason.contains("pyvenv.cfg") && reason.contains("byte-identical copies of it"), "\(reason)")
            case .system: #expect(interpreter["basis"] as? String == "named" && interpreter["path"] as? String == scenario.python)
            }
            let text = try await scenario.wheeltrust(["verify", "--all"])
            #expect(text.status == 0, "\(text.output)")
            let path = interpreter["path"] as? String ?? "?"
            #expect(text.stdout.hasPrefix("Python: \(scenario.python)\n  answered by \(path): "), "\(text.stdout)")
        }
    }

    @Test("a --copies interpreter edited by one byte fails closed naming it")
    func editedCopyFailsClosed() async throws {
        try await Scenario.with(packages: ["dotted.pkg"], layout: .venvCopies) { scenario in
            let names = try FileManager.default.contentsOfDirectory(atPath: scenario.venv + "/bin").filter { $0.hasPrefix("python3.") }
            let file = scenario.venv + "/bin/" + (try #require(names.first))
            var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            bytes[bytes.count - 100] ^= 0x01
            try bytes.write(to: URL(fileURLWithPath: file))
            let result = try await scenario.wheeltrust(["verify", "dotted.pkg", "--format", "json"])
            #expect(result.status == 3, "\(result.output)")
            #expect(result.stdout.isEmpty)
            #expect(
                result.stderr.contains(file + " is not the base interpreter") && result.stderr.contains("bytes differ"), "\(result.stderr)")
        }
    }
}
