import Foundation
import Testing

@testable import Attestations
@testable import Sigstore

/// Full SET, inclusion-proof and checkpoint verification of the prod and staging vectors against
/// the log keys of their trusted roots, and one failing test per tampering.
@Suite struct TransparencyLogVerificationTests {
    typealias Case = (TransparencyLogEntry, LogFixtures.Log)

    static func both() throws -> [Case] { [try LogFixtures.prod(), try LogFixtures.staging()] }

    static func set(_ entry: TransparencyLogEntry, _ log: LogFixtures.Log) -> LogCheckResult {
        SignedEntryTimestamp.verify(entry, logKey: log.key, logKeyID: log.keyID, validFrom: log.validFrom, validUntil: log.validUntil)
    }

    static func checkpoint(_ entry: TransparencyLogEntry, _ log: LogFixtures.Log, host: String? = nil) -> LogCheckResult {
        Checkpoint.verify(entry, logKey: log.key, logKeyID: log.keyID, logHostname: host ?? log.hostname)
    }

    // MARK: positive

    @Test func prodAndStagingVerify() throws {
        for (entry, log) in try Self.both() {
            #expect(Self.set(entry, log) == .verified)
            #expect(MerkleInclusion.verify(entry) == .verified)
            #expect(Self.checkpoint(entry, log) == .verified)
        }
        #expect(try LogFixtures.prod().1.hostname == "rekor.sigstore.dev")
        #expect(try LogFixtures.staging().1.hostname == "rekor.sigstage.dev")
    }

    // MARK: body

    @Test func flippedBodyByteFailsSETAndInclusion() throws {
        for (entry, log) in try Self.both() {
            let tampered = entry.replacing(body: entry.canonicalizedBody.flipping(100))
            #expect(Self.set(tampered, log).failure?.reason == .invalidSignedEntryTimestamp)
            #expect(MerkleInclusion.verify(tampered).failure?.reason == .rootMismatch)
        }
    }

    // MARK: SET

    @Test func flippedSETByteFails() throws {
        for (entry, log) in try Self.both() {
            let set = try #require(entry.signedEntryTimestamp)
            for index in [0, 10, set.count - 1] {
                let result = Self.set(entry.replacing(signedEntryTimestamp: set.flipping(index)), log)
                #expect(result.failure?.reason == .invalidSignedEntryTimestamp)
            }
        }
    }

    @Test func changedLogIndexOrTimeFailsSET() throws {
        let (entry, log) = try LogFixtures.prod()
        #expect(Self.set(entry.replacing(logIndex: entry.logIndex + 1), log).failure?.reason == .invalidSignedEntryTimestamp)
        // The shard-local index is not what the SET covers.
        let shardLocal = try #require(entry.inclusionProof?.logIndex)
        #expect(Self.set(entry.replacing(logIndex: shardLocal), log).failure?.reason == .invalidSignedEntryTimestamp)
        #expect(Self.set(entry.replacing(integratedTime: entry.integratedTime + 1), log).failure?.reason == .invalidSignedEntryTimestamp)
    }

    @Test func integratedTimeOutsideKeyWindowFails() throws {
        let (entry, log) = try LogFixtures.prod()
        let time = Date(timeIntervalSince1970: TimeInterval(entry.integratedTime))
        let late = SignedEntryTimestamp.verify(
            entry, logKey: log.key, logKeyID: log.keyID,
            validFrom: time.addingTimeInterval(1), validUntil: nil)
        #expect(late.failure?.reason == .outsideKeyValidity)
        let expired = SignedEntryTimestamp.verify(
            entry, logKey: log.key, logKeyID: log.keyID,
            validFrom: log.validFrom, validUntil: time.addingTimeInterval(-1))
        #expect(expired.failure?.reason == .outsideKeyValidity)
        // Inclusive bounds.
        #expect(SignedEntryTimestamp.verify(entry, logKey: log.key, logKeyID: log.keyID, validFrom: time, validUntil: time) == .verified)
    }

