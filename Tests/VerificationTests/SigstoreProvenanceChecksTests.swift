import Attestations
import Foundation
import PythonPackaging
import Testing
import Verification

/// The default verifier set (`VerificationSetup.provenanceVerifier()`) verifies keyless provenance.
@Suite("Sigstore provenance checks")
struct SigstoreProvenanceChecksTests {
    static let filename = "pypi_attestations-0.0.19.tar.gz"
    /// sha256 of the real dist (vectors/dists/pypi_attestations-0.0.19.tar.gz, not copied).
    static let sha256 = "9bb1add04b1b4e182be6b0b80931593f7a291eb49d69b4fd728a5d4cbcdc4bd3"

    static func provenance() throws -> Provenance {
        let url = try #require(
            Bundle.module.url(forResource: "\(filename).provenance", withExtension: nil, subdirectory: "Fixtures/sigstore"))
        return try Provenance.decode(try Data(contentsOf: url))
    }

    @Test func keylessProvenanceGivesSignaturePass() async throws {
        let verifier = try VerificationSetup(environment: [:]).provenanceVerifier()
        let checks = ProvenanceChecks.checks(
            for: await verifier.verify(try Self.provenance(), distribution: Self.filename, sha256Hex: try #require(SHA256Hex(Self.sha256))))
        let signature = try #require(checks.first { $0.name == .signature })
        #expect(signature.status == .pass, "\(signature)")
        #expect(signature.detail.contains("trailofbits/pypi-attestations"), "\(signature)")
        #expect(checks.first { $0.name == .statement }?.status == .pass)
    }

    @Test func keylessProvenanceWithAnotherPublisherFails() async throws {
        var provenance = try Self.provenance()
        provenance.attestationBundles[0].publisher.fields["repository"] = .string("someone/else")
        let verifier = try VerificationSetup(environment: [:]).provenanceVerifier()
        let checks = ProvenanceChecks.checks(
            for: await verifier.verify(provenance, distribution: Self.filename, sha256Hex: try #require(SHA256Hex(Self.sha256))))
        #expect(checks.first { $0.name == .signature }?.status == .fail)
        #expect(
            checks.first { $0.name == .signature }?.detail == "attestation 1.1: Sigstore: certificate source repository "
                + "https://github.com/trailofbits/pypi-attestations is not https://github.com/someone/else", "\(checks)")
        #expect(checks.map(\.name) == [.signature], "no statement is judged without a trusted signature")
        #expect(checks.first?.remedy == nil, "a failure other than the keyless refusal has no remedy")
    }
}
