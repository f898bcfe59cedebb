import Foundation
import PythonPackaging
import Testing

/// `wheeltrust verify-bundle` and `inspect --as-bundle`, run as a user would, on real Sigstore
/// bundles (sigstore-python's test bundles, in SigstoreTests' fixtures) and the real abi3info
/// attestation.
@Suite("verify-bundle command")
struct VerifyBundleCommandTests {
    static var bundles: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("SigstoreTests/Fixtures/sigstore/bundles").path
    }
    static var keyless: String {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("keyless").path
    }
    static let william = "william@yossarian.net"
    static let oauth = "https://github.com/login/oauth"

    static func run(_ arguments: [String]) async throws -> ProcessResult {
        try await TestProcess.run(TestProcess.wheeltrust, arguments)
    }

    @Test("a real v0.3 bundle verifies with its identity; another identity, issuer or file fails; bad usage is 2")
    func messageSignatureBundle() async throws {
        let bundle = Self.bundles + "/bundle_v3.txt.sigstore"
        let artifact = Self.bundles + "/bundle_v3.txt"
        let ok = try await Self.run([
            "verify-bundle", "--bundle", bundle, "--staging",
            "--certificate-identity", Self.william, "--certificate-oidc-issuer", Self.oauth, artifact,
        ])
        #expect(ok.status == 0, "\(ok.output)")
        #expect(ok.stdout.hasPrefix("OK "), "\(ok.output)")

        let otherIdentity = try await Self.run([
            "verify-bundle", "--bundle", bundle, "--staging",
            "--certificate-identity", "someone@else.test", "--certificate-oidc-issuer", Self.oauth, artifact,
        ])
        #expect(otherIdentity.status == 1, "\(otherIdentity.output)")
        #expect(
            otherIdentity.stdout == "FAILED \(artifact): pinned identity someone@else.test is not the certificate SAN \(Self.william)\n",
            "\(otherIdentity.output)")
        let otherIssuer = try await Self.run([
            "verify-bundle", "--bundle", bundle, "--staging",
            "--certificate-identity", Self.william, "--certificate-oidc-issuer", "https://accounts.google.com", artifact,
        ])
        #expect(otherIssuer.status == 1, "\(otherIssuer.output)")
        #expect(
            otherIssuer.stdout
                == "FAILED \(artifact): pinned issuer: certificate OIDC issuer \(Self.oauth) is not https://accounts.google.com\n",
            "\(otherIssuer.output)")

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wt-bundle-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: artifact)))
        bytes[0] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: directory + "/bundle_v3.txt"))
        let tampered = try await Self.run([
            "verify-bundle", "--bundle", bundle, "--staging",
            "--certificate-identity", Self.william, "--certificate-oidc-issuer", Self.oauth,
            directory + "/bundle_v3.txt",
        ])
        #expect(tampered.status == 1, "\(tampered.output)")
        let tamperedDigest = try FileHashing.digest(ofFileAt: directory + "/bundle_v3.txt", algorithm: .sha256).digest.hex
        #expect(tampered.stdout.hasPrefix("FAILED \(directory)/bundle_v3.txt: the bundle's message digest "), "\(tampered.output)")
        #expect(tampered.stdout.hasSuffix(" is not the artifact's sha256 \(tamperedDigest)\n"), "\(tampered.output)")

        let noIdentity = try await Self.run(["verify-bundle", "--bundle", bundle, artifact])
        noIdentity.expectError(2, "give --certificate-identity with --certificate-oidc-issuer, or --key")
        let missingBundle = try await Self.run([
            "verify-bundle", "--bundle", directory + "/absent.sigstore",
            "--certificate-identity", Self.william, "--certificate-oidc-issuer", Self.oauth, artifact,
        ])
        missingBundle.expectError(2, "cannot read the bundle \(directory)/absent.sigstore")
    }

    @Test("a bundle whose material does not fit the policy names the option that fits (the CLI's words, not the library's)")
    func materialMismatchNamesTheOption() async throws {
        let artifact = Self.bundles + "/bundle_v3.txt"
        let cosignKey = Self.bundles + "/../../cosign.pub"
        let certificateForKey = try await Self.run([
            "verify-bundle", "--bundle", Self.bundles + "/bundle_v3.txt.sigstore", "--staging",
            "--key", cosignKey, artifact,
        ])
        #expect(certificateForKey.status == 1, "\(certificateForKey.output)")
        #expect(
            certificateForKey.stdout == "FAILED \(artifact): the bundle carries a certificate; --key verifies key-signed bundles only\n",
            "\(certificateForKey.output)")
        let keySigned = Self.bundles + "/../../sigstore-conformance/bundle-verify/managed-key-happy-path/bundle.sigstore.json"
        let digest = "sha256:" + String(repeating: "ab", count: 32)
        let keyHintForIdentity = try await Self.run([
            "verify-bundle", "--bundle", keySigned, "--staging",
            "--certificate-identity", Self.william, "--certificate-oidc-issuer", Self.oauth, digest,
        ])
        #expect(keyHintForIdentity.status == 1, "\(keyHintForIdentity.output)")
        #expect(
            keyHintForIdentity.stdout == "FAILED \(digest): the bundle is key-signed (public key hint); give the key with --key\n",
            "\(keyHintForIdentity.output)")
    }

    @Test("a bundle verifies by the artifact's sha256 digest alone")
    func digestArtifact() async throws {
        let artifact = Self.bundles + "/bundle_v3.txt"
        let digest = try await TestProcess.run("/usr/bin/env", ["sha256sum", artifact])
        let hex = try #require(digest.stdout.split(separator: " ").first.map(String.init))
        let ok = try await Self.run([
            "verify-bundle", "--bundle", Self.bundles + "/bundle_v3.txt.sigstore", "--staging",
            "--certificate-identity", Self.william, "--certificate-oidc-issuer", Self.oauth, "sha256:" + hex,
        ])
        #expect(ok.status == 0, "\(ok.output)")
        let wrong = try await Self.run([
            "verify-bundle", "--bundle", Self.bundles + "/bundle_v3.txt.sigstore", "--staging",
            "--certificate-identity", Self.william, "--certificate-oidc-issuer", Self.oauth,
            "sha256:" + String(repeating: "0", count: 64),
        ])
        #expect(wrong.status == 1, "\(wrong.output)")
        #expect(
            wrong.stdout.hasSuffix(
                ": the bundle's message digest \(hex) is not the artifact's sha256 \(String(repeating: "0", count: 64))\n"),
            "\(wrong.output)")
    }

    @Test("inspect --as-bundle turns a real PEP 740 attestation into a bundle that verify-bundle accepts")
    func attestationAsBundle() async throws {
        let provenance = Self.keyless + "/abi3info-2024.10.3-py3-none-any.whl.provenance"
        let wheel = Self.keyless + "/abi3info-2024.10.3-py3-none-any.whl"
        let converted = try await Self.run(["inspect", "--as-bundle", provenance])
        #expect(converted.status == 0, "\(converted.output)")
        #expect(converted.stdout.contains("application/vnd.dev.sigstore.bundle"), "\(converted.stdout.prefix(300))")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wt-asbundle-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bundle = directory + "/abi3info.sigstore.json"
        try converted.stdout.write(toFile: bundle, atomically: true, encoding: .utf8)

        let identity = "https://github.com/woodruffw/abi3info/.github/workflows/release.yml@refs/tags/v2024.10.03"
        let actions = "https://token.actions.githubusercontent.com"
        let ok = try await Self.run([
            "verify-bundle", "--bundle", bundle, "--certificate-identity", identity,
            "--certificate-oidc-issuer", actions, wheel,
        ])
        #expect(ok.status == 0, "\(ok.output)")
        let wrongWorkflow = try await Self.run([
            "verify-bundle", "--bundle", bundle, "--certificate-identity",
            identity.replacingOccurrences(of: "release.yml", with: "other.yml"),
            "--certificate-oidc-issuer", actions, wheel,
        ])
        #expect(wrongWorkflow.status == 1, "\(wrongWorkflow.output)")
        #expect(
            wrongWorkflow.stdout
                == "FAILED \(wheel): pinned identity \(identity.replacingOccurrences(of: "release.yml", with: "other.yml")) "
                + "is not the certificate SAN \(identity)\n", "\(wrongWorkflow.output)")
    }
}
