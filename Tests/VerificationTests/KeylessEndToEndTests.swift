import Foundation
import Testing

/// A Sigstore keyless (PyPI Trusted Publishing) attestation, end to end: the real abi3info wheel and
/// its real provenance served by wheeltrust's index, installed by real pip, verified by the binary
/// offline against the embedded production trust root.
///
/// The trust rule (issue 9, attack 2): with no key named, keyless attestations verify bound to the
/// publisher the index names; naming keys (`--key`, `--no-default-keys`) means keys only, unless
/// `--allow-keyless` or an identity pin says keyless is wanted.
@Suite("keyless end to end")
struct KeylessEndToEndTests {
    static let wheel = "abi3info-2024.10.3-py3-none-any.whl"

    @Test("a keyless-attested wheel verifies against its GitHub publisher with the default trust")
    func keylessVerifies() async throws {
        try await Scenario.with(packages: ["abi3info"], keyless: true) { scenario in
            let result = try await scenario.wheeltrust(["verify", "abi3info"], trust: [])
            #expect(result.status == 0, "\(result.output)")
            #expect(result.stdout.contains("woodruffw/abi3info"), "the identity is shown: \(result.output)")
            let json = try ReportJSON(try await scenario.wheeltrust(["verify", "abi3info", "--format", "json"], trust: []))
            json.expect("abi3info", .signature, .pass, "woodruffw/abi3info")
        }
    }

    @Test(
        "naming keys means keys only: a keyless attestation fails the signature check",
        arguments: [["--key"], ["--no-default-keys"], ["--key", "--trusted-root-staging"]])
    func namedKeysRefuseKeyless(flags: [String]) async throws {
        try await Scenario.with(packages: ["abi3info"], keyless: true) { scenario in
            var trust: [String] = []
            for flag in flags {
                switch flag {
                case "--key": trust += ["--key", scenario.publicKeyPath]
                case "--trusted-root-staging": trust += ["--staging"]
                default: trust.append(flag)
                }
            }
            let json = try ReportJSON(try await scenario.wheeltrust(["verify", "abi3info", "--format", "json"], trust: trust))
            json.expect("abi3info", .signature, .fail, "keyless attestation not accepted")
            // The command line words the library's remedy with its options, in JSON and in text.
            json.expect("abi3info", .signature, .fail, "only the named keys are trusted (keyless needs --allow-keyless or an identity pin)")
            #expect(json.check(.statement, of: "abi3info") == nil, "no statement is judged without a trusted signature")
        }
    }

    @Test(
        "--allow-keyless or an identity pin accepts keyless beside named keys",
        arguments: [["--allow-keyless"], ["--repository", "woodruffw/abi3info"], ["--workflow", "release.yml"]])
    func keylessAllowedExplicitly(flags: [String]) async throws {
        try await Scenario.with(packages: ["abi3info"], keyless: true) { scenario in
            let json = try ReportJSON(
                try await scenario.wheeltrust(
                    ["verify", "abi3info", "--format", "json"],
                    trust: ["--key", scenario.publicKeyPath] + flags))
            json.expect("abi3info", .signature, .pass, "woodruffw/abi3info")
            #expect(json.result.status == 0, "\(json.result.output)")
        }
    }

    @Test("a pin that disagrees with the certificate fails even though it allows keyless")
    func wrongPinFails() async throws {
        try await Scenario.with(packages: ["abi3info"], keyless: true) { scenario in
            let json = try ReportJSON(
                try await scenario.wheeltrust(
                    ["verify", "abi3info", "--format", "json"],
                    trust: ["--key", scenario.publicKeyPath, "--repository", "attacker/abi3info"]))
            json.expect("abi3info", .signature, .fail, "attacker/abi3info")
        }
    }

    @Test("the same wheel fails when the index names another publisher")
    func keylessWrongPublisher() async throws {
        try await Scenario.with(packages: ["abi3info"], keyless: true) { scenario in
            let path = scenario.indexDirectory + "/" + Self.wheel + ".provenance"
            let text = try String(contentsOfFile: path, encoding: .utf8)
                .replacingOccurrences(of: "\"woodruffw/abi3info\"", with: "\"attacker/abi3info\"")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let json = try ReportJSON(try await scenario.wheeltrust(["verify", "abi3info", "--format", "json"], trust: []))
            json.expect("abi3info", .signature, .fail, "attacker/abi3info")
        }
    }
}
