import Attestations
import Foundation
import Testing

@testable import Building

extension Builds {
    /// `build -r`: a tree of five pure-Python sdists (made here, each with an in-tree backend that
    /// writes its PKG-INFO as the wheel's METADATA, so runtime requirements reach pip) built in
    /// dependency order with no prebuilt wheel; a cycle reported without stopping the rest; resume.
    @Suite struct TreeBuildTests {
        /// An in-tree backend project: `requires` are runtime requirements (PKG-INFO Requires-Dist),
        /// `buildRequires` go into `[build-system] requires`.
        static func project(
            _ name: String, version: String = "1.0", requires: [String] = [], buildRequires: [String] = []
        ) -> [String: String] {
            let pkgInfo = "Metadata-Version: 2.1\nName: \(name)\nVersion: \(version)\n" + requires.map { "Requires-Dist: \($0)\n" }.joined()
            let list = buildRequires.map { "\"\($0)\"" }.joined(separator: ", ")
            let backend = """
                import base64, hashlib, os, zipfile

                def get_requires_for_build_wheel(config_settings=None):
                    return []

                def _hash(data):
                    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()

                def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
                    for needed in [\(list)]:
                        __import__(needed)   # the build requirement is really installed
                    dist_info = "\(name)-\(version).dist-info"
                    members = [
                        ("\(name)/__init__.py", open("src/\(name)/__init__.py", "rb").read()),
                        (dist_info + "/METADATA", open("PKG-INFO", "rb").read()),
                        (dist_info + "/WHEEL", b"Wheel-Version: 1.0\\nGenerator: tree\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"),
                    ]
                    record = "".join("%s,%s,%d\\n" % (n, _hash(d), len(d)) for n, d in members) + dist_info + "/RECORD,,\\n"
                    members.append((dist_info + "/RECORD", record.encode()))
                    filename = "\(name)-\(version)-py3-none-any.whl"
                    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as z:
                        for n, d in members:
                            z.writestr(zipfile.ZipInfo(n, (2020, 1, 1, 0, 0, 0)), d)
                    return filename
                """
            return [
                "PKG-INFO": pkgInfo,
                "pyproject.toml": "[build-system]\nrequires = [\(list)]\nbuild-backend = \"treebackend\"\nbackend-path = [\"backend\"]\n",
                "backend/treebackend.py": backend,
                "src/\(name)/__init__.py": "NAME = '\(name)'\n",
            ]
        }

        /// base ← helper (runtime); app builds with helper (so helper and base first); plugin builds
        /// with app and tool and needs app at runtime. Only plugin is in the requirements file.
        static func tree(in folder: String) async throws {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let projects: [(String, [String], [String])] = [
                ("base", [], []),
                ("helper", ["base"], []),
                ("tool", [], []),
                ("app", ["helper"], ["helper"]),
                ("plugin", ["app"], ["app", "tool"]),
            ]
            for (name, requires, buildRequires) in projects {
                _ = try await BuildFixtures.makeSdist(
                    name: name, version: "1.0", files: project(name, requires: requires, buildRequires: buildRequires), in: folder)
            }
        }

        static func request(
            _ work: String, sources: String, requirements: String, key: PrivateKey, only: String? = nil
        ) throws
            -> TreeBuildRequest
        {
            let file = work + "/requirements-\(UUID().uuidString).txt"
            try requirements.write(toFile: file, atomically: true, encoding: .utf8)
            return TreeBuildRequest(
                requirementsFile: file, sourceFolder: sources, outputDirectory: work + "/out", allowPrebuilt: [], only: only,
                builderID: "https://ci.example/tree", python: BuildFixtures.buildPython, signer: key, timeoutSeconds: 300)
        }

        static func graphJSON(_ path: String) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        }

