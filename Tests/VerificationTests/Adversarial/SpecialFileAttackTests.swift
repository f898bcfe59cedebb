import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The attacker who controls the environment plants special files (a FIFO, a link to a device)
/// where wheeltrust reads a file of the environment: an open of a FIFO for reading blocks until a
/// writer comes, forever, and a device never ends. Each must be refused without blocking (a
/// non-blocking open, then `fstat` decides before any read): the run ends, failing closed, and
/// the package is never reported verified. Runs are killed after a minute, so a hang fails the
/// test instead of holding the suite.
@Suite("adversarial: special files in place of the environment's files")
struct SpecialFileAttackTests {
    /// `wheeltrust ARGS --format json` for `scenario`, stopped after `seconds` (see ``stopped(_:)``).
    static func verifyWithin(_ seconds: Int, _ scenario: Scenario, _ arguments: [String]) async throws -> ProcessResult {
        let args =
            ["-k", "5", "\(seconds)", TestProcess.wheeltrust, "verify"] + arguments + [
                "--format", "json", "--python", scenario.python, "--index-url", scenario.indexURL, "--cache-dir", scenario.cache,
                "--timeout", "30", "--key", scenario.publicKeyPath,
            ]
        return try await TestProcess.run("/usr/bin/timeout", args, environment: ["HOME": scenario.root, "PIP_CONFIG_FILE": "/dev/null"])
    }

    /// True when `timeout` had to stop the run (124 after SIGTERM, 137 or the signal after SIGKILL).
    static func stopped(_ result: ProcessResult) -> Bool { [124, 137, 9, 15].contains(result.status) }

    static func makeFIFO(_ path: String) throws {
        try? FileManager.default.removeItem(atPath: path)
        guard mkfifo(path, 0o644) == 0 else { throw POSIXError(.EIO) }
    }

    @Test(
        "a FIFO or a device in place of a .dist-info file is refused without blocking; the package does not verify",
        arguments: ["RECORD", "METADATA", "WHEEL", "INSTALLER"], ["fifo", "device"])
    func specialDistInfoMember(member: String, kind: String) async throws {
        try await Scenario.with(packages: ["datatool", "clitool"]) { scenario in
            let path = try scenario.distInfo("datatool") + "/" + member
            if kind == "fifo" {
                try Self.makeFIFO(path)
            } else {
                try FileManager.default.removeItem(atPath: path)
                try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/dev/zero")
            }
            for arguments in [["datatool"], ["--all"]] {
                let result = try await Self.verifyWithin(60, scenario, arguments)
                #expect(!Self.stopped(result), "\(arguments): wheeltrust hung on \(kind) \(member)")
                #expect(result.status == 1, "\(arguments): \(result.output)")
                let json = try ReportJSON(result)
                let package = json.package("datatool")
                #expect(package?.status == .failed, "\(arguments): \(result.output)")
                #expect(
                    package?.checks.contains { $0.name == .installed && $0.status == .fail && $0.detail.contains(member) && $0.detail.contains("not a regular file") }
                        == true,
                    "\(arguments): the failing check names the file: \(result.output)")
                // The other packages are judged as usual.
                if arguments == ["--all"] { #expect(json.package("clitool")?.status == .verified, "\(result.output)") }
            }
        }
    }

    @Test("a FIFO as a fake distribution's RECORD does not hold --all")
    func fakeDistributionWithAFIFO() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            try scenario.plantFakeDistribution("zzfake", claiming: [])
            try Self.makeFIFO(try scenario.distInfo("zzfake") + "/RECORD")
            let result = try await Self.verifyWithin(60, scenario, ["--all"])
            #expect(!Self.stopped(result), "wheeltrust hung")
            #expect(result.status == 1, "\(result.output)")
            let json = try ReportJSON(result)
            #expect(json.package("datatool")?.status == .verified, "\(result.output)")
            #expect(json.check(.installed, of: "zzfake")?.status == .fail, "\(result.output)")
        }
    }

    @Test(
        "a sparse terabyte in place of a verified file (a module, a script, a header) is modified without being read",
        arguments: ["site/datatool.py", "bin/datatool-run", "include/site/python3.11/datatool/datatool.h"])
    func sparseTerabyte(relative: String) async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            let path = relative.hasPrefix("site/") ? scenario.site + "/" + relative.dropFirst(5) : scenario.venv + "/" + relative
            // A hole of 1 TiB: no disk space, but hashing it whole would take a quarter of an hour.
            guard truncate(path, 1 << 40) == 0 else { throw POSIXError(.EIO) }
            let result = try await Self.verifyWithin(60, scenario, ["datatool"])
            #expect(!Self.stopped(result), "wheeltrust read the whole terabyte")
            let json = try ReportJSON(result)
            json.expect("datatool", .installedFiles, .fail, "modified", path)
            #expect(
                json.package("datatool")?.files.notes[path]?.contains("larger than the verified file") == true,
                "\(result.output)")
        }
    }
}
