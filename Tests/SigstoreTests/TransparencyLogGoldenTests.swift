import AttestationsTestSupport
import Crypto
import Foundation
import Testing

@testable import Attestations
@testable import Sigstore

/// Every value of GOLDEN-intermediates.md for the two keyless vectors, computed step by step.
@Suite struct TransparencyLogGoldenTests {
    struct Golden: Sendable, CustomStringConvertible {
        let file: String
        let statementCount: Int
        let statementSHA256: String
        let paePrefix: String
        let paeCount: Int
        let paeSHA256: String
        let signatureCount: Int
        let signaturePrefix: String
        let bodyCount: Int
        let leafHash: String
        let setPayloadPrefix: String
        let setPayloadSuffix: String
        let setPayloadSHA256: String
        let logIDHex: String
        let logIndex: Int64
        let integratedTime: Int64
        let proofIndex: Int64
        let treeSize: Int64
        let proofHashes: Int
        let rootHex: String
        let checkpointBody: String
        let keyHint: String
        let checkpointSignatureCount: Int
        var description: String { file }
    }

    static let vectors: [Golden] = [
        Golden(
            file: LogFixtures.prodAttestation, statementCount: 266,
            statementSHA256: "f9790e8a87d01898d00d2ce1ca6ce42bfc6ce59faaa31baa0ab64064a6968000",
            paePrefix: "DSSEv1 28 application/vnd.in-toto+json 266 ", paeCount: 309,
            paeSHA256: "8ed5dead136f6277d4a7f8b0e788b252bcc1003439deb2d8ce537f3928771c92",
            signatureCount: 72, signaturePrefix: "3046022100be6237", bodyCount: 3724,
            leafHash: "dd61edc046ca4eb95bf0873c20099f3a97a15ffc3a9679fbdb35550eb31057af",
            setPayloadPrefix: #"{"body":"eyJhcGlWZXJzaW9uIjoiMC4wLjEiLCJraW5kIjoiZHNzZSIsInN"#,
            setPayloadSuffix:
                #"egratedTime":1733354041,"logID":"c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d","logIndex":153454663}"#,
            setPayloadSHA256: "82c1aa68fca613a1357e8232f7879ce4958fd52b595a0a03324d081f83c5483a",
            logIDHex: "c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d",
            logIndex: 153454663, integratedTime: 1733354041, proofIndex: 31550401, treeSize: 31550402, proofHashes: 13,
            rootHex: "cb49af268920d0af57efcff34a4ccb7daa181351149c0d25e024d0417575838a",
            checkpointBody: "rekor.sigstore.dev - 1193050959916656506\n31550402\ny0mvJokg0K9X78/zSkzLfaoYE1EUnA0l4CTQQXV1g4o=\n",
            keyHint: "c0d23d6a", checkpointSignatureCount: 71),
        Golden(
            file: LogFixtures.stagingAttestation, statementCount: 265,
            statementSHA256: "72934b75c81897ea8b885947a19dc818ee3620c5032afb3b78877fbcbb7230c1",
            paePrefix: "DSSEv1 28 application/vnd.in-toto+json 265 ", paeCount: 308,
            paeSHA256: "e1dc78bd12e420d9cea832954b6970864703ff3be68e0738fffa294cc68baa65",
            signatureCount: 71, signaturePrefix: "304502200be44471", bodyCount: 1804,
            leafHash: "a6a1fe417245b2442214b8c800fa8852acd470b16f872bbb69276153b80744d3",
            setPayloadPrefix: #"{"body":"eyJhcGlWZXJzaW9uIjoiMC4wLjEiLCJraW5kIjoiZHNzZSIsInN"#,
            setPayloadSuffix:
                #"tegratedTime":1717699145,"logID":"d32f30a3c32d639c2b762205a21c7bb07788e68283a4ae6f42118723a1bea496","logIndex":28175749}"#,
            setPayloadSHA256: "7107eeff79b6abc23e38952523793b4376e033d826e836cdb14f5fee60a6ac14",
            logIDHex: "d32f30a3c32d639c2b762205a21c7bb07788e68283a4ae6f42118723a1bea496",
            logIndex: 28175749, integratedTime: 1717699145, proofIndex: 28160930, treeSize: 28160931, proofHashes: 14,
            rootHex: "cd655ca82c71685f9bd5659f6fec596654182b831d12bf350ddd0acce16ed0aa",
            checkpointBody: "rekor.sigstage.dev - 8050909264565447525\n28160931\nzWVcqCxxaF+b1WWfb+xZZlQYK4MdEr81Dd0KzOFu0Ko=\n",
            keyHint: "d32f30a3", checkpointSignatureCount: 71),
    ]

