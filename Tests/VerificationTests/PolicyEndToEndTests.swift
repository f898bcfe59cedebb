import Attestations
import Foundation
import Testing
import Verification

/// Issue 11: a mixed environment judged by a policy with one rule per kind, end to end — real
/// pip installed from wheeltrust's own index on 127.0.0.1 key-signed wheels (a key made here) and
/// the real keyless abi3info wheel with its real provenance (PyPI Trusted Publishing) — and each
/// way a rule can be broken failing in the check that names it, read from `--format json`.
@Suite("policy end to end")
struct PolicyEndToEndTests {
    static let packages = ["abi3info", "datatool", "clitool", "dotted.pkg", "markupsafe"]

    /// The index URL as a policy names it (no credentials).
    static func index(_ scenario: Scenario) -> String {
        "http://127.0.0.1:\(scenario.server.port)/pypi/wheeltrust/main/simple/"
    }

    /// A policy with one rule per kind; `edit` changes its text before it is written.
    static func policy(_ scenario: Scenario, edit: (String) -> String = { $0 }) throws -> String {
        let fingerprint = try PublicKey(pem: String(contentsOfFile: scenario.publicKeyPath, encoding: .utf8)).fingerprint
        let text = """
            version = 1

            [keys.corp]
            file = "signer.pub"
            fingerprint = "sha256:\(fingerprint)"

            [identities.abi3info]
            kind = "GitHub"
            repository = "woodruffw/abi3info"
            workflow = "release.yml"

            [[rule]]
            packages = ["abi3info"]
            identities = ["abi3info"]

            [[rule]]
            index = "\(index(scenario))"
            packages = ["datatool", "dotted-*"]
            keys = ["corp"]
            builders = ["https://builder.example/wheeltrust-tests"]
            predicate-types = ["https://slsa.dev/provenance/v1"]

            [[rule]]
            packages = ["clitool"]
            require = "integrity"
            reason = "no provenance published yet"

            [[rule]]
            packages = ["markupsafe"]
            require = "none"
            reason = "C extension, rebuilt from source by the platform team"
            """
        let path = scenario.root + "/policy.toml"
        try edit(text).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func verify(_ scenario: Scenario, policy: String, packages: [String] = packages) async throws -> ReportJSON {
        try ReportJSON(try await scenario.wheeltrust(["verify"] + packages + ["--format", "json"], trust: ["--policy", policy]))
    }

    @Test("a mixed environment meets a policy with one rule per kind (exit 0), each package naming its rule and proof")
    func mixedEnvironmentVerifies() async throws {
        try await Scenario.with(packages: Self.packages, keyless: true) { scenario in
            let policyPath = try Self.policy(scenario)
            let json = try await Self.verify(scenario, policy: policyPath)
            #expect(json.result.status == 0, "\(json.result.output)")
            let report = json.report
            let sha256 = try await TestProcess.run("/usr/bin/sha256sum", [policyPath]).stdout.prefix(64)
            #expect(report.policy == PolicySummary(path: policyPath, sha256: String(sha256), source: "option"))

            let abi3info = try #require(json.package("abi3info"))
            #expect(abi3info.status == .verified && abi3info.rule == 1)
            #expect(abi3info.proof?.kind == .identity && abi3info.proof?.anchor == "abi3info", "\(String(describing: abi3info.proof))")
            #expect(json.check(.policy, of: "abi3info") == nil, "a provenance rule adds no check: rule and proof say it")

            for name in ["datatool", "dotted.pkg"] {
                let package = try #require(json.package(name))
                #expect(package.status == .verified && package.rule == 2, "\(name)")
                #expect(package.proof?.kind == .key && package.proof?.anchor == "corp", "\(name): \(String(describing: package.proof))")
            }

            let clitool = try #require(json.package("clitool"))
            #expect(clitool.status == .integrityOnly && clitool.rule == 3)
            json.expect("clitool", .provenance, .skip, "rule 3 requires integrity only")
            json.expect("clitool", .indexHash, .pass)
            json.expect("clitool", .installedFiles, .pass)
            #expect(clitool.signer == nil && clitool.proof?.kind == .integrity)

            let markupsafe = try #require(json.package("markupsafe"))
            #expect(markupsafe.status == .waived && markupsafe.rule == 4)
            #expect(markupsafe.checks.map(\.name) == [.installed, .policy], "a waived package is not looked at further")
            #expect(markupsafe.proof?.detail.contains("C extension, rebuilt from source") == true)
            #expect(report.summary.verified == 3 && report.summary.integrityOnly == 1 && report.summary.waived == 1)

            // The text report names the rule and the proof of each package.
            let text = try await scenario.wheeltrust(["verify"] + Self.packages, trust: ["--policy", policyPath])
            #expect(text.status == 0, "\(text.output)")
            #expect(text.stdout.contains("  rule 2 (require provenance): key corp sha256:"), "\(text.stdout)")
            #expect(
                text.stdout.contains("✓ INTEGRITY ONLY clitool 2.0  (rule 3: integrity by rule 3: no provenance published yet)"),
                "\(text.stdout)")
            #expect(text.stdout.contains("- WAIVED MarkupSafe 2.1.5"), "\(text.stdout)")
            #expect(text.stdout.contains("3 verified, 1 integrity-only, 1 waived, 0 failed, 0 not checked"), "\(text.stdout)")

            // The single steps name the proof too.
            let step = try ReportJSON(
                try await scenario.wheeltrust(["verify-signature", "abi3info", "--format", "json"], trust: ["--policy", policyPath]))
            #expect(step.result.status == 0, "\(step.result.output)")
            #expect(step.package("abi3info")?.proof?.kind == .identity && step.package("abi3info")?.rule == 1, "\(step.result.output)")
        }
    }

