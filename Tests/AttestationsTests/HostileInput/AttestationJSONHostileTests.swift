import AttestationsTestSupport
import Foundation
import TestSupport
import Testing

@testable import Attestations

/// Mutated real PEP 740 provenance, attestations, DSSE envelopes and in-toto statements: every
/// case is refused with `AttestationError` or parses; none traps, hangs or verifies when changed.
@Suite("Hostile input: PEP 740, DSSE, statements")
struct AttestationJSONHostileTests {
    static let provenanceFiles = [
        "amqp-5.3.1-0-py3-none-any.whl.provenance", "abi3info-2024.10.3-py3-none-any.whl.provenance",
    ]
    static let attestationFiles = [
        "rfc8785-0.1.2-py3-none-any.whl.publish.attestation",
        "pypi_attestations-0.0.19.tar.gz.publish.attestation.with_timestamp",
    ]
    static let envelopeFiles = [
        "blobSLSAProvenanceSignature.dsse.json", "dssePredicateMultipleSubjects.dsse.json", "dssePredicateEmptySubject.dsse.json",
    ]

    @Test func mutatedProvenanceIsRefusedOrParses() throws {
        let seeds = try Self.provenanceFiles.map { try Fixtures.bytes($0) }
        HostileRun.cases("Provenance.decode", seeds: seeds, count: 500, seed: 0x740) { input, _ in
            if let provenance = try? Provenance.decode(Data(input)) {
                // Whatever parsed has the promised shape.
                for bundle in provenance.attestationBundles {
                    for attestation in bundle.attestations { #expect(attestation.version == 1) }
                }
            }
        }
    }

    @Test func mutatedAttestationsAndStatementsAreRefusedOrParse() throws {
        let seeds = try Self.attestationFiles.map { try Fixtures.bytes($0) }
        HostileRun.cases("Attestation.decode", seeds: seeds, count: 500, seed: 0x7401) { input, _ in
            guard let attestation = try? Attestation.decode(Data(input)) else { return }
            _ = try? Statement(parsing: attestation.envelope.statement).build
        }
    }

    @Test func mutatedStatementsAreRefusedOrParse() throws {
        var seeds: [[UInt8]] = []
        for name in Self.provenanceFiles {
            let provenance = try Provenance.decode(Fixtures.data(name))
            seeds += provenance.attestationBundles.flatMap { $0.attestations.map(\.envelope.statement) }
        }
        HostileRun.cases("Statement", seeds: seeds, count: 1200, seed: 0x1770) { input, _ in
            if let statement = try? Statement(parsing: input) {
                _ = statement.build
                _ = StatementChecks.evaluate(statement, distribution: Fixtures.redHatDistribution, sha256Hex: Fixtures.redHatDigest)
            }
        }
    }

    @Test func mutatedDSSEEnvelopesAreRefusedOrParse() throws {
        let seeds = try Self.envelopeFiles.map { try Fixtures.bytes($0) }
        HostileRun.cases("DSSEEnvelope.decode", seeds: seeds, count: 1000, seed: 0xD55E) { input, _ in
            if let envelope = try? DSSEEnvelope.decode(Data(input)) { _ = try? envelope.attestations() }
        }
    }

    /// No mutation of the Red Hat vector verifies under the Red Hat key unless the signed statement
    /// and signature it carries are byte-for-byte the original ones.
    @Test func noMutatedKeySignedProvenanceVerifies() async throws {
        let original = try Provenance.decode(Fixtures.data(Self.provenanceFiles[0]))
        let originalEnvelope = try #require(original.attestationBundles.first?.attestations.first?.envelope)
        let key = TrustedKey(name: "Red Hat release key 3", key: try PublicKey(pem: Fixtures.text("redhat-release3.pem")))
        let verifier = ProvenanceVerifier(verifiers: [KeySignatureVerifier(trustedKeys: [key])])
        let seed = try Fixtures.bytes(Self.provenanceFiles[0])
        var parsed: [(Provenance, String)] = []
        HostileRun.cases("KeySignatureVerifier", seeds: [seed], count: 400, seed: 0x8E0) { input, label in
            if let provenance = try? Provenance.decode(Data(input)) { parsed.append((provenance, label)) }
        }
        let start = ContinuousClock.now
        for (provenance, label) in parsed {
            let verdict = await verifier.verify(provenance, distribution: Fixtures.redHatDistribution, sha256Hex: Fixtures.redHatDigest)
            for attestation in verdict.attestations where attestation.signature.isVerified {
                let envelope = provenance.attestationBundles[attestation.bundle].attestations[attestation.index].envelope
                #expect(
                    envelope.statement == originalEnvelope.statement && envelope.signature == originalEnvelope.signature,
                    "changed envelope verified: \(label)")
            }
        }
        #expect(ContinuousClock.now - start < .seconds(15))
    }

    // MARK: Fixed hostile documents

    @Test(arguments: [100_000, 600, 513, 100])
    func deepNestingIsRefusedWithoutTrapping(_ depth: Int) {
        for object in [false, true] {
            for closed in [true, false] {
                let doc = deepJSON(depth, object: object, closed: closed)
                #expect(throws: AttestationError.self) { try Provenance.decode(Data(doc)) }
                #expect(throws: AttestationError.self) { try Statement(parsing: doc) }
                #expect(throws: AttestationError.self) { try DSSEEnvelope.decode(Data(doc)) }
                _ = try? JSONValue.parse(Data(doc), what: "deep")
            }
        }
    }

    @Test func deepNestingInsideAnAcceptedMemberIsBounded() throws {
        // The predicate and publisher fields are open JSON: a deep value there must not trap either.
        let statement = #"{"_type":"https://in-toto.io/Statement/v1","predicateType":"x","subject":[],"predicate":"#
        let doc = Array(statement.utf8) + deepJSON(100_000) + Array("}".utf8)
        #expect(throws: AttestationError.self) { try Statement(parsing: doc) }
    }

    @Test(arguments: ["1e309", "-1e309", "-0", "18446744073709551617", "-9223372036854775809", "1e15", "NaN", "0x1", "\"1\""])
    func outOfRangeVersionNumbersAreRefused(_ number: String) {
        let doc = #"{"version":\#(number),"attestation_bundles":[]}"#
        #expect(throws: AttestationError.self, "\(number)") { try Provenance.decode(Data(doc.utf8)) }
    }

    @Test func invalidUTF8AndLongStringsAreRefusedOrParse() {
        let long = String(repeating: "A", count: 2_000_000)
        let docs: [[UInt8]] = [
            Array(#"{"version":1,"attestation_bundles":[],"x":""#.utf8) + [0xC3, 0x28] + Array("\"}".utf8),
            Array(#"{"version":1,"attestation_bundles":[{"publisher":{"kind":"\#(long)"},"attestations":[]}]}"#.utf8),
            Array(#"{"version":1,"envelope":{"statement":"\#(long)=","signature":"!!!!"}}"#.utf8),
            [UInt8](repeating: 0x20, count: 17 << 20),
        ]
        for doc in docs {
            _ = try? Provenance.decode(Data(doc))
            _ = try? Attestation.decode(Data(doc))
        }
    }
}
