import Attestations
import Foundation
import PythonPackaging
import Testing
import Verification

/// The single-step subcommands, run as a user would, on real data.
@Suite("single-step commands")
struct StepCommandTests {
    static let amqp = "amqp-5.3.1-0-py3-none-any.whl"
    static let amqpDigest = "034b93b6620dd4db0899c5299ed8fb11b60d2cd6fbfb3d271bedbf9f62dc2a9d"
    static var amqpProvenance: String {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("redhat/\(amqp).provenance").path
    }

    @Test("Red Hat's real attestation verifies offline with the embedded release key 3 and no key file")
    func redHatOffline() async throws {
        let result = try await TestProcess.run(
            TestProcess.wheeltrust,
            [
                "verify-signature", "--provenance", Self.amqpProvenance, Self.amqp, "--sha256", Self.amqpDigest,
            ])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.stdout.contains("Red Hat release key 3") && result.stdout.contains("E60D446E63405576"), "\(result.output)")
        #expect(result.stdout.contains("https://konflux-ci.dev/calunga"), "the builder is shown")
    }

    @Test("the same attestation fails with no trusted key, another digest, or another filename, each in its check")
    func redHatOfflineNegatives() async throws {
        let noKeys = try ReportJSON(
            try await TestProcess.run(
                TestProcess.wheeltrust,
                [
                    "verify-signature", "--provenance", Self.amqpProvenance, Self.amqp, "--sha256", Self.amqpDigest, "--no-default-keys",
                    "--format", "json",
                ]))
        noKeys.expect(Self.amqp, .signature, .fail, "attestation 1.1: no trusted key")
        #expect(noKeys.check(.statement, of: Self.amqp) == nil, "no statement is judged without a trusted signature")
        let zeros = String(repeating: "0", count: 64)
        let otherDigest = try ReportJSON(
            try await TestProcess.run(
                TestProcess.wheeltrust,
                [
                    "verify-signature", "--provenance", Self.amqpProvenance, Self.amqp, "--sha256", zeros, "--format", "json",
                ]))
        otherDigest.expect(
            Self.amqp, .statement, .fail, "subject digest: subject sha256 \(Self.amqpDigest) differs from the file's \(zeros)")
        otherDigest.expect(Self.amqp, .signature, .pass, "Red Hat release key 3")
        let otherFile = "amqp-5.3.2-0-py3-none-any.whl"
        let otherName = try ReportJSON(
            try await TestProcess.run(
                TestProcess.wheeltrust,
                [
                    "verify-signature", "--provenance", Self.amqpProvenance, otherFile, "--sha256", Self.amqpDigest, "--format", "json",
                ]))
        otherName.expect(otherFile, .statement, .fail, "subject name: subject \(Self.amqp) does not name \(otherFile)")
        #expect(otherName.failing(otherFile).map(\.name) == [.statement], "\(otherName.result.output)")
        let missing = try await TestProcess.run(TestProcess.wheeltrust, ["verify-signature", "--provenance", "/nonexistent", Self.amqp])
        missing.expectError(2, "cannot read the provenance file /nonexistent")
    }

    @Test("a --sha256 that is not 64 hex digits is refused where the command line is parsed (exit 2), never judged")
    func malformedDigestOption() async throws {
        let malformed = [
            (String(repeating: "0", count: 63), "sha256 hex digest has 63 characters, expected 64 lowercase hex digits"),
            ("", "sha256 hex digest has 0 characters, expected 64 lowercase hex digits"),
            (
                String(repeating: "0", count: 63) + "g",
                "sha256 hex digest has a character that is not a hex digit at offset 63, expected 64 lowercase hex digits"
            ),
            (
                "../" + String(repeating: "a", count: 61),
                "sha256 hex digest has a character that is not a hex digit at offset 0, expected 64 lowercase hex digits"
            ),
        ]
        for (given, problem) in malformed {
            let refused = try await TestProcess.run(
                TestProcess.wheeltrust, ["verify-signature", "--provenance", Self.amqpProvenance, Self.amqp, "--sha256", given])
            refused.expectError(2, "--sha256: \(problem)")
            #expect(refused.stdout.isEmpty, "no report: nothing was judged")
        }
        // Either case is a digest: the uppercase spelling of the right one verifies.
        let upper = try await TestProcess.run(
            TestProcess.wheeltrust,
            ["verify-signature", "--provenance", Self.amqpProvenance, Self.amqp, "--sha256", Self.amqpDigest.uppercased()])
        #expect(upper.status == 0, "\(upper.output)")
    }

    @Test("inspect decodes a provenance for a person")
    func inspect() async throws {
        let result = try await TestProcess.run(TestProcess.wheeltrust, ["inspect", Self.amqpProvenance])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Pulp User") && result.stdout.contains("key-signed") && result.stdout.contains(Self.amqp))
    }

    @Test("fetch-attestation, verify-wheel, verify-installed on a real index and venv")
    func stepsOnAnIndex() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            let saved = scenario.root + "/datatool.provenance"
            let fetched = try await scenario.wheeltrust(["fetch-attestation", "datatool", "-o", saved])
            #expect(fetched.status == 0, "\(fetched.output)")
            #expect(FileManager.default.fileExists(atPath: saved))

            let wheelPath = scenario.indexDirectory + "/datatool-0.3-py3-none-any.whl"
            let local = try await scenario.wheeltrust(["verify-wheel", wheelPath, "--provenance", saved])
            #expect(local.status == 0, "\(local.output)")
            let onIndex = try await scenario.wheeltrust(["verify-wheel", "datatool"])
            #expect(onIndex.status == 0, "\(onIndex.output)")
            let installed = try await scenario.wheeltrust(["verify-installed", "datatool", "-v"])
            #expect(installed.status == 0, "\(installed.output)")
            #expect(installed.stdout.contains("✓ bytecode"), "verify-installed checks .pyc too: \(installed.output)")

            // A different wheel under the same name no longer matches the saved provenance.
            let swapped = scenario.root + "/datatool-0.3-py3-none-any.whl"
            try FileManager.default.copyItem(atPath: scenario.indexDirectory + "/clitool-2.0-py3-none-any.whl", toPath: swapped)
            let wrong = try await scenario.wheeltrust(["verify-wheel", swapped, "--provenance", saved])
            #expect(wrong.status == 1, "\(wrong.output)")
            let swappedSHA256 = try FileHashing.digest(ofFileAt: swapped, algorithm: .sha256).digest.hex
            let wrongJSON = try ReportJSON(
                try await scenario.wheeltrust(["verify-wheel", swapped, "--provenance", saved, "--format", "json"]))
            wrongJSON.expect(
                "datatool-0.3-py3-none-any.whl", .statement, .fail, "subject digest: ",
                "differs from the file's \(swappedSHA256)")
            wrongJSON.expect("datatool-0.3-py3-none-any.whl", .signature, .pass)
            let offline = try await scenario.wheeltrust(["verify-signature", wheelPath, "--provenance", saved])
            #expect(offline.status == 0, "\(offline.output)")
        }
    }

    @Test("keys lists the trusted keys with fingerprints; bad usage exits 2")
    func keysAndUsage() async throws {
        let keys = try await TestProcess.run(TestProcess.wheeltrust, ["keys"])
        #expect(keys.status == 0 && keys.stdout.contains("ba9d26350d78893a20f337e2153a113108bfcf064085afaee60d446e63405576"))
        let none = try await TestProcess.run(TestProcess.wheeltrust, ["keys", "--no-default-keys"])
        #expect(none.stdout.contains("no trusted keys"))
        let usage = try await TestProcess.run(TestProcess.wheeltrust, ["verify"])
        #expect(usage.status == 2)
        #expect(usage.firstErrorLine == "Error: name at least one package, or use --all", "\(usage.stderr)")
        let badKey = try await TestProcess.run(TestProcess.wheeltrust, ["keys", "--key", "/nonexistent.pem"])
        badKey.expectError(2, "cannot read the key file /nonexistent.pem")
    }
}
