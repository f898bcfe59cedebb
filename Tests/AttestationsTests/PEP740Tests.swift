import Foundation
import Testing

@testable import Attestations

@Suite struct PEP740Tests {
    @Test func decodesRedHatProvenance() throws {
        let provenance = try Provenance.decode(Fixtures.data("amqp-5.3.1-0-py3-none-any.whl.provenance"))
        #expect(provenance.version == 1)
        #expect(provenance.attestationBundles.count == 1)
        let bundle = try #require(provenance.attestationBundles.first)
        #expect(bundle.publisher.kind == "Pulp User")
        #expect(bundle.publisher.fields == ["prn": .string("prn:auth.user:111")])
        let attestation = try #require(bundle.attestations.first)
        #expect(attestation.verificationMaterial == nil)
        #expect(attestation.envelope.signature.count == 512)
        #expect(attestation.envelope.statement.count == 751)
    }

    @Test func decodesSigstoreAttestationMaterial() throws {
        let attestation = try Attestation.decode(Fixtures.data("rfc8785-0.1.2-py3-none-any.whl.publish.attestation"))
        let material = try #require(attestation.verificationMaterial)
        #expect(material.certificate.first == 0x30)
        #expect(material.transparencyEntries.count == 1)
        #expect(material.transparencyEntries.first?["kindVersion"]?["kind"]?.stringValue == "dsse")
        #expect(material.transparencyEntries.first?["logIndex"]?.stringValue == "28175749")
        #expect(material.timestamps.isEmpty)
        #expect(attestation.envelope.statement.count == 265)
    }

    @Test func decodesSigstoreProvenanceWithLegacyPublisherKeys() throws {
        let provenance = try Provenance.decode(Fixtures.data("abi3info-2024.10.3-py3-none-any.whl.provenance"))
        let bundle = try #require(provenance.attestationBundles.first)
        #expect(bundle.publisher.kind == "GitHub")
        #expect(bundle.publisher.fields["repository"] == .string("woodruffw/abi3info"))
        #expect(bundle.publisher.fields["claims"] == .null)
        #expect(bundle.publisher.fields["environment"] == .string(""))
        let material = try #require(bundle.attestations.first?.verificationMaterial)
        #expect(material.transparencyEntries.first?["integratedTime"]?.stringValue == "1727988030")
    }

    @Test func decodesTimestampsInVerificationMaterial() throws {
        let attestation = try Attestation.decode(Fixtures.data("pypi_attestations-0.0.19.tar.gz.publish.attestation.with_timestamp"))
        let material = try #require(attestation.verificationMaterial)
        #expect(material.timestamps.count == 1)
        #expect(material.timestamps.first?.first == 0x30)
    }

    @Test func encodedAttestationRoundTrips() throws {
        for name in [
            "rfc8785-0.1.2-py3-none-any.whl.publish.attestation",
            "pypi_attestations-0.0.19.tar.gz.publish.attestation.with_timestamp",
        ] {
            let attestation = try Attestation.decode(Fixtures.data(name))
            #expect(try Attestation.decode(attestation.encoded()) == attestation)
        }
        let provenance = try Provenance.decode(Fixtures.data("amqp-5.3.1-0-py3-none-any.whl.provenance"))
        let attestation = try #require(provenance.attestationBundles.first?.attestations.first)
        let encoded = attestation.encoded()
        #expect(String(decoding: encoded, as: UTF8.self).contains("\"verification_material\":null"))
        #expect(try Attestation.decode(encoded) == attestation)
    }

    @Test func provenanceCodableRoundTrips() throws {
        let provenance = try Provenance.decode(Fixtures.data("abi3info-2024.10.3-py3-none-any.whl.provenance"))
        let data = try JSONEncoder().encode(provenance)
        #expect(try Provenance.decode(data) == provenance)
        #expect(try JSONDecoder().decode(Provenance.self, from: data) == provenance)
    }

