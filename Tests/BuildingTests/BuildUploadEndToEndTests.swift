import Foundation
import TestSupport
import Testing

extension Builds {
    /// Issue 14's end to end: `wheeltrust build --upload` into a `wheeltrust serve --store` run as an
    /// operator runs it (a child process, its policy trusting only the build key), then real pip
    /// installs from that index and `wheeltrust verify --all` passes with only the build key
    /// trusted. A wheel signed by another key is refused at the index's door with its reason, and
    /// never served; a wrong token is `authentication`; no token fails before anything is built.
    @Suite struct BuildUploadEndToEndTests {
        static var wheeltrust: String { Builds.BuildCommandTests.wheeltrust }

        /// A store whose policy trusts `builder.pub` alone, an upload token, and the server.
        struct Index {
            let work: String
            let token: String
            let server: ServeProcess
            /// The flit_core project `flitty` 2.0 as an sdist, and a wheelhouse holding flit_core.
            let sdist: String
            let wheelhouse: String

            static func start(work: String) async throws -> Index {
                let keygen = try await BuildFixtures.run(BuildUploadEndToEndTests.wheeltrust, ["keygen", "--out", work + "/builder"])
                try #require(keygen.status == 0, "\(keygen.output)")
                try PolicyText.oneKey("build", file: "builder.pub").write(toFile: work + "/policy.toml", atomically: true, encoding: .utf8)
                let added = try await BuildFixtures.run(
                    BuildUploadEndToEndTests.wheeltrust, ["serve", "token", "add", "ci", "--store", work + "/store", "--upload"],
                    environment: ["HOME": work])
                try #require(added.status == 0, "token add: \(added.output)")
                let token = String(added.stdout.split(separator: "\n").last ?? "")
                let server = try await ServeProcess.start(
                    wheeltrust: BuildUploadEndToEndTests.wheeltrust, ["--store", work + "/store", "--policy", work + "/policy.toml"],
                    home: work)
                let sdist = try await BuildFixtures.makeSdist(name: "flitty", version: "2.0", files: BuildFixtures.flitProject(), in: work)
                let wheelhouse = try await BuildFixtures.wheelhouse(["flit_core-3.10.1-py3-none-any.whl"])
                return Index(work: work, token: token, server: server, sdist: sdist, wheelhouse: wheelhouse)
            }

            func stop() {
                server.process.terminate()
                try? FileManager.default.removeItem(atPath: wheelhouse)
            }

            /// Builds `flitty` signed with `key` (a path under work, without `.pem`) into `out` and uploads it.
            func buildFlitty(key: String, out: String, token: String? = nil) async throws -> BuildFixtures.Result {
                try await build(
                    [sdist, "--key", work + "/\(key).pem", "--out", work + "/" + out, "--find-links", wheelhouse], token: token)
            }

            /// The simple index URL with `__token__` and the token as credentials.
            var indexURL: String { server.indexURL.replacingOccurrences(of: "http://", with: "http://__token__:\(token)@") }

            /// `wheeltrust build … --upload` with the token in `WHEELTRUST_UPLOAD_TOKEN`.
            func build(_ arguments: [String], token: String? = nil) async throws -> BuildFixtures.Result {
                try await BuildFixtures.run(
                    BuildUploadEndToEndTests.wheeltrust, ["build"] + arguments + ["--upload", server.uploadURL, "--format", "json"],
                    environment: ["WHEELTRUST_UPLOAD_TOKEN": token ?? self.token, "HOME": work])
            }

            /// Real pip installs `packages` from the index into a fresh venv; `wheeltrust verify --all`
            /// with only the build key; returns the report's packages by name.
            func installAndVerify(_ packages: [String]) async throws -> (status: Int32, packages: [String: [String: Any]], output: String) {
                let venv = work + "/venv-\(UUID().uuidString.prefix(8))"
                let created = try await BuildFixtures.run("/usr/bin/env", ["python3", "-m", "venv", "--without-pip", venv])
                try #require(created.status == 0, "venv: \(created.output)")
                let installed = try await BuildFixtures.run(
                    "/usr/bin/env",
                    ["python3", "-m", "pip", "--python", venv + "/bin/python", "install", "--no-cache-dir", "--index-url", indexURL]
                        + packages)
                try #require(installed.status == 0, "pip install: \(installed.output)")
                let verified = try await BuildFixtures.run(
                    BuildUploadEndToEndTests.wheeltrust,
                    [
                        "verify", "--all", "--python", venv + "/bin/python", "--index-url", indexURL, "--cache-dir", work + "/cache",
                        "--key", work + "/builder.pub", "--format", "json",
                    ], environment: ["HOME": work])
                let report = try #require(
                    try JSONSerialization.jsonObject(with: Data(verified.stdout.utf8)) as? [String: Any], "\(verified.output)")
                let list = try #require(report["packages"] as? [[String: Any]])
                var byName: [String: [String: Any]] = [:]
                for package in list { byName[package["name"] as? String ?? ""] = package }
                return (verified.status, byName, verified.output)
            }

