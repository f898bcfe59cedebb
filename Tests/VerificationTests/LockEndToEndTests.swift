import Attestations
import Foundation
import Testing

@testable import Verification

/// Verify before install, end to end through the built binary: a PEP 751 lock written by real uv
/// (`uv pip compile --format pylock.toml`) against wheeltrust's own index on 127.0.0.1, verified by
/// `verify-lock`, installed by real `uv pip install -r pylock.toml`; each tampering fails in its
/// named check (asserted from `--format json`); `lock-identities` round-trips; `verify-files`
/// checks a `pip download` folder. uv comes from `.ci/run` (`WHEELTRUST_TEST_UV`); under CI its
/// absence fails `WrapperEndToEndTests.installersAreThereUnderCI`.
@Suite("lock files and wheelhouses end to end")
struct LockEndToEndTests {
    static let uv = WrapperEndToEndTests.uv

    /// `uv pip compile` of `requirements` against the scenario's index, for its interpreter.
    static func compile(_ scenario: Scenario, _ requirements: [String], to lock: String) async throws {
        let input = scenario.root + "/requirements.in"
        try (requirements.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let result = try await TestProcess.run(
            uv!,
            [
                "pip", "compile", input, "--format", "pylock.toml", "-o", lock, "--index-url", scenario.indexURL,
                "--python", scenario.python, "--cache-dir", scenario.root + "/uv-cache", "--quiet",
            ], environment: ["HOME": scenario.root])
        try #require(result.status == 0, "uv pip compile: \(result.output)")
    }

    /// `uv pip install -r lock` into a fresh venv; its site-packages listing.
    static func uvInstall(_ scenario: Scenario, lock: String, venv: String) async throws -> [String] {
        let created = try await TestProcess.run(TestProcess.python3, ["-m", "venv", "--without-pip", venv])
        try #require(created.status == 0, "venv: \(created.output)")
        let result = try await TestProcess.run(
            uv!,
            [
                "pip", "install", "-r", lock, "--python", venv + "/bin/python", "--index-url", scenario.indexURL,
                "--cache-dir", scenario.root + "/uv-cache", "--quiet",
            ], environment: ["HOME": scenario.root])
        try #require(result.status == 0, "uv pip install -r \(lock): \(result.output)")
        let lib = venv + "/lib"
        let version = try FileManager.default.contentsOfDirectory(atPath: lib).first { $0.hasPrefix("python") } ?? ""
        return try FileManager.default.contentsOfDirectory(atPath: "\(lib)/\(version)/site-packages").sorted()
    }

    static func verifyLock(_ scenario: Scenario, _ lock: String, trust: [String]? = nil) async throws -> ReportJSON {
        try ReportJSON(try await scenario.wheeltrust(["verify-lock", lock, "--format", "json"], trust: trust))
    }

    @Test(
        "a uv-written pylock verifies (exit 0) and uv installs it; a changed hash, a swapped index file, a removed provenance and a changed identity each fail in their check; lock-identities round-trips",
        .enabled(if: uv != nil))
    func lockRoundTrip() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            let lock = scenario.root + "/pylock.toml"
            try await Self.compile(scenario, ["clitool", "dotted.pkg", "datatool"], to: lock)
            let original = try String(contentsOfFile: lock, encoding: .utf8)

            let clean = try await Self.verifyLock(scenario, lock)
            #expect(clean.result.status == 0, "\(clean.result.output)\n\(original)")
            #expect(
                Set(clean.report.packages.map { $0.name.lowercased() }) == ["clitool", "dotted-pkg", "datatool"], "\(clean.result.stdout)")
            for package in ["clitool", "dotted-pkg", "datatool"] {
                clean.expect(package, .lockHash, .pass, "sha256")
                clean.expect(package, .signature, .pass)
                #expect(clean.package(package)?.status == .verified)
            }
            let text = try await scenario.wheeltrust(["verify-lock", lock])
            #expect(text.status == 0, "\(text.output)")
            #expect(text.stdout.contains("  [1/5] Locating the file on the index\n"), "\(text.stdout)")
            #expect(text.stdout.contains("      ✓ lock-hash: the lock's sha256 matches the file and the index\n"), "\(text.stdout)")
            #expect(text.stdout.hasSuffix("✓ 3 verified, 0 failed, 0 not checked\n"), "\(text.stdout)")
            let installed = try await Self.uvInstall(scenario, lock: lock, venv: scenario.root + "/uv-venv")
            #expect(installed.contains { $0.hasPrefix("clitool-2.0.dist-info") }, "\(installed)")

