import Foundation
import Testing

/// A Sigstore keyless (PyPI Trusted Publishing) attestation, end to end: the real abi3info wheel and
/// its real provenance served by wheeltrust's index, installed by real pip, verified by the binary
/// offline against the embedded production trust root.
@Suite("keyless end to end")
struct KeylessEndToEndTests {
    static let wheel = "abi3info-2024.10.3-py3-none-any.whl"

    @Test("a keyless-attested wheel installed with pip verifies against its GitHub publisher")
    func keylessVerifies() async throws {
        let scenario = try await Scenario(packages: ["abi3info"], keyless: true)
        defer { Task { await scenario.stop() } }
        let result = try await scenario.wheeltrust(["verify", "abi3info"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.stdout.contains("woodruffw/abi3info"), "the identity is shown: \(result.output)")
    }

    @Test("the same wheel fails when the index names another publisher")
    func keylessWrongPublisher() async throws {
        let scenario = try await Scenario(packages: ["abi3info"], keyless: true)
        defer { Task { await scenario.stop() } }
        let path = scenario.indexDirectory + "/" + Self.wheel + ".provenance"
        let text = try String(contentsOfFile: path, encoding: .utf8)
            .replacingOccurrences(of: "\"woodruffw/abi3info\"", with: "\"attacker/abi3info\"")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await scenario.wheeltrust(["verify", "abi3info"])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.stdout.contains("signature"), "\(result.output)")
    }
}
