import Foundation
import Testing

/// The attacker who controls the environment's `bin/` plants a `._pth` file: CPython's start-up
/// (`getpath`) reads `<interpreter>._pth` on Linux too, even with `-I -S`, and even in a virtual
/// environment whose `pyvenv.cfg` names a home. Its lines replace `sys.path` (a directory of the
/// attacker's first) and `import site` turns `site` back on under `-S`. So `import pkg` in the
/// environment loads another file than the verified one, and an interpreter wheeltrust runs would
/// run the environment's code. Each layout: the attack is shown live, then wheeltrust must stop
/// before running anything (exit 3, one line naming the file) for `verify PKG` and `--all`.
@Suite("adversarial: ._pth path configuration files")
struct PathConfigurationFileTests {
    static let layouts: [Scenario.Layout] = [.venv, .venvCopies, .system]

    /// The base interpreter's standard library directories (so the planted `._pth` leaves a
    /// working interpreter: the attack is quiet).
    static func standardLibrary() async throws -> [String] {
        let probe = try await TestProcess.run(
            TestProcess.python3, ["-c", "import sysconfig; print(sysconfig.get_path('stdlib')); print(sysconfig.get_path('platstdlib'))"])
        let lines = probe.stdout.split(separator: "\n").map(String.init)
        try #require(probe.status == 0 && lines.count == 2, "\(probe.output)")
        return [lines[0], lines[1] + "/lib-dynload"]
    }

    @Test("a ._pth beside the environment's interpreter fails closed (exit 3) naming it; nothing of it runs", arguments: layouts)
    func pthBesideTheInterpreter(layout: Scenario.Layout) async throws {
        try await Scenario.with(packages: ["datatool"], layout: layout) { scenario in
            let evil = scenario.venv + "/evil"
            let marker = scenario.root + "/MARKER"
            try FileManager.default.createDirectory(atPath: evil, withIntermediateDirectories: true)
            let write = "import pathlib; pathlib.Path(\(String(reflecting: marker))).write_text('ran')\n"
            try write.write(toFile: evil + "/sitecustomize.py", atomically: true, encoding: .utf8)
            try (write + "VALUE = 'attacker'\n").write(toFile: evil + "/datatool.py", atomically: true, encoding: .utf8)
            // What the user runs: a venv's `bin/python3` (a link, or a copy with --copies), or the
            // stand-alone installation's binary itself.
            let interpreter = layout == .system ? scenario.python : scenario.venv + "/bin/python3"
            let pth = interpreter + "._pth"
            let lines = [evil] + (try await Self.standardLibrary()) + ["import site"]
            try (lines.joined(separator: "\n") + "\n").write(toFile: pth, atomically: true, encoding: .utf8)

            // The attack is live: the environment's Python imports the attacker's datatool, and
            // runs its sitecustomize at start-up even when isolated (-I -S).
            let imported = try await TestProcess.run(interpreter, ["-c", "import datatool; print(datatool.__file__)"])
            #expect(imported.stdout.hasPrefix(evil + "/datatool.py"), "\(imported.output)")
            try FileManager.default.removeItem(atPath: marker)
            let isolated = try await TestProcess.run(interpreter, ["-I", "-S", "-B", "-c", "pass"])
            #expect(isolated.status == 0 && FileManager.default.fileExists(atPath: marker), "\(isolated.output)")
            try FileManager.default.removeItem(atPath: marker)

            for arguments in [["verify", "datatool"], ["verify", "--all", "--check-bytecode"]] {
                let result = try await scenario.wheeltrust(arguments + ["--format", "json"])
                #expect(result.status == 3, "\(arguments): \(result.output)")
                #expect(result.stdout.isEmpty, "no report claims anything: \(result.stdout)")
                #expect(result.stderr.contains(pth + ": a ._pth file replaces the interpreter's sys.path"), "\(result.stderr)")
                #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
                #expect(!FileManager.default.fileExists(atPath: marker), "the environment's code ran inside wheeltrust")
            }
        }
    }

