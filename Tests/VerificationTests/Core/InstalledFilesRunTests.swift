import Foundation
import PythonPackaging
import Testing

@testable import Verification

/// The named phases of ``InstalledFilesVerifier/verify(wheel:installed:claims:)`` (an
/// ``InstalledFilesRun``), each called on its own over a real venv that real pip installed the
/// fixture wheels into: map RECORD → walk → judge hashes → classify extras → shadowing → finish.
@Suite("InstalledFilesRun phases")
struct InstalledFilesRunTests {
    /// A run of `project`'s installed files against its fixture wheel, with the environment's own
    /// files verifier (bytecode collected when `bytecode`) and every installed RECORD's claims.
    static func run(_ scenario: Scenario, _ project: String, bytecode: Bool = false) async throws -> InstalledFilesRun {
        let environmentVerifier = try await scenario.environmentVerifier()
        let all = try environmentVerifier.environment.distributions()
        let installed = try #require(all.first { $0.name == ProjectName(project) }, "\(project) not installed")
        let wheelName = try #require(
            try FileManager.default.contentsOfDirectory(atPath: scenario.indexDirectory).first {
                $0.hasSuffix(".whl") && (try? WheelFilename(parsing: $0))?.name == installed.name
            })
        let wheel = try Wheel.open(path: scenario.indexDirectory + "/" + wheelName)
        return InstalledFilesRun(
            verifier: environmentVerifier.filesVerifier(checkingBytecode: bytecode), wheel: wheel,
            installed: installed, claims: try EnvironmentVerifier.pathClaims(of: all))
    }

    /// The phases up to and including the hash verdicts, as `verify` runs them.
    static func judged(_ run: inout InstalledFilesRun) async {
        let pending = run.mapRecord()
        let hashed = await run.verifier.hash(pending)
        run.walkPackageDirectories()
        run.judgeHashes(pending, hashed)
    }

    static func append(_ text: String, to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    // MARK: map the verified RECORD

    @Test("mapRecord: every RECORD entry to its scheme path; RECORD itself generated; package directories found")
    func mapRecordMapsEveryEntry() async throws {
        try await Scenario.with(packages: ["datatool", "dotted.pkg"]) { scenario in
            var run = try await Self.run(scenario, "datatool")
            let pending = run.mapRecord()
            let site = scenario.sitePackages
            let distInfo = run.installed.distInfoPath
            let byPath = Dictionary(uniqueKeysWithValues: pending.map { ($0.path, $0.destination) })
            #expect(byPath[site + "/datatool.py"] == .purelib)
            #expect(byPath[scenario.venv + "/bin/datatool-run"] == .scripts)
            #expect(byPath[scenario.venv + "/share/datatool/config.txt"] == .data)
            #expect(byPath.contains { $0.value == .headers && $0.key.hasSuffix("/datatool/datatool.h") }, "\(byPath)")
            #expect(byPath[distInfo + "/METADATA"] == .purelib)
            #expect(byPath.count == 7, "\(byPath.keys.sorted())")
            #expect(byPath[distInfo + "/RECORD"] == nil, "RECORD is rewritten by the installer, never hashed")
            #expect(run.outcome.findings.generated == [distInfo + "/RECORD"])
            #expect(run.problems.isEmpty)
            #expect(
                pending.allSatisfy {
                    $0.path.hasPrefix(site + "/datatool-0.3.dist-info/")
                        ? $0.packageDirectory != nil
                        : $0.packageDirectory == nil
                })
            #expect(run.packageDirectories == [PathKey(distInfo)], "a top-level module has no package directory")

            var dotted = try await Self.run(scenario, "dotted.pkg")
            let dottedPending = dotted.mapRecord()
            #expect(dotted.packageDirectories == [PathKey(dotted.installed.distInfoPath), PathKey(site + "/dotted_pkg")])
            #expect(
                dottedPending.filter { $0.path.hasPrefix(site + "/dotted_pkg/") }
                    .allSatisfy { $0.packageDirectory == PathKey(site + "/dotted_pkg") })
        }
    }

    @Test("mapRecord: an entry with no hash, an unaccepted algorithm or a path that escapes its root is a problem, not hashed")
    func mapRecordRefusesUncheckableEntries() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            let wheel = scenario.indexDirectory + "/datatool-0.3-py3-none-any.whl"
            let result = try await TestProcess.run(
                TestProcess.python3,
                [
                    "-B", "-c",
                    """
                    import sys, zipfile
                    src, dst = sys.argv[1], sys.argv[1] + ".tmp"
                    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as b:
                        for info in a.infolist():
                            data = a.read(info)
                            if info.filename.endswith("/RECORD"):
                                data += b"nohash.py,,\\nweak.py,md5=1B2M2Y8AsgTpgAmY7PhCfg,0\\n../../escape.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\\ndatatool-0.3.data/elsewhere/x.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\\n"
                            b.writestr(info, data)
                    import os; os.replace(dst, src)
                    """, wheel,
                ])
            try #require(result.status == 0, "\(result.output)")
            var run = try await Self.run(scenario, "datatool")
            let pending = run.mapRecord()
            #expect(!pending.contains { $0.entry.path == "nohash.py" || $0.entry.path == "weak.py" })
            #expect(run.problems.contains("nohash.py has no hash in the verified RECORD"), "\(run.problems)")
            #expect(run.problems.contains("weak.py uses md5, which is not accepted"), "\(run.problems)")
            #expect(run.problems.contains("RECORD path ../../escape.py escapes its install root"), "\(run.problems)")
            #expect(run.problems.contains("RECORD path datatool-0.3.data/elsewhere/x.py escapes its install root"), "\(run.problems)")
            // Summed up, they fail installed-files even though every file that is there matches.
            await Self.judged(&run)
            run.classifyExtras()
            run.checkShadowing()
            let outcome = run.finish()
            Core.expect(outcome.checks, .installedFiles, .fail, "nohash.py has no hash", "weak.py uses md5", "escapes its install root")
        }
    }

    // MARK: walk the package's directories

    @Test("walkPackageDirectories: a directory too deep is unexpected; a link in place of the package directory is modified")
    func walkPackageDirectories() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            let package = scenario.sitePackages + "/dotted_pkg"
            var deep = package + "/nest"
            for _ in 0..<66 { deep += "/d" }
            try FileManager.default.createDirectory(atPath: deep, withIntermediateDirectories: true)
            var run = try await Self.run(scenario, "dotted.pkg")
            _ = run.mapRecord()
            run.walkPackageDirectories()
            #expect(run.outcome.findings.unexpected.count == 1)
            let unseen = try #require(run.outcome.findings.unexpected.first)
            #expect(unseen.hasPrefix(package + "/nest/d/"))
            #expect(run.outcome.findings.notes[unseen] == "nested deeper than 64 directories: not walked")
            #expect(run.outcome.walkedDirectories == [run.installed.distInfoPath], "a walk with a problem vouches for nothing")
            #expect(Set(run.outcome.packageDirectories) == [run.installed.distInfoPath, package])
            #expect(run.found.contains(package + "/core.py"))

            // The package directory itself swapped for a link to a copy elsewhere.
            try FileManager.default.removeItem(atPath: package + "/nest")
            try FileManager.default.moveItem(atPath: package, toPath: scenario.root + "/moved")
            try FileManager.default.createSymbolicLink(atPath: package, withDestinationPath: scenario.root + "/moved")
            var linked = try await Self.run(scenario, "dotted.pkg")
            _ = linked.mapRecord()
            linked.walkPackageDirectories()
            #expect(linked.outcome.findings.modified == [package])
            #expect(linked.outcome.findings.notes[package] == "not the package's directory: a link or another kind of file")
            #expect(!linked.found.contains(package + "/core.py"), "a link is never walked")
        }
    }

    // MARK: judge the hashes

    @Test("judgeHashes: changed, deleted, reached through a link, not a regular file, unreadable; #!python rewrite accepted")
    func judgeHashes() async throws {
        try await Scenario.with(packages: ["datatool", "dotted.pkg"]) { scenario in
            let site = scenario.sitePackages
            try scenario.tamper(site + "/dotted_pkg/core.py")  // same size: hashed, and the digest differs
            try FileManager.default.removeItem(atPath: site + "/dotted_pkg/__init__.py")
            try FileManager.default.moveItem(atPath: site + "/dotted_pkg/data", toPath: scenario.root + "/data-copy")
            try FileManager.default.createSymbolicLink(atPath: site + "/dotted_pkg/data", withDestinationPath: scenario.root + "/data-copy")
            var dotted = try await Self.run(scenario, "dotted.pkg")
            await Self.judged(&dotted)
            let findings = dotted.outcome.findings
            #expect(findings.modified.sorted() == [site + "/dotted_pkg/core.py", site + "/dotted_pkg/data/table.json"])
            #expect(findings.missing == [site + "/dotted_pkg/__init__.py"])
            #expect(findings.notes[site + "/dotted_pkg/core.py"] == "digest differs")
            #expect(findings.notes[site + "/dotted_pkg/data/table.json"] == "reached through a symbolic link")
            #expect(findings.verified == 3, "the dist-info's METADATA, WHEEL and top_level.txt: \(findings)")

            // datatool: the script's `#!python` rewritten by pip is accepted; a link in place of the
            // module is not a regular file; an unreadable file (as the hash pool reports it) is modified.
            let module = site + "/datatool.py"
            try FileManager.default.moveItem(atPath: module, toPath: scenario.root + "/datatool.py")
            try FileManager.default.createSymbolicLink(atPath: module, withDestinationPath: scenario.root + "/datatool.py")
            var datatool = try await Self.run(scenario, "datatool")
            let pending = datatool.mapRecord()
            var hashed = await datatool.verifier.hash(pending)
            datatool.walkPackageDirectories()
            let config = try #require(pending.firstIndex { $0.path.hasSuffix("/share/datatool/config.txt") })
            hashed[config] = .unreadable("Permission denied")
            datatool.judgeHashes(pending, hashed)
            #expect(datatool.rewritten == 1)
            #expect(datatool.outcome.lines.contains { $0.path == scenario.venv + "/bin/datatool-run" && $0.state == .rewritten })
            #expect(Set(datatool.outcome.findings.modified) == [scenario.venv + "/share/datatool/config.txt", module])
            #expect(datatool.outcome.findings.notes[module] == "not a regular file")
            #expect(datatool.outcome.findings.notes[scenario.venv + "/share/datatool/config.txt"] == "unreadable")
        }
    }

    // MARK: classify what the verified RECORD does not list

    @Test(
        "classifyExtras: installer files and wrappers generated; planted, installer-listed, foreign-bytecode and claimed files unexpected")
    func classifyExtras() async throws {
        try await Scenario.with(packages: ["clitool", "datatool"]) { scenario in
            let site = scenario.sitePackages
            let environment = try await scenario.environmentVerifier().environment
            let tag = try #require(environment.cacheTag)
            let planted = site + "/clitool/planted.py"
            try "x = 1\n".write(toFile: planted, atomically: true, encoding: .utf8)
            let foreign = site + "/clitool/__pycache__/__init__.cpython-27.pyc"
            try "old".write(toFile: foreign, atomically: true, encoding: .utf8)
            let listed = site + "/clitool/listed.py"
            try "y = 2\n".write(toFile: listed, atomically: true, encoding: .utf8)
            let clitoolRecord = try #require(
                try FileManager.default.contentsOfDirectory(atPath: site)
                    .first { $0.hasPrefix("clitool-") && $0.hasSuffix(".dist-info") })
            try Self.append("clitool/listed.py,,\n", to: site + "/" + clitoolRecord + "/RECORD")
            let claimed = site + "/clitool/claimed.py"
            try "z = 3\n".write(toFile: claimed, atomically: true, encoding: .utf8)
            let datatoolDistInfo = try #require(
                try FileManager.default.contentsOfDirectory(atPath: site)
                    .first { $0.hasPrefix("datatool-") && $0.hasSuffix(".dist-info") })
            try Self.append("clitool/claimed.py,,\n", to: site + "/" + datatoolDistInfo + "/RECORD")
            let alias = scenario.venv + "/bin/clitool-copy"
            try FileManager.default.copyItem(atPath: scenario.venv + "/bin/clitool", toPath: alias)

            var run = try await Self.run(scenario, "clitool", bytecode: true)
            await Self.judged(&run)
            run.classifyExtras()
            let findings = run.outcome.findings
            let wrapper = scenario.venv + "/bin/clitool"
            #expect(findings.generated.contains(wrapper), "\(findings.generated)")
            #expect(
                run.outcome.lines.contains {
                    $0.path == wrapper && $0.state == .generated
                        && ($0.note ?? "").hasPrefix("console-script wrapper")
                })
            #expect(findings.generated.contains(run.installed.distInfoPath + "/INSTALLER"))
            let pyc = site + "/clitool/__pycache__/__init__.\(tag).pyc"
            #expect(findings.generated.contains(pyc))
            #expect(run.outcome.bytecodeRequests.map(\.pyc) == [pyc], "the verified source's .pyc is checked later")

            #expect(Set(findings.unexpected) == [planted, foreign, listed, claimed], "\(findings.unexpected)")
            #expect(findings.notes[planted] == "not in the verified RECORD")
            #expect(findings.notes[listed] == "listed only by the installed RECORD")
            #expect(findings.notes[foreign] == "bytecode for another interpreter (cpython-27)")
            #expect(findings.notes[claimed] == "claimed only by the installed RECORD of datatool-0.3")
            #expect(run.outcome.deferredClaims.map(\.path) == [claimed])
            #expect(findings.modified == [alias], "a copy of the wrapper under another name")
            #expect(run.problems.contains { $0.contains(alias) }, "\(run.problems)")
        }
    }

    @Test("classifyExtras: an edited console-script wrapper is modified, and installed-files says why")
    func editedWrapperIsModified() async throws {
        try await Scenario.with(packages: ["clitool"]) { scenario in
            let wrapper = scenario.venv + "/bin/clitool"
            try Self.append("import os\n", to: wrapper)
            var run = try await Self.run(scenario, "clitool")
            await Self.judged(&run)
            run.classifyExtras()
            #expect(run.outcome.findings.modified == [wrapper])
            #expect(!run.outcome.findings.generated.contains(wrapper))
            run.checkShadowing()
            let outcome = run.finish()
            Core.expect(outcome.checks, .installedFiles, .fail, "1 modified: \(wrapper)", "\(wrapper): ")
        }
    }

    // MARK: shadowing, and the sum

    @Test("checkShadowing: a module and a .pth under the package's name elsewhere in site-packages fail shadowing")
    func checkShadowing() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            let module = scenario.sitePackages + "/dotted_pkg.py"
            let pth = scenario.sitePackages + "/dotted_pkg.pth"
            try "answer = 0\n".write(toFile: module, atomically: true, encoding: .utf8)
            try "import os\n".write(toFile: pth, atomically: true, encoding: .utf8)
            var run = try await Self.run(scenario, "dotted.pkg")
            await Self.judged(&run)
            run.classifyExtras()
            run.checkShadowing()
            #expect(run.outcome.findings.shadowing.sorted() == [module, pth].sorted())
            #expect(run.outcome.shadowingNames == 1)
            let outcome = run.finish()
            Core.expect(outcome.checks, .shadowing, .fail, "2 shadowing: ")
            Core.expect(outcome.checks, .installedFiles, .pass)
            Core.expect(outcome.checks, .unexpectedFiles, .pass)
        }
    }

    @Test("finish: the phases called one by one sum up exactly as verify does; owned leaves out what walked directories hold")
    func finishMatchesVerify() async throws {
        try await Scenario.with(packages: ["datatool", "dotted.pkg"]) { scenario in
            for project in ["datatool", "dotted.pkg"] {
                var run = try await Self.run(scenario, project, bytecode: true)
                await Self.judged(&run)
                run.classifyExtras()
                run.checkShadowing()
                let phased = run.finish()
                let whole = await run.verifier.verify(wheel: run.wheel, installed: run.installed, claims: run.claims)
                #expect(phased.checks == whole.checks)
                #expect(phased.findings == whole.findings)
                #expect(phased.lines == whole.lines)
                #expect(phased.bytecodeRequests.map(\.pyc) == whole.bytecodeRequests.map(\.pyc))
                #expect(phased.checks.map(\.name) == [.installedFiles, .unexpectedFiles, .shadowing])
                #expect(phased.checks.allSatisfy { $0.status == .pass }, "\(project): \(phased.checks)")
                #expect(phased.lines.map(\.path) == phased.lines.map(\.path).sorted { PathKey($0) < PathKey($1) })
                for directory in phased.walkedDirectories {
                    #expect(!phased.owned.sorted.contains { $0.hasPrefix(directory + "/") }, "\(directory) is walked: not listed")
                }
            }
            var datatool = try await Self.run(scenario, "datatool")
            await Self.judged(&datatool)
            datatool.classifyExtras()
            datatool.checkShadowing()
            let outcome = datatool.finish()
            #expect(outcome.owned.contains(scenario.sitePackages + "/datatool.py"), "a top-level module is kept for the scan")
            #expect(outcome.owned.contains(scenario.venv + "/bin/datatool-run"))
        }
    }
}
