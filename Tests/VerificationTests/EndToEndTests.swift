import Attestations
import Foundation
import Testing

/// Real end-to-end runs: real pip installs from wheeltrust's own index on 127.0.0.1 into a real
/// venv, then the real `wheeltrust` binary. Each test builds its own scenario, so they can run in
/// parallel and no test depends on another's leftovers.
@Suite("end to end")
struct EndToEndTests {
    static let dotted = "dotted_pkg-1.2.0-0-py3-none-any.whl"

    @Test("a clean environment verifies: scripts, wrappers, .pyc and installer files are no false positive",
          arguments: [KeyKind.rsa(bits: 4096), .ecdsaP256, .ed25519])
    func cleanEnvironmentVerifies(kind: KeyKind) async throws {
        let scenario = try await Scenario(keyKind: kind)
        defer { Task { await scenario.stop() } }
        let result = try await scenario.wheeltrust(["verify", "--all", "-v"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.stdout.contains("4 verified, 0 failed, 0 not checked"), "\(result.output)")
        #expect(result.stdout.contains("#!python rewritten"), "the datatool-run script shebang was rewritten by pip")
        #expect(result.stdout.contains("console-script wrapper"), "clitool's wrapper is generated")
    }

    @Test("--format json on a clean environment is one valid document matching the README schema")
    func jsonReport() async throws {
        let scenario = try await Scenario()
        defer { Task { await scenario.stop() } }
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
            #expect(Set(checks.compactMap { $0["name"] as? String }).isSuperset(of:
                ["index-file", "download", "index-hash", "provenance", "signature", "statement", "wheel-contents", "installed-files"]))
            let files = try #require(package["files"] as? [String: Any])
            for key in ["modified", "missing", "unexpected", "generated"] { #expect(files[key] is [Any]) }
        }
        let summary = try #require(object["summary"] as? [String: Any])
        #expect(summary["verified"] as? Int == 4 && summary["failed"] as? Int == 0)
    }

    @Test("a provenance URL advertised without /api (Red Hat's old index) is found through the fallback")
    func legacyProvenanceURL() async throws {
        let scenario = try await Scenario(packages: ["dotted.pkg"], legacyProvenanceURLs: true)
        defer { Task { await scenario.stop() } }
        let result = try await scenario.wheeltrust(["verify", "dotted.pkg"])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test("one changed byte in an installed .py fails and names the file")
    func modifiedFile() async throws {
        let scenario = try await Scenario(packages: ["dotted.pkg"])
        defer { Task { await scenario.stop() } }
        let path = scenario.sitePackages + "/dotted_pkg/core.py"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: path))
        let result = try await scenario.wheeltrust(["verify", "dotted.pkg"])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.stdout.contains("modified") && result.stdout.contains("dotted_pkg/core.py"), "\(result.output)")
    }

    @Test("a deleted file fails as missing")
    func deletedFile() async throws {
        let scenario = try await Scenario(packages: ["dotted.pkg"])
        defer { Task { await scenario.stop() } }
        try FileManager.default.removeItem(atPath: scenario.sitePackages + "/dotted_pkg/data/table.json")
        let result = try await scenario.wheeltrust(["verify", "dotted.pkg"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("missing") && result.stdout.contains("table.json"), "\(result.output)")
    }

    @Test("an added module in a package directory fails as unexpected")
    func addedModule() async throws {
        let scenario = try await Scenario(packages: ["dotted.pkg"])
        defer { Task { await scenario.stop() } }
        try "import os\n".write(toFile: scenario.sitePackages + "/dotted_pkg/backdoor.py", atomically: true, encoding: .utf8)
        let result = try await scenario.wheeltrust(["verify", "dotted.pkg"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("unexpected") && result.stdout.contains("backdoor.py"), "\(result.output)")
    }

    @Test("a .pth dropped into site-packages fails --all and is named as a start-up hook")
    func droppedPth() async throws {
        let scenario = try await Scenario(packages: ["dotted.pkg"])
        defer { Task { await scenario.stop() } }
        try "import os; os.system('true')\n".write(toFile: scenario.sitePackages + "/zz-evil.pth", atomically: true, encoding: .utf8)
        let result = try await scenario.wheeltrust(["verify", "--all"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("zz-evil.pth") && result.stdout.contains("start-up hook"), "\(result.output)")
    }

    @Test("a wheel swapped on the index after signing fails the statement's digest")
    func swappedWheel() async throws {
        let scenario = try await Scenario(packages: ["dotted.pkg"])
        defer { Task { await scenario.stop() } }
        // Another real wheel under the signed wheel's name: the index now serves different bytes.
        let target = scenario.indexDirectory + "/" + Self.dotted
        try FileManager.default.removeItem(atPath: target)
        try FileManager.default.copyItem(atPath: scenario.indexDirectory + "/clitool-2.0-py3-none-any.whl", toPath: target)
        let result = try await scenario.wheeltrust(["verify", "dotted.pkg"])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.stdout.contains("statement") && result.stdout.contains("✗"), "\(result.output)")
    }

    @Test("an index whose published hash disagrees with the wheel fails")
    func indexHashDisagrees() async throws {
        let scenario = try await Scenario(packages: ["dotted.pkg"])
        defer { Task { await scenario.stop() } }
        try String(repeating: "ab", count: 32).write(toFile: scenario.indexDirectory + "/" + Self.dotted + ".sha256",
                                                      atomically: true, encoding: .utf8)
        let result = try await scenario.wheeltrust(["verify", "dotted.pkg"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("index-hash"), "\(result.output)")
    }

    @Test("a statement edited after signing fails the signature")
    func editedStatement() async throws {
        let scenario = try await Scenario(packages: ["dotted.pkg"])
        defer { Task { await scenario.stop() } }
        let path = scenario.indexDirectory + "/" + Self.dotted + ".slsa.attestation"
        var attestation = try Attestation.decode(Data(contentsOf: URL(fileURLWithPath: path)))
        var text = String(decoding: attestation.envelope.statement, as: UTF8.self)
        text = text.replacingOccurrences(of: "wheeltrust-tests", with: "wheeltrust-evil!")
        attestation.envelope.statement = Array(text.utf8)
        try attestation.encoded().write(to: URL(fileURLWithPath: path))
        let result = try await scenario.wheeltrust(["verify", "dotted.pkg"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("signature"), "\(result.output)")
    }

    @Test("a signer whose key is not trusted fails")
    func untrustedKey() async throws {
        let scenario = try await Scenario(packages: ["dotted.pkg"])
        defer { Task { await scenario.stop() } }
        let other = try PrivateKey.generate(.ed25519)
        let otherPath = scenario.root + "/other.pub"
        try other.publicKey.pemRepresentation.write(toFile: otherPath, atomically: true, encoding: .utf8)
        let result = try await scenario.wheeltrust(["verify", "dotted.pkg"], key: otherPath)
        #expect(result.status == 1)
        #expect(result.stdout.contains("signature"), "\(result.output)")
    }

    @Test("a signed statement with two subjects fails")
    func twoSubjects() async throws {
        let scenario = try await Scenario(packages: ["dotted.pkg"])
        defer { Task { await scenario.stop() } }
        let digest = try await scenario.sha256(ofIndexFile: Self.dotted)
        let statement = """
            {"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"\(Self.dotted)","digest":{"sha256":"\(digest)"}},\
            {"name":"other-1.0-py3-none-any.whl","digest":{"sha256":"\(digest)"}}],\
            "predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildDefinition":{"buildType":"x"},"runDetails":{"builder":{"id":"y"}}}}
            """
        try scenario.replaceAttestation(of: Self.dotted, statement: Array(statement.utf8))
        let result = try await scenario.wheeltrust(["verify", "dotted.pkg"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("subject"), "\(result.output)")
    }

    @Test("a signed statement naming another file fails")
    func subjectNameDiffers() async throws {
        let scenario = try await Scenario(packages: ["dotted.pkg"])
        defer { Task { await scenario.stop() } }
        let digest = try await scenario.sha256(ofIndexFile: Self.dotted)
        let statement = """
            {"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"dotted_pkg-1.2.1-0-py3-none-any.whl","digest":{"sha256":"\(digest)"}}],\
            "predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildDefinition":{"buildType":"x"},"runDetails":{"builder":{"id":"y"}}}}
            """
        try scenario.replaceAttestation(of: Self.dotted, statement: Array(statement.utf8))
        let result = try await scenario.wheeltrust(["verify", "dotted.pkg"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("statement"), "\(result.output)")
    }

    @Test("a wheel with no provenance fails")
    func noProvenance() async throws {
        let scenario = try await Scenario(packages: ["dotted.pkg"])
        defer { Task { await scenario.stop() } }
        try FileManager.default.removeItem(atPath: scenario.indexDirectory + "/" + Self.dotted + ".slsa.attestation")
        let result = try await scenario.wheeltrust(["verify", "dotted.pkg"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("no provenance"), "\(result.output)")
    }

    @Test("wrong credentials and a closed port exit 3 without printing the secret")
    func operationalFailures() async throws {
        let scenario = try await Scenario(packages: ["dotted.pkg"])
        defer { Task { await scenario.stop() } }
        let wrong = "http://ci%7Crobot:not-the-token@127.0.0.1:\(scenario.server.port)/pypi/wheeltrust/main/simple/"
        let denied = try await scenario.wheeltrust(["verify", "dotted.pkg"], index: wrong)
        #expect(denied.status == 3, "\(denied.output)")
        #expect(!denied.output.contains("not-the-token"))
        // A port nothing listens on: bind one, learn it, close it.
        let closed = "http://127.0.0.1:9/pypi/wheeltrust/main/simple/"
        let refused = try await scenario.wheeltrust(["verify", "dotted.pkg"], index: closed)
        #expect(refused.status == 3, "\(refused.output)")
    }
}

@Suite("determinism")
struct DeterminismTests {
    @Test("output of --jobs 1 and --jobs 8 is identical, text and JSON")
    func jobsDoNotChangeOutput() async throws {
        let scenario = try await Scenario()
        defer { Task { await scenario.stop() } }
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
