import Attestations
import Foundation
import PythonPackaging
import Testing
import Verification

@testable import Building

extension Builds {
    /// `wheeltrust build` of one sdist, end to end with real Python, pip, venvs and keys (no network).
    @Suite struct SourceBuildTests {
        @Test func anInTreeBackendBuildsInIsolationWithATagAndASignedProvenance() async throws {
            let work = try BuildFixtures.temporaryDirectory("intree")
            defer { try? FileManager.default.removeItem(atPath: work) }
            let listener = try ProbeListener()
            let sdistPath = try await BuildFixtures.makeSdist(
                name: "tiny", version: "1.0",
                files: BuildFixtures.inTreeBackendProject(probePort: listener.port, dynamicRequires: ["wheel"]), in: work,
                mtime: 1_700_000_123)
            let wheelhouse = try await BuildFixtures.wheelhouse(["wheel-0.45.1-py3-none-any.whl"])
            defer { try? FileManager.default.removeItem(atPath: wheelhouse) }
            let (key, publicKey) = try BuildFixtures.signingKey()
            let source = try SourceDistribution.local(path: sdistPath)
            let result = try await SourceBuilder.build(
                BuildRequest(
                    source: source, outputDirectory: work + "/out", buildTag: BuildTag(number: 0),
                    requirements: .findLinks(wheelhouse), builderID: "https://builder.example/test", python: BuildFixtures.buildPython,
                    signer: key))

            // The build tag: in the name, in WHEEL, and RECORD still matches every member.
            #expect((result.wheelPath as NSString).lastPathComponent == "tiny-1.0-0-py3-none-any.whl")
            let wheel = try Wheel.open(path: result.wheelPath)
            #expect(wheel.metadata.build == "0")
            #expect(try wheel.checkMembers().isClean)

            // The backend ran with SOURCE_DATE_EPOCH from PKG-INFO and could not reach 127.0.0.1.
            let facts = String(
                decoding: try wheel.archive.data(of: try #require(wheel.archive.entry(named: "tiny/_build_facts.py"))), as: UTF8.self)
            #expect(facts.contains("SOURCE_DATE_EPOCH = '1700000123'"))
            let isolation = await NetworkIsolation.probe()
            if isolation.isIsolated {
                #expect(facts.contains("NETWORK = 'blocked"), "\(facts)")
                #expect(!listener.wasReached)
            } else {
                #expect(String(decoding: result.statement, as: UTF8.self).contains("not isolated"))
            }

            // The provenance: the sdist and every build wheel by sha256, the parameters, the log.
            let predicate = try BuildFixtures.predicate(result.statement)
            let definition = try #require(predicate["buildDefinition"] as? [String: Any])
            #expect(definition["buildType"] as? String == BuildProvenance.buildType)
            let resolved = try #require(definition["resolvedDependencies"] as? [[String: Any]])
            let digests = resolved.map { ($0["name"] as? String ?? "", ($0["digest"] as? [String: String])?["sha256"] ?? "") }
            #expect(digests.first?.0 == "tiny-1.0.tar.gz")
            await #expect(digests.first?.1 == (try BuildFixtures.sha256(sdistPath)))
            #expect(
                digests.contains {
                    $0.0 == "wheel-0.45.1-py3-none-any.whl" && $0.1 == "708e7481cc80179af0e556bbf0cc00b8444c7321e2700b8d8580231d13017248"
                })
            #expect(digests.count == 2)
            let external = try #require(definition["externalParameters"] as? [String: Any])
            #expect(external["buildTag"] as? String == "0")
            #expect((external["source"] as? [String: Any])?["anchor"] as? String == "none")
            let internalParameters = try #require(definition["internalParameters"] as? [String: Any])
            #expect(internalParameters["sourceDateEpoch"] as? String == "1700000123")
            #expect(internalParameters["sourceDateEpochFrom"] as? String == "PKG-INFO")
            #expect(
                ((internalParameters["isolation"] as? [String: Any])?["network"] as? String)
                    == (isolation.isIsolated ? "none" : "not isolated"))
            let run = try #require(predicate["runDetails"] as? [String: Any])
            #expect((run["builder"] as? [String: Any])?["id"] as? String == "https://builder.example/test")
            let metadata = try #require(run["metadata"] as? [String: Any])
            #expect((metadata["invocationId"] as? String)?.hasPrefix("urn:uuid:") == true)
            #expect(metadata["startedOn"] is String && metadata["finishedOn"] is String)
            let byproduct = try #require((run["byproducts"] as? [[String: Any]])?.first)
            await #expect((byproduct["digest"] as? [String: String])?["sha256"] == (try BuildFixtures.sha256(result.logPath)))

            // The attestation verifies against the build key, as `verify-wheel --provenance` checks it.
            let setup = VerificationSetup(keyFiles: [publicKey], noDefaultKeys: true)
            let report = try await LocalVerification.wheel(at: result.wheelPath, provenanceFile: result.attestationPath, setup: setup)
            #expect(report.checks.allSatisfy { $0.status == .pass || $0.status == .skip }, "\(report.checks)")
            #expect(report.checks.contains { $0.name == .signature && $0.status == .pass })

            // The wheel installs with pip, and its code imports.
            let venv = work + "/venv"
            await #expect(try BuildFixtures.run("/usr/bin/env", ["python3", "-m", "venv", "--without-pip", venv]).status == 0)
            let install = try await BuildFixtures.run(
                "/usr/bin/env", ["python3", "-m", "pip", "--python", venv + "/bin/python", "install", "--no-index", result.wheelPath])
            #expect(install.status == 0, "\(install.output)")
            let imported = try await BuildFixtures.run(venv + "/bin/python", ["-c", "import tiny; print(tiny.GREETING)"])
            #expect(imported.stdout == "hello from tiny\n")
        }