            // lock-identities writes the key that signed each package; nothing else changes.
            let written = try await scenario.wheeltrust(["lock-identities", lock, "--format", "json"])
            #expect(written.status == 0, "\(written.output)")
            let rewritten = try String(contentsOfFile: lock, encoding: .utf8)
            let fingerprint = "sha256:" + scenario.key.publicKey.fingerprint
            let inserted = "attestation-identities = [\n    { kind = \"key\", fingerprint = \"\(fingerprint)\" },\n]\n"
            #expect(rewritten.components(separatedBy: inserted).count == 4, "\(rewritten)")
            #expect(rewritten.replacingOccurrences(of: inserted, with: "") == original, "only the identities were added")
            let again = try await Self.verifyLock(scenario, lock)
            #expect(again.result.status == 0, "\(again.result.output)")
            again.expect("clitool", .lockIdentity, .pass, "signed by key \(fingerprint)")
            let reinstalled = try await Self.uvInstall(scenario, lock: lock, venv: scenario.root + "/uv-venv2")
            #expect(reinstalled.contains { $0.hasPrefix("clitool-2.0.dist-info") }, "uv still installs the rewritten lock")

            // An identity changed against attestation-identities: another (trusted) key signs now.
            let other = try PrivateKey.generate(.ed25519)
            let otherPath = scenario.root + "/other.pub"
            try other.publicKey.pemRepresentation.write(toFile: otherPath, atomically: true, encoding: .utf8)
            let datatool = "datatool-0.3-py3-none-any.whl"
            let savedAttestation = try Data(
                contentsOf: URL(fileURLWithPath: scenario.indexDirectory + "/" + datatool + ".slsa.attestation"))
            _ = try await Attester.attest(
                wheel: scenario.indexDirectory + "/" + datatool, key: other,
                builderID: "https://builder.example/wheeltrust-tests", buildType: Attester.defaultBuildType)
            let changed = try await Self.verifyLock(scenario, lock, trust: ["--key", scenario.publicKeyPath, "--key", otherPath])
            changed.expect(
                "datatool", .lockIdentity, .fail, "identity changed: the lock names key \(fingerprint)",
                "now signed by key sha256:\(other.publicKey.fingerprint)")
            #expect(changed.failing("datatool").map(\.name) == [.lockIdentity])
            #expect(changed.package("clitool")?.status == .verified)
            // lock-identities does not take the change: nothing is written, exit 1.
            let beforeRefusal = try Data(contentsOf: URL(fileURLWithPath: lock))
            let notTaken = try await scenario.wheeltrust(
                ["lock-identities", lock, "--format", "json"], trust: ["--key", scenario.publicKeyPath, "--key", otherPath])
            #expect(notTaken.status == 1, "\(notTaken.output)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: lock)) == beforeRefusal)
            try savedAttestation.write(to: URL(fileURLWithPath: scenario.indexDirectory + "/" + datatool + ".slsa.attestation"))

            // One hash changed in the lock.
            let clitoolHash = try await scenario.sha256(ofIndexFile: "clitool-2.0-py3-none-any.whl")
            let forged = String(repeating: "0", count: 64)
            let hashChanged = scenario.root + "/hash-changed.toml"
            try original.replacingOccurrences(of: clitoolHash, with: forged).write(toFile: hashChanged, atomically: true, encoding: .utf8)
            let badHash = try await Self.verifyLock(scenario, hashChanged)
            badHash.expect("clitool", .lockHash, .fail, "the lock pins sha256 \(forged) but the index publishes \(clitoolHash)")
            #expect(badHash.package("datatool")?.status == .verified)

            // A provenance removed from the index.
            let dotted = "dotted_pkg-1.2.0-0-py3-none-any.whl"
            let attestationPath = scenario.indexDirectory + "/" + dotted + ".slsa.attestation"
            let savedDotted = try Data(contentsOf: URL(fileURLWithPath: attestationPath))
            try FileManager.default.removeItem(atPath: attestationPath)
            let noProvenance = try await Self.verifyLock(scenario, lock)
            noProvenance.expect("dotted-pkg", .provenance, .fail, "no provenance on the index for \(dotted)")
            #expect(noProvenance.package("clitool")?.status == .verified)
            try savedDotted.write(to: URL(fileURLWithPath: attestationPath))

