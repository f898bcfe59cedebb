import Attestations
import Foundation
import IndexServer
import Publishing
import PythonPackaging
import Testing

/// A publishing store served by `serve --store`'s server, end to end: the fixture wheels signed
/// with a key made here and loaded into a real store by `serve import` (the door check verifies
/// every attestation under a policy trusting that key), then real pip and
/// real uv install from the server with a read token, and the real `wheeltrust verify --all`
/// passes against it; without a token nothing is listed; a yanked file is skipped by pip unless
/// pinned.
@Suite("publishing store end to end", .serialized)
struct StoreEndToEndTests {
    /// A store with the signed fixture wheels, a read token, and its server.
    final class StoreScenario: @unchecked Sendable {
        let root: String
        let store: PublishingStore
        let key: PrivateKey
        let publicKeyPath: String
        let readToken: String
        let server: RunningIndexServer
        let cache: String

        init(anonymousRead: Bool = false) async throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("wt-store-e2e-\(UUID().uuidString)").path
            cache = root + "/cache"
            let incoming = root + "/incoming"
            try FileManager.default.createDirectory(atPath: incoming, withIntermediateDirectories: true)
            store = try PublishingStore(directory: URL(fileURLWithPath: root + "/store"))
            key = try PrivateKey.generate(.ecdsaP256)
            publicKeyPath = root + "/signer.pub"
            try key.publicKey.pemRepresentation.write(toFile: publicKeyPath, atomically: true, encoding: .utf8)
            for name in try FileManager.default.contentsOfDirectory(atPath: Scenario.fixtureWheels.path) where name.hasSuffix(".whl") {
                let path = incoming + "/" + name
                try FileManager.default.copyItem(atPath: Scenario.fixtureWheels.appendingPathComponent(name).path, toPath: path)
                _ = try await Attester.attest(
                    wheel: path, key: key, builderID: "https://builder.example/wheeltrust-tests", buildType: Attester.defaultBuildType)
            }
            // Through the door: `serve import` verifies every attestation under the policy.
            let policy = try Self.writePolicy(root: root, publicKeyPath: publicKeyPath)
            let imported = try await TestProcess.run(
                TestProcess.wheeltrust, ["serve", "import", incoming, "--store", store.directory.path, "--policy", policy])
            try #require(imported.status == 0, "import: \(imported.output)")
            readToken = try store.addToken(name: "reader", role: .read).secret
            server = try await IndexServer(
                configuration: ServerConfiguration(directory: "", store: store.directory.path, anonymousRead: anonymousRead)
            ).start()
        }

