import Foundation
import Testing

@testable import PythonPackaging

/// The interpreter wheeltrust runs is not under the checked environment's control: real venvs
/// (symlinked and `--copies`), each attack on what they name, and the answer cross-checked.
@Suite struct TrustedInterpreterTests {
    /// A scratch directory with a real venv in it, removed afterwards.
    final class Fixture {
        let root: String
        let venv: String
        var python: String { venv + "/bin/python" }
        var config: String { venv + "/pyvenv.cfg" }
        var marker: String { root + "/MARKER" }

        init(copies: Bool = false, systemSitePackages: Bool = false) async throws {
            root = try EnvironmentTestSupport.makeTemporaryDirectory()
            venv = try await EnvironmentTestSupport.makeVirtualEnvironment(
                in: root, copies: copies,
                systemSitePackages: systemSitePackages)
        }

        deinit { EnvironmentTestSupport.remove(root) }

        var sitePackages: String {
            let lib = venv + "/lib"
            let version = (try? FileManager.default.contentsOfDirectory(atPath: lib))?.first { $0.hasPrefix("python") } ?? "python3"
            return "\(lib)/\(version)/site-packages"
        }

        /// pyvenv.cfg with `key`'s line replaced by `key = value` (or added).
        func setConfig(_ key: String, _ value: String) throws {
            var lines = try String(contentsOfFile: config, encoding: .utf8).split(separator: "\n").map(String.init)
            lines.removeAll { $0.split(separator: "=").first?.trimmingCharacters(in: .whitespaces) == key }
            lines.append("\(key) = \(value)")
            try EnvironmentTestSupport.write(lines.joined(separator: "\n") + "\n", to: config)
        }

        func configValue(_ key: String) throws -> String? {
            try String(contentsOfFile: config, encoding: .utf8).split(separator: "\n")
                .first { $0.split(separator: "=").first?.trimmingCharacters(in: .whitespaces) == key }
                .map { String($0.split(separator: "=", maxSplits: 1)[1]).trimmingCharacters(in: .whitespaces) }
        }

        /// A shell script that leaves the marker behind if it is ever run.
        var hostileScript: String { "#!/bin/sh\ntouch '\(marker)'\nexit 0\n" }

        /// The refusal of `inspect(python:)` (fails the test when it does not throw).
        func refusal(_ python: String? = nil) async -> PackagingError? {
            await #expect(throws: PackagingError.self) { try await PythonEnvironment.inspect(python: python ?? self.python) }
        }
    }

    /// What the venv's own interpreter reports with site enabled: the reference the computed paths
    /// must equal (the test may run it; wheeltrust must not).
    static func ownPaths(_ python: String) async throws -> [String: String] {
        let script = "import sys, sysconfig; print(sys.prefix); [print(k + '=' + v) for k, v in sysconfig.get_paths().items()]"
        let (status, output) = try await EnvironmentTestSupport.run(python, ["-c", script])
        #expect(status == 0)
        var paths: [String: String] = [:]
        let lines = output.split(separator: "\n")
        paths["prefix"] = lines.first.map(String.init)
        for line in lines.dropFirst() {
            let parts = line.split(separator: "=", maxSplits: 1)
            paths[String(parts[0])] = String(parts[1])
        }
        return paths
    }

