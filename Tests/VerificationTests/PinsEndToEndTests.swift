import Attestations
import Foundation
import PythonPackaging
import Testing

@testable import Verification

/// Trust on first use, end to end through the built binary: a real venv, real pip, wheeltrust's
/// own index on 127.0.0.1. `pin` records who signed each package; `verify --pins` then fails a
/// package another (still trusted) signer signed, or whose attestation is gone, in the
/// `identity-pin` check (asserted from `--format json`); `pin --accept` takes a change deliberately.
@Suite("pins end to end")
struct PinsEndToEndTests {
    static let datatool = "datatool-0.3-py3-none-any.whl"

    static func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test(
        "key-signed: pin records the key; another trusted key fails identity-pin (was/now), pin refuses it, --accept takes it; a vanished attestation is a downgrade"
    )
    func keySigned() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            let pins = scenario.root + "/project/pins.json"
            let keyA = "sha256:" + scenario.key.publicKey.fingerprint

            // First run records.
            let first = try await scenario.wheeltrust(["pin", "datatool", "--pins", pins])
            #expect(first.status == 0, "\(first.output)")
            #expect(first.stdout == "pinned      datatool 0.3: key \(keyA)\n\(pins): written (1 pinned)\n", "\(first.output)")
            #expect(try PinsFile.read(pins)[ProjectName("datatool")]?.identity == .key(fingerprint: keyA))
            let same = try ReportJSON(try await scenario.wheeltrust(["verify", "datatool", "--pins", pins, "--format", "json"]))
            same.expect("datatool", .identityPin, .pass, "signed by key \(keyA), as pinned on ")
            #expect(same.result.status == 0, "\(same.result.output)")

            // A pin of a project that is not installed is ignored.
            var withStale = try PinsFile.read(pins)
            withStale[ProjectName("gone-pkg")] = PinsFile.Pin(identity: .key(fingerprint: keyA), recorded: "2026-01-01T00:00:00Z")
            try withStale.write(to: pins)
            let stale = try await scenario.wheeltrust(["verify", "datatool", "--pins", pins, "--format", "json"])
            #expect(stale.status == 0, "\(stale.output)")

