import Foundation
import IndexServer
import PackageIndex
import Testing
import Verification

/// Indexes as users configure them, end to end: environments installed by real uv configured
/// only through uv (`uv.toml`, `UV_INDEX`, per-index credential variables) verified by the real
/// binary with no `--index-url`; and two of our servers at once (one key-signed, one unsigned)
/// behind pip's `extra-index-url`, where each file's provenance comes from its own index and a
/// same-named file with other bytes on the second index (dependency confusion) fails `index-file`.
///
/// uv comes from `WHEELTRUST_TEST_UV` (`.ci/run` installs it); without it the uv tests are skipped,
/// except under CI, where ``WrapperEndToEndTests/installersAreThereUnderCI()`` fails.
@Suite("several indexes and uv's configuration end to end")
struct MultiIndexEndToEndTests {
    static let uv = WrapperEndToEndTests.uv

    /// The scenario's index URL without credentials (uv reads them from its variables here).
    static func plainIndexURL(_ scenario: Scenario) -> String {
        "http://127.0.0.1:\(scenario.server.port)/pypi/wheeltrust/main/simple/"
    }

    /// The environment uv and wheeltrust both run with: uv's user configuration under `<root>/xdg`,
    /// no pip configuration, nothing from this machine's uv settings.
    static func uvEnvironment(_ scenario: Scenario, _ extra: [String: String]) -> [String: String] {
        var environment = [
            "HOME": scenario.root, "XDG_CONFIG_HOME": scenario.root + "/xdg", "XDG_CONFIG_DIRS": scenario.root + "/xdg-system",
            "PIP_CONFIG_FILE": "/dev/null", "UV_CACHE_DIR": scenario.root + "/uv-cache",
            "UV_INDEX": "", "UV_DEFAULT_INDEX": "", "UV_INDEX_URL": "", "UV_EXTRA_INDEX_URL": "",
        ]
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    /// `uv pip install` of `packages` into the scenario's venv with only `environment` configuring the index.
    static func uvInstall(_ scenario: Scenario, _ packages: [String], environment: [String: String]) async throws {
        let uv = try #require(Self.uv)
        let installed = try await TestProcess.run(
            uv, ["pip", "install", "--python", scenario.python] + packages, environment: environment,
            currentDirectory: scenario.root)
        try #require(installed.status == 0, "uv pip install: \(installed.output)")
    }

    /// `wheeltrust verify --all --format json` with the scenario's key and cache and no `--index-url`.
    static func verify(_ scenario: Scenario, environment: [String: String], _ extra: [String] = []) async throws -> ProcessResult {
        try await TestProcess.run(
            TestProcess.wheeltrust,
            [
                "verify", "--all", "--format", "json", "--python", scenario.python, "--cache-dir", scenario.cache,
                "--timeout", "30", "--key", scenario.publicKeyPath,
            ] + extra, environment: environment, currentDirectory: scenario.root)
    }

    static func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    // MARK: uv's configuration

    @Test("uv.toml with a named default index and UV_INDEX_<NAME>_* credentials: uv installs, wheeltrust verifies", .enabled(if: uv != nil))
    func uvTomlConfiguredEnvironmentVerifies() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            try Self.write(
                """
                [[index]]
                name = "corp-idx"
                url = "\(Self.plainIndexURL(scenario))"
                default = true
                """, to: scenario.root + "/xdg/uv/uv.toml")
            let environment = Self.uvEnvironment(
                scenario, ["UV_INDEX_CORP_IDX_USERNAME": Scenario.user, "UV_INDEX_CORP_IDX_PASSWORD": Scenario.token])
            try await Self.uvInstall(scenario, ["clitool"], environment: environment)
            let installer = try String(contentsOfFile: try distInfo(scenario, "clitool") + "/INSTALLER", encoding: .utf8)
            #expect(installer.trimmingCharacters(in: .whitespacesAndNewlines) == "uv")

            let result = try await Self.verify(scenario, environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
            let json = try ReportJSON(result)
            // clitool (INSTALLER uv) and dotted.pkg (pip, but pip names no index) both looked up through uv's configuration.
            json.expect(
                "clitool", .indexFile, .pass, "clitool-2.0-py3-none-any.whl on \(Self.plainIndexURL(scenario))", "(uv configuration)")
            json.expect("dotted.pkg", .indexFile, .pass, "on \(Self.plainIndexURL(scenario))", "(uv configuration)")
            #expect(json.report.index?.hasPrefix("uv: \(Self.plainIndexURL(scenario))") == true, "\(json.report.index ?? "")")
            #expect(json.report.index?.contains(scenario.root + "/xdg/uv/uv.toml") == true)
            #expect(!result.output.contains(Scenario.token))

            // With a pip configuration naming the index, pip's applies to what pip installed and
            // uv's to what uv installed (INSTALLER), and the index line says which serves how many.
            let pipConf = scenario.root + "/pip.conf"
            try Self.write("[global]\nindex-url = \(scenario.indexURL)\n", to: pipConf)
            var both = environment
            both["PIP_CONFIG_FILE"] = pipConf
            let split = try ReportJSON(try await Self.verify(scenario, environment: both))
            #expect(split.result.status == 0, "\(split.result.output)")
            split.expect("clitool", .indexFile, .pass, "(uv configuration)")
            split.expect("dotted.pkg", .indexFile, .pass, "(pip configuration)")
            let line = split.report.index ?? ""
            #expect(
                line.hasPrefix("pip: ") && line.contains(" for 1 distribution(s); uv: ") && line.hasSuffix(" for 1 (INSTALLER uv)"),
                "\(line)")

            // Without the password variable the index refuses: the named check says so.
            var anonymous = environment
            anonymous["UV_INDEX_CORP_IDX_PASSWORD"] = nil
            let refused = try ReportJSON(try await Self.verify(scenario, environment: anonymous))
            refused.expect("clitool", .indexFile, .error, "HTTP 401", "(credentials were sent and refused)")

            // A malformed uv.toml: usage error (exit 2) naming the file and line.
            try Self.write(
                "[[index]]\nname = \"corp-idx\"\nurl = \"\(Self.plainIndexURL(scenario))\"\ndefault = tru\n",
                to: scenario.root + "/xdg/uv/uv.toml")
            let malformed = try await Self.verify(scenario, environment: environment)
            #expect(malformed.status == 2, "\(malformed.output)")
            #expect(malformed.stderr.contains(scenario.root + "/xdg/uv/uv.toml:4: "), "\(malformed.stderr)")
        }
    }

    @Test("UV_INDEX=name=url with credential variables: uv installs, wheeltrust verifies", .enabled(if: uv != nil))
    func uvIndexVariableConfiguredEnvironmentVerifies() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            let environment = Self.uvEnvironment(
                scenario,
                [
                    "UV_INDEX": "internal=\(Self.plainIndexURL(scenario))",
                    "UV_INDEX_INTERNAL_USERNAME": Scenario.user, "UV_INDEX_INTERNAL_PASSWORD": Scenario.token,
                ])
            try await Self.uvInstall(scenario, ["clitool", "datatool"], environment: environment)
            let result = try await Self.verify(scenario, environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
            let json = try ReportJSON(result)
            json.expect("datatool", .indexFile, .pass, "on \(Self.plainIndexURL(scenario))")
            json.expect("datatool", .signature, .pass)
            // No pip anywhere in the environment: uv's configuration serves every distribution (its
            // built-in default, whose address only pip's source gives, is left out).
            #expect(json.report.index == "uv: \(Self.plainIndexURL(scenario)) [from UV_INDEX]", "\(json.report.index ?? "")")
        }
    }

    // MARK: two indexes at once

    @Test(
        "pip with extra-index-url over a signed and an unsigned index: provenance from each file's own index; a same-named file fails index-file"
    )
    func twoIndexesEachFileFromItsOwn() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            // The second index: no signing key, no provenance, no credentials.
            let unsignedDirectory = scenario.root + "/unsigned"
            try FileManager.default.createDirectory(atPath: unsignedDirectory, withIntermediateDirectories: true)
            let clitool = "clitool-2.0-py3-none-any.whl"
            try FileManager.default.moveItem(atPath: scenario.indexDirectory + "/" + clitool, toPath: unsignedDirectory + "/" + clitool)
            try? FileManager.default.removeItem(atPath: scenario.indexDirectory + "/" + clitool + ".slsa.attestation")
            let unsigned = try await IndexServer(configuration: ServerConfiguration(directory: unsignedDirectory)).start()
            do {
                let extra = unsigned.indexURL.absoluteString
                let installed = try await TestProcess.run(
                    TestProcess.python3,
                    [
                        "-m", "pip", "--python", scenario.python, "install", "--no-cache-dir", "--index-url", scenario.indexURL,
                        "--extra-index-url", extra, "clitool",
                    ])
                try #require(installed.status == 0, "pip install: \(installed.output)")
                let pipConf = scenario.root + "/pip.conf"
                try Self.write("[global]\nindex-url = \(scenario.indexURL)\nextra-index-url = \(extra)\n", to: pipConf)
                let environment = ["HOME": scenario.root, "PIP_CONFIG_FILE": pipConf]

                let mixed = try ReportJSON(try await Self.verify(scenario, environment: environment))
                let signedIndex = Self.plainIndexURL(scenario)
                // dotted.pkg: found on the signed index, its provenance from there, verified.
                mixed.expect("dotted.pkg", .indexFile, .pass, "on \(signedIndex)")
                mixed.expect("dotted.pkg", .provenance, .pass, "127.0.0.1:\(scenario.server.port)/")
                #expect(mixed.package("dotted.pkg")?.status == .verified)
                // clitool: served by the unsigned index only; its provenance is looked for there
                // (and only there), none is found: it fails in the provenance check.
                mixed.expect("clitool", .indexFile, .pass, "\(clitool) on \(extra)")
                mixed.expect("clitool", .provenance, .fail, "127.0.0.1:\(unsigned.port)/")
                #expect(mixed.check(.provenance, of: "clitool")?.detail.contains(":\(scenario.server.port)/") == false)
                // The index line: pip's two indexes in order (the first one's password masked).
                let indexLine = mixed.report.index ?? ""
                #expect(
                    indexLine.hasPrefix("pip: http://") && indexLine.contains(":****@127.0.0.1:\(scenario.server.port)/"), "\(indexLine)")
                #expect(indexLine.contains(" + \(extra)") && !indexLine.contains(Scenario.token), "\(indexLine)")

                // Offline, from the pages cached per index: the same attribution.
                let offline = try ReportJSON(try await Self.verify(scenario, environment: environment, ["--offline"]))
                offline.expect("dotted.pkg", .indexFile, .pass, "on \(signedIndex)")
                #expect(offline.package("dotted.pkg")?.status == .verified, "\(offline.result.output)")
                offline.expect("clitool", .indexFile, .pass, "\(clitool) on \(extra)")

                // Dependency confusion: the unsigned index offers dotted.pkg's very file name with
                // other bytes, and that copy is what got installed.
                let dotted = "dotted_pkg-1.2.0-0-py3-none-any.whl"
                try FileManager.default.copyItem(atPath: scenario.indexDirectory + "/" + dotted, toPath: unsignedDirectory + "/" + dotted)
                let rezip = try await TestProcess.run(
                    TestProcess.python3,
                    [
                        "-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1], 'a'); z.comment = b'confused'; z.close()",
                        unsignedDirectory + "/" + dotted,
                    ])
                try #require(rezip.status == 0, "\(rezip.output)")
                let reinstalled = try await TestProcess.run(
                    TestProcess.python3,
                    [
                        "-m", "pip", "--python", scenario.python, "install", "--no-cache-dir", "--force-reinstall", "--no-deps",
                        "--index-url", extra, "dotted.pkg",
                    ])
                try #require(reinstalled.status == 0, "pip install: \(reinstalled.output)")
                let confused = try ReportJSON(try await Self.verify(scenario, environment: environment))
                confused.expect(
                    "dotted.pkg", .indexFile, .fail, "\(dotted) is offered by several indexes with different contents",
                    signedIndex, extra, "dependency confusion")
                #expect(confused.check(.provenance, of: "dotted.pkg") == nil, "no provenance is borrowed for it")
            } catch {
                await unsigned.stop()
                throw error
            }
            await unsigned.stop()
        }
    }

    @Test(
        "three indexes (key-signed, keyless, unsigned) under a policy whose rules name them: each package judged by the rule of the index that served its file"
    )
    func policyRulesFollowTheServingIndex() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            let unsignedDirectory = scenario.root + "/unsigned"
            try FileManager.default.createDirectory(atPath: unsignedDirectory, withIntermediateDirectories: true)
            let clitool = "clitool-2.0-py3-none-any.whl"
            try FileManager.default.moveItem(atPath: scenario.indexDirectory + "/" + clitool, toPath: unsignedDirectory + "/" + clitool)
            try? FileManager.default.removeItem(atPath: scenario.indexDirectory + "/" + clitool + ".slsa.attestation")
            let unsigned = try await IndexServer(configuration: ServerConfiguration(directory: unsignedDirectory)).start()
            // A third index, PyPI-style: the real keyless abi3info wheel with its real provenance.
            let keylessDirectory = scenario.root + "/keyless"
            try FileManager.default.createDirectory(atPath: keylessDirectory, withIntermediateDirectories: true)
            for name in try FileManager.default.contentsOfDirectory(atPath: Scenario.keylessFixtures.path) {
                try FileManager.default.copyItem(
                    atPath: Scenario.keylessFixtures.appendingPathComponent(name).path, toPath: keylessDirectory + "/" + name)
            }
            let keyless = try await IndexServer(configuration: ServerConfiguration(directory: keylessDirectory)).start()
            do {
                let extra = unsigned.indexURL.absoluteString
                let keylessIndex = keyless.indexURL.absoluteString
                let installed = try await TestProcess.run(
                    TestProcess.python3,
                    [
                        "-m", "pip", "--python", scenario.python, "install", "--no-cache-dir", "--index-url", scenario.indexURL,
                        "--extra-index-url", extra, "--extra-index-url", keylessIndex, "clitool", "abi3info",
                    ])
                try #require(installed.status == 0, "pip install: \(installed.output)")
                let pipConf = scenario.root + "/pip.conf"
                try Self.write(
                    "[global]\nindex-url = \(scenario.indexURL)\nextra-index-url = \(extra) \(keylessIndex)\n", to: pipConf)
                let environment = ["HOME": scenario.root, "PIP_CONFIG_FILE": pipConf]
                let signedIndex = Self.plainIndexURL(scenario)
                func policy(_ name: String, signed: String, unsignedRule: String) throws -> String {
                    let path = scenario.root + "/" + name
                    try Self.write(
                        """
                        version = 1
                        [keys.corp]
                        file = "\(scenario.publicKeyPath)"

                        [[rule]]
                        index = "\(signed)"
                        packages = ["*"]
                        require = "provenance"
                        keys = ["corp"]

                        [identities.abi3info]
                        kind = "GitHub"
                        repository = "woodruffw/abi3info"
                        workflow = "release.yml"

                        [[rule]]
                        index = "\(keylessIndex)"
                        packages = ["abi3info"]
                        identities = ["abi3info"]

                        [[rule]]
                        index = "\(extra)"
                        packages = ["*"]
                        \(unsignedRule)

                        """, to: path)
                    return path
                }
                func verify(_ policyFile: String) async throws -> ReportJSON {
                    try ReportJSON(
                        try await TestProcess.run(
                            TestProcess.wheeltrust,
                            [
                                "verify", "--all", "--format", "json", "--python", scenario.python, "--cache-dir", scenario.cache,
                                "--timeout", "30", "--policy", policyFile,
                            ], environment: environment, currentDirectory: scenario.root))
                }
                let integrity = "require = \"integrity\"\nreason = \"the internal mirror publishes no provenance\""

                // Each package under its own index's rule: exit 0.
                let good = try await verify(try policy("good.toml", signed: signedIndex, unsignedRule: integrity))
                #expect(good.result.status == 0, "\(good.result.output)")
                #expect(good.package("dotted.pkg")?.status == .verified && good.package("dotted.pkg")?.rule == 1)
                #expect(good.package("clitool")?.status == .integrityOnly && good.package("clitool")?.rule == 3, "\(good.result.output)")
                #expect(good.package("abi3info")?.status == .verified && good.package("abi3info")?.rule == 2, "\(good.result.output)")
                #expect(good.package("abi3info")?.proof?.kind == .identity)
                good.expect("abi3info", .provenance, .pass, "127.0.0.1:\(keyless.port)/")
                good.expect("clitool", .provenance, .skip, "requires integrity only")

                // The unsigned index's rule requires provenance: clitool fails there, in provenance.
                let strict = try await verify(
                    try policy("strict.toml", signed: signedIndex, unsignedRule: "require = \"provenance\"\nkeys = [\"corp\"]"))
                strict.expect("clitool", .provenance, .fail, "no provenance on the index for \(clitool)")
                #expect(strict.package("clitool")?.rule == 3 && strict.package("dotted.pkg")?.status == .verified)

                // A key rule for another index does not cover the signed index's file: no rule matches it.
                let otherIndex = "http://127.0.0.1:1/other/simple/"
                let elsewhere = try await verify(try policy("elsewhere.toml", signed: otherIndex, unsignedRule: integrity))
                elsewhere.expect("dotted.pkg", .policy, .fail, "no policy rule matches", signedIndex)
                #expect(elsewhere.package("clitool")?.status == .integrityOnly, "\(elsewhere.result.output)")
            } catch {
                await unsigned.stop()
                await keyless.stop()
                throw error
            }
            await unsigned.stop()
            await keyless.stop()
        }
    }

    func distInfo(_ scenario: Scenario, _ project: String) throws -> String {
        let found = try FileManager.default.contentsOfDirectory(atPath: scenario.sitePackages).first {
            $0.hasPrefix(project + "-") && $0.hasSuffix(".dist-info")
        }
        return scenario.sitePackages + "/" + (try #require(found))
    }
}
