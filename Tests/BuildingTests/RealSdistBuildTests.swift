import Attestations
import Foundation
import IndexServer
import PythonPackaging
import Testing
import Verification

@testable import Building

extension Builds {
    /// A real sdist (pypi_attestations 0.0.19) with its real keyless provenance, served by our own
    /// index on 127.0.0.1: the provenance verifies (anchor "provenance"), and the sdist builds with
    /// setuptools' legacy backend (it has no [build-system]) from ensurepip's setuptools wheel and the
    /// fixture `wheel`.
    @Suite struct RealSdistBuildTests {
        @Test func theRealSdistIsAnchoredByItsKeylessProvenanceAndBuilds() async throws {
            let work = try BuildFixtures.temporaryDirectory("real")
            defer { try? FileManager.default.removeItem(atPath: work) }
            let served = work + "/served"
            try FileManager.default.createDirectory(atPath: served, withIntermediateDirectories: true)
            for name in ["pypi_attestations-0.0.19.tar.gz", "pypi_attestations-0.0.19.tar.gz.provenance"] {
                try FileManager.default.copyItem(atPath: BuildFixtures.fixture(name), toPath: served + "/" + name)
            }
            let server = try await IndexServer(configuration: ServerConfiguration(directory: served)).start()
            let source: SourceDistribution
            do {
                // The default trust: keyless bound to the publisher the index names.
                let setup = VerificationSetup(
                    indexURL: server.indexURL.absoluteString, cacheDirectory: work + "/cache",
                    environment: ["HOME": work, "PIP_CONFIG_FILE": "/dev/null"])
                source = try await SourceLocator.resolve("pypi-attestations==0.0.19", setup: setup)
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
            guard case .verifiedProvenance(_, let signer) = source.anchor else {
                Issue.record("anchor \(source.anchor)")
                return
            }
            #expect(signer.contains("trailofbits/pypi-attestations"), "\(signer)")

            let wheelhouse = try await BuildFixtures.wheelhouse(["wheel-0.45.1-py3-none-any.whl"], ensurepipSetuptools: true)
            defer { try? FileManager.default.removeItem(atPath: wheelhouse) }
            let (key, publicKey) = try BuildFixtures.signingKey()
            let result = try await SourceBuilder.build(
                BuildRequest(
                    source: source, outputDirectory: work + "/out", buildTag: BuildTag(number: 0), requirements: .findLinks(wheelhouse),
                    python: BuildFixtures.buildPython, signer: key))
            #expect((result.wheelPath as NSString).lastPathComponent == "pypi_attestations-0.0.19-0-py3-none-any.whl")
            let definition = try #require(try BuildFixtures.predicate(result.statement)["buildDefinition"] as? [String: Any])
            let resolved = try #require(definition["resolvedDependencies"] as? [[String: Any]])
            let names = resolved.compactMap { $0["name"] as? String }
            #expect(names.first == "pypi_attestations-0.0.19.tar.gz")
            #expect(names.contains("wheel-0.45.1-py3-none-any.whl"))
            #expect(names.contains { $0.hasPrefix("setuptools-") })
            let sourceDigest = (resolved.first?["digest"] as? [String: String])?["sha256"]
            await #expect(sourceDigest == (try BuildFixtures.sha256(BuildFixtures.fixture("pypi_attestations-0.0.19.tar.gz"))))
            let external = try #require(definition["externalParameters"] as? [String: Any])
            #expect((external["source"] as? [String: Any])?["anchor"] as? String == "provenance")
            let internalParameters = try #require(definition["internalParameters"] as? [String: Any])
            #expect(internalParameters["buildBackend"] as? String == "setuptools.build_meta:__legacy__")
            #expect(internalParameters["buildSystemFallback"] as? Bool == true)

            let report = try await LocalVerification.wheel(
                at: result.wheelPath, provenanceFile: result.attestationPath,
                setup: VerificationSetup(keyFiles: [publicKey], noDefaultKeys: true))
            #expect(report.checks.contains { $0.name == .signature && $0.status == .pass }, "\(report.checks)")
            #expect(report.checks.contains { $0.name == .wheelContents && $0.status == .pass }, "\(report.checks)")
        }
    }
}
