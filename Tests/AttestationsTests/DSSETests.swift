import AttestationsTestSupport
import Crypto
import Foundation
import Testing

@testable import Attestations

@Suite struct DSSETests {
    @Test func paeHasTheSpecifiedLayout() {
        let pae = DSSE.pae(payloadType: "t", payload: Array("hello".utf8))
        #expect(String(decoding: pae, as: UTF8.self) == "DSSEv1 1 t 5 hello")
    }

    @Test func paeLengthsCountBytesNotCharacters() {
        let pae = DSSE.pae(payloadType: "é", payload: Array("ü".utf8))
        #expect(pae == Array("DSSEv1 2 é 2 ü".utf8))
    }

    @Test func paeOfEmptyPayload() {
        #expect(DSSE.pae(payloadType: "", payload: []) == Array("DSSEv1 0  0 ".utf8))
    }

    @Test func paeMatchesGoldenValueForRedHatVector() throws {
        let provenance = try Provenance.decode(Fixtures.data("amqp-5.3.1-0-py3-none-any.whl.provenance"))
        let statement = try #require(provenance.attestationBundles.first?.attestations.first).envelope.statement
        #expect(statement.count == 751)
        let pae = DSSE.pae(payloadType: DSSE.inTotoPayloadType, payload: statement)
        #expect(pae.count == 794)
        #expect(Array(SHA256.hash(data: pae)).hex == "4ab18ff8b926b8450c6b3e7b5cd5ecb688a61caace99ace14b8e145497067f45")
    }

    @Test func paeMatchesGoldenValueForSigstoreVector() throws {
        let attestation = try Attestation.decode(Fixtures.data("rfc8785-0.1.2-py3-none-any.whl.publish.attestation"))
        let pae = DSSE.pae(payloadType: DSSE.inTotoPayloadType, payload: attestation.envelope.statement)
        #expect(pae.starts(with: Array("DSSEv1 28 application/vnd.in-toto+json 265 ".utf8)))
        #expect(pae.count == 308)
        #expect(Array(SHA256.hash(data: pae)).hex == "e1dc78bd12e420d9cea832954b6970864703ff3be68e0738fffa294cc68baa65")
    }
}
