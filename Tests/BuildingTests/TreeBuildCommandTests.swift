import Foundation
import Testing

extension Builds {
    /// `wheeltrust build -r`: the command line over TreeBuilder; `--allow-prebuilt` is the only way a
    /// wheel not built in the run reaches a build.
    @Suite struct TreeBuildCommandTests {
        @Test func aPrebuiltBuildRequirementIsUsedOnlyWhenAllowed() async throws {
            let work = try BuildFixtures.temporaryDirectory("tree-cli")
            defer { try? FileManager.default.removeItem(atPath: work) }
            let sources = work + "/sdists"
            try FileManager.default.createDirectory(atPath: sources, withIntermediateDirectories: true)
            _ = try await BuildFixtures.makeSdist(name: "flitty", version: "2.0", files: BuildFixtures.flitProject(), in: sources)
            try FileManager.default.copyItem(
                atPath: BuildFixtures.fixture("flit_core-3.10.1-py3-none-any.whl"), toPath: sources + "/flit_core-3.10.1-py3-none-any.whl")
            try "flitty==2.0\n".write(toFile: work + "/requirements.txt", atomically: true, encoding: .utf8)
            _ = try await BuildFixtures.run(Builds.BuildCommandTests.wheeltrust, ["keygen", "--out", work + "/builder"])
            let base = [
                "build", "-r", work + "/requirements.txt", "--find-links", sources, "--key", work + "/builder.pem", "--format", "json",
            ]

            // Not allowed: flit_core has no sdist; the wheel beside the sdists is not used; flitty fails.
            let refused = try await BuildFixtures.run(Builds.BuildCommandTests.wheeltrust, base + ["--out", work + "/out1"])
            #expect(refused.status == 1, "\(refused.output)")
            let refusedGraph = try #require(try JSONSerialization.jsonObject(with: Data(refused.stdout.utf8)) as? [String: Any])
            let refusedOutcomes = try #require(refusedGraph["outcomes"] as? [[String: Any]])
            #expect(refusedOutcomes.first?["state"] as? String == "failed", "\(refusedOutcomes)")
            #expect((refusedOutcomes.first?["detail"] as? String)?.hasPrefix("requirement-unavailable:") == true, "\(refusedOutcomes)")
            #expect((refusedGraph["problems"] as? [[String: Any]])?.first?["name"] as? String == "flit_core")

            // --plan: the graph, nothing built.
            let planned = try await BuildFixtures.run(
                Builds.BuildCommandTests.wheeltrust, base + ["--out", work + "/plan", "--allow-prebuilt", "flit_core", "--plan"])
            #expect(planned.status == 0, "\(planned.output)")
            let plan = try #require(try JSONSerialization.jsonObject(with: Data(planned.stdout.utf8)) as? [String: Any])
            #expect(plan["order"] as? [String] == ["flitty"])
            #expect((plan["outcomes"] as? [[String: Any]])?.map { $0["state"] as? String } == ["skipped"])
            #expect(!FileManager.default.fileExists(atPath: work + "/plan/flitty-2.0-py2.py3-none-any.whl"))
            // The graph states the fact; the command line's text names the option that chose it.
            #expect((plan["outcomes"] as? [[String: Any]])?.first?["detail"] as? String == "planned, not built")
            let textBase = base.filter { $0 != "--format" && $0 != "json" }
            let plannedText = try await BuildFixtures.run(
                Builds.BuildCommandTests.wheeltrust, textBase + ["--out", work + "/plan-text", "--allow-prebuilt", "flit_core", "--plan"])
            #expect(plannedText.status == 0, "\(plannedText.output)")
            #expect(plannedText.stdout.contains("  skipped flitty: planned, not built (--plan)\n"), "\(plannedText.output)")
            // A package to build alone that the tree does not hold: a usage error naming the option.
            let unknown = try await BuildFixtures.run(
                Builds.BuildCommandTests.wheeltrust, base + ["--out", work + "/only", "--allow-prebuilt", "flit_core", "--only", "nosuch"])
            #expect(unknown.status == 2, "\(unknown.output)")
            #expect(unknown.stderr == "wheeltrust: error: usage: --only nosuch: not a package of the resolved tree\n", "\(unknown.output)")

            // Allowed: built, and its provenance lists flit_core by sha256.
            let allowed = try await BuildFixtures.run(
                Builds.BuildCommandTests.wheeltrust, base + ["--out", work + "/out2", "--allow-prebuilt", "flit-core"])
            #expect(allowed.status == 0, "\(allowed.output)")
            let graph = try #require(try JSONSerialization.jsonObject(with: Data(allowed.stdout.utf8)) as? [String: Any])
            #expect((graph["outcomes"] as? [[String: Any]])?.map { $0["state"] as? String } == ["built"])
            #expect(graph["order"] as? [String] == ["flitty"])
            #expect(FileManager.default.fileExists(atPath: work + "/out2/build-graph.json"))
            #expect(FileManager.default.fileExists(atPath: work + "/out2/flitty-2.0-py2.py3-none-any.whl.slsa.attestation"))
        }

        @Test func treeOptionsAreUsageErrors() async throws {
            let cases: [([String], String)] = [
                (
                    ["build", "-r", "req.txt", "--allow-prebuilt", "x", "--key", "k.pem", "--out", "/tmp/x"],
                    "--allow-prebuilt takes the wheels from --find-links"
                ),
                (["build", "a-1.0.tar.gz", "-r", "req.txt", "--key", "k.pem", "--out", "/tmp/x"], "not both"),
                (
                    ["build", "a-1.0.tar.gz", "--only", "a", "--key", "k.pem", "--out", "/tmp/x"],
                    "--only, --plan and --allow-prebuilt go with -r"
                ),
            ]
            for (arguments, words) in cases {
                let result = try await BuildFixtures.run(Builds.BuildCommandTests.wheeltrust, arguments)
                #expect(result.status == 2, "\(arguments): \(result.output)")
                #expect(result.stderr.contains(words), "\(arguments): \(result.stderr)")
            }
        }
    }
}
