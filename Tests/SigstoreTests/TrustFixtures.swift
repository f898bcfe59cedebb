import Foundation
import Testing
import X509

@testable import Attestations
@testable import Sigstore

/// Fixtures for the trusted-root, Fulcio and SCT tests (Fixtures/sigstore, see Fixtures/SOURCES.md).
enum TrustFixtures {
    static func data(_ name: String) throws -> Data {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures/sigstore") else {
            throw Fixtures.Missing(name: "sigstore/" + name)
        }
        return try Data(contentsOf: url)
    }

    static func text(_ name: String) throws -> String {
        String(decoding: try data(name), as: UTF8.self)
    }

    static func root(_ name: String) throws -> TrustedRoot {
        try TrustedRoot.decode(try data(name.hasSuffix(".json") ? "trust-\(name)" : "trust-\(name).trusted_root.json"))
    }

    /// A trusted root JSON with `replace` substituted (to build negative cases from real data).
    static func root(_ name: String, replacing old: String, with new: String) throws -> TrustedRoot {
        let text = try text("trust-\(name).trusted_root.json")
        #expect(text.contains(old))
        return try TrustedRoot.decode(Data(text.replacingOccurrences(of: old, with: new).utf8))
    }

    static let prodGitHub = "pypi_attestations-0.0.19.tar.gz.publish.attestation"
    static let stagingEmail = "rfc8785-0.1.2-py3-none-any.whl.publish.attestation"
    /// Rekor integratedTime of the two vectors (GOLDEN-intermediates.md).
    static let prodTime = Date(timeIntervalSince1970: 1_733_354_041)
    static let stagingTime = Date(timeIntervalSince1970: 1_717_699_145)

    /// The leaf certificate DER of an attestation file (or of the first attestation of a provenance file).
    static func leafDER(_ name: String) throws -> [UInt8] {
        let data = try data(name)
        if name.hasSuffix(".provenance") {
            let provenance = try Provenance.decode(data)
            let attestation = try #require(provenance.attestationBundles.first?.attestations.first)
            return try #require(attestation.verificationMaterial).certificate
        }
        return try #require(try Attestation.decode(data).verificationMaterial).certificate
    }

    static func leaf(_ name: String) throws -> Certificate {
        try Certificate(derEncoded: try leafDER(name))
    }

    static func pem(_ name: String) throws -> Certificate {
        try Certificate(pemEncoded: try text(name))
    }
}
