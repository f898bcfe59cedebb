import Foundation
import Testing

extension Builds {
    /// The `wheeltrust build` command line: a thin shell over SourceBuilder; the wheel it writes
    /// passes `wheeltrust verify-wheel` with only the build key trusted.
    @Suite struct BuildCommandTests {
        static var wheeltrust: String {
            var directory = Bundle.module.bundleURL.deletingLastPathComponent()
            for _ in 0..<3 {
                let candidate = directory.appendingPathComponent("wheeltrust").path
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
                directory = directory.deletingLastPathComponent()
            }
            return Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("wheeltrust").path
        }

        @Test func buildThenVerifyWheelWithTheBuildKey() async throws {
            let work = try BuildFixtures.temporaryDirectory("cli")
            defer { try? FileManager.default.removeItem(atPath: work) }
            let sdist = try await BuildFixtures.makeSdist(name: "flitty", version: "2.0", files: BuildFixtures.flitProject(), in: work)
            let wheelhouse = try await BuildFixtures.wheelhouse(["flit_core-3.10.1-py3-none-any.whl"])
            defer { try? FileManager.default.removeItem(atPath: wheelhouse) }
            let keygen = try await BuildFixtures.run(Self.wheeltrust, ["keygen", "--out", work + "/builder"])
            try #require(keygen.status == 0, "\(keygen.output)")
            let built = try await BuildFixtures.run(
                Self.wheeltrust,
                [
                    "build", sdist, "--key", work + "/builder.pem", "--out", work + "/out", "--find-links", wheelhouse,
                    "--build-tag", "0", "--builder-id", "https://ci.example/builder", "--format", "json",
                ])
            try #require(built.status == 0, "\(built.output)")
            let result = try #require(try JSONSerialization.jsonObject(with: Data(built.stdout.utf8)) as? [String: Any])
            let wheel = try #require(result["wheel"] as? String)
            #expect(wheel.hasSuffix("/flitty-2.0-0-py2.py3-none-any.whl"))
            #expect((result["source"] as? [String: Any])?["anchor"] as? String == "none")
            #expect((result["buildDependencies"] as? [[String: String]])?.map { $0["filename"] } == ["flit_core-3.10.1-py3-none-any.whl"])

            let verified = try await BuildFixtures.run(
                Self.wheeltrust,
                [
                    "verify-wheel", wheel, "--provenance", try #require(result["attestation"] as? String), "--key", work + "/builder.pub",
                    "--format", "json",
                ])
            #expect(verified.status == 0, "\(verified.output)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(verified.stdout.utf8)) as? [String: Any])
            let packages = try #require(report["packages"] as? [[String: Any]])
            let checks = try #require(packages.first?["checks"] as? [[String: Any]])
            #expect(checks.contains { $0["name"] as? String == "signature" && $0["status"] as? String == "pass" }, "\(checks)")

            // Another key: the same wheel does not verify, in the signature check.
            _ = try await BuildFixtures.run(Self.wheeltrust, ["keygen", "--out", work + "/other"])
            let refused = try await BuildFixtures.run(
                Self.wheeltrust,
                [
                    "verify-wheel", wheel, "--provenance", try #require(result["attestation"] as? String), "--key", work + "/other.pub",
                    "--format", "json",
                ])
            #expect(refused.status == 1)
            let refusedReport = try #require(try JSONSerialization.jsonObject(with: Data(refused.stdout.utf8)) as? [String: Any])
            let refusedChecks = try #require((refusedReport["packages"] as? [[String: Any]])?.first?["checks"] as? [[String: Any]])
            #expect(
                refusedChecks.contains { $0["name"] as? String == "signature" && $0["status"] as? String == "fail" }, "\(refusedChecks)")
        }

        @Test func aFailingBackendExitsOneNamingTheStageAndTheLog() async throws {
            let work = try BuildFixtures.temporaryDirectory("cli-fail")
            defer { try? FileManager.default.removeItem(atPath: work) }
            let sdist = try await BuildFixtures.makeSdist(
                name: "tiny", version: "1.0", files: BuildFixtures.inTreeBackendProject(fail: true), in: work)
            _ = try await BuildFixtures.run(Self.wheeltrust, ["keygen", "--out", work + "/builder"])
            let built = try await BuildFixtures.run(
                Self.wheeltrust, ["build", sdist, "--key", work + "/builder.pem", "--out", work + "/out", "--find-links", work])
            #expect(built.status == 1)
            #expect(built.stderr.hasPrefix("wheeltrust: error: backend-failed: build_wheel failed (exit status 1)"), "\(built.stderr)")
            #expect(built.stderr.contains(work + "/out/tiny-1.0.build.log"))
        }

