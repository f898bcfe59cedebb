import Attestations
import Foundation
import Policy
import PythonPackaging

@testable import Publishing

/// Keys, policies and attestations made in the test for the door checks.
enum UploadFixtures {
    /// `Tests/VerificationTests/Fixtures/wheels` in this checkout (real wheels).
    static let fixtureWheels: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("VerificationTests/Fixtures/wheels")
    static let dottedWheel = "dotted_pkg-1.2.0-0-py3-none-any.whl"

    static func sha256(ofFile path: String) throws -> SHA256Hex {
        SHA256Hex(FileDigest.compute([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), algorithm: .sha256))
    }

    /// A policy with one key anchor `release` and one rule covering `packages`.
    static func policy(
        key: PublicKey, packages: [String] = ["*"], requirement: Requirement = .provenance, index: String? = nil,
        predicateTypes: [String]? = nil, builders: [String]? = nil
    ) -> Policy {
        let anchor = KeyAnchor(name: "release", origin: "test", key: TrustedKey(name: "release", key: key))
        let indexMatch: IndexMatch? = index.flatMap { try? IndexMatch.parse($0).get() }
        let rule = Rule(
            position: 1, index: indexMatch, packages: packages.compactMap(NameGlob.init), requirement: requirement,
            keys: requirement == .provenance ? ["release"] : [], builders: builders, predicateTypes: predicateTypes,
            reason: requirement == .provenance ? nil : "test")
        return Policy(keys: ["release": anchor], identities: [:], rules: [rule], path: nil, sha256: nil, origin: .option)
    }

    /// A key-signed SLSA v1 attestation of `filename` with digest `sha256`.
    static func attestation(
        filename: String, sha256: SHA256Hex, key: PrivateKey, builder: String = "https://builder.example/v1"
    ) async throws
        -> Attestation
    {
        let statement = AttestationBuilder.slsaV1Statement(
            filename: filename, sha256Hex: sha256, builderID: builder, buildType: "https://build.example/type",
            finishedOn: Date(timeIntervalSince1970: 1_760_000_000))
        return try await AttestationBuilder.sign(statement: statement, with: key)
    }

    /// The `attestations` form field for `attestations`, as twine sends it (a JSON array).
    static func field(_ attestations: [Attestation]) -> [UInt8] {
        var out = Array("[".utf8)
        for (index, attestation) in attestations.enumerated() {
            if index > 0 { out += Array(", ".utf8) }
            out += [UInt8](attestation.encoded())
        }
        return out + Array("]".utf8)
    }
}
