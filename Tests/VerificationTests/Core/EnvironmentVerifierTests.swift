import Foundation
import PythonPackaging
import Testing

@testable import Verification

/// ``EnvironmentVerifier`` in process over a real venv into which real pip installed the fixture
/// wheels from wheeltrust's own index server: the returned ``Report`` says which check of which
/// package failed, and what the environment scan found.
@Suite("EnvironmentVerifier")
struct EnvironmentVerifierTests {
    static let packages = ["datatool", "dotted.pkg"]
    static let everyCheck: [CheckName] = [
        .installed, .indexFile, .download, .indexHash, .provenance, .signature, .statement,
        .wheelContents, .installedFiles, .unexpectedFiles, .shadowing, .bytecode,
    ]

    static func package(_ name: String, in report: Report) -> PackageReport? {
        report.packages.first { $0.name.lowercased() == name.lowercased() }
    }

    @Test("run: installed packages verify with every check passing, in name order; an absent name fails installed")
    func cleanEnvironmentVerifies() async throws {
        try await Scenario.with(packages: Self.packages) { scenario in
            let verifier = try await scenario.environmentVerifier()
            let report = try await verifier.run(VerifyRequest(packages: ["dotted.pkg", "datatool", "nothere"]))
            #expect(report.packages.map(\.name) == ["datatool", "Dotted.Pkg", "nothere"])
            for name in Self.packages {
                let package = try #require(Self.package(name, in: report))
                #expect(package.status == .verified, "\(name): \(package.checks)")
                #expect(package.checks.map(\.name) == Self.everyCheck, "\(name): \(package.checks)")
                #expect(package.checks.allSatisfy { $0.status == .pass }, "\(name): \(package.checks)")
                #expect(package.files.isClean && package.files.verified > 0)
            }
            Core.expect(
                try #require(Self.package("datatool", in: report)).checks, .installedFiles, .pass,
                "files match the verified RECORD", "(1 with the installer's #!python rewrite)")
            let absent = try #require(Self.package("nothere", in: report))
            #expect(absent.checks == [CheckResult(.installed, .fail, "nothere is not installed in \(verifier.environment.prefix)")])
            #expect(report.exitCode == 1)
            #expect(report.interpreter != nil)
            #expect(report.unexpected.isEmpty, "without --all the environment is not scanned")

            // Nothing named and not --all: a usage error, thrown (not a finding).
            let usage = await #expect(throws: VerificationError.self) { try await verifier.run(VerifyRequest()) }
            #expect(
                usage?.code == .usage && usage?.setupProblem == .nothingToVerify
                    && usage?.message == "no package named, and not every package asked for", "\(String(describing: usage))")

            // --all on the clean venv: every package verified, nothing unexpected, exit 0.
            let all = try await verifier.run(VerifyRequest(all: true))
            #expect(all.packages.map(\.status) == [.verified, .verified], "\(all.packages.map(\.checks))")
            #expect(all.unexpected.isEmpty, "\(all.unexpected)")
            #expect(all.exitCode == 0)
        }
    }

    @Test("run: a modified, a missing and an unexpected installed file each fail their package's named check")
    func installedFileTampering() async throws {
        try await Scenario.with(packages: Self.packages + ["clitool"]) { scenario in
            let site = scenario.sitePackages
            let modified = site + "/datatool.py"
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: modified))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("#".utf8))
            try handle.close()
            let missing = site + "/dotted_pkg/core.py"
            try FileManager.default.removeItem(atPath: missing)
            let unexpected = site + "/dotted_pkg/planted.py"
            try "import os\n".write(toFile: unexpected, atomically: true, encoding: .utf8)

            let report = try await scenario.environmentVerifier().run(VerifyRequest(packages: ["datatool", "dotted.pkg", "clitool"]))
            let datatool = try #require(Self.package("datatool", in: report))
            Core.expect(datatool.checks, .installedFiles, .fail, "1 modified: \(modified)")
            #expect(Core.failing(datatool.checks) == [.installedFiles])
            #expect(datatool.files.modified == [modified])
            // One byte appended: larger than the verified file, so judged without reading it.
            #expect(datatool.files.notes[modified]?.hasSuffix("bytes: larger than the verified file (not read)") == true, "\(datatool.files.notes)")

            let dotted = try #require(Self.package("dotted.pkg", in: report))
            Core.expect(dotted.checks, .installedFiles, .fail, "1 missing: \(missing)")
            Core.expect(dotted.checks, .unexpectedFiles, .fail, "1 unexpected: \(unexpected)")
            #expect(Core.failing(dotted.checks) == [.installedFiles, .unexpectedFiles])
            #expect(dotted.files.missing == [missing] && dotted.files.unexpected == [unexpected])
            #expect(dotted.files.notes[unexpected] == "not in the verified RECORD")

            #expect(Self.package("clitool", in: report)?.status == .verified, "an untouched package is not affected")
            #expect(report.exitCode == 1)
        }
    }

    @Test("run --all: a planted .pth and a file in the venv's bin are the environment's findings; an excluded package's files are not")
    func environmentScan() async throws {
        try await Scenario.with(packages: Self.packages + ["clitool"]) { scenario in
            let hook = scenario.sitePackages + "/zz-planted.pth"
            try "import os; os.system('true')\n".write(toFile: hook, atomically: true, encoding: .utf8)
            let custom = scenario.sitePackages + "/sitecustomize.py"
            try "print('hi')\n".write(toFile: custom, atomically: true, encoding: .utf8)
            let tool = scenario.venv + "/bin/planted-tool"
            try "#!/bin/sh\n".write(toFile: tool, atomically: true, encoding: .utf8)
            let verifier = try await scenario.environmentVerifier()

            let report = try await verifier.run(VerifyRequest(all: true, excluded: ["clitool"]))
            #expect(report.packages.map { $0.name.lowercased() } == ["datatool", "dotted.pkg"], "excluded: not reported")
            #expect(report.packages.allSatisfy { $0.status == .verified }, "the findings are the environment's, not a package's")
            #expect(
                report.unexpected
                    == [
                        EnvironmentFinding(
                            path: custom, detail: "start-up hook: sitecustomize.py is imported at every interpreter start-up"),
                        EnvironmentFinding(path: hook, detail: "start-up hook: this .pth executes code at every interpreter start-up"),
                        EnvironmentFinding(path: tool, detail: "owned by no installed distribution"),
                    ].sorted { $0.path < $1.path }, "\(report.unexpected)")
            #expect(report.exitCode == 1)
            #expect(report.summary.unexpectedFiles == 3)
        }
    }

    @Test("run with a key that signed nothing: every package fails its signature and its installed files are not read")
    func untrustedKey() async throws {
        try await Scenario.with(packages: Self.packages) { scenario in
            let (strangerPath, _) = try Core.strangerKeyFile(in: scenario.root)
            let report = try await scenario.environmentVerifier(keyFile: strangerPath).run(VerifyRequest(packages: Self.packages))
            for package in report.packages {
                #expect(package.status == .failed)
                Core.expect(package.checks, .signature, .fail, "signature matches no trusted key", strangerPath)
                Core.expect(package.checks, .wheelContents, .skip, "not read: the wheel's provenance did not verify")
                #expect(Core.failing(package.checks) == [.signature], "\(package.checks)")
                #expect(Core.check(.installedFiles, in: package.checks) == nil)
            }
            #expect(report.exitCode == 1)
        }
    }
}