    @Test func wrongLogKeyFails() throws {
        let (prodEntry, prodLog) = try LogFixtures.prod()
        let (_, stagingLog) = try LogFixtures.staging()
        // The staging key under the prod id: the id check passes, the signature does not.
        let result = SignedEntryTimestamp.verify(
            prodEntry, logKey: stagingLog.key, logKeyID: prodLog.keyID,
            validFrom: prodLog.validFrom, validUntil: nil)
        #expect(result.failure?.reason == .invalidSignedEntryTimestamp)
        #expect(Self.set(prodEntry, stagingLog).failure?.reason == .logIDMismatch)
    }

    @Test func missingSETFails() throws {
        let (entry, log) = try LogFixtures.prod()
        let bare = TransparencyLogEntry(
            logIndex: entry.logIndex, logID: entry.logID, kind: entry.kind, version: entry.version,
            integratedTime: entry.integratedTime, signedEntryTimestamp: nil,
            inclusionProof: entry.inclusionProof, canonicalizedBodyBase64: entry.canonicalizedBodyBase64,
            canonicalizedBody: entry.canonicalizedBody)
        #expect(Self.set(bare, log).failure?.reason == .missingSignedEntryTimestamp)
    }

    // MARK: inclusion proof

    @Test func flippedProofHashFails() throws {
        for (entry, _) in try Self.both() {
            let proof = try #require(entry.inclusionProof)
            for position in [0, proof.hashes.count - 1] {
                var hashes = proof.hashes
                hashes[position] = hashes[position].flipping(5)
                let result = MerkleInclusion.verify(entry.replacing(proof: proof.replacing(hashes: hashes)))
                #expect(result.failure?.reason == .rootMismatch)
            }
        }
    }

    @Test func flippedRootFailsProofAndCheckpoint() throws {
        for (entry, log) in try Self.both() {
            let proof = try #require(entry.inclusionProof)
            let tampered = entry.replacing(proof: proof.replacing(rootHash: proof.rootHash.flipping(0)))
            #expect(MerkleInclusion.verify(tampered).failure?.reason == .rootMismatch)
            #expect(Self.checkpoint(tampered, log).failure?.reason == .checkpointRootMismatch)
        }
    }

