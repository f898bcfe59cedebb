import Foundation
import Testing

/// Usage errors found by the commands' `validate()`: the one line `wheeltrust: error: …` and exit
/// 2 (never ArgumentParser's 64, never 1), before anything is read or served; `--help` still wins.
@Suite("usage checks in validate()")
struct UsageValidationTests {
    static func run(_ arguments: [String]) async throws -> ProcessResult {
        try await TestProcess.run(TestProcess.wheeltrust, arguments)
    }

    @Test("serve refuses a non-loopback host without --public, half a TLS pair and bad --auth, each in one line")
    func serve() async throws {
        let directory = FileManager.default.temporaryDirectory.path
        for host in ["0.0.0.0", "127.0.0.1.example", "127.+0.0.1", "::"] {
            let result = try await Self.run(["serve", directory, "--host", host])
            result.expectError(2, "refusing to listen on non-loopback host \(host) without --public")
        }
        let halfTLS = try await Self.run(["serve", directory, "--tls-certificate", "/nonexistent.pem"])
        halfTLS.expectError(2, "--tls-certificate and --tls-key go together")
        let auth = try await Self.run(["serve", directory, "--auth", "nocolon"])
        auth.expectError(2, "--auth: credentials must have the form user:password (no ':' found)")
        let help = try await Self.run(["serve", directory, "--host", "0.0.0.0", "--help"])
        #expect(help.status == 0 && help.stdout.contains("USAGE:") && help.stderr.isEmpty, "\(help.output)")
    }

    @Test("verify-wheel with a .whl needs --provenance; trust masks a password in a URL it refuses")
    func verifyWheelAndTrust() async throws {
        let wheel = try await Self.run(["verify-wheel", "/nonexistent/datatool-0.3-py3-none-any.whl"])
        wheel.expectError(2, "a local file needs --provenance FILE")
        let trust = try await Self.run(["trust", "show", "--repository-url", "ftp://user:secret@mirror.test/"])
        trust.expectError(2, "--repository-url is not an http(s) URL: ftp://user:****@mirror.test/")
    }
}

extension UsageValidationTests {
    @Test("keygen writes a key pair, then refuses to replace it without --force (exit 2, the file named)")
    func keygen() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wt-keygen-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try await Self.run(["keygen", "--type", "ed25519", "--out", directory + "/k"])
        #expect(first.status == 0 && first.stdout.hasPrefix("\(directory)/k.pem\n\(directory)/k.pub\nkey id "), "\(first.output)")
        let again = try await Self.run(["keygen", "--out", directory + "/k"])
        again.expectError(2, "\(directory)/k.pem already exists (use --force to replace it)")
        let forced = try await Self.run(["keygen", "--out", directory + "/k", "--force"])
        #expect(forced.status == 0, "\(forced.output)")
    }
}
