import Attestations
import Foundation
import PythonPackaging
import TestSupport
import Testing

/// Issue 13 items 1–2 end to end: `wheeltrust serve --store` run as a child process, real
/// `twine upload --attestations` and real `uv publish` into it (attestations written by
/// `wheeltrust attest`), then real pip and uv install from it and `wheeltrust verify` passes;
/// forged, mismatched, wrong-key and missing attestations refused at upload with the reason, and
/// the file is not served afterwards.
///
/// twine comes from `WHEELTRUST_TEST_TWINE` (`.ci/run` installs twine 6.1.0), uv from
/// `WHEELTRUST_TEST_UV`; without them these tests are skipped, except under CI, where
/// ``toolsAreThereUnderCI()`` fails.
@Suite("uploads end to end")
struct UploadEndToEndTests {
    static let twine = ProcessInfo.processInfo.environment["WHEELTRUST_TEST_TWINE"].flatMap { $0.isEmpty ? nil : $0 }
    static let uv = WrapperEndToEndTests.uv
    static let wheels = ["dotted_pkg-1.2.0-0-py3-none-any.whl", "datatool-0.3-py3-none-any.whl"]

    @Test("under CI, twine is there for the upload tests", .enabled(if: WrapperEndToEndTests.underCI))
    func toolsAreThereUnderCI() {
        #expect(
            Self.twine.map { FileManager.default.isExecutableFile(atPath: $0) } == true,
            "WHEELTRUST_TEST_TWINE must name the twine executable (.ci/run installs twine 6.1.0)")
    }

    /// A store with a policy naming one key, an upload token, and a folder of wheels attested
    /// with that key by `wheeltrust attest`.
    struct World {
        let root: String
        let store: String
        let dist: String
        let key: PrivateKey
        let publicKeyPath: String
        let privateKeyPath: String
        let policy: String
        let token: String

        static func make(wheels: [String] = UploadEndToEndTests.wheels) async throws -> World {
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("wt-upload-\(UUID().uuidString)").path
            let dist = root + "/dist"
            try FileManager.default.createDirectory(atPath: dist, withIntermediateDirectories: true)
            let key = try PrivateKey.generate(.ecdsaP256)
            let publicKeyPath = root + "/release.pub"
            let privateKeyPath = root + "/release.pem"
            try key.publicKey.pemRepresentation.write(toFile: publicKeyPath, atomically: true, encoding: .utf8)
            try key.pemRepresentation.write(toFile: privateKeyPath, atomically: true, encoding: .utf8)
            let policy = root + "/policy.toml"
            try PolicyText.oneKey("release", file: "release.pub").write(toFile: policy, atomically: true, encoding: .utf8)
            for wheel in wheels {
                try FileManager.default.copyItem(
                    atPath: Scenario.fixtureWheels.appendingPathComponent(wheel).path, toPath: dist + "/" + wheel)
            }
            if !wheels.isEmpty {
                let attested = try await TestProcess.run(
                    TestProcess.wheeltrust, ["attest"] + wheels.map { dist + "/" + $0 } + ["--key", privateKeyPath])
                try #require(attested.status == 0, "attest: \(attested.output)")
            }
            let store = root + "/store"
            let added = try await TestProcess.run(
                TestProcess.wheeltrust, ["serve", "token", "add", "ci", "--store", store, "--upload"], environment: ["HOME": root])
            try #require(added.status == 0, "token add: \(added.output)")
            let token = String(added.stdout.split(separator: "\n").last ?? "")
            return World(
                root: root, store: store, dist: dist, key: key, publicKeyPath: publicKeyPath, privateKeyPath: privateKeyPath,
                policy: policy, token: token)
        }

        func serve(_ extra: [String] = []) async throws -> ServeProcess {
            try await ServeProcess.start(["--store", store, "--policy", policy] + extra, home: root)
        }

        /// Runs `body` against a started server and stops it afterwards, awaited, whatever `body` did.
        func withServer(_ extra: [String] = [], _ body: (ServeProcess) async throws -> Void) async throws {
            let server = try await serve(extra)
            do {
                try await body(server)
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
        }

        /// `url` with `__token__` and the token as credentials.
        func withCredentials(_ url: String) -> String {
            url.replacingOccurrences(of: "http://", with: "http://__token__:\(token)@")
        }

        func twine(_ arguments: [String], server: ServeProcess) async throws -> ProcessResult {
            try await TestProcess.run(
                UploadEndToEndTests.twine ?? "twine",
                [
                    "upload", "--non-interactive", "--disable-progress-bar", "--verbose", "--repository-url", server.uploadURL,
                    "-u", "__token__", "-p", token,
                ] + arguments,
                environment: ["HOME": root, "NO_COLOR": "1", "COLUMNS": "1000"])
        }

        /// The project page's JSON (with the token), or nil when the project does not exist.
        func projectPage(_ project: String, server: ServeProcess) async throws -> String? {
            let result = try await TestProcess.run(
                "/usr/bin/curl",
                [
                    "-s", "-H", "Accept: application/vnd.pypi.simple.v1+json", "-w", "\n%{http_code}",
                    withCredentials(server.indexURL) + project + "/",
                ])
            let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            guard lines.last == "200" else { return nil }
            return lines.dropLast().joined(separator: "\n")
        }

        /// Installs `packages` with real pip into a fresh venv and verifies them with wheeltrust.
        func installAndVerify(_ packages: [String], server: ServeProcess, installer: String = "pip") async throws {
            let venv = root + "/venv-\(installer)-\(UUID().uuidString.prefix(8))"
            let created = try await TestProcess.run(TestProcess.python3, ["-m", "venv", "--without-pip", venv])
            try #require(created.status == 0, "venv: \(created.output)")
            let installed: ProcessResult
            if installer == "uv", let uv = UploadEndToEndTests.uv {
                installed = try await TestProcess.run(
                    uv, ["pip", "install", "--python", venv + "/bin/python", "--index-url", withCredentials(server.indexURL)] + packages,
                    environment: ["UV_CACHE_DIR": root + "/uv-cache", "XDG_CONFIG_HOME": root + "/xdg", "UV_NO_CONFIG": "1"])
            } else {
                installed = try await TestProcess.run(
                    TestProcess.python3,
                    [
                        "-m", "pip", "--python", venv + "/bin/python", "install", "--no-cache-dir", "--index-url",
                        withCredentials(server.indexURL),
                    ] + packages)
            }
            try #require(installed.status == 0, "\(installer) install: \(installed.output)")
            let verified = try await TestProcess.run(
                TestProcess.wheeltrust,
                [
                    "verify", "--all", "--python", venv + "/bin/python", "--index-url", withCredentials(server.indexURL),
                    "--cache-dir", root + "/cache-\(installer)", "--key", publicKeyPath, "--format", "json",
                ],
                environment: ["HOME": root, "PIP_CONFIG_FILE": "/dev/null"])
            #expect(verified.status == 0, "verify after \(installer): \(verified.output)")
            let report = try ReportJSON(verified)
            for package in packages {
                #expect(report.package(package)?.status == .verified, "\(package): \(verified.stdout)")
            }
        }

        func remove() { try? FileManager.default.removeItem(atPath: root) }
    }

    @Test(
        "twine upload --attestations into the store, then pip and uv install it and wheeltrust verify --all passes",
        .enabled(if: twine != nil))
    func twineUploadThenInstallAndVerify() async throws {
        let world = try await World.make()
        defer { world.remove() }
        try await world.withServer { server in
            #expect(server.banner.contains("uploads are judged by \(world.policy); every upload needs attestations"), "\(server.banner)")
            #expect(server.uploadURL.hasSuffix("/pypi/wheeltrust/main/legacy/"))
            let files = try FileManager.default.contentsOfDirectory(atPath: world.dist).sorted().map { world.dist + "/" + $0 }
            #expect(files.filter { $0.hasSuffix(".slsa.attestation") }.count == 2, "wheeltrust attest writes <dist>.slsa.attestation")
            let uploaded = try await world.twine(["--attestations"] + files, server: server)
            #expect(uploaded.status == 0, "\(uploaded.output)")
            // The same files again: --skip-existing skips; without it the same bytes are accepted again.
            let again = try await world.twine(["--attestations", "--skip-existing"] + files, server: server)
            #expect(again.status == 0, "\(again.output)")
            let page = try #require(try await world.projectPage("dotted-pkg", server: server))
            #expect(page.contains("dotted_pkg-1.2.0-0-py3-none-any.whl") && page.contains("\"provenance\""), "\(page)")
            try await world.installAndVerify(["dotted.pkg", "datatool"], server: server)
            if Self.uv != nil {
                try await world.installAndVerify(["dotted.pkg", "datatool"], server: server, installer: "uv")
            }
        }
    }

    @Test(
        "uv publish into the store (attestations beside the dists), then uv installs it and wheeltrust verify passes",
        .enabled(if: uv != nil))
    func uvPublishThenInstallAndVerify() async throws {
        let world = try await World.make()
        defer { world.remove() }
        try await world.withServer { server in
            let files = try FileManager.default.contentsOfDirectory(atPath: world.dist).sorted().map { world.dist + "/" + $0 }
            let published = try await TestProcess.run(
                Self.uv!, ["publish", "--publish-url", server.uploadURL, "--token", world.token, "--no-cache"] + files,
                environment: ["UV_CACHE_DIR": world.root + "/uv-cache", "XDG_CONFIG_HOME": world.root + "/xdg", "UV_NO_CONFIG": "1"])
            #expect(published.status == 0, "\(published.output)")
            let page = try #require(try await world.projectPage("datatool", server: server))
            #expect(page.contains("\"provenance\""), "uv sent the attestations and the store kept the verified provenance: \(page)")
            try await world.installAndVerify(["dotted.pkg", "datatool"], server: server, installer: "uv")
        }
    }

    @Test(
        "forged, mismatched, wrong-key and missing attestations are refused at upload with the reason, and nothing is served",
        .enabled(if: twine != nil))
    func refusedUploads() async throws {
        let wheel = Self.wheels[0]
        let world = try await World.make(wheels: [wheel])
        defer { world.remove() }
        try await world.withServer { server in
            let path = world.dist + "/" + wheel
            let attestationPath = path + ".slsa.attestation"
            let good = try Data(contentsOf: URL(fileURLWithPath: attestationPath))
            let attestation = try Attestation.decode(good)
            let sha256 = try await TestProcess.run("/usr/bin/sha256sum", [path]).stdout.prefix(64)

            // Forged: the statement re-signed by nobody (one signature byte flipped).
            var forged = attestation
            forged.envelope.signature[0] ^= 0x01
            // Mismatched: a real signature by the policy's key over another file's statement.
            let other = try await AttestationBuilder.sign(
                statement: AttestationBuilder.slsaV1Statement(
                    filename: "dotted_pkg-9.9-py3-none-any.whl", sha256Hex: try #require(SHA256Hex(sha256)),
                    builderID: "https://builder.example",
                    buildType: "https://build.example", finishedOn: Date()), with: world.key)
            // Wrong key: a real signature over this very file by a key the policy does not name.
            let stranger = try await AttestationBuilder.sign(
                statement: attestation.envelope.statement, with: try PrivateKey.generate(.ecdsaP256))
            let cases: [(String, Attestation?, String)] = [
                ("forged", forged, "is not signed by a signer rule 1 accepts"),
                ("another file", other, "is not for this file: subject name"),
                ("wrong key", stranger, "is not signed by a signer rule 1 accepts"),
                ("missing", nil, "carries no attestation and this index requires provenance"),
            ]
            for (label, bad, reason) in cases {
                if let bad {
                    try bad.encoded().write(to: URL(fileURLWithPath: attestationPath))
                } else {
                    try FileManager.default.removeItem(atPath: attestationPath)
                }
                let files = try FileManager.default.contentsOfDirectory(atPath: world.dist).map { world.dist + "/" + $0 }
                let result = try await world.twine((bad == nil ? [] : ["--attestations"]) + files, server: server)
                #expect(result.status != 0, "\(label): \(result.output)")
                #expect(result.output.contains("400"), "\(label): \(result.output)")
                #expect(result.output.contains(reason), "\(label): \(result.output)")
                #expect(try await world.projectPage("dotted-pkg", server: server) == nil, "\(label): the refused file is not served")
            }
            // The reason is on the status line itself (what twine shows without --verbose), the
            // refusing check is named in a header, and the carrier header does not leak.
            let raw = try await TestProcess.run(
                "/usr/bin/curl", ["-s", "-i", "-u", "__token__:\(world.token)", "-F", "name=dotted-pkg", server.uploadURL])
            let head = raw.stdout.components(separatedBy: "\r\n\r\n").first ?? ""
            #expect(head.hasPrefix("HTTP/1.1 400 the form has no :action field\r\n"), "\(raw.stdout)")
            #expect(head.lowercased().contains("x-wheeltrust-refusal: malformed-form"), "\(head)")
            #expect(!head.lowercased().contains("x-wheeltrust-reason"), "\(head)")
            // Without a token nothing is read: 401.
            let anonymous = try await TestProcess.run(
                "/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-F", "name=x", server.uploadURL])
            #expect(anonymous.stdout == "401")

            // The good attestation is still accepted afterwards.
            try good.write(to: URL(fileURLWithPath: attestationPath))
            let files = try FileManager.default.contentsOfDirectory(atPath: world.dist).map { world.dist + "/" + $0 }
            let accepted = try await world.twine(["--attestations"] + files, server: server)
            #expect(accepted.status == 0, "\(accepted.output)")
            #expect(try await world.projectPage("dotted-pkg", server: server) != nil)
        }
    }

    @Test(
        "after the policy is tightened, a provenance added the Pulp way is verified for that file, served, and immutable",
        .enabled(if: twine != nil))
    func provenanceAddedLater() async throws {
        let wheel = Self.wheels[0]
        let world = try await World.make(wheels: Self.wheels)
        defer { world.remove() }
        // First the store runs under a lax policy (integrity only) with unattested uploads allowed.
        let lax = world.root + "/lax.toml"
        try """
        version = 1

        [[rule]]
        packages = ["*"]
        require = "integrity"
        reason = "before signing was set up"
        """.write(toFile: lax, atomically: true, encoding: .utf8)
        let before = try await ServeProcess.start(["--store", world.store, "--policy", lax, "--allow-unattested"], home: world.root)
        #expect(before.banner.contains("unattested uploads allowed"), "\(before.banner)")
        let uploaded = try await world.twine(Self.wheels.map { world.dist + "/" + $0 }, server: before)
        await before.stop()
        #expect(uploaded.status == 0, "\(uploaded.output)")
        // Then the policy requires provenance by the release key: provenance is added to the
        // stored files, each verified under the new rule.
        try await world.withServer { server in
            let before = try #require(try await world.projectPage("dotted-pkg", server: server))
            #expect(before.contains(wheel) && !before.contains("/integrity/"), "no provenance yet: \(before)")
            // The attestation `wheeltrust attest` wrote, as a provenance document claiming some publisher.
            let attestation = try String(contentsOfFile: world.dist + "/" + wheel + ".slsa.attestation", encoding: .utf8)
            let document = world.root + "/dotted.provenance"
            try
                #"{"version": 1, "attestation_bundles": [{"publisher": {"kind": "GitHub", "repository": "someone/else", "workflow": "x.yml"}, "attestations": ["#
                .appending(attestation).appending("]}]}").write(toFile: document, atomically: true, encoding: .utf8)
            let endpoint = server.uploadURL.replacingOccurrences(
                of: "/pypi/wheeltrust/main/legacy/", with: "/api/pulp/wheeltrust/api/v3/content/python/provenance/")
            func post(_ fields: [String]) async throws -> (status: String, body: String) {
                let result = try await TestProcess.run(
                    "/usr/bin/curl",
                    ["-s", "-w", "\n%{http_code}", "-u", "__token__:\(world.token)"] + fields.flatMap { ["-F", $0] } + [endpoint])
                let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
                return (String(lines.last ?? ""), lines.dropLast().joined(separator: "\n"))
            }
            // For another file (by name, and by digest): refused, it does not name that file.
            let other = try await post(["file=@\(document)", "package=\(Self.wheels[1])"])
            #expect(other.status == "400" && other.body.contains("is not for this file"), "\(other)")
            // For its own file: verified, stored with the verified signer as publisher, served.
            let attached = try await post(["file=@\(document)", "package=\(wheel)"])
            #expect(attached.status == "201", "\(attached)")
            let integrity = world.withCredentials(server.indexURL).replacingOccurrences(
                of: "/pypi/wheeltrust/main/simple/", with: "/api/pypi/wheeltrust/main/integrity/dotted-pkg/1.2.0/\(wheel)/provenance/")
            let served = try await TestProcess.run("/usr/bin/curl", ["-sf", integrity])
            #expect(
                served.status == 0 && served.stdout.contains("\"kind\":\"wheeltrust key\"") && !served.stdout.contains("someone/else"),
                "\(served.stdout)")
            // Immutable: a second one is refused.
            let again = try await post(["file=@\(document)", "package=\(wheel)"])
            #expect(again.status == "400" && again.body.contains("already has a provenance"), "\(again)")
            // And now the installed package verifies with it.
            try await world.installAndVerify(["dotted.pkg"], server: server)
        }
    }
}