    @Test("each way a rule can be broken fails in the check that names it")
    func brokenRules() async throws {
        try await Scenario.with(packages: Self.packages, keyless: true) { scenario in
            // Wrong key for that index: another key than the one that signed.
            let other = try PrivateKey.generate(.ecdsaP256).publicKey
            try other.pemRepresentation.write(toFile: scenario.root + "/other.pub", atomically: true, encoding: .utf8)
            var json = try await Self.verify(
                scenario,
                policy: try Self.policy(scenario) {
                    $0.replacingOccurrences(of: "file = \"signer.pub\"", with: "file = \"other.pub\"")
                        .replacingOccurrences(of: "fingerprint = \"sha256:", with: "# fingerprint = \"sha256:")
                }, packages: ["datatool"])
            json.expect("datatool", .signature, .fail, "signature matches no trusted key", "corp (other.pub)")

            // Wrong identity: the certificate is woodruffw/abi3info's.
            json = try await Self.verify(
                scenario,
                policy: try Self.policy(scenario) {
                    $0.replacingOccurrences(of: "repository = \"woodruffw/abi3info\"", with: "repository = \"attacker/abi3info\"")
                }, packages: ["abi3info"])
            json.expect("abi3info", .signature, .fail, "identity abi3info", "attacker/abi3info")

            // The index-named publisher alone is not one of the rule's identities.
            json = try await Self.verify(
                scenario,
                policy: try Self.policy(scenario) {
                    $0.replacingOccurrences(of: "identities = [\"abi3info\"]", with: "keys = [\"corp\"]")
                }, packages: ["abi3info"])
            json.expect("abi3info", .signature, .fail, "keyless attestation not accepted", "rule 1 names no identity")

            // Builder not allowed.
            json = try await Self.verify(
                scenario,
                policy: try Self.policy(scenario) {
                    $0.replacingOccurrences(
                        of: "builders = [\"https://builder.example/wheeltrust-tests\"]",
                        with: "builders = [\"https://konflux-ci.dev/calunga\"]")
                }, packages: ["datatool"])
            json.expect("datatool", .signature, .pass, "corp")
            json.expect(
                "datatool", .statement, .fail, "builder: builder https://builder.example/wheeltrust-tests is not allowed by rule 2")

            // Predicate type not allowed.
            json = try await Self.verify(
                scenario,
                policy: try Self.policy(scenario) {
                    $0.replacingOccurrences(
                        of: "predicate-types = [\"https://slsa.dev/provenance/v1\"]",
                        with: "predicate-types = [\"https://slsa.dev/provenance/v0.2\"]")
                }, packages: ["datatool"])
            json.expect(
                "datatool", .statement, .fail, "predicate type https://slsa.dev/provenance/v1 is not allowed by rule 2")

            // A rule for another index does not cover the packages this index serves.
            json = try await Self.verify(
                scenario,
                policy: try Self.policy(scenario) {
                    $0.replacingOccurrences(of: Self.index(scenario), with: "https://corp.example/simple/")
                },
                packages: ["datatool"])
            json.expect("datatool", .policy, .fail, "no policy rule matches datatool")

            // Expired waiver: skipped, and with no other rule nothing matches.
            json = try await Self.verify(
                scenario,
                policy: try Self.policy(scenario) { $0 + "\nexpires = 2020-01-01\n" }, packages: ["markupsafe"])
            json.expect("markupsafe", .policy, .fail, "no policy rule matches MarkupSafe", "rule 4 expired on 2020-01-01 and was skipped")
            #expect(json.package("markupsafe")?.rule == nil)

            // No rule at all for a package.
            json = try await Self.verify(
                scenario,
                policy: try Self.policy(scenario) {
                    $0.replacingOccurrences(of: "packages = [\"markupsafe\"]", with: "packages = [\"other\"]")
                })
            json.expect("markupsafe", .policy, .fail, "no policy rule matches MarkupSafe")
            #expect(json.package("datatool")?.status == .verified, "the other packages are judged as before")

            // Integrity rule with a modified installed file.
            try "print('tampered')\n".write(toFile: scenario.sitePackages + "/clitool/__init__.py", atomically: true, encoding: .utf8)
            json = try await Self.verify(scenario, policy: try Self.policy(scenario), packages: ["clitool"])
            json.expect("clitool", .installedFiles, .fail, "clitool/__init__.py")
            #expect(json.package("clitool")?.files.modified.contains { $0.hasSuffix("clitool/__init__.py") } == true)
        }
    }

