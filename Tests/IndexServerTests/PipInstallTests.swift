import Foundation
import Testing

@testable import IndexServer

/// A real `pip install` from the server: a fresh venv (with pip), credentials in the index URL,
/// PEP 691 JSON, PEP 658 metadata and hash checking all exercised by pip itself.
@Suite(.serialized) struct PipInstallTests {
    /// The environment for pip: no user or site pip configuration, no prompts, no index overrides.
    private static func pipEnvironment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PIP_") && $0.key != "VIRTUAL_ENV" }
        environment["PIP_CONFIG_FILE"] = "/dev/null"
        environment["PIP_NO_INPUT"] = "1"
        environment["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        return environment
    }

    @Test(.timeLimit(.minutes(5)))
    func pipInstallsFromTheIndexAndRefusesBadCredentialsAndBadHashes() async throws {
        let python = try #require(TestSupport.python3(), "python3 must be on PATH")
        let directory = try TestSupport.folder(with: [TestSupport.dottedWheel, TestSupport.markupSafeWheel, TestSupport.datatoolWheel])
        let venv = FileManager.default.temporaryDirectory.appendingPathComponent("wheeltrust-venv-\(UUID().uuidString)").path
        defer {
            TestSupport.remove(directory)
            TestSupport.remove(venv)
        }
        let created = try await TestSupport.run(python, ["-m", "venv", venv])
        try #require(created.status == 0, "venv: \(created.output)")

        let server = try await IndexServer(
            configuration: ServerConfiguration(
                directory: directory, auth: BasicCredentials(user: "user", password: "token"))
        ).start()
        let port = server.port
        func pipInstall(_ credentials: String, _ packages: [String]) async throws -> TestSupport.ProcessResult {
            try await TestSupport.run(
                venv + "/bin/python",
                [
                    "-m", "pip", "install", "--no-cache-dir", "--retries", "0", "--timeout", "30",
                    "--index-url", "http://\(credentials)@127.0.0.1:\(port)/pypi/wheeltrust/main/simple/",
                ] + packages, environment: Self.pipEnvironment())
        }
        do {
            // Wrong password: pip must fail (401), nothing installed.
            let refused = try await pipInstall("user:wrong", ["dotted.pkg"])
            #expect(refused.status != 0)
            // pip does not print the 401: it saw no version at all (the server listed nothing).
            #expect(refused.output.contains("satisfies the requirement dotted.pkg (from versions: none)"), "\(refused.output)")

            // Right credentials: a pure wheel with a build tag and a dotted name, and a native wheel.
            let installed = try await pipInstall("user:token", ["Dotted.Pkg==1.2.0", "markupsafe"])
            #expect(installed.status == 0, "pip: \(installed.output)")
            let imported = try await TestSupport.run(
                venv + "/bin/python",
                [
                    "-c",
                    "import dotted_pkg, markupsafe; print(dotted_pkg.answer(), dotted_pkg.core.table()['rows'][1][1], markupsafe.escape('<'))",
                ], environment: Self.pipEnvironment())
            #expect(imported.status == 0, "import: \(imported.output)")
            #expect(imported.output.trimmingCharacters(in: .whitespacesAndNewlines) == "42 two &lt;")

            // An index whose advertised hash disagrees with the file: pip refuses to install it.
            try TestSupport.write(String(repeating: "0", count: 64), to: directory, name: TestSupport.datatoolWheel + ".sha256")
            let mismatch = try await pipInstall("user:token", ["datatool"])
            #expect(mismatch.status != 0)
            #expect(mismatch.output.contains("HASHES") || mismatch.output.lowercased().contains("hash"), "pip: \(mismatch.output)")
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }
}
