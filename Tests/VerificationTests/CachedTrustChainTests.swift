import Foundation
import TestSupport
import Testing

/// The real binary refuses a Sigstore TUF cache that does not descend from the embedded root:
/// an attacker who can write `<cache>/tuf/prod` (or `staging`) stores a complete,
/// self-consistent repository signed by a key made here, whose target is a usable trusted root.
/// `trust show`, `verify-bundle` and a verifying command (`verify-signature`) all exit 3 naming
/// the chain failure; with no cache at all the same commands use the embedded root and verify.
@Suite("Cached trust root: the chain from the embedded root (CLI)", .serialized)
struct CachedTrustChainTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/TUF/Resources/sigstore")
    static let sigstoreSources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/Sigstore/Resources/sigstore")
    static let conformance = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SigstoreTests/Fixtures/sigstore-conformance/bundle-verify")
    static let beacon =
        "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
    static let actions = "https://token.actions.githubusercontent.com"

    final class Scratch: @unchecked Sendable {
        let path = FileManager.default.temporaryDirectory.path + "/wheeltrust-chain-\(UUID().uuidString)"
        /// `XDG_CACHE_HOME`; the cache root is `<xdg>/wheeltrust`.
        var xdg: String { path + "/xdg" }
        var cacheRoot: String { xdg + "/wheeltrust" }
        var environment: [String: String] { ["XDG_CACHE_HOME": xdg] }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    /// The embedded root's version and root threshold for `instance` (`prod` or `staging`).
    static func embedded(_ instance: String) throws -> (version: Int, threshold: Int) {
        let data = try Data(contentsOf: sources.appendingPathComponent("\(instance)/root.json"))
        let signed = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["signed"] as? [String: Any])
        let roles = try #require(signed["roles"] as? [String: Any])
        let root = try #require(roles["root"] as? [String: Any])
        return (try #require(signed["version"] as? Int), try #require(root["threshold"] as? Int))
    }

    /// Writes the attacker's store for `instance`: root v(embedded + 1) with a chain of its own,
    /// target = the other instance's embedded trusted root (usable, so accepting it would matter).
    static func plantAttackerStore(_ scratch: Scratch, instance: String, chain: Bool = true) throws {
        let target = try Data(
            contentsOf: sigstoreSources.appendingPathComponent("\(instance == "prod" ? "staging" : "prod")/trusted_root.json"))
        try TUFTestMetadata.writeAttackerStore(
            directory: scratch.cacheRoot + "/tuf/" + instance, targetName: "trusted_root.json",
            target: target, rootVersion: try embedded(instance).version + 1, chain: chain)
    }

    /// The chain failure the attacker's store gives for `instance`.
    static func chainFailure(_ instance: String) throws -> String {
        let (version, threshold) = try embedded(instance)
        return "root chain: roots/\(version + 1).root.json has 0 of the \(threshold) signatures the trusted root v\(version) requires"
    }

    static func verifyBundle(_ scratch: Scratch, staging: Bool = false) async throws -> ProcessResult {
        let dir = conformance.appendingPathComponent("happy-path-v0.3")
        return try await TestProcess.run(
            TestProcess.wheeltrust,
            [
                "verify-bundle", "--bundle", dir.appendingPathComponent("bundle.sigstore.json").path,
                "--certificate-identity", beacon, "--certificate-oidc-issuer", actions,
            ] + (staging ? ["--staging"] : []) + [conformance.appendingPathComponent("a.txt").path], environment: scratch.environment)
    }

    static func verifySignature(_ scratch: Scratch) async throws -> ProcessResult {
        try await TestProcess.run(
            TestProcess.wheeltrust,
            [
                "verify-signature", "--provenance", try SigstoreTrustOptionsTests.provenancePath, SigstoreTrustOptionsTests.filename,
                "--sha256", SigstoreTrustOptionsTests.sha256, "--cache-dir", scratch.cacheRoot,
            ], environment: scratch.environment)
    }

    @Test func withoutACacheTheEmbeddedRootVerifies() async throws {
        let scratch = Scratch()
        let bundle = try await Self.verifyBundle(scratch)
        #expect(bundle.status == 0, "\(bundle.output)")
        let signature = try await Self.verifySignature(scratch)
        #expect(signature.status == 0, "\(signature.output)")
        let show = try await TestProcess.run(TestProcess.wheeltrust, ["trust", "show", "--cache-dir", scratch.cacheRoot])
        #expect(show.status == 0 && show.stdout.contains("no cached metadata"), "\(show.output)")
    }

    @Test func attackerStoreIsRefusedByTrustShow() async throws {
        let scratch = Scratch()
        for instance in ["prod", "staging"] {
            try Self.plantAttackerStore(scratch, instance: instance)
            let show = try await TestProcess.run(
                TestProcess.wheeltrust,
                ["trust", "show", "--cache-dir", scratch.cacheRoot]
                    + (instance == "staging" ? ["--staging"] : []))
            #expect(show.status == 3, "\(instance): \(show.output)")
            #expect(
                show.stderr.contains(
                    "the cache \(scratch.cacheRoot)/tuf/\(instance) does not verify: \(try Self.chainFailure(instance)); run `wheeltrust trust update`"
                ),
                "\(instance): \(show.output)")
            #expect(!show.stdout.contains("verifies"), "\(show.output)")
        }
    }

    @Test func attackerStoreIsRefusedByVerifyBundle() async throws {
        let scratch = Scratch()
        for instance in ["prod", "staging"] {
            try Self.plantAttackerStore(scratch, instance: instance)
            let result = try await Self.verifyBundle(scratch, staging: instance == "staging")
            #expect(result.status == 3, "\(instance): \(result.output)")
            #expect(
                result.stderr.contains(
                    "cached Sigstore trusted root in \(scratch.cacheRoot)/tuf/\(instance) does not verify (\(try Self.chainFailure(instance)))"
                ),
                "\(instance): \(result.output)")
            #expect(!result.stdout.contains("OK"), "\(result.output)")
        }
    }

    @Test func attackerStoreIsRefusedByAVerifyingCommand() async throws {
        let scratch = Scratch()
        try Self.plantAttackerStore(scratch, instance: "prod")
        let result = try await Self.verifySignature(scratch)
        #expect(result.status == 3, "\(result.output)")
        #expect(
            result.stderr.contains(
                "cached Sigstore trusted root in \(scratch.cacheRoot)/tuf/prod does not verify (\(try Self.chainFailure("prod")))"),
            "\(result.output)")
    }

    /// The same store without a chain of its own: refused, the message naming the missing chain
    /// and the fix.
    @Test func attackerStoreWithoutAChainIsRefused() async throws {
        let scratch = Scratch()
        try Self.plantAttackerStore(scratch, instance: "prod", chain: false)
        let version = try Self.embedded("prod").version
        let result = try await Self.verifyBundle(scratch)
        #expect(result.status == 3, "\(result.output)")
        #expect(
            result.stderr.contains(
                "root chain: the cache holds root v\(version + 1) but not the chain of roots from the bootstrap root v\(version) (roots/ is missing"
            ),
            "\(result.output)")
        #expect(result.stderr.contains("run `wheeltrust trust update`"), "\(result.output)")
    }
}