    @Test(
        "trust flags with an explicit policy are a usage error (exit 2)",
        arguments: [["--key", "K"], ["--no-default-keys"], ["--allow-keyless"], ["--repository", "a/b"]])
    func flagsWithPolicy(flags: [String]) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("wt-pol-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let policy = folder + "/policy.toml"
        try "version = 1\n[[rule]]\npackages = [\"*\"]\nrequire = \"none\"\nreason = \"r\"\n".write(
            toFile: policy, atomically: true, encoding: .utf8)
        try "k".write(toFile: folder + "/K", atomically: true, encoding: .utf8)
        let args = [
            "verify-signature", "--provenance", folder + "/none.json", "x-1.0-py3-none-any.whl", "--sha256",
            String(repeating: "0", count: 64),
        ]
        let resolved = flags.map { $0 == "K" ? folder + "/K" : $0 }
        let explicit = try await TestProcess.run(TestProcess.wheeltrust, args + resolved + ["--policy", policy])
        #expect(explicit.status == 2, "\(explicit.output)")
        #expect(explicit.stderr.contains("cannot be combined with a policy file (--policy \(policy))"), "\(explicit.stderr)")
        let fromEnvironment = try await TestProcess.run(TestProcess.wheeltrust, args + resolved, environment: ["WHEELTRUST_POLICY": policy])
        #expect(fromEnvironment.status == 2, "\(fromEnvironment.output)")
        #expect(fromEnvironment.stderr.contains("(WHEELTRUST_POLICY \(policy))"), "\(fromEnvironment.stderr)")
    }

