import Attestations
import Foundation
import PythonPackaging
import Testing

extension Builds {
    /// `verify-wheel` and `inspect` of a wheel `wheeltrust build` made: the report names the sdist and
    /// every build requirement by sha256 (from the statement that verified), and a policy's `builders`
    /// rule is applied to the build's builder id.
    @Suite struct VerifyShowsBuildTests {
        static let builder = "https://ci.example/builders/sdist-42"

        /// Builds flitty 2.0 with flit_core from the fixture wheelhouse; returns (work, wheel, attestation).
        static func built() async throws -> (work: String, wheel: String, attestation: String) {
            let work = try BuildFixtures.temporaryDirectory("verify-build")
            let sdist = try await BuildFixtures.makeSdist(name: "flitty", version: "2.0", files: BuildFixtures.flitProject(), in: work)
            let wheelhouse = work + "/wheelhouse"
            try FileManager.default.createDirectory(atPath: wheelhouse, withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                atPath: BuildFixtures.fixture("flit_core-3.10.1-py3-none-any.whl"),
                toPath: wheelhouse + "/flit_core-3.10.1-py3-none-any.whl")
            let keygen = try await BuildFixtures.run(Builds.BuildCommandTests.wheeltrust, ["keygen", "--out", work + "/builder"])
            try #require(keygen.status == 0, "\(keygen.output)")
            let result = try await BuildFixtures.run(
                Builds.BuildCommandTests.wheeltrust,
                [
                    "build", sdist, "--key", work + "/builder.pem", "--out", work + "/out", "--find-links", wheelhouse, "--builder-id",
                    builder,
                ])
            try #require(result.status == 0, "\(result.output)")
            let wheel = work + "/out/flitty-2.0-py2.py3-none-any.whl"
            return (work, wheel, wheel + ".slsa.attestation")
        }

        static func policy(in work: String, builders: [String]) throws -> String {
            let fingerprint = try PublicKey(pem: String(contentsOfFile: work + "/builder.pub", encoding: .utf8)).fingerprint
            let list = builders.map { "\"\($0)\"" }.joined(separator: ", ")
            let text = """
                version = 1

                [keys.build]
                file = "builder.pub"
                fingerprint = "sha256:\(fingerprint)"

                [[rule]]
                packages = ["flitty"]
                keys = ["build"]
                builders = [\(list)]
                """
            let path = work + "/policy-\(builders.count)-\(UUID().uuidString).toml"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        static func package(_ output: String) throws -> [String: Any] {
            let report = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
            return try #require((report["packages"] as? [[String: Any]])?.first)
        }

        @Test func theReportNamesTheSourceAndBuildRequirementsAndTheBuildersRuleApplies() async throws {
            let (work, wheel, attestation) = try await Self.built()
            defer { try? FileManager.default.removeItem(atPath: work) }
            let sdistSHA = try FileHashing.digest(ofFileAt: work + "/flitty-2.0.tar.gz", algorithm: .sha256).digest.hex
            let flitSHA = try FileHashing.digest(
                ofFileAt: BuildFixtures.fixture("flit_core-3.10.1-py3-none-any.whl"), algorithm: .sha256
            ).digest.hex

            // The builder on the rule's list: verified, and the report shows what it was built from.
            let allowed = try await BuildFixtures.run(
                Builds.BuildCommandTests.wheeltrust,
                [
                    "verify-wheel", wheel, "--provenance", attestation, "--policy", try Self.policy(in: work, builders: [Self.builder]),
                    "--format", "json",
                ])
            #expect(allowed.status == 0, "\(allowed.output)")
            let package = try Self.package(allowed.stdout)
            let checks = try #require(package["checks"] as? [[String: Any]])
            #expect(
                checks.contains {
                    $0["name"] as? String == "statement" && $0["status"] as? String == "pass"
                        && ($0["detail"] as? String)?.contains("builder \(Self.builder)") == true
                }, "\(checks)")
            let build = try #require(package["build"] as? [String: Any], "\(package)")
            #expect(build["builder"] as? String == Self.builder)
            let source = try #require(build["source"] as? [String: Any])
            #expect(source["name"] as? String == "flitty")
            #expect(source["version"] as? String == "2.0")
            #expect(source["sha256"] as? String == sdistSHA)
            #expect(source["anchor"] as? String == "none")
            let dependencies = try #require(build["dependencies"] as? [[String: Any]])
            #expect(dependencies.map { $0["name"] as? String } == ["flit_core"], "\(dependencies)")
            #expect(dependencies.map { $0["sha256"] as? String } == [flitSHA])

            // The text report (-v) shows the same.
            let text = try await BuildFixtures.run(
                Builds.BuildCommandTests.wheeltrust,
                ["verify-wheel", wheel, "--provenance", attestation, "--key", work + "/builder.pub", "-v"])
            #expect(text.status == 0, "\(text.output)")
            #expect(text.stdout.contains("built from source flitty 2.0 (flitty-2.0.tar.gz) sha256 \(sdistSHA)"), "\(text.stdout)")
            #expect(text.stdout.contains("build requirement flit_core 3.10.1 (flit_core-3.10.1-py3-none-any.whl) sha256 \(flitSHA)"))

            // inspect decodes the same facts (unverified, as everything inspect shows).
            let inspected = try await BuildFixtures.run(Builds.BuildCommandTests.wheeltrust, ["inspect", attestation])
            #expect(inspected.status == 0, "\(inspected.output)")
            #expect(inspected.stdout.contains("built from source flitty 2.0 (flitty-2.0.tar.gz) sha256 \(sdistSHA)"), "\(inspected.stdout)")
            #expect(inspected.stdout.contains("build requirement flit_core 3.10.1"))

            // Another builder on the list: fails, in the statement check, naming the builder rule.
            let refused = try await BuildFixtures.run(
                Builds.BuildCommandTests.wheeltrust,
                [
                    "verify-wheel", wheel, "--provenance", attestation,
                    "--policy", try Self.policy(in: work, builders: ["https://ci.example/builders/other"]), "--format", "json",
                ])
            #expect(refused.status == 1, "\(refused.output)")
            let refusedPackage = try Self.package(refused.stdout)
            let refusedChecks = try #require(refusedPackage["checks"] as? [[String: Any]])
            #expect(
                refusedChecks.contains {
                    $0["name"] as? String == "statement" && $0["status"] as? String == "fail"
                        && ($0["detail"] as? String)?.contains("builder: builder \(Self.builder) is not allowed by rule 1") == true
                }, "\(refusedChecks)")
            // Nothing verified: no build facts are reported.
            #expect(refusedPackage["build"] == nil)
        }
    }
}