    static func sha256(_ bytes: [UInt8]) -> String { Array(SHA256.hash(data: bytes)).hex }

    @Test(arguments: vectors)
    func statementAndPAE(golden: Golden) throws {
        let attestation = try LogFixtures.attestation(golden.file)
        let statement = attestation.envelope.statement
        #expect(statement.count == golden.statementCount)
        #expect(Self.sha256(statement) == golden.statementSHA256)
        let pae = DSSE.pae(payloadType: DSSE.inTotoPayloadType, payload: statement)
        #expect(pae.count == golden.paeCount)
        #expect(pae.starts(with: Array(golden.paePrefix.utf8)))
        #expect(Self.sha256(pae) == golden.paeSHA256)
        #expect(attestation.envelope.signature.count == golden.signatureCount)
        #expect(attestation.envelope.signature.hex.hasPrefix(golden.signaturePrefix))
        // The dsse body records the statement hash.
        let entry = try LogFixtures.entry(golden.file)
        guard case .dsse(let body) = try RekorBody(of: entry) else {
            Issue.record("not a dsse body")
            return
        }
        #expect(body.payloadHashAlgorithm == "sha256")
        #expect(body.payloadHash == golden.statementSHA256)
    }

    @Test(arguments: vectors)
    func entryFieldsAndLeafHash(golden: Golden) throws {
        let entry = try LogFixtures.entry(golden.file)
        #expect(entry.kind == "dsse" && entry.version == "0.0.1")
        #expect(entry.logID.hex == golden.logIDHex)
        #expect(entry.logIndex == golden.logIndex)
        #expect(entry.integratedTime == golden.integratedTime)
        #expect(entry.canonicalizedBody.count == golden.bodyCount)
        #expect(MerkleInclusion.leafHash(entry.canonicalizedBody).hex == golden.leafHash)
    }

    @Test(arguments: vectors)
    func setPayload(golden: Golden) throws {
        let entry = try LogFixtures.entry(golden.file)
        let payload = try SignedEntryTimestamp.payload(for: entry)
        let text = String(decoding: payload, as: UTF8.self)
        #expect(text.hasPrefix(golden.setPayloadPrefix))
        #expect(text.hasSuffix(golden.setPayloadSuffix))
        #expect(text.contains("\"body\":\"\(entry.canonicalizedBodyBase64)\""))
        #expect(Self.sha256(payload) == golden.setPayloadSHA256)
    }

    @Test(arguments: vectors)
    func inclusionRoot(golden: Golden) throws {
        let entry = try LogFixtures.entry(golden.file)
        let proof = try #require(entry.inclusionProof)
        #expect(proof.logIndex == golden.proofIndex)
        #expect(proof.treeSize == golden.treeSize)
        #expect(proof.hashes.count == golden.proofHashes)
        #expect(proof.rootHash.hex == golden.rootHex)
        let root = try MerkleInclusion.root(
            leafHash: MerkleInclusion.leafHash(entry.canonicalizedBody),
            index: proof.logIndex, size: proof.treeSize, proof: proof.hashes
        ).get()
        #expect(root.hex == golden.rootHex)
    }

    @Test(arguments: vectors)
    func checkpointBodyAndKeyHint(golden: Golden) throws {
        let entry = try LogFixtures.entry(golden.file)
        let note = try Checkpoint(parsing: try #require(entry.inclusionProof?.checkpoint))
        #expect(note.signedBody == Array(golden.checkpointBody.utf8))
        #expect(note.treeSize == golden.treeSize)
        #expect(note.rootHash.hex == golden.rootHex)
        #expect(note.extensionLines.isEmpty)
        #expect(note.signatures.count == 1)
        #expect(note.signatures.first?.keyHint.hex == golden.keyHint)
        #expect(Array(entry.logID.prefix(4)).hex == golden.keyHint)
        #expect(note.signatures.first?.signature.count == golden.checkpointSignatureCount)
    }
}