            // Another key, which the user also trusts, signs the served wheel now.
            let other = try PrivateKey.generate(.ed25519)
            let otherPath = scenario.root + "/other.pub"
            try other.publicKey.pemRepresentation.write(toFile: otherPath, atomically: true, encoding: .utf8)
            let keyB = "sha256:" + other.publicKey.fingerprint
            _ = try await Attester.attest(
                wheel: scenario.indexDirectory + "/" + Self.datatool, key: other,
                builderID: "https://builder.example/wheeltrust-tests", buildType: Attester.defaultBuildType)
            let both = ["--key", scenario.publicKeyPath, "--key", otherPath]
            let changed = try ReportJSON(
                try await scenario.wheeltrust(["verify", "datatool", "--pins", pins, "--format", "json"], trust: both))
            changed.expect("datatool", .identityPin, .fail, "identity changed: was key \(keyA), now key \(keyB)")
            #expect(changed.failing("datatool").map(\.name) == [.identityPin], "only the pin check fails: the signature is trusted")
            #expect(changed.package("datatool")?.signer == .key(name: otherPath, fingerprint: keyB))
            let text = try await scenario.wheeltrust(["verify", "datatool", "--pins", pins], trust: both)
            #expect(
                text.status == 1 && text.stdout.contains("✗ identity-pin: identity changed: was key \(keyA), now key \(keyB)\n"),
                "\(text.output)")

            // pin without --accept does not take the change, and leaves the file as it was.
            let before = try Self.bytes(pins)
            let refused = try await scenario.wheeltrust(["pin", "datatool", "--pins", pins], trust: both)
            #expect(refused.status == 1, "\(refused.output)")
            #expect(
                refused.stdout.hasPrefix(
                    "not pinned  datatool 0.3: identity-pin: identity changed: was key \(keyA), now key \(keyB); its pin stays key \(keyA)\n"
                ),
                "\(refused.output)")
            #expect(try Self.bytes(pins) == before)

            // --accept takes it deliberately; verify passes again.
            let accepted = try await scenario.wheeltrust(["pin", "--accept", "datatool", "--pins", pins, "--format", "json"], trust: both)
            #expect(accepted.status == 0, "\(accepted.output)")
            let acceptedJSON = try JSONSerialization.jsonObject(with: Data(accepted.stdout.utf8)) as? [String: Any]
            let outcome = (acceptedJSON?["packages"] as? [[String: Any]])?.first
            #expect(outcome?["action"] as? String == "replaced" && outcome?["previous"] as? String == "key \(keyA)", "\(accepted.stdout)")
            #expect(acceptedJSON?["written"] as? Bool == true)
            #expect(try PinsFile.read(pins)[ProjectName("datatool")]?.identity == .key(fingerprint: keyB))
            #expect(try PinsFile.read(pins)[ProjectName("gone-pkg")] != nil, "other pins are kept")
            let again = try ReportJSON(
                try await scenario.wheeltrust(["verify", "datatool", "--pins", pins, "--format", "json"], trust: both))
            again.expect("datatool", .identityPin, .pass, "signed by key \(keyB)")

            // The attestation no longer verifies (its key is no longer trusted): a downgrade.
            let untrusted = try ReportJSON(try await scenario.wheeltrust(["verify", "datatool", "--pins", pins, "--format", "json"]))
            untrusted.expect(
                "datatool", .identityPin, .fail, "downgrade: pinned to key \(keyB), but no attestation verifies now (signature: ")

            // The attestation vanished from the index: a downgrade.
            try FileManager.default.removeItem(atPath: scenario.indexDirectory + "/" + Self.datatool + ".slsa.attestation")
            let vanished = try ReportJSON(
                try await scenario.wheeltrust(["verify", "datatool", "--pins", pins, "--format", "json"], trust: both))
            vanished.expect(
                "datatool", .identityPin, .fail, "downgrade: pinned to key \(keyB), but no attestation verifies now (provenance: ")
            // And pin does not forget the pin of a package that no longer verifies.
            let kept = try await scenario.wheeltrust(["pin", "--accept", "datatool", "--pins", pins], trust: both)
            #expect(kept.status == 1 && kept.stdout.contains("not pinned  datatool 0.3: provenance: "), "\(kept.output)")
            #expect(try PinsFile.read(pins)[ProjectName("datatool")]?.identity == .key(fingerprint: keyB))
        }
    }

    @Test(
        "keyless: pin records the GitHub publisher; a pin naming another publisher fails with was/now; --accept clears it; a publisher the certificate does not bind is a downgrade"
    )
    func keyless() async throws {
        try await Scenario.with(packages: ["abi3info"], keyless: true) { scenario in
            let pins = scenario.root + "/pins.json"
            let now = "GitHub woodruffw/abi3info release.yml"
            let first = try await scenario.wheeltrust(["pin", "abi3info", "--pins", pins], trust: [])
            #expect(first.status == 0, "\(first.output)")
            #expect(first.stdout.hasPrefix("pinned      abi3info 2024.10.3: \(now)\n"), "\(first.output)")
            #expect(
                try PinsFile.read(pins)[ProjectName("abi3info")]?.identity
                    == .publisher(kind: "GitHub", fields: ["repository": "woodruffw/abi3info", "workflow": "release.yml"]))
            let same = try ReportJSON(try await scenario.wheeltrust(["verify", "abi3info", "--pins", pins, "--format", "json"], trust: []))
            same.expect("abi3info", .identityPin, .pass, "signed by \(now)")

            // As if the project had been pinned when another publisher released it.
            let text = try String(contentsOfFile: pins, encoding: .utf8)
                .replacingOccurrences(of: "\"woodruffw/abi3info\"", with: "\"org/a\"")
            try text.write(toFile: pins, atomically: true, encoding: .utf8)
            let changed = try ReportJSON(
                try await scenario.wheeltrust(["verify", "abi3info", "--pins", pins, "--format", "json"], trust: []))
            changed.expect("abi3info", .identityPin, .fail, "identity changed: was GitHub org/a release.yml, now \(now)")
            #expect(changed.failing("abi3info").map(\.name) == [.identityPin])

            let accepted = try await scenario.wheeltrust(["pin", "--accept", "abi3info", "--pins", pins], trust: [])
            #expect(accepted.status == 0, "\(accepted.output)")
            #expect(
                accepted.stdout.hasPrefix("replaced    abi3info 2024.10.3: \(now) (was GitHub org/a release.yml)\n"), "\(accepted.output)")
            let cleared = try ReportJSON(
                try await scenario.wheeltrust(["verify", "abi3info", "--pins", pins, "--format", "json"], trust: []))
            cleared.expect("abi3info", .identityPin, .pass, "signed by \(now)")

            // The index now names a publisher the certificate was not issued to: nothing verifies.
            let provenance = scenario.indexDirectory + "/abi3info-2024.10.3-py3-none-any.whl.provenance"
            let swapped = try String(contentsOfFile: provenance, encoding: .utf8)
                .replacingOccurrences(of: "\"woodruffw/abi3info\"", with: "\"attacker/abi3info\"")
            try swapped.write(toFile: provenance, atomically: true, encoding: .utf8)
            let downgrade = try ReportJSON(
                try await scenario.wheeltrust(["verify", "abi3info", "--pins", pins, "--format", "json"], trust: []))
            downgrade.expect("abi3info", .identityPin, .fail, "downgrade: pinned to \(now), but no attestation verifies now (signature: ")
        }
    }

    @Test(
        "pin --all pins every package that verifies and says which did not and why (exit 1); verify --pins then passes the pinned one and skips the other"
    )
    func pinAll() async throws {
        try await Scenario.with(packages: ["datatool", "clitool"]) { scenario in
            let pins = scenario.root + "/pins.json"
            try FileManager.default.removeItem(atPath: scenario.indexDirectory + "/clitool-2.0-py3-none-any.whl.slsa.attestation")
            let result = try await scenario.wheeltrust(["pin", "--all", "--pins", pins, "--format", "json"])
            #expect(result.status == 1, "\(result.output)")
            let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            let outcomes = (json?["packages"] as? [[String: Any]]) ?? []
            let byName = Dictionary(uniqueKeysWithValues: outcomes.compactMap { entry in (entry["name"] as? String).map { ($0, entry) } })
            #expect(byName["datatool"]?["action"] as? String == "recorded", "\(result.stdout)")
            #expect(byName["clitool"]?["action"] as? String == "not-pinned")
            #expect(
                (byName["clitool"]?["reason"] as? String)?.hasPrefix("provenance: no provenance on the index for clitool-2.0") == true,
                "\(result.stdout)")
            let file = try PinsFile.read(pins)
            #expect(Set(file.pins.keys) == ["datatool"])
            let verify = try ReportJSON(
                try await scenario.wheeltrust(["verify", "datatool", "clitool", "--pins", pins, "--format", "json"]))
            verify.expect("datatool", .identityPin, .pass, "signed by key sha256:")
            verify.expect("clitool", .identityPin, .skip, "no pin for clitool in the pins file")
        }
    }

    @Test("a pins file that cannot be used is exit 2 naming the file and the problem, before anything is verified; pin leaves it untouched")
    func badPinsFile() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wt-pins-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/pins.json"
        let document = #"{"version": 2, "packages": {}}"#
        try document.write(toFile: path, atomically: true, encoding: .utf8)
        let problem = "pins file \(path): unknown version 2 (this wheeltrust reads version 1)"
        let verify = try await TestProcess.run(TestProcess.wheeltrust, ["verify", "anything", "--pins", path])
        verify.expectError(2, problem)
        let pin = try await TestProcess.run(TestProcess.wheeltrust, ["pin", "anything", "--pins", path])
        pin.expectError(2, problem)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == document)
        let missing = try await TestProcess.run(TestProcess.wheeltrust, ["verify", "anything", "--pins", directory + "/none.json"])
        missing.expectError(2, "cannot read the pins file \(directory)/none.json")
        let acceptAll = try await TestProcess.run(TestProcess.wheeltrust, ["pin", "--all", "--accept", "--pins", path])
        acceptAll.expectError(2, "--accept takes the named packages only, not --all")
        let noPackages = try await TestProcess.run(TestProcess.wheeltrust, ["pin", "--pins", path])
        noPackages.expectError(2, "name at least one package, or use --all")
    }
}
