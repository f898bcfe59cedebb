import Attestations
import Foundation
import Testing
import Verification

/// Real end-to-end runs: real pip installs from wheeltrust's own index on 127.0.0.1 into a real
/// venv, then the real `wheeltrust` binary. Each test builds its own scenario, so they can run in
/// parallel and no test depends on another's leftovers.
@Suite("end to end")
struct EndToEndTests {
    static let dotted = "dotted_pkg-1.2.0-0-py3-none-any.whl"

    @Test(
        "a clean environment verifies: scripts, wrappers, .pyc and installer files are no false positive",
        arguments: [KeyKind.rsa(bits: 4096), .ecdsaP256, .ed25519])
    func cleanEnvironmentVerifies(kind: KeyKind) async throws {
        try await Scenario.with(keyKind: kind) { scenario in
            let result = try await scenario.wheeltrust(["verify", "--all", "-v"])
            #expect(result.status == 0, "\(result.output)")
            #expect(result.stdout.contains("4 verified, 0 failed, 0 not checked"), "\(result.output)")
            #expect(result.stdout.contains("#!python rewritten"), "the datatool-run script shebang was rewritten by pip")
            #expect(result.stdout.contains("console-script wrapper"), "clitool's wrapper is generated")
        }
    }

    @Test("--format json on a clean environment is one valid document matching the README schema")
    func jsonReport() async throws {
        try await Scenario.with { scenario in
            let result = try await scenario.wheeltrust(["verify", "--all", "--format", "json"])
            #expect(result.status == 0, "\(result.output)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect(object["schemaVersion"] as? Int == 1)
            let packages = try #require(object["packages"] as? [[String: Any]])
            #expect(packages.count == 4)
            for package in packages {
                #expect(package["status"] as? String == "verified")
                #expect(package["name"] is String && package["version"] is String)
                let checks = try #require(package["checks"] as? [[String: Any]])
                #expect(checks.allSatisfy { ["pass", "skip"].contains($0["status"] as? String ?? "") })
                #expect(
                    Set(checks.compactMap { $0["name"] as? String }).isSuperset(of: [
                        "index-file", "download", "index-hash", "provenance", "signature", "statement", "wheel-contents", "installed-files",
                    ]))
                let files = try #require(package["files"] as? [String: Any])
                for key in ["modified", "missing", "unexpected", "generated"] { #expect(files[key] is [Any]) }
            }
            let summary = try #require(object["summary"] as? [String: Any])
            #expect(summary["verified"] as? Int == 4 && summary["failed"] as? Int == 0)
        }
    }

    @Test("a provenance URL advertised without /api (Red Hat's old index) is found through the fallback")
    func legacyProvenanceURL() async throws {
        try await Scenario.with(packages: ["dotted.pkg"], legacyProvenanceURLs: true) { scenario in
            let result = try await scenario.wheeltrust(["verify", "dotted.pkg"])
            #expect(result.status == 0, "\(result.output)")
        }
    }

