import Foundation
import Testing
import Verification

/// `verify --offline`: after one online run, the environment verifies with the index server gone,
/// from the cached page, wheel and provenance, the provenance being verified again every time.
@Suite("offline")
struct OfflineTests {
    static let dotted = "dotted_pkg-1.2.0-0-py3-none-any.whl"

    static func entryPath(_ scenario: Scenario, sha256: String) -> String {
        "\(scenario.cache)/verdicts/\(sha256.prefix(2))/\(sha256).json"
    }

    @Test("online once, then --offline with the server stopped passes; a partial entry is ignored; tampering fails")
    func offlineAfterOnline() async throws {
        try await Scenario.with { scenario in
            let online = try await scenario.wheeltrust(["verify", "--all"])
            #expect(online.status == 0, "\(online.output)")

            let sha256 = try await scenario.sha256(ofIndexFile: Self.dotted)
            let entryPath = Self.entryPath(scenario, sha256: sha256)
            let entryData = try Data(contentsOf: URL(fileURLWithPath: entryPath))
            let entry = try #require(try JSONSerialization.jsonObject(with: entryData) as? [String: Any])
            #expect(entry["filename"] as? String == Self.dotted)
            #expect(entry["sha256"] as? String == sha256)
            #expect(entry["projectName"] as? String == "dotted-pkg")
            #expect(entry["version"] as? String == "1.2.0")
            let fetchedFrom = try #require(entry["fetchedFrom"] as? String)
            #expect(!fetchedFrom.contains(Scenario.token), "no credentials in the cache: \(fetchedFrom)")
            let provenanceBase64 = try #require(entry["provenanceBase64"] as? String)
            #expect(Data(base64Encoded: provenanceBase64) != nil)

            await scenario.server.stop()

            let offline = try await scenario.wheeltrust(["verify", "--all", "--offline"])
            #expect(offline.status == 0, "\(offline.output)")
            #expect(offline.stdout.contains("4 verified, 0 failed, 0 not checked"), "\(offline.output)")

            // Without --offline the stopped server is noticed: the run above really used no network.
            let noServer = try await scenario.verifyJSON(["dotted.pkg"])
            noServer.expect("dotted.pkg", .indexFile, .error, "127.0.0.1:\(scenario.server.port)", "connection refused")

            // A partially written entry (a leftover temporary file) is never read.
            let directory = (entryPath as NSString).deletingLastPathComponent
            try FileManager.default.moveItem(atPath: entryPath, toPath: scenario.root + "/entry-aside.json")
            try entryData.prefix(entryData.count / 2).write(to: URL(fileURLWithPath: directory + "/.tmp-partial"))
            let partial = try await scenario.verifyJSON(["dotted.pkg", "--offline"])
            partial.expect("dotted.pkg", .provenance, .error, "offline: no cached provenance for \(Self.dotted); run once online")
            #expect(partial.failing("dotted.pkg").map(\.name) == [.provenance], "\(partial.result.output)")
            try FileManager.default.moveItem(atPath: scenario.root + "/entry-aside.json", toPath: entryPath)
            let restored = try await scenario.wheeltrust(["verify", "dotted.pkg", "--offline"])
            #expect(restored.status == 0, "\(restored.output)")

            // One byte of the cached statement changed: verified again, so the signature fails.
            let provenanceData = try #require(Data(base64Encoded: provenanceBase64))
            var provenance = try #require(try JSONSerialization.jsonObject(with: provenanceData) as? [String: Any])
            var bundles = try #require(provenance["attestation_bundles"] as? [[String: Any]])
            var attestations = try #require(bundles.first?["attestations"] as? [[String: Any]])
            var envelope = try #require(attestations.first?["envelope"] as? [String: Any])
            let statementText = try #require(envelope["statement"] as? String)
            var statement = try #require(Data(base64Encoded: statementText))
            let marker = try #require(statement.range(of: Data("https://".utf8)))
            statement[marker.lowerBound] = UInt8(ascii: "H")
            envelope["statement"] = statement.base64EncodedString()
            attestations[0]["envelope"] = envelope
            bundles[0]["attestations"] = attestations
            provenance["attestation_bundles"] = bundles
            var tampered = entry
            tampered["provenanceBase64"] = try JSONSerialization.data(withJSONObject: provenance).base64EncodedString()
            try JSONSerialization.data(withJSONObject: tampered).write(to: URL(fileURLWithPath: entryPath))
            let failed = try await scenario.verifyJSON(["dotted.pkg", "--offline"])
            failed.expect(
                "dotted.pkg", .signature, .fail, "attestation 1.1: signature matches no trusted key",
                scenario.key.publicKey.keyID)
            failed.expect("dotted.pkg", .provenance, .pass, "from the offline cache")
            #expect(failed.failing("dotted.pkg").map(\.name) == [.signature], "\(failed.result.output)")
        }
    }

    @Test("--offline with an empty cache is an error naming what is missing, and touches no network")
    func offlineWithEmptyCache() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            await scenario.server.stop()
            let json = try await scenario.verifyJSON(["dotted.pkg", "--offline"])
            json.expect("dotted.pkg", .indexFile, .error, "offline: no cached project page for dotted-pkg", "run once online")
            #expect(json.failing("dotted.pkg").map(\.name) == [.indexFile], "\(json.result.output)")
        }
    }

    @Test("--offline with the page and provenance cached but the wheel gone names the wheel")
    func offlineWithoutWheel() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            let online = try await scenario.wheeltrust(["verify", "dotted.pkg"])
            #expect(online.status == 0, "\(online.output)")
            await scenario.server.stop()
            try FileManager.default.removeItem(atPath: scenario.cache + "/sha256")
            let json = try await scenario.verifyJSON(["dotted.pkg", "--offline"])
            json.expect("dotted.pkg", .download, .error, "offline: no cached wheel \(Self.dotted) (sha256 ", "run once online")
            json.expect("dotted.pkg", .indexFile, .pass, Self.dotted)
            #expect(json.failing("dotted.pkg").map(\.name) == [.download], "\(json.result.output)")
        }
    }
}
