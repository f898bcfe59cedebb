import AttestationsTestSupport
import Foundation
import Testing

@testable import Attestations
@testable import Sigstore

/// Fixtures for the transparency-log tests (Fixtures/sigstore, see Fixtures/SOURCES.md).
enum LogFixtures {
    static func data(_ name: String) throws -> Data {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures/sigstore") else {
            throw Fixtures.Missing(name: "sigstore/" + name)
        }
        return try Data(contentsOf: url)
    }

    static let prodAttestation = "pypi_attestations-0.0.19.tar.gz.publish.attestation"
    static let stagingAttestation = "rfc8785-0.1.2-py3-none-any.whl.publish.attestation"

    static func attestation(_ name: String) throws -> Attestation {
        try Attestation.decode(try data(name))
    }

    static func entry(_ name: String) throws -> TransparencyLogEntry {
        let attestation = try attestation(name)
        let material = try #require(attestation.verificationMaterial)
        return try #require(try TransparencyLogEntry.entries(of: material).first)
    }

    /// A transparency log as `trusted_root.json` `tlogs[]` describes it (read here with JSONValue,
    /// independent of the module's TrustedRoot).
    struct Log {
        let key: PublicKey
        let keyID: [UInt8]
        let validFrom: Date
        let validUntil: Date?
        let hostname: String
    }

    static func log(root: String, keyID: [UInt8]) throws -> Log {
        let json = try JSONValue.parse(try data(root), what: root)
        let logs = try #require(json["tlogs"]?.arrayValue)
        for log in logs {
            guard let id = log["logId"]?["keyId"]?.stringValue.flatMap(Encoding.base64), id == keyID else { continue }
            let spki = try #require(log["publicKey"]?["rawBytes"]?.stringValue.flatMap(Encoding.base64))
            let formatter = ISO8601DateFormatter()
            let start = try #require(log["publicKey"]?["validFor"]?["start"]?.stringValue.flatMap { formatter.date(from: $0) })
            let end = log["publicKey"]?["validFor"]?["end"]?.stringValue.flatMap { formatter.date(from: $0) }
            let host = try #require(log["baseUrl"]?.stringValue.flatMap { URL(string: $0)?.host })
            return Log(key: try PublicKey(spkiDER: spki), keyID: id, validFrom: start, validUntil: end, hostname: host)
        }
        throw Fixtures.Missing(name: "tlog \(keyID.hex) in \(root)")
    }

    static func prod() throws -> (TransparencyLogEntry, Log) {
        let entry = try entry(prodAttestation)
        return (entry, try log(root: "trust-prod.trusted_root.json", keyID: entry.logID))
    }

    static func staging() throws -> (TransparencyLogEntry, Log) {
        let entry = try entry(stagingAttestation)
        return (entry, try log(root: "trust-staging.trusted_root.json", keyID: entry.logID))
    }
}

extension TransparencyLogEntry {
    /// A copy with some fields replaced (for tamper tests).
    func replacing(
        logIndex: Int64? = nil, integratedTime: Int64? = nil, signedEntryTimestamp: [UInt8]? = nil,
        body: [UInt8]? = nil, proof: InclusionProof? = nil
    ) -> TransparencyLogEntry {
        TransparencyLogEntry(
            logIndex: logIndex ?? self.logIndex, logID: logID, kind: kind, version: version,
            integratedTime: integratedTime ?? self.integratedTime,
            signedEntryTimestamp: signedEntryTimestamp ?? self.signedEntryTimestamp,
            inclusionProof: proof ?? inclusionProof,
            canonicalizedBodyBase64: body.map { Data($0).base64EncodedString() } ?? canonicalizedBodyBase64,
            canonicalizedBody: body ?? canonicalizedBody)
    }
}

extension TransparencyLogEntry.InclusionProof {
    func replacing(
        rootHash: [UInt8]? = nil, treeSize: Int64? = nil, hashes: [[UInt8]]? = nil,
        checkpoint: String? = nil
    ) -> TransparencyLogEntry.InclusionProof {
        .init(
            logIndex: logIndex, rootHash: rootHash ?? self.rootHash, treeSize: treeSize ?? self.treeSize,
            hashes: hashes ?? self.hashes, checkpoint: checkpoint ?? self.checkpoint)
    }
}

extension Array where Element == UInt8 {
    /// A copy with the byte at `index` flipped.
    func flipping(_ index: Int) -> [UInt8] {
        var copy = self
        copy[index] ^= 0x01
        return copy
    }
}
