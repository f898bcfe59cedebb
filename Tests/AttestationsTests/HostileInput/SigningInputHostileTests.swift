import AttestationsTestSupport
import Foundation
import TestSupport
import Testing

@testable import Attestations

/// Mutated signing inputs: encrypted PKCS#8 keys made by openssl, SLSA v1 predicates (a real one
/// and a full one of ours). Each is refused with `AttestationError` or read; what is read keeps
/// its guarantees.
@Suite("Hostile input: encrypted keys and SLSA predicates")
struct SigningInputHostileTests {
    @Test func mutatedEncryptedKeysAreRefusedOrOpen() async throws {
        let directory = try OpenSSLTool.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var seeds: [[UInt8]] = []
        for kind in ["p256", "ed25519"] {
            try await OpenSSLTool.keyPair(kind, name: kind, in: directory)
            // Few iterations, so that a thousand cases stay fast; the parser is the same.
            try await OpenSSLTool.run(
                [
                    "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-iter", "64", "-in", "\(kind).pem", "-out", "\(kind).enc.pem",
                    "-passout", "pass:hostile",
                ], in: directory)
            seeds.append(
                try PEMBlock.first(in: OpenSSLTool.text("\(directory)/\(kind).enc.pem"), labels: ["ENCRYPTED PRIVATE KEY"], what: "seed")
                    .der)
        }
        let passphrase = Array("hostile".utf8)
        HostileRun.cases("EncryptedPrivateKeyInfo", seeds: seeds, count: 1000, seed: 0xE9C, budget: .seconds(60)) { input, label in
            let pem = PEMBlock.encode(label: "ENCRYPTED PRIVATE KEY", der: input)
            do {
                _ = try PrivateKey(pem: pem, passphrase: passphrase)
            } catch let error as AttestationError {
                #expect(!error.message.contains("hostile"), "the passphrase in a message: \(label)")
            } catch {
                Issue.record("not an AttestationError: \(error) (\(label))")
            }
        }
    }

    @Test func mutatedPredicatesAreRefusedOrReadBackUnchanged() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let seeds = [
            try Fixtures.bytes("pypi_attestations-0.0.19.slsa-predicate.json"),
            Array(try encoder.encode(SLSAProvenanceTests.full().json)),
        ]
        HostileRun.cases("SLSAProvenance(predicateJSON:)", seeds: seeds, count: 2000, seed: 0x51A) { input, label in
            guard let provenance = try? SLSAProvenance(predicateJSON: Data(input)) else { return }
            // What was read is valid, and what it writes reads back as the same predicate.
            #expect((try? provenance.validate()) != nil, "read but invalid: \(label)")
            let written = (try? encoder.encode(provenance.json)) ?? Data()
            #expect((try? SLSAProvenance(predicateJSON: written)) == provenance, "does not survive json and back: \(label)")
        }
    }
}
