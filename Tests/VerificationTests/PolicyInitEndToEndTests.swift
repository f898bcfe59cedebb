import Foundation
import Testing

@testable import Verification

/// `wheeltrust policy init`: a starting policy written from what each package of a real
/// environment has today, which `policy check` accepts and under which `verify --all` exits 0 —
/// and which still fails a package whose files were then tampered with.
@Suite("policy init end to end")
struct PolicyInitEndToEndTests {
    @Test(
        "init on a mixed environment: the keyless publisher pinned, integrity for the rest; check accepts it; verify --all passes under it")
    func startingPolicy() async throws {
        try await Scenario.with(packages: ["abi3info", "datatool", "clitool"], keyless: true) { scenario in
            // clitool: no provenance on the index; datatool: signed by a key the built-in trust does not know.
            try FileManager.default.removeItem(atPath: scenario.indexDirectory + "/clitool-2.0-py3-none-any.whl.slsa.attestation")
            let policyPath = scenario.root + "/policy.toml"
            let written = try await scenario.wheeltrust(["policy", "init", "--out", policyPath], trust: [])
            #expect(written.status == 0, "\(written.output)")
            #expect(written.stderr.contains("wrote \(policyPath): 3 package(s)"), "\(written.stderr)")
            let text = try String(contentsOfFile: policyPath, encoding: .utf8)
            #expect(
                text.contains(
                    "[identities.abi3info]\nkind = \"GitHub\"\nrepository = \"woodruffw/abi3info\"\nworkflow = \"release.yml\"\n"),
                "\(text)")
            #expect(text.contains("packages = [\"abi3info\"]\nrequire = \"provenance\"\nidentities = [\"abi3info\"]\n"), "\(text)")
            #expect(
                text.contains(
                    "packages = [\"clitool\"]\n# when the project publishes attestations, require provenance from its publisher or key\n"
                        + "require = \"integrity\"\nreason = \"its index published no provenance when the policy was written\"\n"),
                "\(text)")
            #expect(
                text.contains("packages = [\"datatool\"]\n# add the key that signs it under [keys] and require provenance (signature:"),
                "\(text)")

            let checked = try await TestProcess.run(TestProcess.wheeltrust, ["policy", "check", policyPath])
            #expect(checked.status == 0 && checked.stdout.contains("valid: 4 rule(s)"), "\(checked.output)")

            let json = try ReportJSON(
                try await scenario.wheeltrust(["verify", "--all", "--format", "json"], trust: ["--policy", policyPath]))
            #expect(json.result.status == 0, "\(json.result.output)")
            #expect(json.package("abi3info")?.status == .verified && json.package("abi3info")?.proof?.kind == .identity)
            #expect(json.package("datatool")?.status == .integrityOnly && json.package("clitool")?.status == .integrityOnly)

            // Integrity is not a blank cheque: a tampered file of an integrity-only package fails.
            let module = scenario.sitePackages + "/datatool.py"
            try (try String(contentsOfFile: module, encoding: .utf8) + "\n# changed\n").write(
                toFile: module, atomically: false, encoding: .utf8)
            let tampered = try ReportJSON(
                try await scenario.wheeltrust(["verify", "--all", "--format", "json"], trust: ["--policy", policyPath]))
            tampered.expect("datatool", .installedFiles, .fail)

            // Trust flags make no sense for init: it describes what the built-in trust finds.
            let flagged = try await scenario.wheeltrust(["policy", "init"])
            #expect(
                flagged.status == 2 && flagged.stderr.contains("policy init describes what the built-in trust finds"), "\(flagged.output)")
        }
    }

    @Test("values the index names are written as TOML strings that cannot end early or add keys")
    func hostilePublisherFields() {
        #expect(PolicyInit.quoted("a\"b\\c\nd\u{202E}e") == "\"a\\\"b\\\\c\\nd\\u202Ee\"")
        #expect(PolicyInit.comment("x\ny\u{1B}[2Jz") == "x?y?[2Jz")
    }
}