            /// Whether the index serves a page for `project` (with the token).
            func serves(_ project: String) async throws -> Bool {
                let result = try await BuildFixtures.run(
                    "/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", indexURL + project + "/"])
                return result.stdout == "200"
            }
        }

        static func uploads(_ result: BuildFixtures.Result) throws -> [[String: Any]] {
            let document = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.output)")
            return try #require(document["uploads"] as? [[String: Any]], "\(document)")
        }

        @Test func builtUploadedInstalledAndVerifiedWithOnlyTheBuildKey() async throws {
            let work = try BuildFixtures.temporaryDirectory("upload")
            defer { try? FileManager.default.removeItem(atPath: work) }
            let index = try await Index.start(work: work)
            defer { index.stop() }

            let built = try await index.buildFlitty(key: "builder", out: "out")
            #expect(built.status == 0, "\(built.output)")
            let uploads = try Self.uploads(built)
            #expect(uploads.count == 1 && uploads.first?["uploaded"] as? Bool == true, "\(uploads)")

            let verified = try await index.installAndVerify(["flitty"])
            #expect(verified.status == 0, "\(verified.output)")
            let flitty = try #require(verified.packages["flitty"], "\(verified.output)")
            #expect(flitty["status"] as? String == "verified")
            let checks = try #require(flitty["checks"] as? [[String: Any]])
            for name in ["index-hash", "provenance", "signature", "statement", "installed-files"] {
                #expect(checks.contains { $0["name"] as? String == name && $0["status"] as? String == "pass" }, "\(name): \(checks)")
            }
            // The build the index served is ours: its source and build requirement by sha256.
            let build = try #require(flitty["build"] as? [String: Any])
            await #expect((build["source"] as? [String: Any])?["sha256"] as? String == (try BuildFixtures.sha256(index.sdist)))
            #expect((build["dependencies"] as? [[String: Any]])?.map { $0["filename"] as? String } == ["flit_core-3.10.1-py3-none-any.whl"])

            // Built again: the same bytes (SOURCE_DATE_EPOCH), so the upload is accepted again as already there.
            let again = try await index.buildFlitty(key: "builder", out: "again")
            #expect(again.status == 0, "\(again.output)")
            #expect(try Self.uploads(again).first?["uploaded"] as? Bool == true)
        }

        @Test func anotherKeyWrongTokenAndNoTokenAreRefusedWhereTheyHappen() async throws {
            let work = try BuildFixtures.temporaryDirectory("upload-refused")
            defer { try? FileManager.default.removeItem(atPath: work) }
            let index = try await Index.start(work: work)
            defer { index.stop() }
            _ = try await BuildFixtures.run(Self.wheeltrust, ["keygen", "--out", work + "/other"])

            // Signed by a key the index's policy does not name: refused at the door, with its reason.
            let other = try await index.buildFlitty(key: "other", out: "other-out")
            #expect(other.status == 1, "\(other.output)")
            let refused = try #require(try Self.uploads(other).first)
            #expect(refused["uploaded"] as? Bool == false)
            let error = try #require(refused["error"] as? [String: Any])
            #expect(error["code"] as? String == "refused", "\(error)")
            #expect((error["message"] as? String)?.contains("HTTP 400") == true, "\(error)")
            #expect((error["message"] as? String)?.contains("signature matches no trusted key") == true, "\(error)")
            await #expect(try !index.serves("flitty"))

            // The right key with a wrong token: authentication, nothing stored.
            let wrongToken = try await index.buildFlitty(key: "builder", out: "token-out", token: "wt_wrong")
            #expect(wrongToken.status == 1, "\(wrongToken.output)")
            let unauthenticated = try #require(try Self.uploads(wrongToken).first?["error"] as? [String: Any])
            #expect(unauthenticated["code"] as? String == "authentication", "\(unauthenticated)")
            await #expect(try !index.serves("flitty"))
            #expect(!wrongToken.output.contains("wt_wrong"), "the token is never printed")

            // No token and no netrc entry: a usage error before anything is built.
            let none = try await BuildFixtures.run(
                Self.wheeltrust,
                [
                    "build", index.sdist, "--key", work + "/builder.pem", "--out", work + "/none-out", "--find-links", index.wheelhouse,
                    "--upload",
                    index.server.uploadURL,
                ], environment: ["HOME": work, "WHEELTRUST_UPLOAD_TOKEN": ""])
            #expect(none.status == 2, "\(none.output)")
            #expect(none.stderr.contains("--upload: no credentials for"), "\(none.stderr)")
            #expect(!FileManager.default.fileExists(atPath: work + "/none-out"))
        }

        @Test func aTreeIsUploadedAndInstallsWholeFromTheIndex() async throws {
            let work = try BuildFixtures.temporaryDirectory("upload-tree")
            defer { try? FileManager.default.removeItem(atPath: work) }
            let index = try await Index.start(work: work)
            defer { index.stop() }
            let sources = work + "/sdists"
            try await Builds.TreeBuildTests.tree(in: sources)
            try "plugin==1.0\n".write(toFile: work + "/requirements.txt", atomically: true, encoding: .utf8)

            let built = try await index.build([
                "-r", work + "/requirements.txt", "--find-links", sources, "--key", work + "/builder.pem", "--out", work + "/out",
            ])
            #expect(built.status == 0, "\(built.output)")
            let uploads = try Self.uploads(built)
            #expect(uploads.count == 5 && uploads.allSatisfy { $0["uploaded"] as? Bool == true }, "\(uploads)")

            // pip resolves plugin's runtime tree (app, helper, base) from the index; all verify.
            let verified = try await index.installAndVerify(["plugin"])
            #expect(verified.status == 0, "\(verified.output)")
            for name in ["plugin", "app", "helper", "base"] {
                #expect(verified.packages[name]?["status"] as? String == "verified", "\(name): \(verified.output)")
            }
        }
    }
}