    @Test("one changed byte in an installed .py fails installed-files, naming the file as modified")
    func modifiedFile() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            let path = scenario.sitePackages + "/dotted_pkg/core.py"
            try scenario.tamper(path)
            let json = try await scenario.verifyJSON(["dotted.pkg"])
            json.expect("dotted.pkg", .installedFiles, .fail, "1 modified: \(path)")
            #expect(json.failing("dotted.pkg").map(\.name) == [.installedFiles], "\(json.result.output)")
            #expect(json.package("dotted.pkg")?.files.modified == [path])
        }
    }

    @Test("a deleted file fails installed-files as missing")
    func deletedFile() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            let path = scenario.sitePackages + "/dotted_pkg/data/table.json"
            try FileManager.default.removeItem(atPath: path)
            let json = try await scenario.verifyJSON(["dotted.pkg"])
            json.expect("dotted.pkg", .installedFiles, .fail, "1 missing: \(path)")
            #expect(json.failing("dotted.pkg").map(\.name) == [.installedFiles], "\(json.result.output)")
            #expect(json.package("dotted.pkg")?.files.missing == [path])
        }
    }

    @Test("an added module in a package directory fails unexpected-files, naming it")
    func addedModule() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            let path = scenario.sitePackages + "/dotted_pkg/backdoor.py"
            try "import os\n".write(toFile: path, atomically: true, encoding: .utf8)
            let json = try await scenario.verifyJSON(["dotted.pkg"])
            json.expect("dotted.pkg", .unexpectedFiles, .fail, "1 unexpected: \(path)")
            #expect(json.failing("dotted.pkg").map(\.name) == [.unexpectedFiles], "\(json.result.output)")
            #expect(json.package("dotted.pkg")?.files.unexpected == [path])
        }
    }

    @Test("a .pth dropped into site-packages fails --all and is named as a start-up hook")
    func droppedPth() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            let path = scenario.sitePackages + "/zz-evil.pth"
            try "import os; os.system('true')\n".write(toFile: path, atomically: true, encoding: .utf8)
            let json = try await scenario.verifyJSON(["--all"])
            #expect(json.result.status == 1, "\(json.result.output)")
            #expect(
                json.report.unexpected == [
                    EnvironmentFinding(
                        path: path, detail: "start-up hook: this .pth executes code at every interpreter start-up")
                ])
            #expect(json.report.summary.unexpectedFiles == 1)
            json.expect("dotted.pkg", .unexpectedFiles, .pass)
            #expect(json.package("dotted.pkg")?.status == .verified, "the hook is the environment's finding, not the package's")
        }
    }

    @Test("a wheel swapped on the index after signing fails the statement's digest")
    func swappedWheel() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            // Another real wheel under the signed wheel's name: the index now serves different bytes.
            let target = scenario.indexDirectory + "/" + Self.dotted
            try FileManager.default.removeItem(atPath: target)
            try FileManager.default.copyItem(atPath: scenario.indexDirectory + "/clitool-2.0-py3-none-any.whl", toPath: target)
            let swapped = try await scenario.sha256(ofIndexFile: Self.dotted)
            let json = try await scenario.verifyJSON(["dotted.pkg"])
            json.expect("dotted.pkg", .statement, .fail, "subject digest: subject sha256 ", "differs from the file's \(swapped)")
            json.expect("dotted.pkg", .signature, .pass)
            json.expect("dotted.pkg", .wheelContents, .skip, "provenance did not verify")
            #expect(json.failing("dotted.pkg").map(\.name) == [.statement], "\(json.result.output)")
        }
    }

    @Test("an index whose published hash disagrees with the wheel fails index-hash")
    func indexHashDisagrees() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            let published = String(repeating: "ab", count: 32)
            try published.write(toFile: scenario.indexDirectory + "/" + Self.dotted + ".sha256", atomically: true, encoding: .utf8)
            let actual = try await scenario.sha256(ofIndexFile: Self.dotted)
            let json = try await scenario.verifyJSON(["dotted.pkg"])
            json.expect("dotted.pkg", .indexHash, .fail, "the index publishes sha256 \(published) but the wheel is \(actual)")
            #expect(json.failing("dotted.pkg").map(\.name) == [.indexHash], "\(json.result.output)")
        }
    }

    @Test("a statement edited after signing fails the signature, naming the key tried")
    func editedStatement() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            let path = scenario.indexDirectory + "/" + Self.dotted + ".slsa.attestation"
            var attestation = try Attestation.decode(Data(contentsOf: URL(fileURLWithPath: path)))
            var text = String(decoding: attestation.envelope.statement, as: UTF8.self)
            text = text.replacingOccurrences(of: "wheeltrust-tests", with: "wheeltrust-evil!")
            attestation.envelope.statement = Array(text.utf8)
            try attestation.encoded().write(to: URL(fileURLWithPath: path))
            let json = try await scenario.verifyJSON(["dotted.pkg"])
            json.expect(
                "dotted.pkg", .signature, .fail, "attestation 1.1: signature matches no trusted key",
                "\(scenario.publicKeyPath) (\(scenario.key.publicKey.keyID))")
            #expect(json.check(.statement, of: "dotted.pkg") == nil, "no statement is judged without a trusted signature")
            #expect(json.failing("dotted.pkg").map(\.name) == [.signature], "\(json.result.output)")
        }
    }

    @Test("a signer whose key is not trusted fails the signature, naming the keys tried")
    func untrustedKey() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            let other = try PrivateKey.generate(.ed25519)
            let otherPath = scenario.root + "/other.pub"
            try other.publicKey.pemRepresentation.write(toFile: otherPath, atomically: true, encoding: .utf8)
            let json = try ReportJSON(try await scenario.wheeltrust(["verify", "dotted.pkg", "--format", "json"], key: otherPath))
            json.expect(
                "dotted.pkg", .signature, .fail, "attestation 1.1: signature matches no trusted key",
                "\(otherPath) (\(other.publicKey.keyID))")
            let detail = json.check(.signature, of: "dotted.pkg")?.detail ?? ""
            #expect(!detail.contains(scenario.key.publicKey.keyID), "the real signer's key was not named: \(detail)")
            #expect(json.failing("dotted.pkg").map(\.name) == [.signature], "\(json.result.output)")
        }
    }

    @Test("a signed statement with two subjects fails the statement's single-subject check")
    func twoSubjects() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            let digest = try await scenario.sha256(ofIndexFile: Self.dotted)
            let statement = """
                {"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"\(Self.dotted)","digest":{"sha256":"\(digest)"}},\
                {"name":"other-1.0-py3-none-any.whl","digest":{"sha256":"\(digest)"}}],\
                "predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildDefinition":{"buildType":"x"},"runDetails":{"builder":{"id":"y"}}}}
                """
            try await scenario.replaceAttestation(of: Self.dotted, statement: Array(statement.utf8))
            let json = try await scenario.verifyJSON(["dotted.pkg"])
            json.expect("dotted.pkg", .statement, .fail, "single subject: 2 subjects; exactly one is required")
            json.expect("dotted.pkg", .signature, .pass)
            #expect(json.failing("dotted.pkg").map(\.name) == [.statement], "\(json.result.output)")
        }
    }

    @Test("a signed statement naming another file fails the statement's subject-name check")
    func subjectNameDiffers() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            let digest = try await scenario.sha256(ofIndexFile: Self.dotted)
            let statement = """
                {"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"dotted_pkg-1.2.1-0-py3-none-any.whl","digest":{"sha256":"\(digest)"}}],\
                "predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildDefinition":{"buildType":"x"},"runDetails":{"builder":{"id":"y"}}}}
                """
            try await scenario.replaceAttestation(of: Self.dotted, statement: Array(statement.utf8))
            let json = try await scenario.verifyJSON(["dotted.pkg"])
            json.expect(
                "dotted.pkg", .statement, .fail,
                "subject name: subject dotted_pkg-1.2.1-0-py3-none-any.whl does not name \(Self.dotted)")
            json.expect("dotted.pkg", .signature, .pass)
            #expect(json.failing("dotted.pkg").map(\.name) == [.statement], "\(json.result.output)")
        }
    }

    @Test("a wheel with no provenance fails the provenance check")
    func noProvenance() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            try FileManager.default.removeItem(atPath: scenario.indexDirectory + "/" + Self.dotted + ".slsa.attestation")
            let json = try await scenario.verifyJSON(["dotted.pkg"])
            json.expect("dotted.pkg", .provenance, .fail, "no provenance on the index for \(Self.dotted)")
            #expect(json.check(.signature, of: "dotted.pkg") == nil, "nothing to verify a signature of")
            #expect(json.failing("dotted.pkg").map(\.name) == [.provenance], "\(json.result.output)")
        }
    }

    @Test("a first run on an index that publishes no provenance says so in one line per package and names the next step")
    func firstRunWithoutProvenance() async throws {
        try await Scenario.with(packages: ["dotted.pkg", "datatool", "clitool"]) { scenario in
            for name in try FileManager.default.contentsOfDirectory(atPath: scenario.indexDirectory)
            where name.hasSuffix(".attestation") && !name.hasPrefix("datatool") {
                try FileManager.default.removeItem(atPath: scenario.indexDirectory + "/" + name)
            }
            // datatool keeps its provenance, but an installed file is modified: it fails otherwise.
            let module = scenario.sitePackages + "/datatool.py"
            try (try String(contentsOfFile: module, encoding: .utf8) + "\n# changed\n").write(
                toFile: module, atomically: false, encoding: .utf8)
            let json = try await scenario.verifyJSON(["--all"])
            #expect(json.report.summary.failed == 3 && json.report.summary.withoutProvenance == 2, "\(json.result.output)")
            json.expect("clitool", .provenance, .fail, "no provenance on the index for clitool-2.0-py3-none-any.whl")
            #expect(json.report.packages.filter(\.failedOnlyForMissingProvenance).map(\.name) == ["clitool", "Dotted.Pkg"])
            json.expect("datatool", .installedFiles, .fail)

            let text = try await scenario.wheeltrust(["verify", "--all"])
            #expect(text.status == 1)
            #expect(
                text.stdout.contains("  ✗ FAILED clitool 2.0: its index publishes no provenance for clitool-2.0-py3-none-any.whl\n"),
                "\(text.stdout)")
            #expect(!text.stdout.contains("[3/5] Fetching its provenance\n      ✗ provenance: no provenance on the index for clitool"))
            #expect(text.stdout.contains("    ✗ 2 with no provenance on their index: clitool, Dotted.Pkg\n"), "\(text.stdout)")
            #expect(
                text.stdout.contains(
                    "  2 of the 3 failed only because their index publishes no provenance (1 failed otherwise); "
                        + "say what each package needs: `wheeltrust policy init --out policy.toml`, then `--policy policy.toml`\n"),
                "\(text.stdout)")
        }
    }

    @Test("wrong credentials and a closed port are index-file errors (exit 3) without printing the secret")
    func operationalFailures() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            let wrong = "http://ci%7Crobot:not-the-token@127.0.0.1:\(scenario.server.port)/pypi/wheeltrust/main/simple/"
            let denied = try await scenario.wheeltrust(["verify", "dotted.pkg"], index: wrong)
            #expect(denied.status == 3, "\(denied.output)")
            #expect(!denied.output.contains("not-the-token"))
            let deniedJSON = try ReportJSON(try await scenario.wheeltrust(["verify", "dotted.pkg", "--format", "json"], index: wrong))
            deniedJSON.expect("dotted.pkg", .indexFile, .error, "HTTP 401 from ", "(credentials were sent and refused)")
            #expect(!deniedJSON.result.output.contains("not-the-token"))
            // A port nothing listens on (9, discard).
            let closed = "http://127.0.0.1:9/pypi/wheeltrust/main/simple/"
            let refused = try await scenario.wheeltrust(["verify", "dotted.pkg"], index: closed)
            #expect(refused.status == 3, "\(refused.output)")
            let refusedJSON = try ReportJSON(try await scenario.wheeltrust(["verify", "dotted.pkg", "--format", "json"], index: closed))
            refusedJSON.expect("dotted.pkg", .indexFile, .error, "127.0.0.1:9", "connection refused")
        }
    }
}

@Suite("determinism")
struct DeterminismTests {
    @Test("output of --jobs 1 and --jobs 8 is identical, text and JSON")
    func jobsDoNotChangeOutput() async throws {
        try await Scenario.with { scenario in
            let one = try await scenario.wheeltrust(["verify", "--all", "-v", "--check-bytecode", "--jobs", "1"])
            let eight = try await scenario.wheeltrust(["verify", "--all", "-v", "--check-bytecode", "--jobs", "8"])
            #expect(one.status == 0 && eight.status == 0, "\(one.output)\n\(eight.output)")
            #expect(one.stdout == eight.stdout)
            let jsonOne = try await scenario.wheeltrust(["verify", "--all", "--format", "json", "--jobs", "1"])
            let jsonEight = try await scenario.wheeltrust(["verify", "--all", "--format", "json", "--jobs", "8"])
            #expect(jsonOne.stdout == jsonEight.stdout)
            #expect(!one.stderr.contains("\u{1B}"), "no progress line when stderr is not a terminal: \(one.stderr)")
            #expect(one.stdout.contains("Summary of 4 packages"), "\(one.stdout)")
        }
    }
}
