import Foundation
import Testing
import Verification

/// `inspect --as-bundle` in process: a real keyless attestation becomes a bundle; a key-signed one
/// (no Sigstore material) and a file that is not a provenance are usage errors naming the file.
@Suite("bundle export")
struct BundleExportTests {
    static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    @Test("a keyless attestation converts; a key-signed one and a missing file are usage errors naming the file")
    func export() throws {
        let keyless = Self.fixtures.appendingPathComponent("keyless/abi3info-2024.10.3-py3-none-any.whl.provenance").path
        let bundle = try BundleExport.bundleJSON(ofProvenanceFile: keyless)
        let object = try #require(try JSONSerialization.jsonObject(with: bundle) as? [String: Any])
        #expect((object["mediaType"] as? String)?.hasPrefix("application/vnd.dev.sigstore.bundle") == true)
        #expect(object["dsseEnvelope"] != nil && object["verificationMaterial"] != nil)

        let keySigned = Self.fixtures.appendingPathComponent("redhat/amqp-5.3.1-0-py3-none-any.whl.provenance").path
        let refused = #expect(throws: VerificationError.self) { try BundleExport.bundleJSON(ofProvenanceFile: keySigned) }
        #expect(refused?.code == .usage && refused?.message.hasPrefix("\(keySigned): ") == true, "\(String(describing: refused))")
        let missing = #expect(throws: VerificationError.self) { try BundleExport.bundleJSON(ofProvenanceFile: "/nonexistent") }
        #expect(missing?.code == .usage && missing?.message == "cannot read the provenance file /nonexistent")
    }
}
