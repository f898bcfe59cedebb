import Attestations
import Foundation
import IndexServer
import Testing
import Verification

/// Resource bombs (docs/THREAT-MODEL.md, "resource exhaustion"): a wheel whose members inflate to
/// far more than their kind needs. Work on a wheel stops where its proof stops, and every member
/// read into memory has a cap fitted to its kind. Memory itself is measured by `bench/hostile.sh`
/// (peak RSS against a clean run), not by a timed test.
@Suite("adversarial: resource bombs")
struct ResourceAttackTests {
    /// Builds, with Python's zipfile, a copy of the clitool wheel whose `entry_points.txt` is
    /// `megabytes` MiB (comment lines, so it still declares `clitool`), and writes it over the
    /// index's clitool wheel. Returns its path.
    static func plantEntryPointsBomb(in scenario: Scenario, megabytes: Int) async throws -> String {
        let wheel = scenario.indexDirectory + "/clitool-2.0-py3-none-any.whl"
        let script = """
            import base64, hashlib, sys, zipfile
            src, mb = sys.argv[1], int(sys.argv[2])
            members = {}
            with zipfile.ZipFile(src) as z:
                for name in z.namelist():
                    members[name] = z.read(name)
            ep = "clitool-2.0.dist-info/entry_points.txt"
            members[ep] = members[ep] + (b"#" * 1023 + b"\\n") * (mb * 1024)
            def h(b):
                return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(b).digest()).rstrip(b"=").decode()
            rec = "clitool-2.0.dist-info/RECORD"
            lines = [f"{n},{h(d)},{len(d)}" for n, d in members.items() if n != rec] + [f"{rec},,"]
            members[rec] = ("\\n".join(lines) + "\\n").encode()
            with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as z:
                for name, data in members.items():
                    z.writestr(name, data)
            """
        let result = try await TestProcess.run(TestProcess.python3, ["-c", script, wheel, String(megabytes)])
        try #require(result.status == 0, "\(result.output)")
        return wheel
    }

    @Test("a signed wheel whose entry_points.txt is over its cap is not read whole: the check names it")
    func entryPointsOverItsCap() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            let wheel = try await Self.plantEntryPointsBomb(in: scenario, megabytes: 4)
            // Signed by the trusted key: the builder shipped it, so the wheel is proven; the cap still holds.
            _ = try await Attester.attest(
                wheel: wheel, key: scenario.key, builderID: "https://builder.example/wheeltrust-tests",
                buildType: Attester.defaultBuildType)
            let installed = try await TestProcess.run(
                TestProcess.python3,
                [
                    "-m", "pip", "--python", scenario.python, "install", "--no-cache-dir", "--index-url", scenario.indexURL, "clitool",
                ])
            try #require(installed.status == 0, "\(installed.output)")
            let json = try await scenario.verifyJSON(["clitool"])
            json.expect("clitool", .signature, .pass)
            json.expect("clitool", .installedFiles, .fail, "entry_points.txt is larger than 1048576 bytes")
        }
    }

    @Test("a wheel whose provenance does not verify is not read further (no member is inflated)")
    func unprovenWheelNotRead() async throws {
        try await Scenario.with(packages: ["clitool"]) { scenario in
            // The index now serves a bomb under the installed wheel's name; its attestation is the old one.
            _ = try await Self.plantEntryPointsBomb(in: scenario, megabytes: 64)
            let json = try await scenario.verifyJSON(["clitool"])
            json.expect("clitool", .statement, .fail, "subject digest: subject sha256 ", "differs from the file's ")
            json.expect("clitool", .wheelContents, .skip, "not read: the wheel's provenance did not verify")
            #expect(json.check(.installedFiles, of: "clitool") == nil)
        }
    }
}
