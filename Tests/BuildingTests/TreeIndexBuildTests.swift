import Attestations
import Foundation
import IndexServer
import Testing
import Verification

@testable import Building

extension Builds {
    /// `build -r` with the sdists on an index: each version the resolver chooses is fetched and
    /// anchored as `build NAME==VERSION` anchors one (index digest, its own provenance), the tree is
    /// resolved again with what was fetched, and built with the anchors recorded; a release that
    /// fails its checks is named and never replaced by an older one.
    @Suite struct TreeIndexBuildTests {
        /// `projects` (name, version, runtime requirements, build requirements) as sdists in a
        /// folder served by an in-process wheeltrust index, each attested by `signers[name]` or
        /// `publisher`.
        static func served(
            _ projects: [(String, String, [String], [String])], in folder: String, publisher: PrivateKey,
            signers: [String: PrivateKey] = [:]
        ) async throws {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for (name, version, requires, buildRequires) in projects {
                let sdist = try await BuildFixtures.makeSdist(
                    name: name, version: version,
                    files: Builds.TreeBuildTests.project(name, version: version, requires: requires, buildRequires: buildRequires),
                    in: folder)
                try FileManager.default.removeItem(atPath: folder + "/\(name)-\(version).json")
                _ = try await Attester.attest(
                    wheel: sdist, key: signers["\(name)-\(version)"] ?? publisher, builderID: "urn:test:publisher",
                    buildType: "urn:test:sdist")
            }
        }

        static func request(
            _ work: String, requirements: String, index: String, trusting publisher: String, key: PrivateKey
        ) async throws
            -> TreeBuildRequest
        {
            var request = try Builds.TreeBuildTests.request(work, sources: work, requirements: requirements, key: key)
            request.sourceFolder = nil
            request.index = try await SourceLocator.pipeline(
                Builds.IndexSourceTests.setup(indexURL: index, keys: [publisher], cache: work + "/cache"))
            return request
        }

        @Test func aTreeOnTheIndexIsFetchedAnchoredByItsProvenanceAndBuilt() async throws {
            let work = try BuildFixtures.temporaryDirectory("tree-index")
            defer { try? FileManager.default.removeItem(atPath: work) }
            let (publisher, publisherPublic) = try BuildFixtures.signingKey()
            try await Self.served(
                [
                    ("base", "1.0", [], []), ("helper", "1.0", ["base"], []), ("tool", "1.0", [], []),
                    ("app", "1.0", ["helper"], ["helper"]), ("plugin", "1.0", ["app"], ["app", "tool"]),
                ], in: work + "/served", publisher: publisher)
            let server = try await IndexServer(configuration: ServerConfiguration(directory: work + "/served")).start()
            let (key, _) = try BuildFixtures.signingKey()
            do {
                let request = try await Self.request(
                    work, requirements: "plugin\n", index: server.indexURL.absoluteString, trusting: publisherPublic, key: key)
                let result = try await TreeBuilder.build(request)
                #expect(result.resolution.problems.isEmpty, "\(result.resolution.problems)")
                #expect(result.graph.order == ["base", "helper", "app", "tool", "plugin"])
                #expect(result.outcomes.map(\.state) == Array(repeating: .built, count: 5), "\(result.outcomes)")
                let fetched = try FileManager.default.contentsOfDirectory(atPath: work + "/out/" + TreeBuilder.fetchedSdistsFolder).sorted()
                #expect(fetched == ["app-1.0.tar.gz", "base-1.0.tar.gz", "helper-1.0.tar.gz", "plugin-1.0.tar.gz", "tool-1.0.tar.gz"])
                // Every build records its sdist as anchored by the index's copy and its verified provenance.
                for name in ["base", "helper", "tool", "app", "plugin"] {
                    let provenance = try ProvenanceFile.read(path: work + "/out/\(name)-1.0-py3-none-any.whl.slsa.attestation")
                    let statement = try #require(provenance.attestationBundles.first?.attestations.first?.envelope.statement)
                    let definition = try #require(try BuildFixtures.predicate(statement)["buildDefinition"] as? [String: Any])
                    let source = try #require((definition["externalParameters"] as? [String: Any])?["source"] as? [String: Any])
                    #expect(source["anchor"] as? String == "provenance", "\(name): \(source)")
                    #expect((source["uri"] as? String)?.hasSuffix("/\(name)-1.0.tar.gz") == true, "\(name): \(source)")
                }
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
        }

        @Test func aReleaseThatFailsItsChecksIsNamedAndNotReplacedByAnOlderOne() async throws {
            let work = try BuildFixtures.temporaryDirectory("tree-index-refused")
            defer { try? FileManager.default.removeItem(atPath: work) }
            let (publisher, publisherPublic) = try BuildFixtures.signingKey()
            let (intruder, _) = try BuildFixtures.signingKey()
            // base 1.0 is signed by a key the build does not trust; base 0.9 by the publisher.
            try await Self.served(
                [("base", "0.9", [], []), ("base", "1.0", [], []), ("helper", "1.0", ["base"], [])], in: work + "/served",
                publisher: publisher, signers: ["base-1.0": intruder])
            let server = try await IndexServer(configuration: ServerConfiguration(directory: work + "/served")).start()
            let (key, _) = try BuildFixtures.signingKey()
            do {
                let request = try await Self.request(
                    work, requirements: "helper\n", index: server.indexURL.absoluteString, trusting: publisherPublic, key: key)
                let result = try await TreeBuilder.build(request)
                let refused = result.resolution.problems.first { $0.name == "base" && $0.problem.hasPrefix("base 1.0 from the index:") }
                #expect(refused?.problem.contains("source-rejected: signature:") == true, "\(result.resolution.problems)")
                #expect(!result.resolution.packages.contains { $0.name == "base" }, "no other version of base is taken")
                #expect(!FileManager.default.fileExists(atPath: work + "/out/base-0.9-py3-none-any.whl"))
                let fetched = try FileManager.default.contentsOfDirectory(atPath: work + "/out/" + TreeBuilder.fetchedSdistsFolder)
                #expect(fetched == ["helper-1.0.tar.gz"])
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
        }
    }
}