        @Test func aFlitCoreProjectBuildsFromTheWheelhouseAndRecordsFlitCore() async throws {
            let work = try BuildFixtures.temporaryDirectory("flit")
            defer { try? FileManager.default.removeItem(atPath: work) }
            let sdistPath = try await BuildFixtures.makeSdist(name: "flitty", version: "2.0", files: BuildFixtures.flitProject(), in: work)
            let wheelhouse = try await BuildFixtures.wheelhouse(["flit_core-3.10.1-py3-none-any.whl"])
            defer { try? FileManager.default.removeItem(atPath: wheelhouse) }
            let (key, publicKey) = try BuildFixtures.signingKey()
            let result = try await SourceBuilder.build(
                BuildRequest(
                    source: try SourceDistribution.local(path: sdistPath), outputDirectory: work + "/out",
                    requirements: .findLinks(wheelhouse), python: BuildFixtures.buildPython, signer: key))
            #expect((result.wheelPath as NSString).lastPathComponent == "flitty-2.0-py2.py3-none-any.whl")
            let definition = try #require(try BuildFixtures.predicate(result.statement)["buildDefinition"] as? [String: Any])
            let resolved = try #require(definition["resolvedDependencies"] as? [[String: Any]])
            #expect(
                resolved.map { $0["name"] as? String } == ["flitty-2.0.tar.gz", "flit_core-3.10.1-py3-none-any.whl"])
            #expect(
                (resolved[1]["digest"] as? [String: String])?["sha256"]
                    == "cb31a76e8b31ad3351bb89e531f64ef2b05d1e65bd939183250bf81ddf4922a8")
            let report = try await LocalVerification.wheel(
                at: result.wheelPath, provenanceFile: result.attestationPath,
                setup: VerificationSetup(keyFiles: [publicKey], noDefaultKeys: true))
            #expect(report.checks.contains { $0.name == .signature && $0.status == .pass }, "\(report.checks)")
        }

        @Test func aBackendThatFailsIsNamedWithItsLog() async throws {
            let work = try BuildFixtures.temporaryDirectory("fail")
            defer { try? FileManager.default.removeItem(atPath: work) }
            let sdistPath = try await BuildFixtures.makeSdist(
                name: "tiny", version: "1.0", files: BuildFixtures.inTreeBackendProject(fail: true), in: work)
            let (key, _) = try BuildFixtures.signingKey()
            let request = BuildRequest(
                source: try SourceDistribution.local(path: sdistPath), outputDirectory: work + "/out",
                requirements: .findLinks(work), python: BuildFixtures.buildPython, signer: key)
            let error = try await #require(throws: BuildError.self) { try await SourceBuilder.build(request) }
            #expect(error.code == .backendFailed)
            #expect(error.message.hasPrefix("build_wheel failed (exit status 1)"), "\(error.message)")
            let logPath = work + "/out/tiny-1.0.build.log"
            #expect(error.message.contains(logPath))
            let log = try String(contentsOfFile: logPath, encoding: .utf8)
            #expect(log.contains("the tiny backend was told to fail"))
            // Nothing was signed.
            #expect(!FileManager.default.fileExists(atPath: work + "/out/tiny-1.0-py3-none-any.whl.slsa.attestation"))
        }

        @Test func aBuildRequirementMissingFromTheWheelhouseIsNamed() async throws {
            let work = try BuildFixtures.temporaryDirectory("missing")
            defer { try? FileManager.default.removeItem(atPath: work) }
            let sdistPath = try await BuildFixtures.makeSdist(name: "flitty", version: "2.0", files: BuildFixtures.flitProject(), in: work)
            let empty = try await BuildFixtures.wheelhouse(["wheel-0.45.1-py3-none-any.whl"])
            defer { try? FileManager.default.removeItem(atPath: empty) }
            let (key, _) = try BuildFixtures.signingKey()
            let request = BuildRequest(
                source: try SourceDistribution.local(path: sdistPath), outputDirectory: work + "/out",
                requirements: .findLinks(empty), python: BuildFixtures.buildPython, signer: key)
            let error = try await #require(throws: BuildError.self) { try await SourceBuilder.build(request) }
            #expect(error.code == .requirementUnavailable)
            #expect(
                error.message.hasPrefix("build requirement flit_core<4,>=3.2 is not available as a wheel from find-links"),
                "\(error.message)")
        }

        @Test(arguments: [
            "evil @ http://127.0.0.1:9/evil-1.0-py3-none-any.whl", "./local/evil-1.0-py3-none-any.whl", "--index-url=http://127.0.0.1:9/",
        ])
        func aBuildRequirementThatWouldBypassTheSourceIsRefused(requirement: String) async throws {
            let work = try BuildFixtures.temporaryDirectory("direct")
            defer { try? FileManager.default.removeItem(atPath: work) }
            let sdistPath = try await BuildFixtures.makeSdist(
                name: "tiny", version: "1.0", files: BuildFixtures.inTreeBackendProject(dynamicRequires: [requirement]), in: work)
            let (key, _) = try BuildFixtures.signingKey()
            let request = BuildRequest(
                source: try SourceDistribution.local(path: sdistPath), outputDirectory: work + "/out",
                requirements: .findLinks(work), python: BuildFixtures.buildPython, signer: key)
            let error = try await #require(throws: BuildError.self) { try await SourceBuilder.build(request) }
            #expect(error.code == .requirementUnavailable)
            #expect(error.message.hasPrefix("build requirement \(requirement) (get_requires_for_build_wheel) is "), "\(error.message)")
            #expect(error.message.hasSuffix("refused, build requirements come only from find-links \(work)"), "\(error.message)")
        }
    }
}