    @Test("a provenance of more attestations than the cap, over its bundles, is malformed; the cap itself decodes")
    func attestationCountIsCapped() throws {
        let real = try Provenance.decode(Fixtures.data("amqp-5.3.1-0-py3-none-any.whl.provenance"))
        let bundle = try #require(real.attestationBundles.first)
        let attestation = try #require(bundle.attestations.first)
        func document(_ counts: [Int]) throws -> Data {
            try JSONEncoder().encode(
                Provenance(
                    attestationBundles: counts.map {
                        AttestationBundle(publisher: bundle.publisher, attestations: Array(repeating: attestation, count: $0))
                    }))
        }
        let atCap = try Provenance.decode(try document([Provenance.maxAttestations - 1, 1]))
        #expect(atCap.attestationBundles.map(\.attestations.count) == [Provenance.maxAttestations - 1, 1])
        let over = #expect(throws: AttestationError.self) {
            try Provenance.decode(try document([Provenance.maxAttestations, 1]))
        }
        #expect(over?.code == .malformedProvenance)
        #expect(over?.message == "$.attestation_bundles: 65 attestations; at most 64 are accepted", "\(String(describing: over))")
    }

    static let envelope = #"{"statement":"e30=","signature":"AAEC"}"#

    @Test(arguments: [
        (#"{"version":2,"attestation_bundles":[]}"#, "$.version"),
        (#"{"attestation_bundles":[]}"#, "$.version: missing"),
        (#"{"version":"1","attestation_bundles":[]}"#, "$.version: expected an integer"),
        (#"{"version":1}"#, "$.attestation_bundles: missing"),
        (#"{"version":1,"attestation_bundles":[],"extra":0}"#, "$.extra: unknown field"),
        (#"{"version":1,"attestation_bundles":[{"attestations":[]}]}"#, "$.attestation_bundles[0].publisher: missing"),
        (#"{"version":1,"attestation_bundles":[{"publisher":{},"attestations":[]}]}"#, "$.attestation_bundles[0].publisher.kind: missing"),
        (
            #"{"version":1,"attestation_bundles":[{"publisher":{"kind":"x"},"attestations":[{"version":1}]}]}"#,
            "$.attestation_bundles[0].attestations[0].envelope: missing"
        ),
        (
            #"{"version":1,"attestation_bundles":[{"publisher":{"kind":"x"},"attestations":[{"version":1,"envelope":{"statement":"e30","signature":"AAEC"}}]}]}"#,
            "$.attestation_bundles[0].attestations[0].envelope.statement: not valid base64"
        ),
        (
            #"{"version":1,"attestation_bundles":[{"publisher":{"kind":"x"},"attestations":[{"version":1,"envelope":{"statement":"e30=","signature":"-_8="}}]}]}"#,
            "envelope.signature: not valid base64"
        ),
        (
            #"{"version":1,"attestation_bundles":[{"publisher":{"kind":"x"},"attestations":[{"version":1,"verification_material":{"certificate":"AAEC"},"envelope":{"statement":"e30=","signature":"AAEC"}}]}]}"#,
            "verification_material.transparency_entries: missing"
        ),
        (#"[]"#, "$: expected an object"),
    ])
    func strictDecodingNamesThePath(json: String, fragment: String) {
        let error = #expect(throws: AttestationError.self) { try Provenance.decode(Data(json.utf8)) }
        #expect(error?.code == .malformedProvenance)
        #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "")")
    }

    @Test func attestationUnknownFieldAndVersionAreRefused() {
        let unknown = #"{"version":1,"envelope":\#(Self.envelope),"bonus":true}"#
        #expect(
            (#expect(throws: AttestationError.self) { try Attestation.decode(Data(unknown.utf8)) })?.message.contains("$.bonus") == true)
        let version = #"{"version":0,"envelope":\#(Self.envelope)}"#
        #expect((#expect(throws: AttestationError.self) { try Attestation.decode(Data(version.utf8)) })?.code == .malformedProvenance)
        let ok = #"{"version":1,"envelope":\#(Self.envelope)}"#
        #expect(throws: Never.self) { try Attestation.decode(Data(ok.utf8)) }
    }

    @Test func invalidJSONAndOversizeAreMalformedJSON() {
        #expect((#expect(throws: AttestationError.self) { try Provenance.decode(Data("{".utf8)) })?.code == .malformedJSON)
        let huge = Data(count: Provenance.maxBytes + 1)
        #expect((#expect(throws: AttestationError.self) { try Provenance.decode(huge) })?.code == .malformedJSON)
    }

    @Test func deeplyNestedJSONDoesNotCrash() {
        let json = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: AttestationError.self) { try Provenance.decode(Data(json.utf8)) }
    }
}

@Suite struct HostileInputTests {
    /// Every single-byte change and every truncation of a real provenance either decodes or
    /// throws `AttestationError`; none crashes, and no change inside the signed statement or the
    /// signature still verifies.
    @Test func mutatedProvenanceNeverCrashes() async throws {
        let original = try Fixtures.bytes("amqp-5.3.1-0-py3-none-any.whl.provenance")
        let text = String(decoding: original, as: UTF8.self)
        let provenance = try Provenance.decode(Data(original))
        let envelope = try #require(provenance.attestationBundles.first?.attestations.first?.envelope)
        let protected = [Data(envelope.statement).base64EncodedString(), Data(envelope.signature).base64EncodedString()].compactMap {
            value in
            text.range(of: value).map {
                text.utf8.distance(from: text.startIndex, to: $0.lowerBound)..<text.utf8.distance(from: text.startIndex, to: $0.upperBound)
            }
        }
        #expect(protected.count == 2)
        let verifier = ProvenanceVerifier(verifiers: [KeySignatureVerifier(trustedKeys: [.redHatRelease3])])
        for index in stride(from: 0, to: original.count, by: 3) {
            for replacement in [UInt8(ascii: "A"), UInt8(ascii: "\""), 0x00] where original[index] != replacement {
                var mutated = original
                mutated[index] = replacement
                guard let decoded = try? Provenance.decode(Data(mutated)) else { continue }
                let verdict = await verifier.verify(decoded, distribution: Fixtures.redHatDistribution, sha256Hex: Fixtures.redHatDigest)
                if protected.contains(where: { $0.contains(index) }) {
                    #expect(!verdict.isVerified, "byte \(index) changed to \(replacement) still verifies")
                    #expect(
                        verdict.attestations.first?.signature == SignatureVerifierTests.noRedHatMatch,
                        "byte \(index): \(String(describing: verdict.attestations.first?.signature))")
                }
            }
        }
        // Any cut before the closing brace (a cut after it only drops trailing whitespace).
        let closing = try #require(original.lastIndex(of: UInt8(ascii: "}")))
        for length in stride(from: 0, through: closing, by: 13) {
            #expect(throws: AttestationError.self) { try Provenance.decode(Data(original.prefix(length))) }
        }
    }

    @Test func everyStatementByteFlipFailsTheSignature() async throws {
        let provenance = try Provenance.decode(Fixtures.data("amqp-5.3.1-0-py3-none-any.whl.provenance"))
        let attestation = try #require(provenance.attestationBundles.first?.attestations.first)
        let verifier = KeySignatureVerifier(trustedKeys: [.redHatRelease3])
        for index in stride(from: 0, to: attestation.envelope.statement.count, by: 5) {
            var tampered = attestation
            tampered.envelope.statement[index] ^= 0x20
            #expect(
                await verifier.verifySignature(of: tampered, publisher: Publisher(kind: "x")) == SignatureVerifierTests.noRedHatMatch,
                "byte \(index)")
        }
    }
}