    @Test(
        "every invalid policy stops a verifying command with exit 2, naming file, line and problem",
        arguments: [
            ("version = 1\n[[rule]]\npackages = []\nrequire = \"none\"\nreason = \"r\"\n", 3, "packages is empty"),
            ("version = 1\n[[rule]]\npackages = [\"*\"]\nkeys = [\"corp\"]\n", 4, "unknown key anchor \"corp\""),
            ("version = 1\nsignature = true\n", 2, "unknown key \"signature\""),
            ("version = 1\n\n[[rule]]\npackages = [\"*\"]\nrequire = \"integrity\"\n", 3, "needs a reason"),
            ("version = 1\n[keys.k]\nfile = \"notakey.pem\"\n[[rule]]\npackages = [\"*\"]\nkeys = [\"k\"]\n", 3, "is not a public key"),
            (
                "version = 1\n[keys.k]\nbuiltin = \"redhat-release3\"\nfingerprint = \"sha256:\(String(repeating: "0", count: 64))\"\n", 4,
                "not the fingerprint"
            ),
            ("version = 2\n", 1, "version must be 1"),
            (
                "version = 1\n[[rule]]\npackages = [\"*\"]\nrequire = \"none\"\nreason = \"r\"\nexpires = \"soon\"\n", 6,
                "expires must be a TOML date"
            ),
        ])
    func invalidPolicy(text: String, line: Int, problem: String) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("wt-pol-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let policy = folder + "/policy.toml"
        try text.write(toFile: policy, atomically: true, encoding: .utf8)
        try "not a key\n".write(toFile: folder + "/notakey.pem", atomically: true, encoding: .utf8)
        let verifying = try await TestProcess.run(
            TestProcess.wheeltrust,
            [
                "verify-signature", "--provenance", folder + "/none.json", "x-1.0-py3-none-any.whl", "--sha256",
                String(repeating: "0", count: 64),
                "--policy", policy,
            ])
        #expect(verifying.status == 2, "\(verifying.output)")
        #expect(verifying.stderr.contains("\(policy):\(line): "), "\(verifying.stderr)")
        #expect(verifying.stderr.contains(problem), "\(verifying.stderr)")
        #expect(verifying.stdout.isEmpty)
        let checked = try await TestProcess.run(TestProcess.wheeltrust, ["policy", "check", policy])
        #expect(checked.status == 2, "\(checked.output)")
        #expect(checked.stderr.contains("\(policy):\(line): ") && checked.stderr.contains(problem), "\(checked.stderr)")
        let fromEnvironment = try await TestProcess.run(
            TestProcess.wheeltrust,
            [
                "verify-signature", "--provenance", folder + "/none.json", "x-1.0-py3-none-any.whl", "--sha256",
                String(repeating: "0", count: 64),
            ],
            environment: ["WHEELTRUST_POLICY": policy])
        #expect(fromEnvironment.status == 2 && fromEnvironment.stderr.contains("\(policy):\(line): "), "\(fromEnvironment.output)")
    }

    @Test("policy check prints a valid policy's rules as understood (exit 0)")
    func policyCheck() async throws {
        try await Scenario.with(packages: ["clitool"]) { scenario in
            let path = try Self.policy(scenario)
            let checked = try await TestProcess.run(TestProcess.wheeltrust, ["policy", "check", path])
            #expect(checked.status == 0, "\(checked.output)")
            #expect(checked.stdout.contains("  identity abi3info: GitHub woodruffw/abi3info release.yml"), "\(checked.stdout)")
            #expect(
                checked.stdout.contains(
                    "  rule 2 (line 16): packages datatool, dotted-*; from index \(Self.index(scenario)); require provenance; signed by key corp; builders https://builder.example/wheeltrust-tests"
                ), "\(checked.stdout)")
            #expect(
                checked.stdout.contains("  rule 4 (line 28): packages markupsafe; require none; reason: C extension"), "\(checked.stdout)")
            #expect(checked.stdout.contains("valid: 4 rule(s)"))
        }
    }
}
