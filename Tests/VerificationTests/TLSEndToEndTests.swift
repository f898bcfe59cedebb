import Foundation
import Testing
import Verification

/// pip's `cert` honoured end to end: `wheeltrust serve` over HTTPS with a certificate from a CA
/// made in the test, real pip installing with `--cert`, and `wheeltrust verify` reading the CA from
/// the pip configuration file, as a user of a private index would set it up.
@Suite("TLS end to end")
struct TLSEndToEndTests {
    @Test("verify over HTTPS trusts exactly the CA named by pip's cert, and fails closed without it")
    func verifyOverHTTPS() async throws {
        try await Scenario.with(packages: ["datatool"], tls: true) { scenario in
            let bundle = try #require(scenario.caBundle)
            let pipConfig = scenario.root + "/pip.conf"
            try "[global]\ncert = \(bundle)\n".write(toFile: pipConfig, atomically: true, encoding: .utf8)

            // First without the bundle (cold cache): the system trust store does not know the test CA,
            // an operational failure.
            let untrusted = try await scenario.wheeltrust(["verify", "datatool"])
            #expect(untrusted.status == 3, "\(untrusted.output)")
            #expect(untrusted.output.contains("TLS"), "\(untrusted.output)")
            #expect(!untrusted.output.contains(Scenario.token), "the index password never appears")
            let untrustedJSON = try await scenario.verifyJSON(["datatool"])
            untrustedJSON.expect(
                "datatool", .indexFile, .error,
                "project page for datatool: https://ci%7Crobot:****@127.0.0.1:\(scenario.server.port)/pypi/wheeltrust/main/simple/"
                    + "datatool/: TLS verification failed: the server certificate is not trusted")
            #expect(!untrustedJSON.result.output.contains(Scenario.token), "the index password never appears")

            let verified = try await scenario.wheeltrust(["verify", "datatool"], pipConfig: pipConfig)
            #expect(verified.status == 0, "\(verified.output)")
            #expect(scenario.indexURL.hasPrefix("https://"))
        }
    }

    @Test("an unusable CA bundle in pip's configuration is a configuration error (exit 2) naming it, before any connection")
    func unusableBundleIsConfiguration() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wt-cert-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "no certificate here\n".write(toFile: directory + "/junk.pem", atomically: true, encoding: .utf8)
        try "[global]\ncert = \(directory)/junk.pem\n".write(toFile: directory + "/pip.conf", atomically: true, encoding: .utf8)
        let result = try await TestProcess.run(
            TestProcess.wheeltrust,
            [
                "verify", "pip", "--python", TestProcess.python3, "--index-url", "https://127.0.0.1:9/simple/",
                "--cache-dir", directory + "/cache",
            ], environment: ["PIP_CONFIG_FILE": directory + "/pip.conf"])
        #expect(result.status == 2, "\(result.output)")
        #expect(result.stderr.contains("junk.pem"), "\(result.output)")
        result.expectError(2, "CA bundle \(directory)/junk.pem holds no PEM CERTIFICATE block")
    }
}