    @Test(arguments: [false, true])
    func aVirtualEnvironmentIsAskedThroughItsBaseInterpreter(copies: Bool) async throws {
        let fixture = try await Fixture(copies: copies)
        let env = try await PythonEnvironment.inspect(python: fixture.python)
        let home = try #require(try fixture.configValue("home"))
        #expect(env.trustedInterpreter.basis == .virtualEnvironmentBase)
        #expect(PathResolution.parent(env.trustedInterpreter.path) == home, "the base is found in pyvenv.cfg's home")
        #expect(!env.trustedInterpreter.path.hasPrefix(fixture.venv))
        #expect(env.trustedInterpreter.reason.contains("pyvenv.cfg"))
        #expect(
            env.trustedInterpreter.reason.contains(copies ? "byte-identical copies" : "links to it"),
            "\(env.trustedInterpreter.reason)")
        #expect(env.prefix == fixture.venv && env.executable == fixture.python && env.isVirtualEnvironment)
        #expect(env.systemSitePackages.isEmpty)
        // The paths computed from the base's sysconfig are exactly what the venv's own interpreter
        // (site enabled) reports for itself.
        let own = try await Self.ownPaths(fixture.python)
        #expect(own["prefix"] == env.prefix)
        #expect(own["purelib"] == env.schemePaths.purelib && own["platlib"] == env.schemePaths.platlib)
        #expect(own["scripts"] == env.schemePaths.scripts && own["data"] == env.schemePaths.data)
        #expect(own["include"] == env.schemePaths.include)
        #expect(env.sitePackages.first == fixture.sitePackages)
    }

    @Test func startUpHooksOfTheEnvironmentNeverRun() async throws {
        let fixture = try await Fixture()
        let site = fixture.sitePackages
        let write = "import pathlib; pathlib.Path(\(String(reflecting: fixture.marker))).write_text('ran')"
        // The hook of attack 1 (acts only when isolated, redirects sysconfig), plain .pth imports,
        // sitecustomize/usercustomize, and sitecustomize's bytecode without its source.
        try EnvironmentTestSupport.write(
            "import sys; exec(\(String(reflecting: write))) if sys.flags.isolated else None\n",
            to: site + "/zz_isolated.pth")
        try EnvironmentTestSupport.write("import os; \(write)\n", to: site + "/aa_plain.pth")
        try EnvironmentTestSupport.write(write + "\n", to: site + "/sitecustomize.py")
        try EnvironmentTestSupport.write(write + "\n", to: site + "/usercustomize.py")
        let (compiled, _) = try await EnvironmentTestSupport.run(
            fixture.python,
            [
                "-S", "-c", "import py_compile, sys; py_compile.compile(sys.argv[1])",
                site + "/sitecustomize.py",
            ])
        #expect(compiled == 0)
        // The hooks are live: the venv's own interpreter runs them.
        try await EnvironmentTestSupport.run(fixture.python, ["-I", "-c", "pass"])
        #expect(FileManager.default.fileExists(atPath: fixture.marker), "the hostile hooks do run in the venv's interpreter")
        try FileManager.default.removeItem(atPath: fixture.marker)

        let env = try await PythonEnvironment.inspect(python: fixture.python)
        #expect(env.sitePackages == [site])
        #expect(!FileManager.default.fileExists(atPath: fixture.marker), "nothing of site-packages ran during the query")
    }

    @Test func theChildEnvironmentIsEmptyAndRunsInRoot() async throws {
        let output = try await InterpreterProcess.run(
            "/bin/sh", arguments: ["-c", "env; pwd"], timeoutSeconds: 10, maxOutputBytes: 1 << 16)
        let lines = String(decoding: output.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
        // /bin/sh itself sets PWD; nothing of this process's environment (PATH, HOME, PYTHON*…) is there.
        #expect(lines.filter { !$0.hasPrefix("PWD=") && !$0.hasPrefix("SHLVL=") && !$0.hasPrefix("_=") } == ["/"], "\(lines)")
    }

    @Test func aReplacedBinPythonIsRefusedNamingTheFile() async throws {
        for name in ["python", "python3"] {
            let fixture = try await Fixture()
            let file = fixture.venv + "/bin/" + name
            try FileManager.default.removeItem(atPath: file)
            try EnvironmentTestSupport.makeExecutable(fixture.hostileScript, at: file)
            for named in [fixture.python, fixture.venv + "/bin/python3"] {
                let error = await fixture.refusal(named)
                #expect(error?.code == .interpreterNotTrusted)
                #expect(error?.message.contains(file + " is not the base interpreter") == true, "\(String(describing: error))")
            }
            #expect(!FileManager.default.fileExists(atPath: fixture.marker))
        }
    }

    @Test func aBinPythonLinkedElsewhereIsRefused() async throws {
        let fixture = try await Fixture()
        // A link to another real interpreter than the base named in home.
        let other = fixture.root + "/other"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try EnvironmentTestSupport.makeExecutable(fixture.hostileScript, at: other + "/python3")
        try FileManager.default.removeItem(atPath: fixture.venv + "/bin/python3")
        try FileManager.default.createSymbolicLink(atPath: fixture.venv + "/bin/python3", withDestinationPath: other + "/python3")
        let error = await fixture.refusal()
        #expect(error?.code == .interpreterNotTrusted)
        #expect(
            error?.message.contains(fixture.venv + "/bin/python") == true && error?.message.contains("not to the base interpreter") == true,
            "\(String(describing: error))")
        // An extra interpreter-named file in bin/ is checked too.
        let second = try await Fixture()
        try EnvironmentTestSupport.makeExecutable(second.hostileScript, at: second.venv + "/bin/python3.99")
        await #expect(second.refusal()?.message.contains(second.venv + "/bin/python3.99 is not the base interpreter") == true)
        #expect(!FileManager.default.fileExists(atPath: fixture.marker) && !FileManager.default.fileExists(atPath: second.marker))
    }

    @Test func aCopiedInterpreterEditedByOneByteIsRefused() async throws {
        let fixture = try await Fixture(copies: true)
        let file = fixture.venv + "/bin/python3"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: file))
        let error = await fixture.refusal()
        #expect(error?.code == .interpreterNotTrusted)
        #expect(error?.message.contains(file + " is not the base interpreter") == true, "\(String(describing: error))")
        #expect(error?.message.contains("bytes differ") == true)
    }

    @Test func homeMustBeAnAbsoluteDirectoryOutsideTheEnvironment() async throws {
        let fixture = try await Fixture()
        let realHome = try #require(try fixture.configValue("home"))
        // A copy of the real base inside the venv, named by home: refused before anything runs.
        let inside = fixture.venv + "/fakehome"
        try FileManager.default.createDirectory(atPath: inside, withIntermediateDirectories: true)
        try EnvironmentTestSupport.makeExecutable(fixture.hostileScript, at: inside + "/python3")
        let outsideLink = fixture.root + "/homelink"
        try FileManager.default.createSymbolicLink(atPath: outsideLink, withDestinationPath: inside)
        let cases: [(String, String)] = [
            (inside, "lies inside the environment"),
            (fixture.venv + "/bin/../fakehome", "lies inside the environment"),
            (outsideLink, "resolves into the environment"),
            ("bin", "is not an absolute path"),
            (fixture.root + "/missing", "is not a directory"),
        ]
        for (home, expected) in cases {
            try fixture.setConfig("home", home)
            let error = await fixture.refusal()
            #expect(error?.code == .interpreterNotTrusted, "\(home)")
            #expect(error?.message.contains(expected) == true, "\(home): \(String(describing: error))")
        }
        // A fake python script outside the venv, with bin/python linked to it.
        let fake = fixture.root + "/fake"
        try FileManager.default.createDirectory(atPath: fake, withIntermediateDirectories: true)
        try EnvironmentTestSupport.makeExecutable(fixture.hostileScript, at: fake + "/python3")
        try fixture.setConfig("home", fake)
        try FileManager.default.removeItem(atPath: fixture.venv + "/bin/python3")
        try FileManager.default.createSymbolicLink(atPath: fixture.venv + "/bin/python3", withDestinationPath: fake + "/python3")
        let script = await fixture.refusal()
        #expect(script?.message.contains("is not an executable binary but a script") == true, "\(String(describing: script))")
        // A base reached through a link inside the venv.
        let through = fixture.root + "/through"
        try FileManager.default.createDirectory(atPath: through, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: fixture.venv + "/hop", withDestinationPath: realHome + "/python3")
        try FileManager.default.createSymbolicLink(atPath: through + "/python3", withDestinationPath: fixture.venv + "/hop")
        try fixture.setConfig("home", through)
        let linked = await fixture.refusal()
        #expect(
            linked?.message.contains("is a link through \(fixture.venv)/hop inside the environment") == true,
            "\(String(describing: linked))")
        #expect(!FileManager.default.fileExists(atPath: fixture.marker))
    }

    @Test func pyvenvCfgIsParsedStrictly() async throws {
        let fixture = try await Fixture()
        let home = try #require(try fixture.configValue("home"))
        let version = try #require(try fixture.configValue("version"))
        let cases: [(String, String)] = [
            ("home = \(home)\nhome = /usr/bin\nversion = \(version)\n", "'home' is given twice"),
            ("version = \(version)\n", "no 'home'"),
            ("home = \(home)\n", "states no 'version'"),
            ("home = \(home)\nversion = three\n", "is not a Python version"),
            ("home = \(home)\nversion = \(version)\nversion_info = 2.7.18.final.0\n", "disagree"),
            ("home = \(home)\nversion = 3.1\n", "states Python 3.1 but its base interpreter"),
        ]
        for (text, expected) in cases {
            try EnvironmentTestSupport.write(text, to: fixture.config)
            let error = await fixture.refusal()
            #expect(error?.code == .interpreterNotTrusted)
            #expect(error?.message.contains(expected) == true, "\(text): \(String(describing: error))")
        }
        try EnvironmentTestSupport.write([0xFF, 0xFE, 0x00], to: fixture.config)
        await #expect(fixture.refusal()?.message.contains("not UTF-8") == true)
        // virtualenv's and uv's keys, CRLF, comments and unknown keys are fine.
        try EnvironmentTestSupport.write(
            "# made by hand\r\nhome = \(home)\r\nimplementation = CPython\r\nversion_info = \(version).final.0\r\n"
                + "include-system-site-packages = false\r\nuv = 0.4.0\r\n", to: fixture.config)
        await #expect(try PythonEnvironment.inspect(python: fixture.python).prefix == fixture.venv)
        // A nested venv: home is itself a virtual environment's bin.
        let inner = try await EnvironmentTestSupport.makeVirtualEnvironment(in: fixture.root, name: "other")
        try EnvironmentTestSupport.write("home = \(inner)/bin\nversion = \(version)\n", to: fixture.config)
        await #expect(fixture.refusal()?.message.contains("is itself a virtual environment's") == true)
    }

    @Test func pyvenvCfgFindsEqualsAndBlanksAmongScalarsAsPythonDoes() throws {
        // The class the fuzzers found in URL masking and simple pages: `=` followed by a combining
        // mark is one Character. Python's `partition("=")` still splits there, so a Character
        // search skipped a line Python reads as `home` and showed a later one instead.
        let twice = "home =\u{301}/elsewhere\nhome = /usr/bin\nversion = 3.11.7\n"
        let error = #expect(throws: PackagingError.self) { try VirtualEnvironmentConfig(parsing: Array(twice.utf8), file: "/v/pyvenv.cfg") }
        #expect(error?.message.contains("'home' is given twice") == true, "\(String(describing: error))")
        // `str.strip()` removes U+001C–U+001F and every Unicode blank, one scalar at a time.
        let config = try VirtualEnvironmentConfig(
            parsing: Array("home = /usr/bin\u{1F}\nversion =\u{A0}3.11.7\u{2003}\n".utf8),
            file: "/v/pyvenv.cfg")
        #expect(config.home == "/usr/bin")
        #expect(config.version == "3.11.7")
    }

    @Test func systemSitePackagesAreNamed() async throws {
        let fixture = try await Fixture(systemSitePackages: true)
        let env = try await PythonEnvironment.inspect(python: fixture.python)
        #expect(!env.systemSitePackages.isEmpty)
        #expect(env.sitePackages == [fixture.sitePackages], "the base's site-packages are not taken for the venv's")
        #expect(env.trustedInterpreter.reason.contains("include-system-site-packages = true"))
        // pip is then found in the base (the interpreter running these tests has pip).
        #expect(env.pipDefaultIndexURL.flatMap(URL.init(string:))?.scheme == "https")
    }

    @Test func howTheInterpreterIsNamed() async throws {
        let fixture = try await Fixture()
        // Relative, with dot-dot, and through a symlinked venv directory: all the venv.
        let depth = FileManager.default.currentDirectoryPath.split(separator: "/").count
        let relative = try await PythonEnvironment.inspect(
            python: "./" + String(repeating: "../", count: depth) + fixture.python.dropFirst())
        #expect(relative.prefix == fixture.venv && relative.trustedInterpreter.basis == .virtualEnvironmentBase)
        let dotted = try await PythonEnvironment.inspect(python: fixture.venv + "/bin/../bin/python3")
        #expect(dotted.prefix == fixture.venv && dotted.executable == fixture.venv + "/bin/python3")
        let linkedVenv = fixture.root + "/linked"
        try FileManager.default.createSymbolicLink(atPath: linkedVenv, withDestinationPath: fixture.venv)
        let viaLink = try await PythonEnvironment.inspect(python: linkedVenv + "/bin/python")
        #expect(viaLink.prefix == linkedVenv && viaLink.schemePaths.purelib.hasPrefix(linkedVenv + "/"))
        // A link from outside into the venv's bin: Python run through it does not use the venv,
        // and the link passes a file of the venv: refused as a usage error.
        let outside = fixture.root + "/python-link"
        try FileManager.default.createSymbolicLink(atPath: outside, withDestinationPath: fixture.python)
        let error = await fixture.refusal(outside)
        #expect(error?.code == .interpreter)
        #expect(error?.message.contains("is a link through \(fixture.python)") == true, "\(String(describing: error))")
        // A venv that lost its pyvenv.cfg is not silently run as a system Python.
        try FileManager.default.removeItem(atPath: fixture.config)
        let lost = await fixture.refusal()
        #expect(lost?.code == .interpreterNotTrusted)
        #expect(lost?.message.contains("has no pyvenv.cfg") == true, "\(String(describing: lost))")
        // Without bin/activate either, a script put in place of bin/python is still not run…
        try FileManager.default.removeItem(atPath: fixture.venv + "/bin/activate")
        try FileManager.default.removeItem(atPath: fixture.venv + "/bin/python")
        try EnvironmentTestSupport.makeExecutable(fixture.hostileScript, at: fixture.venv + "/bin/python")
        let script = await fixture.refusal()
        #expect(script?.code == .interpreterNotTrusted)
        #expect(script?.message.contains("is a script in a Python environment's bin/") == true, "\(String(describing: script))")
        // …nor a binary there without a standard library beside it.
        let base = try #require(PathResolution.resolve(fixture.venv + "/bin/python3")?.final)
        try FileManager.default.removeItem(atPath: fixture.venv + "/bin/python")
        try FileManager.default.copyItem(atPath: base, toPath: fixture.venv + "/bin/python")
        let binary = await fixture.refusal()
        #expect(binary?.code == .interpreterNotTrusted)
        #expect(binary?.message.contains("has no standard library beside it") == true, "\(String(describing: binary))")
        #expect(!FileManager.default.fileExists(atPath: fixture.marker))
    }

    @Test func aSystemPythonIsRunIsolatedAndChecked() async throws {
        let (_, base) = try await EnvironmentTestSupport.run("/bin/sh", ["-c", "python3 -c 'import sys; print(sys.executable)'"])
        let python = base.trimmingCharacters(in: .whitespacesAndNewlines)
        let env = try await PythonEnvironment.inspect(python: python)
        #expect(env.trustedInterpreter == TrustedInterpreter(path: python, basis: .named, reason: env.trustedInterpreter.reason))
        #expect(!env.isVirtualEnvironment)
        #expect(env.sitePackages.allSatisfy { PathResolution.isWithin($0, env.prefix) })
        #expect(env.pipDefaultIndexURL != nil, "pip's default index read from pip's source")
    }

    @Test func pipsDefaultIndexIsReadAsTextNeverImported() async throws {
        let fixture = try await Fixture()
        let models = fixture.sitePackages + "/pip/_internal/models"
        try FileManager.default.createDirectory(atPath: models, withIntermediateDirectories: true)
        // If pip were imported, this would run.
        try EnvironmentTestSupport.write(
            "import pathlib; pathlib.Path(\(String(reflecting: fixture.marker))).write_text('ran')\n",
            to: fixture.sitePackages + "/pip/__init__.py")
        try EnvironmentTestSupport.write(
            "open(\(String(reflecting: fixture.marker)), 'w')\nPyPI = PackageIndex(\n    \"https://index.example/\", file_storage_domain=\"files.example\"\n)\n",
            to: models + "/index.py")
        let env = try await PythonEnvironment.inspect(python: fixture.python)
        #expect(env.pipDefaultIndexURL == "https://index.example/simple")
        #expect(!FileManager.default.fileExists(atPath: fixture.marker))
        await #expect(try PythonEnvironment.inspect(python: fixture.python, withPipDefaultIndex: false).pipDefaultIndexURL == nil)
        // A link in place of the file, or a file too large, gives no index (never a guess).
        try FileManager.default.moveItem(atPath: models + "/index.py", toPath: fixture.root + "/index.py")
        try FileManager.default.createSymbolicLink(atPath: models + "/index.py", withDestinationPath: fixture.root + "/index.py")
        await #expect(try PythonEnvironment.inspect(python: fixture.python).pipDefaultIndexURL == nil)
        try FileManager.default.removeItem(atPath: models + "/index.py")
        try EnvironmentTestSupport.write(
            String(repeating: "#\n", count: PipDefaultIndex.maxBytes) + "PyPI = PackageIndex('https://index.example/')\n",
            to: models + "/index.py")
        await #expect(try PythonEnvironment.inspect(python: fixture.python).pipDefaultIndexURL == nil)
    }

    @Test func pipsSourceForms() {
        func url(_ text: String) -> String? { PipDefaultIndex.simpleURL(fromSource: Array(text.utf8)) }
        #expect(url("PyPI = PackageIndex(\"https://a.example/\", file_storage_domain=\"f\")\n") == "https://a.example/simple")
        #expect(url("PyPI = PackageIndex(\n    'https://a.example/', file_storage_domain='f'\n)\n") == "https://a.example/simple")
        #expect(url("PyPI = Index('https://a.example/')\n") == "https://a.example/simple")
        #expect(url("PyPI = PackageIndex(url='http://a.example/root/')\n") == "http://a.example/root/simple")
        #expect(url("PyPI = PackageIndex('ftp://a.example/')\n") == nil)
        #expect(url("PyPI = PackageIndex('https://a.example/\u{1B}[2K')\n") == nil)
        #expect(url("x = 1\n# PyPI = PackageIndex('https://a.example/')\n") == nil)
        #expect(url("PyPI = PackageIndex(URL)\n") == nil)
    }

    @Test func linksAreResolvedComponentByComponent() throws {
        let root = try EnvironmentTestSupport.makeTemporaryDirectory()
        defer { EnvironmentTestSupport.remove(root) }
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/real/bin", withIntermediateDirectories: true)
        try EnvironmentTestSupport.write("x", to: root + "/real/bin/file")
        try fm.createSymbolicLink(atPath: root + "/dir", withDestinationPath: "real")
        try fm.createSymbolicLink(atPath: root + "/real/bin/alias", withDestinationPath: "../bin/file")
        let resolved = try #require(PathResolution.resolve(root + "/dir/bin/alias"))
        #expect(resolved.final == root + "/real/bin/file")
        #expect(resolved.links == [root + "/dir", root + "/real/bin/alias"])
        try fm.createSymbolicLink(atPath: root + "/loop", withDestinationPath: "loop")
        #expect(PathResolution.resolve(root + "/loop") == nil)
        #expect(PathResolution.resolve(root + "/missing/x") == nil)
        #expect(PathResolution.absolute("a/./b/../c", currentDirectory: "/x") == "/x/a/c")
        #expect(PathResolution.isWithin("/a/b", "/a") && !PathResolution.isWithin("/ab", "/a"))
        #expect(PathResolution.shown("/a\u{1B}[2K") == "/a\\u{1b}[2K")
        #expect(
            VirtualEnvironmentInterpreter.isInterpreterName("python3.13t") && VirtualEnvironmentInterpreter.isInterpreterName("pypy3.10"))
        #expect(
            !VirtualEnvironmentInterpreter.isInterpreterName("python3-config") && !VirtualEnvironmentInterpreter.isInterpreterName("sh"))
    }
}