    @Test("a ._pth under any other name in a venv's bin/ is refused too (every name there may be run as its Python)")
    func pthUnderAnotherName() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            let pth = scenario.venv + "/bin/python3.11._pth"
            try "/nonexistent\n".write(toFile: pth, atomically: true, encoding: .utf8)
            let result = try await scenario.wheeltrust(["verify", "datatool", "--format", "json"])
            #expect(result.status == 3, "\(result.output)")
            #expect(result.stderr.contains(pth + ": a ._pth file"), "\(result.stderr)")
            try FileManager.default.removeItem(atPath: pth)
            let clean = try await scenario.wheeltrust(["verify", "datatool", "--format", "json"])
            #expect(clean.status == 0, "the baseline verifies: \(clean.output)")
        }
    }

    @Test("a pybuilddir.txt beside a stand-alone installation's interpreter (a build tree's marker) fails closed; its Lib/ never runs")
    func buildMarkerBesideTheInterpreter() async throws {
        try await Scenario.with(packages: ["datatool"], layout: .system) { scenario in
            let bin = PathConfigurationFileTests.parent(scenario.python)
            let marker = scenario.root + "/MARKER"
            // `bin/pybuilddir.txt` makes Python take `bin/Lib` for its standard library, under -I -S
            // too: a copy of the real one whose `encodings` (imported at every start) leaves a mark.
            let stdlib = try await Self.standardLibrary()[0]
            let lib = bin + "/Lib"
            try FileManager.default.createDirectory(atPath: lib, withIntermediateDirectories: true)
            for name in try FileManager.default.contentsOfDirectory(atPath: stdlib) where name != "encodings" && name != "site-packages" {
                try FileManager.default.createSymbolicLink(atPath: lib + "/" + name, withDestinationPath: stdlib + "/" + name)
            }
            try FileManager.default.copyItem(atPath: stdlib + "/encodings", toPath: lib + "/encodings")
            let hook = "\nimport pathlib as _p; _p.Path(\(String(reflecting: marker))).write_text('ran')\n"
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: lib + "/encodings/__init__.py"))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(hook.utf8))
            try handle.close()
            let builddir = bin + "/pybuilddir.txt"
            try "build/lib.linux-x86_64\n".write(toFile: builddir, atomically: true, encoding: .utf8)

            let isolated = try await TestProcess.run(scenario.python, ["-I", "-S", "-B", "-c", "pass"])
            #expect(isolated.status == 0 && FileManager.default.fileExists(atPath: marker), "the attack is live: \(isolated.output)")
            try? FileManager.default.removeItem(atPath: marker)

            let result = try await scenario.wheeltrust(["verify", "datatool", "--format", "json"])
            #expect(result.status == 3, "\(result.output)")
            #expect(result.stdout.isEmpty, "\(result.stdout)")
            #expect(result.stderr.contains(builddir + ": a build tree's marker"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: marker), "the environment's code ran inside wheeltrust")
        }
    }

    static func parent(_ path: String) -> String { (path as NSString).deletingLastPathComponent }

    @Test("a pyvenv.cfg line that Python's start-up and wheeltrust would split differently (a lone CR) fails closed")
    func loneCarriageReturnInPyvenvCfg() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            // A home of the attacker's inside the environment: the real binary, a standard library
            // whose `encodings` leaves a mark.
            let evil = scenario.venv + "/share/evil"
            let marker = scenario.root + "/MARKER"
            let stdlib = try await Self.standardLibrary()[0]
            let version = (stdlib as NSString).lastPathComponent
            try FileManager.default.createDirectory(atPath: evil + "/bin", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: evil + "/lib/" + version, withIntermediateDirectories: true)
            let binary = try FileManager.default.destinationOfSymbolicLink(atPath: scenario.venv + "/bin/python3")
            try FileManager.default.createSymbolicLink(atPath: evil + "/bin/python3", withDestinationPath: binary)
            for name in try FileManager.default.contentsOfDirectory(atPath: stdlib) where name != "encodings" {
                try FileManager.default.createSymbolicLink(atPath: evil + "/lib/\(version)/" + name, withDestinationPath: stdlib + "/" + name)
            }
            try FileManager.default.copyItem(atPath: stdlib + "/encodings", toPath: evil + "/lib/\(version)/encodings")
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: evil + "/lib/\(version)/encodings/__init__.py"))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("\nimport pathlib as _p; _p.Path(\(String(reflecting: marker))).write_text('ran')\n".utf8))
            try handle.close()
            // getpath splits pyvenv.cfg at LF only and strips the key: `home\r= …` is its first home;
            // a reader that also ends lines at CR sees no home there and takes the honest one below.
            let config = scenario.venv + "/pyvenv.cfg"
            let honest = try String(contentsOfFile: config, encoding: .utf8)
            try ("home\r= \(evil)/bin\n" + honest).write(toFile: config, atomically: true, encoding: .utf8)

            let live = try await TestProcess.run(scenario.python, ["-c", "import sys; print(sys.base_prefix)"])
            #expect(live.stdout.hasPrefix(evil) && FileManager.default.fileExists(atPath: marker), "the attack is live: \(live.output)")
            try? FileManager.default.removeItem(atPath: marker)

            for arguments in [["verify", "datatool"], ["verify", "--all"]] {
                let result = try await scenario.wheeltrust(arguments + ["--format", "json"])
                #expect(result.status == 3, "\(arguments): \(result.output)")
                #expect(result.stdout.isEmpty, "\(result.stdout)")
                #expect(result.stderr.contains(config + ": a carriage return"), "\(result.stderr)")
            }
            #expect(!FileManager.default.fileExists(atPath: marker))
        }
    }
}
