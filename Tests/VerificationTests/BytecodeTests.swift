import Foundation
import Testing

@testable import Verification

/// Makes and damages `.pyc` files with a real interpreter, the way an attacker would.
enum PycTool {
    static let script = #"""
        import os, py_compile, sys
        M = py_compile.PycInvalidationMode
        op, args = sys.argv[1], sys.argv[2:]
        def header(pyc, start, value):
            data = bytearray(open(pyc, "rb").read())
            data[start:start + 4] = (value & 0xFFFFFFFF).to_bytes(4, "little")
            open(pyc, "wb").write(bytes(data))
        MODES = {"timestamp": M.TIMESTAMP, "hash": M.CHECKED_HASH, "unchecked": M.UNCHECKED_HASH}
        if op == "compile":  # src pyc timestamp|hash|unchecked optimize
            src, pyc, mode, opt = args
            py_compile.compile(src, cfile=pyc, doraise=True, optimize=int(opt), invalidation_mode=MODES[mode])
        elif op == "uncheckedswap":  # src other pyc: other's code in an unchecked hash-based .pyc (loaded whatever src says)
            src, other, pyc = args
            py_compile.compile(other, cfile=pyc, dfile=src, doraise=True, invalidation_mode=M.UNCHECKED_HASH)
        elif op == "swap":  # src other pyc: other's code under a header that matches src
            src, other, pyc = args
            py_compile.compile(other, cfile=pyc, dfile=src, doraise=True, invalidation_mode=M.TIMESTAMP)
            info = os.stat(src)
            header(pyc, 8, int(info.st_mtime))
            header(pyc, 12, info.st_size)
        elif op == "bump":  # pyc: header mtime + 1, code untouched
            pyc = args[0]
            header(pyc, 8, int.from_bytes(open(pyc, "rb").read()[8:12], "little") + 1)
        elif op == "tag":
            print(sys.implementation.cache_tag)
        """#

    @discardableResult
    static func run(_ python: String, _ arguments: [String]) async throws -> String {
        let result = try await TestProcess.run(python, ["-B", "-c", script] + arguments)
        try #require(result.status == 0, "pyc tool \(arguments): \(result.output)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

@Suite("bytecode checker (one real interpreter run per batch)")
struct BytecodeCheckerTests {
    let directory: String
    let python = TestProcess.python3

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("wt-pyc-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let source =
        "\"\"\"Docstring.\"\"\"\ndef f(x):\n    assert x\n    return [x, 1.5, -0.0, 'a', (1, 2)]\nclass C:\n    def g(self):\n        return f(1)\n"

    @Test func matchingBytecodePassesInOneBatch() async throws {
        let src = try write("mod.py", Self.source)
        try await PycTool.run(python, ["compile", src, directory + "/ts.pyc", "timestamp", "0"])
        try await PycTool.run(python, ["compile", src, directory + "/hash.pyc", "hash", "0"])
        try await PycTool.run(python, ["compile", src, directory + "/opt1.pyc", "timestamp", "1"])
        try await PycTool.run(python, ["compile", src, directory + "/opt2.pyc", "timestamp", "2"])
        let verdicts = try await BytecodeChecker(interpreter: python).check([
            .init(pyc: directory + "/ts.pyc", source: src, optimize: 0),
            .init(pyc: directory + "/hash.pyc", source: src, optimize: 0),
            .init(pyc: directory + "/opt1.pyc", source: src, optimize: 1),
            .init(pyc: directory + "/opt2.pyc", source: src, optimize: 2),
        ])
        #expect(verdicts == [.matches, .matches, .matches, .matches])
    }

    @Test func otherCodeUnderAMatchingHeaderDiffers() async throws {
        let src = try write("mod.py", Self.source)
        let other = try write("other.py", "import os\nos.system('true')\n")
        let pyc = directory + "/mod.pyc"
        try await PycTool.run(python, ["swap", src, other, pyc])
        let verdicts = try await BytecodeChecker(interpreter: python).check([.init(pyc: pyc, source: src, optimize: 0)])
        #expect(verdicts == [.differs("code differs")])
    }

    @Test("a timestamp .pyc whose header no longer matches its source is stale: Python never loads it")
    func headerOnlyChangeIsStale() async throws {
        let src = try write("mod.py", Self.source)
        let pyc = directory + "/mod.pyc"
        try await PycTool.run(python, ["compile", src, pyc, "timestamp", "0"])
        try await PycTool.run(python, ["bump", pyc])
        let verdicts = try await BytecodeChecker(interpreter: python).check([.init(pyc: pyc, source: src, optimize: 0)])
        #expect(verdicts == [.stale("header mtime/size differ from the source: never loaded")])
    }

    @Test("a stale timestamp .pyc holding other code is still only stale: the loader rejects its header")
    func staleHeaderWithOtherCodeIsStale() async throws {
        let src = try write("mod.py", Self.source)
        let other = try write("other.py", "import os\nos.system('true')\n")
        let pyc = directory + "/mod.pyc"
        try await PycTool.run(python, ["swap", src, other, pyc])
        try await PycTool.run(python, ["bump", pyc])
        let verdicts = try await BytecodeChecker(interpreter: python).check([.init(pyc: pyc, source: src, optimize: 0)])
        #expect(verdicts == [.stale("header mtime/size differ from the source: never loaded")])
    }

    @Test("a checked hash-based .pyc of another source is stale: Python checks the hash and recompiles")
    func checkedHashOfAnotherSourceIsStale() async throws {
        let src = try write("mod.py", Self.source)
        let pyc = directory + "/mod.pyc"
        try await PycTool.run(python, ["compile", src, pyc, "hash", "0"])
        try (Self.source + "x = 1\n").write(toFile: src, atomically: true, encoding: .utf8)
        let verdicts = try await BytecodeChecker(interpreter: python).check([.init(pyc: pyc, source: src, optimize: 0)])
        #expect(verdicts == [.stale("checked source hash differs: never loaded")])
    }

    @Test("an unchecked hash-based .pyc is loaded whatever the source says: other code in it differs")
    func uncheckedHashOfOtherCodeDiffers() async throws {
        let src = try write("mod.py", Self.source)
        let other = try write("other.py", "import os\nos.system('true')\n")
        let pyc = directory + "/mod.pyc"
        try await PycTool.run(python, ["uncheckedswap", src, other, pyc])
        let verdicts = try await BytecodeChecker(interpreter: python).check([.init(pyc: pyc, source: src, optimize: 0)])
        #expect(verdicts == [.differs("code differs")])
        // Its own code, even with the hash of a source since edited: loaded, and it matches.
        let own = directory + "/own.pyc"
        try await PycTool.run(python, ["compile", src, own, "unchecked", "0"])
        #expect(try await BytecodeChecker(interpreter: python).check([.init(pyc: own, source: src, optimize: 0)]) == [.matches])
    }

    @Test func wrongOptimisationLevelDiffers() async throws {
        let src = try write("mod.py", Self.source)
        let pyc = directory + "/mod.pyc"
        try await PycTool.run(python, ["compile", src, pyc, "timestamp", "0"])
        let verdicts = try await BytecodeChecker(interpreter: python).check([.init(pyc: pyc, source: src, optimize: 2)])
        #expect(verdicts == [.differs("code differs")])
    }

    @Test func garbageAndUnreadableFilesAreVerdictsNotCrashes() async throws {
        let src = try write("mod.py", Self.source)
        let short = try write("short.pyc", "abc")
        let magicOff = directory + "/magic.pyc"
        try Data(repeating: 0x41, count: 64).write(to: URL(fileURLWithPath: magicOff))
        let junk = directory + "/junk.pyc"
        try await PycTool.run(python, ["compile", src, junk, "timestamp", "0"])
        var bytes = try Data(contentsOf: URL(fileURLWithPath: junk))
        bytes = bytes.prefix(16) + Data(repeating: 0xFF, count: 40)
        try bytes.write(to: URL(fileURLWithPath: junk))
        let verdicts = try await BytecodeChecker(interpreter: python).check([
            .init(pyc: short, source: src, optimize: 0),
            .init(pyc: magicOff, source: src, optimize: 0),
            .init(pyc: junk, source: src, optimize: 0),
            .init(pyc: directory + "/absent.pyc", source: src, optimize: 0),
        ])
        try #require(verdicts.count == 4)
        #expect(verdicts[0] == .stale("shorter than a .pyc header: never loaded"))
        #expect(verdicts[1] == .stale("another interpreter's magic number: never loaded"))
        if case .differs(let why) = verdicts[2] {
            #expect(why.hasPrefix("code does not load: "), "\(why)")
        } else {
            Issue.record("junk code: \(verdicts[2])")
        }
        if case .error(let reason) = verdicts[3] {
            #expect(reason.hasPrefix("cannot read: ") && reason.contains("absent.pyc"), "absent pyc: \(reason)")
        } else {
            Issue.record("absent pyc: \(verdicts[3])")
        }
    }

    @Test func anInterpreterThatCannotRunIsAnErrorNeverAPass() async throws {
        let request = BytecodeChecker.Request(pyc: directory + "/x.pyc", source: directory + "/x.py", optimize: 0)
        func failure(_ interpreter: String) async -> VerificationError? {
            do {
                let verdicts = try await BytecodeChecker(interpreter: interpreter).check([request])
                Issue.record("\(interpreter) gave verdicts \(verdicts)")
                return nil
            } catch {
                return error
            }
        }
        let missing = await failure(directory + "/no-such-python")
        #expect(missing?.code == .operational)
        #expect(
            missing?.message.hasPrefix("bytecode check: ") == true && missing?.message.contains("no-such-python") == true,
            "\(String(describing: missing))")
        let falseExit = await failure("/bin/false")
        #expect(falseExit?.code == .operational)
        #expect(falseExit?.message.hasPrefix("bytecode check: /bin/false exited with status 1") == true, "\(String(describing: falseExit))")
        let silent = await failure("/bin/true")  // exits 0 but answers nothing
        #expect(silent?.code == .operational)
        #expect(silent?.message == "bytecode check: /bin/true did not answer for every .pyc", "\(String(describing: silent))")
        // Nothing to check starts nothing.
        #expect(try await BytecodeChecker(interpreter: directory + "/no-such-python").check([]) == [])
    }

    @Test func pycNamesAreParsed() {
        let name = BytecodeName(path: "/s/p/__pycache__/m.cpython-311.pyc")
        #expect(name?.source == "/s/p/m.py" && name?.tag == "cpython-311" && name?.optimize == 0)
        #expect(BytecodeName(path: "/s/__pycache__/m.cpython-311.opt-2.pyc")?.optimize == 2)
        #expect(BytecodeName(path: "/s/__pycache__/m.cpython-311.opt-7.pyc")?.optimize == nil)
        #expect(BytecodeName(path: "/s/__pycache__/m.a.b.c.pyc")?.optimize == nil)
        #expect(BytecodeName(path: "/s/p/m.cpython-311.pyc") == nil)
    }

    @Test func foldingVerdictsIntoAReport() {
        let pyc = "/s/p/__pycache__/m.cpython-311.pyc"
        let request = BytecodeChecker.Request(pyc: pyc, source: "/s/p/m.py", optimize: 0)
        func report() -> PackageReport {
            var report = PackageReport(name: "p", version: "1")
            report.files.generated = [pyc]
            report.fileLines = [.init(path: pyc, state: .generated, note: nil)]
            return report
        }
        var failed = report()
        BytecodeVerification.fold([request], verdicts: [pyc: .differs("code differs")], failure: nil, into: &failed)
        #expect(failed.files.modified == [pyc] && failed.files.generated.isEmpty)
        #expect(failed.checks == [CheckResult(.bytecode, .fail, "1 .pyc file(s) differ from their verified sources: \(pyc)")])
        #expect(failed.fileLines.first?.state == .modified)
        #expect(failed.fileLines.first?.note == "bytecode differs from its verified source: code differs")
        #expect(failed.status == .failed)

        var broken = report()
        BytecodeVerification.fold([request], verdicts: [:], failure: "cannot run python", into: &broken)
        #expect(broken.checks == [CheckResult(.bytecode, .error, "1 .pyc file(s) not checked: cannot run python")])
        #expect(broken.status == .error)
        #expect(broken.files.generated == [pyc] && broken.files.modified.isEmpty, "could not check is not tampering")

        var unreadable = report()
        BytecodeVerification.fold([request], verdicts: [pyc: .error("cannot read")], failure: nil, into: &unreadable)
        #expect(unreadable.checks == [CheckResult(.bytecode, .error, "1 .pyc file(s) could not be checked: \(pyc)")])
        #expect(unreadable.fileLines.first?.state == .unchecked)
        #expect(unreadable.fileLines.first?.note == "bytecode not checked: cannot read")
        #expect(unreadable.status == .error)

        var passed = report()
        BytecodeVerification.fold([request], verdicts: [pyc: .matches], failure: nil, into: &passed)
        #expect(passed.checks == [CheckResult(.bytecode, .pass, "1 .pyc files match their verified sources")])
        #expect(passed.files.generated == [pyc])
    }

    @Test func switchedOffIsASkip() async {
        var reports = [PackageReport(name: "p", version: "1"), PackageReport(name: "q", version: "1")]
        await BytecodeVerification.apply(checker: nil, to: &reports, outcomes: [InstalledFilesVerifier.Outcome(), nil])
        // The fact, and the remedy as a value: the library names no option (the command line does).
        #expect(reports[0].checks == [CheckResult(.bytecode, .skip, "bytecode not checked", remedy: .checkBytecode)])
        #expect(
            reports[0].checks[0].worded(by: LibraryWording()).detail == "bytecode not checked (off: the bytecode check was not asked for)")
        #expect(reports[1].checks.isEmpty)
    }
}

/// `.pyc` checks end to end: pip compiles the bytecode in a real venv, the real `wheeltrust`
/// binary checks it with that venv's interpreter.
@Suite("bytecode end to end")
struct BytecodeEndToEndTests {
    @Test("a clean environment verifies with every pip-compiled .pyc checked, top-level modules too; off by default for --all")
    func cleanEnvironment() async throws {
        try await Scenario.with(packages: ["dotted.pkg", "datatool"]) { scenario in
            let tag = try await PycTool.run(scenario.python, ["tag"])
            // --all leaves bytecode unchecked unless asked (it costs ~10x the run on a large environment).
            let unchecked = try await scenario.wheeltrust(["verify", "--all", "-v"])
            #expect(unchecked.status == 0, "\(unchecked.output)")
            #expect(unchecked.stdout.contains("bytecode not checked (off: --check-bytecode turns it on)"), "\(unchecked.output)")
            let result = try await scenario.wheeltrust(["verify", "--all", "--check-bytecode", "-v"])
            #expect(result.status == 0, "\(result.output)")
            #expect(result.stdout.contains("✓ bytecode: "), "\(result.output)")
            #expect(result.stdout.contains(".pyc files match their verified sources"), "\(result.output)")
            let topLevel = "\(scenario.sitePackages)/__pycache__/datatool.\(tag).pyc  (bytecode matches its verified source)"
            #expect(result.stdout.contains(topLevel), "\(result.output)")
            let inPackage = "\(scenario.sitePackages)/dotted_pkg/__pycache__/core.\(tag).pyc  (bytecode matches its verified source)"
            #expect(result.stdout.contains(inPackage), "\(result.output)")
        }
    }

    @Test(
        "a .pyc holding other code under a matching header fails, and runs instead of its untouched .py; --no-check-bytecode skips the check"
    )
    func tamperedCode() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            let tag = try await PycTool.run(scenario.python, ["tag"])
            let source = scenario.sitePackages + "/dotted_pkg/core.py"
            let pyc = scenario.sitePackages + "/dotted_pkg/__pycache__/core.\(tag).pyc"
            let evil = scenario.root + "/evil.py"
            try "print('tampered bytecode runs')\n".write(toFile: evil, atomically: true, encoding: .utf8)
            try await PycTool.run(scenario.python, ["swap", source, evil, pyc])
            // The threat is real: the interpreter runs the .pyc, not the verified .py.
            let imported = try await TestProcess.run(scenario.python, ["-B", "-c", "import dotted_pkg.core"])
            #expect(imported.stdout.contains("tampered bytecode runs"), "\(imported.output)")

            let result = try await scenario.wheeltrust(["verify", "dotted.pkg", "-v"])
            #expect(result.status == 1, "\(result.output)")
            #expect(result.stdout.contains("✗ bytecode: 1 .pyc file(s) differ from their verified sources: \(pyc)"), "\(result.output)")
            #expect(result.stdout.contains("\(pyc)  (bytecode differs from its verified source: code differs)"), "\(result.output)")
            #expect(result.stdout.contains("✓ installed-files"), "the .py itself is untouched: \(result.output)")

            let json = try await scenario.verifyJSON(["dotted.pkg"])
            json.expect("dotted.pkg", .bytecode, .fail, "1 .pyc file(s) differ from their verified sources: \(pyc)")
            json.expect("dotted.pkg", .installedFiles, .pass)
            #expect(json.failing("dotted.pkg").map(\.name) == [.bytecode], "\(json.result.output)")
            #expect(json.package("dotted.pkg")?.files.modified == [pyc])
            #expect(json.package("dotted.pkg")?.files.generated.contains(pyc) == false)

            let skipped = try await scenario.wheeltrust(["verify", "dotted.pkg", "--no-check-bytecode"])
            #expect(skipped.status == 0, "\(skipped.output)")
            #expect(skipped.stdout.contains("- bytecode: bytecode not checked (off: --check-bytecode turns it on)"), "\(skipped.output)")
            // The JSON report's detail is the same text, the remedy worded by the command line (no field of its own).
            let skippedJSON = try await scenario.verifyJSON(["dotted.pkg", "--no-check-bytecode"])
            skippedJSON.expect("dotted.pkg", .bytecode, .skip, "bytecode not checked (off: --check-bytecode turns it on)")
            #expect(!skippedJSON.result.stdout.contains("\"remedy\""), "\(skippedJSON.result.stdout)")

            // A source that no longer verifies: its .pyc is not checked (the .py already fails);
            // a .pyc that is a symbolic link is not a regular file.
            var bytes = try Data(contentsOf: URL(fileURLWithPath: source))
            bytes.append(contentsOf: Array("\n".utf8))
            try bytes.write(to: URL(fileURLWithPath: source))
            let initPyc = scenario.sitePackages + "/dotted_pkg/__pycache__/__init__.\(tag).pyc"
            try FileManager.default.removeItem(atPath: initPyc)
            try FileManager.default.createSymbolicLink(atPath: initPyc, withDestinationPath: pyc)
            let both = try await scenario.wheeltrust(["verify", "dotted.pkg", "-v"])
            #expect(both.status == 1, "\(both.output)")
            #expect(both.stdout.contains("\(pyc)  (bytecode not checked: its source did not verify)"), "\(both.output)")
            #expect(both.stdout.contains("\(initPyc)  (not a regular file)"), "\(both.output)")
            let bothJSON = try await scenario.verifyJSON(["dotted.pkg"])
            bothJSON.expect("dotted.pkg", .installedFiles, .fail, "modified: ", source, initPyc)
            #expect(bothJSON.package("dotted.pkg")?.files.modified.contains(source) == true, "\(bothJSON.result.output)")
            #expect(bothJSON.package("dotted.pkg")?.files.modified.contains(pyc) == false, "its source failed: not judged")
        }
    }

    @Test("a stray .pyc, another interpreter's .pyc and a tampered top-level .pyc fail; a header-only change is stale")
    func headerStrayForeignAndTopLevel() async throws {
        try await Scenario.with(packages: ["dotted.pkg", "datatool"]) { scenario in
            let tag = try await PycTool.run(scenario.python, ["tag"])
            let cache = scenario.sitePackages + "/dotted_pkg/__pycache__"
            // Header only: the code still matches, the mtime in the header does not.
            let header = cache + "/__init__.\(tag).pyc"
            try await PycTool.run(scenario.python, ["bump", header])
            // A .pyc whose source is in no RECORD.
            let ghostSource = scenario.root + "/ghost.py"
            try "import os\n".write(toFile: ghostSource, atomically: true, encoding: .utf8)
            let stray = cache + "/ghost.\(tag).pyc"
            try await PycTool.run(scenario.python, ["compile", ghostSource, stray, "timestamp", "0"])
            // Bytecode of a verified source, for an interpreter this environment does not have.
            let foreign = cache + "/core.cpython-299.pyc"
            try FileManager.default.copyItem(atPath: cache + "/core.\(tag).pyc", toPath: foreign)
            // A top-level module's bytecode in site-packages/__pycache__.
            let evil = scenario.root + "/evil.py"
            try "print('evil')\n".write(toFile: evil, atomically: true, encoding: .utf8)
            let topLevel = scenario.sitePackages + "/__pycache__/datatool.\(tag).pyc"
            try await PycTool.run(scenario.python, ["swap", scenario.sitePackages + "/datatool.py", evil, topLevel])

            let result = try await scenario.wheeltrust(["verify", "dotted.pkg", "datatool", "-v"])
            #expect(result.status == 1, "\(result.output)")
            #expect(
                result.stdout.contains("\(header)  (stale bytecode, header mtime/size differ from the source: never loaded)"),
                "\(result.output)")
            #expect(result.stdout.contains("extra    \(stray)"), "\(result.output)")
            #expect(result.stdout.contains("\(foreign)  (bytecode for another interpreter (cpython-299))"), "\(result.output)")
            #expect(result.stdout.contains("\(topLevel)  (bytecode differs from its verified source: code differs)"), "\(result.output)")
            #expect(result.stdout.lowercased().contains("✗ failed dotted.pkg"), "\(result.output)")
            #expect(result.stdout.contains("✗ FAILED datatool"), "\(result.output)")
            #expect(result.stdout.contains("0 verified, 2 failed"), "\(result.output)")

            let json = try await scenario.verifyJSON(["dotted.pkg", "datatool"])
            json.expect("dotted.pkg", .unexpectedFiles, .fail, "2 unexpected: ", foreign, stray)
            #expect(json.failing("dotted.pkg").map(\.name) == [.unexpectedFiles], "the stale header fails nothing: \(json.result.output)")
            #expect(json.package("dotted.pkg")?.files.modified.contains(header) == false)
            json.expect("datatool", .bytecode, .fail, "1 .pyc file(s) differ from their verified sources: \(topLevel)")
            #expect(json.failing("datatool").map(\.name) == [.bytecode], "\(json.result.output)")
            #expect(json.package("datatool")?.files.modified == [topLevel])
        }
    }

    @Test("no false alarm: sources restored byte for byte with new mtimes leave stale .pyc files, and the package verifies")
    func restoredSourcesWithNewMtimesVerify() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            // A backup restore, a copy, an image build that resets times: same bytes, new mtime.
            let package = scenario.sitePackages + "/dotted_pkg"
            for name in ["__init__.py", "core.py"] {
                let path = package + "/" + name
                let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
                try FileManager.default.removeItem(atPath: path)
                try bytes.write(to: URL(fileURLWithPath: path))
                try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 2_000_000_000)], ofItemAtPath: path)
            }
            let json = try ReportJSON(try await scenario.wheeltrust(["verify", "dotted.pkg", "--check-bytecode", "--format", "json"]))
            json.expect("Dotted.Pkg", .bytecode, .pass, "stale (never loaded")
            #expect(json.result.status == 0, "\(json.result.output)")
        }
    }

    @Test("an unchecked hash-based .pyc with other code fails the bytecode check: Python loads it whatever the source says")
    func uncheckedHashPycFails() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            let tag = try await PycTool.run(scenario.python, ["tag"])
            let source = scenario.sitePackages + "/dotted_pkg/core.py"
            let pyc = scenario.sitePackages + "/dotted_pkg/__pycache__/core.\(tag).pyc"
            let evil = scenario.root + "/evil.py"
            try "import os\nos.system('true')\n".write(toFile: evil, atomically: true, encoding: .utf8)
            try await PycTool.run(scenario.python, ["uncheckedswap", source, evil, pyc])
            let json = try ReportJSON(try await scenario.wheeltrust(["verify", "dotted.pkg", "--check-bytecode", "--format", "json"]))
            json.expect("Dotted.Pkg", .bytecode, .fail, "1 .pyc file(s) differ from their verified sources: \(pyc)")
            #expect(json.failing("Dotted.Pkg").map(\.name) == [.bytecode], "\(json.result.output)")
            #expect(json.package("Dotted.Pkg")?.files.modified == [pyc])
        }
    }
}