            // A file swapped on the index (other bytes under the same name).
            let clitoolPath = scenario.indexDirectory + "/clitool-2.0-py3-none-any.whl"
            let savedWheel = try Data(contentsOf: URL(fileURLWithPath: clitoolPath))
            try (savedWheel + Data("swapped".utf8)).write(to: URL(fileURLWithPath: clitoolPath))
            let swappedHash = try await scenario.sha256(ofIndexFile: "clitool-2.0-py3-none-any.whl")
            let swapped = try await Self.verifyLock(scenario, lock)
            swapped.expect("clitool", .lockHash, .fail, "the lock pins sha256 \(clitoolHash) but the index publishes \(swappedHash)")
            try savedWheel.write(to: URL(fileURLWithPath: clitoolPath))

            // An entry's own index is where its file is looked up (here the only reachable one:
            // --index-url names a closed port).
            let ownIndex = scenario.root + "/own-index.toml"
            try original.replacingOccurrences(
                of: "name = \"clitool\"\n", with: "name = \"clitool\"\nindex = \"\(scenario.indexURL)\"\n"
            ).write(toFile: ownIndex, atomically: true, encoding: .utf8)
            let viaOwn = try ReportJSON(
                try await scenario.wheeltrust(["verify-lock", ownIndex, "--format", "json"], index: "http://127.0.0.1:9/simple/"))
            viaOwn.expect("clitool", .lockHash, .pass)
            #expect(viaOwn.package("clitool")?.status == .verified, "\(viaOwn.result.output)")
            #expect(viaOwn.package("datatool")?.status == .error, "the others go to the closed --index-url")
            #expect(!viaOwn.result.stdout.contains(Scenario.token), "credentials are never shown")