        @Test func aBadBuildTagIsAUsageError() async throws {
            let built = try await BuildFixtures.run(
                Self.wheeltrust, ["build", "x-1.0.tar.gz", "--key", "k.pem", "--out", "/tmp/none", "--build-tag", "abc"])
            #expect(built.status == 2)
            #expect(built.stderr.contains("--build-tag abc"))
        }
    }
}

extension Builds.BuildCommandTests {
    @Test func rebuildReportsReproducedThenNamesASwappedRequirement() async throws {
        let work = try BuildFixtures.temporaryDirectory("cli-rebuild")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let sdist = try await BuildFixtures.makeSdist(name: "flitty", version: "2.0", files: BuildFixtures.flitProject(), in: work)
        let wheelhouse = work + "/wheelhouse"
        try FileManager.default.createDirectory(atPath: wheelhouse, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: BuildFixtures.fixture("flit_core-3.10.1-py3-none-any.whl"), toPath: wheelhouse + "/flit_core-3.10.1-py3-none-any.whl")
        try FileManager.default.copyItem(atPath: sdist, toPath: wheelhouse + "/flitty-2.0.tar.gz")
        _ = try await BuildFixtures.run(Self.wheeltrust, ["keygen", "--out", work + "/builder"])
        let built = try await BuildFixtures.run(
            Self.wheeltrust, ["build", sdist, "--key", work + "/builder.pem", "--out", work + "/out", "--find-links", wheelhouse])
        try #require(built.status == 0, "\(built.output)")
        let wheel = work + "/out/flitty-2.0-py2.py3-none-any.whl"
        let rebuilt = try await BuildFixtures.run(
            Self.wheeltrust,
            [
                "rebuild", wheel, "--provenance", wheel + ".slsa.attestation", "--find-links", wheelhouse, "--out", work + "/rb",
                "--format", "json", "--vsa", work + "/rebuild.vsa.json", "--vsa-key", work + "/builder.pem",
            ])
        #expect(rebuilt.status == 0, "\(rebuilt.output)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(rebuilt.stdout.utf8)) as? [String: Any])
        #expect(result["outcome"] as? String == "reproduced")
        // The signed summary: verifies under the key (verify-vsa), PASSED, about the attested wheel.
        let summary = try await BuildFixtures.run(
            Self.wheeltrust, ["verify-vsa", work + "/rebuild.vsa.json", "--key", work + "/builder.pub", "--format", "json"])
        #expect(summary.status == 0 && summary.output.contains("PASSED"), "\(summary.output)")
        let envelope = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: work + "/rebuild.vsa.json"))) as? [String: Any])
        let encodedPayload = try #require(envelope["payload"] as? String)
        let payload = try #require(Data(base64Encoded: encodedPayload))
        let statement = try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
        #expect((statement["predicate"] as? [String: Any])?["verificationResult"] as? String == "PASSED")
        #expect((statement["predicate"] as? [String: Any])?["verifiedLevels"] as? [String] == ["WHEELTRUST_REPRODUCED_BYTES"])
        #expect(((statement["subject"] as? [[String: Any]])?.first?["name"] as? String) == "flitty-2.0-py2.py3-none-any.whl")

        try FileManager.default.removeItem(atPath: wheelhouse + "/flit_core-3.10.1-py3-none-any.whl")
        try FileManager.default.copyItem(
            atPath: BuildFixtures.fixture("wheel-0.45.1-py3-none-any.whl"), toPath: wheelhouse + "/flit_core-3.10.1-py3-none-any.whl")
        let swapped = try await BuildFixtures.run(
            Self.wheeltrust,
            ["rebuild", wheel, "--provenance", wheel + ".slsa.attestation", "--find-links", wheelhouse, "--out", work + "/rb2"])
        #expect(swapped.status == 1)
        #expect(
            swapped.stderr.hasPrefix(
                "wheeltrust: error: requirement-unavailable: build requirement: flit_core-3.10.1-py3-none-any.whl has sha256 708e7481"),
            "\(swapped.stderr)")
    }
}