        /// A policy trusting `publicKeyPath` (key `corp`) for every project.
        static func writePolicy(root: String, publicKeyPath: String, keyName: String = "corp") throws -> String {
            let fingerprint = try PublicKey(pem: String(contentsOfFile: publicKeyPath, encoding: .utf8)).fingerprint
            let text = """
                version = 1

                [keys.\(keyName)]
                file = "\(publicKeyPath)"
                fingerprint = "sha256:\(fingerprint)"

                [[rule]]
                packages = ["*"]
                keys = ["\(keyName)"]
                builders = ["https://builder.example/wheeltrust-tests"]
                """
            let path = root + "/policy-\(UUID().uuidString).toml"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        /// Publishes one wheel with a provenance wrapping its attestation (what the door stores
        /// for a verified upload).
        static func publish(_ path: String, attestation: String, into store: PublishingStore) throws {
            let name = (path as NSString).lastPathComponent
            let staged = store.stagingDirectory.appendingPathComponent("test-\(UUID().uuidString)")
            try FileManager.default.copyItem(atPath: path, toPath: staged.path)
            let (digest, size) = try FileHashing.digest(ofFileAt: path, algorithm: .sha256)
            let attestationBytes = try Data(contentsOf: URL(fileURLWithPath: attestation))
            let provenance =
                Data(#"{"version":1,"attestation_bundles":[{"publisher":{"kind":"wheeltrust key"},"attestations":["#.utf8)
                + attestationBytes + Data("]}]}".utf8)
            let outcome = try store.publish(
                StoreUpload(
                    stagedFile: staged, filename: name, sha256: digest.hex, size: size,
                    coreMetadata: try Wheel.open(path: path).coreMetadataBytes, provenance: [UInt8](provenance), uploader: "test"))
            guard case .published = outcome else { throw PublishingError(.io, "\(name) was not published: \(outcome)") }
        }

        func indexURL(token: String?) -> String {
            let credentials = token.map { "__token__:\($0)@" } ?? ""
            return "http://\(credentials)127.0.0.1:\(server.port)/pypi/wheeltrust/main/simple/"
        }

        func makeVenv(_ name: String) async throws -> String {
            let venv = root + "/" + name
            let created = try await TestProcess.run(TestProcess.python3, ["-m", "venv", "--without-pip", venv])
            try #require(created.status == 0, "venv: \(created.output)")
            return venv + "/bin/python"
        }

        func pipInstall(_ python: String, _ packages: [String], token: String?) async throws -> ProcessResult {
            try await TestProcess.run(
                TestProcess.python3,
                ["-m", "pip", "--python", python, "install", "--no-cache-dir", "--retries", "0", "--index-url", indexURL(token: token)]
                    + packages)
        }

        func verify(_ python: String) async throws -> ProcessResult {
            try await TestProcess.run(
                TestProcess.wheeltrust,
                [
                    "verify", "--all", "--format", "json", "--python", python, "--index-url", indexURL(token: readToken),
                    "--cache-dir", cache, "--timeout", "30", "--key", publicKeyPath,
                ], environment: ["HOME": root, "PIP_CONFIG_FILE": "/dev/null"])
        }

        func stop() async {
            await server.stop()
            try? FileManager.default.removeItem(atPath: root)
        }

        static func with(anonymousRead: Bool = false, _ body: (StoreScenario) async throws -> Void) async throws {
            let scenario = try await StoreScenario(anonymousRead: anonymousRead)
            do {
                try await body(scenario)
            } catch {
                await scenario.stop()
                throw error
            }
            await scenario.stop()
        }
    }

    /// The verify report's packages: name → status.
    static func statuses(_ result: ProcessResult) throws -> [String: String] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.output)")
        let packages = try #require(object["packages"] as? [[String: Any]])
        return Dictionary(
            uniqueKeysWithValues: packages.compactMap { package in
                (package["name"] as? String).map { ($0, package["status"] as? String ?? "?") }
            })
    }

    @Test(.timeLimit(.minutes(5)))
    func pipInstallsFromTheStoreWithAReadTokenAndVerifyPasses() async throws {
        try await StoreScenario.with { scenario in
            let python = try await scenario.makeVenv("venv")
            // No token: the index lists nothing to pip.
            let refused = try await scenario.pipInstall(python, ["datatool"], token: nil)
            #expect(refused.status != 0)
            #expect(refused.output.contains("from versions: none"), "\(refused.output)")

            let installed = try await scenario.pipInstall(
                python, ["dotted.pkg", "datatool", "clitool", "markupsafe"], token: scenario.readToken)
            try #require(installed.status == 0, "pip: \(installed.output)")
            let result = try await scenario.verify(python)
            #expect(result.status == 0, "\(result.output)")
            let statuses = try Self.statuses(result)
            #expect(statuses.count == 4 && statuses.values.allSatisfy { $0 == "verified" }, "\(statuses)")
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func uvInstallsFromTheStoreAndVerifyPasses() async throws {
        guard let uv = WrapperEndToEndTests.uv else { return }
        try await StoreScenario.with { scenario in
            let python = try await scenario.makeVenv("uv-venv")
            let installed = try await TestProcess.run(
                uv,
                [
                    "pip", "install", "--python", python, "--index-url", scenario.indexURL(token: scenario.readToken), "dotted.pkg",
                    "datatool",
                ],
                environment: [
                    "HOME": scenario.root, "XDG_CONFIG_HOME": scenario.root + "/xdg", "UV_CACHE_DIR": scenario.root + "/uv-cache",
                    "UV_INDEX": "", "UV_DEFAULT_INDEX": "", "UV_INDEX_URL": "", "UV_EXTRA_INDEX_URL": "",
                ], currentDirectory: scenario.root)
            try #require(installed.status == 0, "uv: \(installed.output)")
            let result = try await scenario.verify(python)
            #expect(result.status == 0, "\(result.output)")
            let statuses = try Self.statuses(result)
            #expect(statuses.count == 2 && statuses.values.allSatisfy { $0 == "verified" }, "\(statuses)")
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func importRefusesUnattestedAndWronglySignedFilesWithTheReasonAndStoresOnlyVerifiedProvenance() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("wt-import-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let folder = root + "/incoming"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let key = try PrivateKey.generate(.ecdsaP256)
        let other = try PrivateKey.generate(.ecdsaP256)
        let publicKeyPath = root + "/signer.pub"
        try key.publicKey.pemRepresentation.write(toFile: publicKeyPath, atomically: true, encoding: .utf8)
        let builder = "https://builder.example/wheeltrust-tests"
        for (name, signer) in [
            ("datatool-0.3-py3-none-any.whl", Optional(key)), ("clitool-2.0-py3-none-any.whl", other),
            ("MarkupSafe-2.1.5-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", nil),
        ] {
            let path = folder + "/" + name
            try FileManager.default.copyItem(atPath: Scenario.fixtureWheels.appendingPathComponent(name).path, toPath: path)
            if let signer {
                _ = try await Attester.attest(wheel: path, key: signer, builderID: builder, buildType: Attester.defaultBuildType)
            }
        }
        // An attestation of datatool beside dotted.pkg: it names another file.
        let dotted = folder + "/dotted_pkg-1.2.0-0-py3-none-any.whl"
        try FileManager.default.copyItem(
            atPath: Scenario.fixtureWheels.appendingPathComponent("dotted_pkg-1.2.0-0-py3-none-any.whl").path, toPath: dotted)
        let datatoolAttestation = try #require(
            try FileManager.default.contentsOfDirectory(atPath: folder).first {
                $0.hasPrefix("datatool-0.3-py3-none-any.whl.") && $0.hasSuffix(".attestation")
            })
        try FileManager.default.copyItem(atPath: folder + "/" + datatoolAttestation, toPath: dotted + ".slsa.attestation")

        let policy = try StoreScenario.writePolicy(root: root, publicKeyPath: publicKeyPath)
        let storePath = root + "/store"
        let result = try await TestProcess.run(
            TestProcess.wheeltrust, ["serve", "import", folder, "--store", storePath, "--policy", policy])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.stdout.contains("imported datatool-0.3-py3-none-any.whl (provenance verified: "), "\(result.stdout)")
        #expect(result.stderr.contains("refused clitool-2.0-py3-none-any.whl: untrusted-signer: "), "\(result.stderr)")
        #expect(result.stderr.contains("refused dotted_pkg-1.2.0-0-py3-none-any.whl: attestation-for-another-file: "), "\(result.stderr)")
        #expect(
            result.stderr.contains(
                "refused MarkupSafe-2.1.5-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl: missing-attestations: "),
            "\(result.stderr)")
        #expect(result.stdout.contains("1 imported, 0 already present, 3 refused"), "\(result.stdout)")

        let store = try PublishingStore(directory: URL(fileURLWithPath: storePath))
        #expect(try store.allFiles().map(\.filename) == ["datatool-0.3-py3-none-any.whl"])
        let document = try #require(try store.provenance(ofFile: "datatool-0.3-py3-none-any.whl"))
        let provenance = try Provenance.decode(Data(document))
        #expect(provenance.attestationBundles.first?.publisher.fields["key"] == .string("corp"))
        #expect(try store.check().findings.isEmpty)

        // Again, with --allow-unattested: the verified file is left alone; the wrongly signed ones
        // stay refused, and so does the unattested one: the policy's rule requires provenance for
        // every project, and the flag never overrides a rule.
        let again = try await TestProcess.run(
            TestProcess.wheeltrust, ["serve", "import", folder, "--store", storePath, "--policy", policy, "--allow-unattested"])
        #expect(again.status == 1, "\(again.output)")
        #expect(again.stdout.contains("already present datatool-0.3-py3-none-any.whl"), "\(again.stdout)")
        #expect(again.stderr.contains("refused clitool-2.0-py3-none-any.whl: untrusted-signer: "), "\(again.stderr)")
        #expect(
            again.stderr.contains(
                "refused MarkupSafe-2.1.5-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl: missing-attestations: "),
            "\(again.stderr)")
        #expect(again.stdout.contains("0 imported, 1 already present, 3 refused"), "\(again.stdout)")
        #expect(try store.allFiles().count == 1)
    }

    @Test(.timeLimit(.minutes(5)))
    func aYankedFileIsSkippedUnlessPinnedAndAnonymousReadServesWithoutAToken() async throws {
        try await StoreScenario.with(anonymousRead: true) { scenario in
            try #require(try scenario.store.yank(filename: "datatool-0.3-py3-none-any.whl", reason: "broken", by: "admin") != nil)
            let python = try await scenario.makeVenv("venv")
            // The only release is yanked: an unpinned requirement finds nothing installable.
            let unpinned = try await scenario.pipInstall(python, ["datatool"], token: nil)
            #expect(unpinned.status != 0, "\(unpinned.output)")
            // Pinned exactly, a yanked file is still installed (PEP 592), with pip's warning.
            let pinned = try await scenario.pipInstall(python, ["datatool==0.3"], token: nil)
            #expect(pinned.status == 0, "\(pinned.output)")
            #expect(pinned.output.contains("yanked") && pinned.output.contains("broken"), "\(pinned.output)")
        }
    }
}