            // Lines the lock's reader points at: a malformed lock is exit 2 naming file and line.
            let broken = scenario.root + "/broken.toml"
            try original.replacingOccurrences(of: "name = \"clitool\"", with: "name = \"clitool\"\nsurprise = 1")
                .write(toFile: broken, atomically: true, encoding: .utf8)
            let refused = try await scenario.wheeltrust(["verify-lock", broken, "--format", "json"])
            #expect(refused.status == 2, "\(refused.output)")
            #expect(refused.stderr.contains("\(broken):") && refused.stderr.contains("unknown key \"surprise\""), "\(refused.stderr)")
        }
    }

    /// Every path under `folder`, sorted (the venv's file list).
    @Test(
        "verify-lock under a policy: each locked package judged by its rule (provenance by key, integrity-only, waived); a key rule for an unsigned package fails",
        .enabled(if: uv != nil))
    func lockUnderPolicy() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            let lock = scenario.root + "/pylock.toml"
            try await Self.compile(scenario, ["clitool", "dotted.pkg", "datatool"], to: lock)
            try FileManager.default.removeItem(atPath: scenario.indexDirectory + "/clitool-2.0-py3-none-any.whl.slsa.attestation")
            func policy(_ clitoolRule: String) throws -> String {
                let path = scenario.root + "/policy-\(UUID().uuidString).toml"
                try """
                version = 1
                [keys.corp]
                file = "\(scenario.publicKeyPath)"

                [[rule]]
                packages = ["datatool"]
                keys = ["corp"]

                [[rule]]
                packages = ["clitool"]
                \(clitoolRule)

                [[rule]]
                packages = ["dotted-pkg"]
                require = "none"
                reason = "vendored"

                """.write(toFile: path, atomically: true, encoding: .utf8)
                return path
            }
            let integrity = try policy("require = \"integrity\"\nreason = \"no provenance published yet\"")
            let json = try await Self.verifyLock(scenario, lock, trust: ["--policy", integrity])
            #expect(json.result.status == 0, "\(json.result.output)")
            #expect(json.package("datatool")?.status == .verified && json.package("datatool")?.proof?.kind == .key)
            #expect(json.package("clitool")?.status == .integrityOnly && json.package("clitool")?.rule == 2, "\(json.result.output)")
            json.expect("clitool", .lockHash, .pass)
            json.expect("clitool", .provenance, .skip, "requires integrity only")
            #expect(json.package("dotted-pkg")?.status == .waived && json.package("dotted-pkg")?.rule == 3, "\(json.result.output)")
            #expect(json.report.policy?.path == integrity)

            let strict = try await Self.verifyLock(scenario, lock, trust: ["--policy", try policy("keys = [\"corp\"]")])
            strict.expect("clitool", .provenance, .fail, "no provenance on the index")
        }
    }

    static func listing(_ folder: String) -> [String] {
        (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).sorted()
    }

    @Test(
        "install: a tampered lock installs nothing (the venv's file list is unchanged, exit 1, with uv and with pip); a clean one installs with the environment's pip and the final verify passes",
        .enabled(if: uv != nil))
    func install() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            let lock = scenario.root + "/pylock.toml"
            try await Self.compile(scenario, ["clitool", "dotted.pkg"], to: lock)
            let original = try String(contentsOfFile: lock, encoding: .utf8)
            let before = Self.listing(scenario.venv)

            let clitoolHash = try await scenario.sha256(ofIndexFile: "clitool-2.0-py3-none-any.whl")
            let tampered = scenario.root + "/tampered.toml"
            try original.replacingOccurrences(of: clitoolHash, with: String(repeating: "1", count: 64))
                .write(toFile: tampered, atomically: true, encoding: .utf8)
            let refused = try ReportJSON(try await scenario.wheeltrust(["install", "-r", tampered, "--uv", Self.uv!, "--format", "json"]))
            refused.expect("clitool", .lockHash, .fail)
            #expect(Self.listing(scenario.venv) == before, "nothing installed")

            // Installed by the environment's own pip (uv, given local files, adds a uv_cache.json to
            // each .dist-info that verify does not account for as installer-generated).
            let withPip = scenario.root + "/pip-venv"
            let created = try await TestProcess.run(TestProcess.python3, ["-m", "venv", withPip])
            try #require(created.status == 0, "venv: \(created.output)")
            let pipBefore = Self.listing(withPip)
            let arguments = [
                "install", "-r", lock, "--format", "json", "--python", withPip + "/bin/python", "--index-url", scenario.indexURL,
                "--cache-dir", scenario.cache, "--key", scenario.publicKeyPath,
            ]
            let refusedPip = try await TestProcess.run(
                TestProcess.wheeltrust, ["install", "-r", tampered] + Array(arguments.dropFirst(3)),
                environment: ["HOME": scenario.root, "PIP_CONFIG_FILE": "/dev/null"])
            #expect(refusedPip.status == 1, "\(refusedPip.output)")
            #expect(Self.listing(withPip) == pipBefore, "nothing installed")
            let done = try ReportJSON(
                try await TestProcess.run(
                    TestProcess.wheeltrust, arguments, environment: ["HOME": scenario.root, "PIP_CONFIG_FILE": "/dev/null"]))
            #expect(done.result.status == 0, "\(done.result.output)")
            #expect(Set(done.report.packages.map { $0.name.lowercased() }) == ["clitool", "dotted.pkg"], "\(done.result.stdout)")
            done.expect("clitool", .installedFiles, .pass)
            done.expect("dotted.pkg", .installedFiles, .pass)
            #expect(Self.listing(withPip).contains { $0.hasSuffix("site-packages/clitool-2.0.dist-info/RECORD") })
            #expect(done.report.packages.allSatisfy { $0.status == .verified }, "\(done.result.stdout)")
        }
    }

    @Test("verify-files: a pip download folder verifies; a swapped file fails index-hash naming the package")
    func wheelhouse() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            let folder = scenario.root + "/wheelhouse"
            let downloaded = try await TestProcess.run(
                TestProcess.python3,
                [
                    "-m", "pip", "download", "--no-cache-dir", "--no-deps", "-d", folder, "--index-url", scenario.indexURL,
                    "clitool", "datatool",
                ])
            try #require(downloaded.status == 0, "pip download: \(downloaded.output)")
            let clean = try ReportJSON(try await scenario.wheeltrust(["verify-files", folder, "--format", "json"]))
            #expect(clean.result.status == 0, "\(clean.result.output)")
            #expect(clean.report.packages.map(\.name).sorted() == ["clitool", "datatool"])
            clean.expect("clitool", .indexHash, .pass, "local file")
            clean.expect("clitool", .wheelContents, .skip, "members not read: the verified sha256 fixes the bytes")
            let read = try ReportJSON(
                try await scenario.wheeltrust(["verify-files", folder, "--check-wheel-contents", "--format", "json"]))
            #expect(read.result.status == 0, "\(read.result.output)")
            read.expect("clitool", .wheelContents, .pass)

            let path = folder + "/clitool-2.0-py3-none-any.whl"
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            try (bytes + Data("x".utf8)).write(to: URL(fileURLWithPath: path))
            let swapped = try ReportJSON(try await scenario.wheeltrust(["verify-files", folder, "--format", "json"]))
            swapped.expect("clitool", .indexHash, .fail, "but the local file is")
            swapped.expect("clitool", .statement, .fail)
            #expect(swapped.package("datatool")?.status == .verified)
        }
    }
}