        @Test func aTreeIsBuiltInDependencyOrderFromItsOwnWheelsThenResumed() async throws {
            let work = try BuildFixtures.temporaryDirectory("tree")
            defer { try? FileManager.default.removeItem(atPath: work) }
            try await Self.tree(in: work + "/sdists")
            let (key, _) = try BuildFixtures.signingKey()
            let request = try Self.request(work, sources: work + "/sdists", requirements: "plugin>=1.0  # the root\n", key: key)
            let result = try await TreeBuilder.build(request)

            #expect(result.graph.order == ["base", "helper", "app", "tool", "plugin"])
            #expect(result.outcomes.map(\.state) == Array(repeating: .built, count: 5), "\(result.outcomes)")
            #expect(result.resolution.problems.isEmpty, "\(result.resolution.problems)")
            let graph = try Self.graphJSON(result.graphPath)
            #expect(graph["order"] as? [String] == ["base", "helper", "app", "tool", "plugin"])
            #expect((graph["outcomes"] as? [[String: Any]])?.map { $0["name"] as? String } == ["base", "helper", "app", "tool", "plugin"])
            let packages = try #require(graph["packages"] as? [[String: Any]])
            let plugin = try #require(packages.first { $0["name"] as? String == "plugin" })
            #expect(plugin["needs"] as? [String] == ["app", "base", "helper", "tool"])
            #expect(plugin["buildRequires"] as? [String] == ["app", "tool"])
            // Every package comes after everything it needs.
            let order = result.graph.order
            for (name, needs) in result.graph.needs {
                for need in needs { #expect(order.firstIndex(of: need)! < order.firstIndex(of: name)!, "\(need) before \(name)") }
            }

            // plugin's build environment held exactly the wheels built in this run, by their sha256.
            let pluginWheel = work + "/out/plugin-1.0-py3-none-any.whl"
            let attestation = try Attestation.decode(Data(contentsOf: URL(fileURLWithPath: pluginWheel + ".slsa.attestation")))
            let statement = try Statement(parsing: attestation.envelope.statement)
            let facts = try #require(SourceBuildFacts(statement: statement))
            #expect(facts.dependencies.map(\.name).sorted() == ["app", "base", "helper", "tool"])
            for dependency in facts.dependencies {
                await #expect(dependency.sha256 == (try BuildFixtures.sha256(work + "/out/\(dependency.name)-1.0-py3-none-any.whl")))
            }

            // Resume: everything verifies and is not rebuilt.
            let again = try await TreeBuilder.build(request)
            #expect(again.outcomes.map(\.state) == Array(repeating: .done, count: 5), "\(again.outcomes)")

            // A wheel changed in the output folder does not verify: that package is built again.
            let toolWheel = work + "/out/tool-1.0-py3-none-any.whl"
            var bytes = try Data(contentsOf: URL(fileURLWithPath: toolWheel))
            bytes.append(0)
            try bytes.write(to: URL(fileURLWithPath: toolWheel))
            let third = try await TreeBuilder.build(request)
            #expect(third.outcomes.first { $0.name == "tool" }?.state == .built, "\(third.outcomes)")
            #expect(third.outcomes.filter { $0.name != "tool" }.allSatisfy { $0.state == .done }, "\(third.outcomes)")

            // --only builds one package of the graph, the others' wheels taken as done.
            try FileManager.default.removeItem(atPath: pluginWheel)
            let only = try await TreeBuilder.build(
                try Self.request(work, sources: work + "/sdists", requirements: "plugin\n", key: key, only: "plugin"))
            #expect(only.outcomes.first { $0.name == "plugin" }?.state == .built, "\(only.outcomes)")
            #expect(only.outcomes.filter { $0.name != "plugin" }.allSatisfy { $0.state == .done }, "\(only.outcomes)")
        }

        @Test func anExtraAddsTheRequirementsItsMarkersSelectAndOnlyThen() async throws {
            let work = try BuildFixtures.temporaryDirectory("tree-extras")
            defer { try? FileManager.default.removeItem(atPath: work) }
            let sources = work + "/sdists"
            try FileManager.default.createDirectory(atPath: sources, withIntermediateDirectories: true)
            for (name, requires) in [("core", ["fancy>=1; extra == 'fancy'", "plain"]), ("fancy", []), ("plain", [])] {
                _ = try await BuildFixtures.makeSdist(
                    name: name, version: "1.0", files: Self.project(name, requires: requires), in: sources)
            }
            func resolve(_ requirement: String) async throws -> TreeResolution {
                let file = work + "/requirements-\(UUID().uuidString).txt"
                try requirement.write(toFile: file, atomically: true, encoding: .utf8)
                return try await TreeResolution.resolve(
                    requirementsFile: file, folders: [sources], python: BuildFixtures.buildPython,
                    environment: ProcessInfo.processInfo.environment, logPath: work + "/resolve.log", timeoutSeconds: 120)
            }
            let plain = try await resolve("core\n")
            #expect(plain.packages.map(\.name) == ["core", "plain"], "\(plain)")
            let fancy = try await resolve("core[fancy]\n")
            #expect(fancy.packages.map(\.name) == ["core", "fancy", "plain"], "\(fancy)")
            #expect(fancy.packages.first?.requires == ["fancy", "plain"])
            #expect(fancy.packages.first?.extras == ["fancy"])
            #expect(fancy.problems.isEmpty, "\(fancy.problems)")
        }

        @Test func aCycleIsReportedAndTheRestIsBuilt() async throws {
            let work = try BuildFixtures.temporaryDirectory("tree-cycle")
            defer { try? FileManager.default.removeItem(atPath: work) }
            let sources = work + "/sdists"
            try FileManager.default.createDirectory(atPath: sources, withIntermediateDirectories: true)
            for (name, buildRequires) in [("xray", ["yank"]), ("yank", ["xray"]), ("zulu", ["xray"]), ("whisky", [])] {
                _ = try await BuildFixtures.makeSdist(
                    name: name, version: "1.0", files: Self.project(name, buildRequires: buildRequires), in: sources)
            }
            let (key, _) = try BuildFixtures.signingKey()
            let result = try await TreeBuilder.build(
                try Self.request(work, sources: sources, requirements: "xray\nzulu\nwhisky\nmissing-one\n", key: key))
            #expect(result.graph.cycles == [["xray", "yank"]])
            let states = Dictionary(uniqueKeysWithValues: result.outcomes.map { ($0.name, $0.state) })
            #expect(states == ["whisky": .built, "xray": .cycle, "yank": .cycle, "zulu": .blocked], "\(result.outcomes)")
            #expect(result.outcomes.first { $0.name == "zulu" }?.detail == "waits for xray, which is on a cycle")
            #expect(
                result.resolution.problems.contains { $0.name == "missing-one" && $0.problem.hasPrefix("no sdist in the folder satisfies") }
            )
            let graph = try Self.graphJSON(result.graphPath)
            #expect(graph["cycles"] as? [[String]] == [["xray", "yank"]])
            #expect(graph["order"] as? [String] == ["whisky"])
        }
    }
}