    @Test func wrongPathLengthOrIndexFails() throws {
        let (entry, _) = try LogFixtures.prod()
        let proof = try #require(entry.inclusionProof)
        let short = MerkleInclusion.verify(entry.replacing(proof: proof.replacing(hashes: Array(proof.hashes.dropLast()))))
        #expect(short.failure?.reason == .malformedInclusionProof)
        let long = MerkleInclusion.verify(entry.replacing(proof: proof.replacing(hashes: proof.hashes + [proof.rootHash])))
        #expect(long.failure?.reason == .malformedInclusionProof)
        let wrongSize = MerkleInclusion.verify(entry.replacing(proof: proof.replacing(treeSize: proof.treeSize + 1)))
        #expect(
            wrongSize.failure?.description
                == "malformedInclusionProof: inclusion proof: audit path has 13 hashes, fewer than index and size need")
        let outside = MerkleInclusion.root(leafHash: [UInt8](repeating: 0, count: 32), index: 5, size: 5, proof: [])
        #expect((try? outside.get()) == nil)
        let badHash = MerkleInclusion.root(leafHash: [UInt8](repeating: 0, count: 32), index: 0, size: 2, proof: [[1, 2]])
        #expect((try? badHash.get()) == nil)
    }

    /// RFC 6962 small trees: a one-leaf tree's root is the leaf hash; two leaves hash together.
    @Test func smallTrees() throws {
        let a = MerkleInclusion.leafHash(Array("a".utf8))
        let b = MerkleInclusion.leafHash(Array("b".utf8))
        let c = MerkleInclusion.leafHash(Array("c".utf8))
        #expect(try MerkleInclusion.root(leafHash: a, index: 0, size: 1, proof: []).get() == a)
        let ab = MerkleInclusion.nodeHash(a, b)
        #expect(try MerkleInclusion.root(leafHash: a, index: 0, size: 2, proof: [b]).get() == ab)
        #expect(try MerkleInclusion.root(leafHash: b, index: 1, size: 2, proof: [a]).get() == ab)
        let abc = MerkleInclusion.nodeHash(ab, c)
        #expect(try MerkleInclusion.root(leafHash: c, index: 2, size: 3, proof: [ab]).get() == abc)
        #expect(try MerkleInclusion.root(leafHash: a, index: 0, size: 3, proof: [b, c]).get() == abc)
    }

    // MARK: checkpoint

    @Test func flippedCheckpointSignatureFails() throws {
        for (entry, log) in try Self.both() {
            let proof = try #require(entry.inclusionProof)
            let text = try #require(proof.checkpoint)
            let note = try Checkpoint(parsing: text)
            let signature = try #require(note.signatures.first)
            let blob = (signature.keyHint + signature.signature.flipping(20))
            let line = "\u{2014} \(signature.name) \(Data(blob).base64EncodedString())\n"
            let tamperedText = String(decoding: note.signedBody, as: UTF8.self) + "\n" + line
            let result = Self.checkpoint(entry.replacing(proof: proof.replacing(checkpoint: tamperedText)), log)
            #expect(result.failure?.reason == .invalidCheckpointSignature)
        }
    }

    @Test func editedCheckpointBodyFailsSignature() throws {
        let (entry, log) = try LogFixtures.prod()
        let proof = try #require(entry.inclusionProof)
        let text = try #require(proof.checkpoint)
        let edited = text.replacingOccurrences(of: "\n31550402\n", with: "\n31550403\n")
        #expect(edited != text)
        let result = Self.checkpoint(entry.replacing(proof: proof.replacing(treeSize: 31550403, checkpoint: edited)), log)
        #expect(result.failure?.reason == .invalidCheckpointSignature)
    }

    @Test func checkpointSizeDifferentFromTreeSizeFails() throws {
        for (entry, log) in try Self.both() {
            let proof = try #require(entry.inclusionProof)
            let result = Self.checkpoint(entry.replacing(proof: proof.replacing(treeSize: proof.treeSize + 1)), log)
            #expect(result.failure?.reason == .checkpointSizeMismatch)
        }
    }

    @Test func wrongOriginFails() throws {
        let (prod, prodLog) = try LogFixtures.prod()
        #expect(Self.checkpoint(prod, prodLog, host: "rekor.sigstage.dev").failure?.reason == .checkpointOriginMismatch)
        #expect(Self.checkpoint(prod, prodLog, host: "rekor.sigstore").failure?.reason == .checkpointOriginMismatch)
        #expect(Self.checkpoint(prod, prodLog, host: "").failure?.reason == .checkpointOriginMismatch)
        let (staging, stagingLog) = try LogFixtures.staging()
        #expect(Self.checkpoint(staging, stagingLog, host: "rekor.sigstore.dev").failure?.reason == .checkpointOriginMismatch)
        #expect(Checkpoint.origin("rekor.sigstore.dev", names: "rekor.sigstore.dev"))
        #expect(!Checkpoint.origin("rekor.sigstore.dev.evil - 1", names: "rekor.sigstore.dev"))
    }

    @Test func checkpointWithoutTheLogsKeyHintFails() throws {
        let (prod, _) = try LogFixtures.prod()
        let (_, stagingLog) = try LogFixtures.staging()
        let result = Checkpoint.verify(prod, logKey: stagingLog.key, logKeyID: stagingLog.keyID, logHostname: "rekor.sigstore.dev")
        #expect(result.failure?.reason == .noCheckpointSignatureForKey)
    }

    @Test(arguments: [
        "",
        "rekor.sigstore.dev - 1\n5\ny0mvJokg0K9X78/zSkzLfaoYE1EUnA0l4CTQQXV1g4o=\n",
        "rekor.sigstore.dev - 1\n5\ny0mvJokg0K9X78/zSkzLfaoYE1EUnA0l4CTQQXV1g4o=\n\n",
        "rekor.sigstore.dev - 1\n05\ny0mvJokg0K9X78/zSkzLfaoYE1EUnA0l4CTQQXV1g4o=\n\n\u{2014} r wNI9ajBF\n",
        "rekor.sigstore.dev - 1\nfive\ny0mvJokg0K9X78/zSkzLfaoYE1EUnA0l4CTQQXV1g4o=\n\n\u{2014} r wNI9ajBF\n",
        "rekor.sigstore.dev - 1\n5\nshort\n\n\u{2014} r wNI9ajBF\n",
        "\n5\ny0mvJokg0K9X78/zSkzLfaoYE1EUnA0l4CTQQXV1g4o=\n\n\u{2014} r wNI9ajBF\n",
        "rekor.sigstore.dev - 1\n5\ny0mvJokg0K9X78/zSkzLfaoYE1EUnA0l4CTQQXV1g4o=\n\n- r wNI9ajBF\n",
        "rekor.sigstore.dev - 1\n5\ny0mvJokg0K9X78/zSkzLfaoYE1EUnA0l4CTQQXV1g4o=\n\n\u{2014} r wNI9\n",
        "rekor.sigstore.dev - 1\n5\ny0mvJokg0K9X78/zSkzLfaoYE1EUnA0l4CTQQXV1g4o=\n\n\u{2014} r wNI9ajBF",
        "rekor.sigstore.dev - 1\n5\n\n\u{2014} r wNI9ajBF\n",
    ])
    func malformedCheckpointsAreRefused(text: String) throws {
        #expect(throws: AttestationError.self) { try Checkpoint(parsing: text) }
        let (entry, log) = try LogFixtures.prod()
        let proof = try #require(entry.inclusionProof)
        #expect(Self.checkpoint(entry.replacing(proof: proof.replacing(checkpoint: text)), log).failure?.reason == .malformedCheckpoint)
    }

    @Test func checkpointWithExtensionLinesAndSeveralSignaturesParses() throws {
        let text =
            "example.org/log\n7\ny0mvJokg0K9X78/zSkzLfaoYE1EUnA0l4CTQQXV1g4o=\nextra line\n\n"
            + "\u{2014} a AAAAAAE=\n\u{2014} b wNI9ajBF\n"
        let note = try Checkpoint(parsing: text)
        #expect(note.origin == "example.org/log")
        #expect(note.treeSize == 7)
        #expect(note.extensionLines == ["extra line"])
        #expect(note.signatures.map(\.name) == ["a", "b"])
        #expect(note.signedBody == Array("example.org/log\n7\ny0mvJokg0K9X78/zSkzLfaoYE1EUnA0l4CTQQXV1g4o=\nextra line\n".utf8))
    }

    @Test func missingProofOrCheckpointFails() throws {
        let (entry, log) = try LogFixtures.prod()
        let proof = try #require(entry.inclusionProof)
        let noCheckpoint = TransparencyLogEntry.InclusionProof(
            logIndex: proof.logIndex, rootHash: proof.rootHash,
            treeSize: proof.treeSize, hashes: proof.hashes, checkpoint: nil)
        #expect(Self.checkpoint(entry.replacing(proof: noCheckpoint), log).failure?.reason == .missingCheckpoint)
        let bare = TransparencyLogEntry(
            logIndex: entry.logIndex, logID: entry.logID, kind: entry.kind, version: entry.version,
            integratedTime: entry.integratedTime, signedEntryTimestamp: entry.signedEntryTimestamp,
            inclusionProof: nil, canonicalizedBodyBase64: entry.canonicalizedBodyBase64,
            canonicalizedBody: entry.canonicalizedBody)
        #expect(MerkleInclusion.verify(bare).failure?.reason == .missingInclusionProof)
        #expect(Self.checkpoint(bare, log).failure?.reason == .missingInclusionProof)
    }
}
