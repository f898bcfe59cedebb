import AttestationsTestSupport
import Foundation
import Testing

@testable import Attestations
@testable import Sigstore

@Suite struct TransparencyLogEntryTests {
    static func prodJSON() throws -> JSONValue {
        let attestation = try LogFixtures.attestation(LogFixtures.prodAttestation)
        return try #require(attestation.verificationMaterial?.transparencyEntries.first)
    }

    static func with(_ json: JSONValue, _ key: String, _ value: JSONValue?) -> JSONValue {
        guard case .object(var members) = json else { return json }
        members[key] = value
        return .object(members)
    }

    @Test func decodesProdEntry() throws {
        let entry = try TransparencyLogEntry(json: try Self.prodJSON())
        #expect(entry.logIndex == 153454663)
        #expect(entry.kind == "dsse")
        #expect(entry.signedEntryTimestamp?.count == 70)
        #expect(entry.inclusionProof?.checkpoint?.hasPrefix("rekor.sigstore.dev - ") == true)
        #expect(Data(entry.canonicalizedBody).base64EncodedString() == entry.canonicalizedBodyBase64)
    }

    @Test func unknownMembersAreRefusedAtEveryLevel() throws {
        let json = try Self.prodJSON()
        let extra = Self.with(json, "version", .number(1))
        #expect(throws: AttestationError.self) { try TransparencyLogEntry(json: extra) }
        guard case .object(let members) = json, case .object(var proof)? = members["inclusionProof"],
            case .object(var checkpoint)? = proof["checkpoint"]
        else {
            Issue.record("the prod entry has an inclusion proof with a checkpoint")
            return
        }
        checkpoint["signature"] = .string("x")
        proof["checkpoint"] = .object(checkpoint)
        #expect(throws: AttestationError.self) { try TransparencyLogEntry(json: Self.with(json, "inclusionProof", .object(proof))) }
        let kind = Self.with(json, "kindVersion", .object(["kind": .string("dsse"), "version": .string("0.0.1"), "x": .null]))
        #expect(throws: AttestationError.self) { try TransparencyLogEntry(json: kind) }
    }

    @Test func acceptsNumbersAndURLSafeBase64AndAbsentDefaults() throws {
        var json = try Self.prodJSON()
        json = Self.with(json, "logIndex", .number(153454663))
        json = Self.with(json, "integratedTime", nil)
        json = Self.with(json, "inclusionPromise", nil)
        json = Self.with(json, "logId", .object(["keyId": .string("wNI9atQGlz-VWfO6LRygH4QUfY_8W4RFwiT5i5WRgB0")]))
        let entry = try TransparencyLogEntry(json: json)
        #expect(entry.logIndex == 153454663)
        #expect(entry.integratedTime == 0)
        #expect(entry.signedEntryTimestamp == nil)
        #expect(entry.logID.hex == "c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d")
    }

    @Test(
        arguments: [
            ("logIndex", JSONValue.string("-1")), ("logIndex", .string("12a")), ("logIndex", .string("99999999999999999999")),
            ("logIndex", .number(1.5)), ("logIndex", .number(-3)), ("logIndex", .bool(true)),
            ("integratedTime", .string("")), ("logId", .object([:])), ("logId", .object(["keyId": .string("***")])),
            ("kindVersion", .object(["kind": .string("dsse")])), ("canonicalizedBody", nil),
            ("canonicalizedBody", .string("not base64!")), ("inclusionPromise", .object([:])),
            ("inclusionProof", .string("x")),
        ] as [(String, JSONValue?)])
    func malformedFieldsAreRefused(key: String, value: JSONValue?) throws {
        let json = Self.with(try Self.prodJSON(), key, value)
        #expect(throws: AttestationError.self) { try TransparencyLogEntry(json: json) }
        do {
            _ = try TransparencyLogEntry(json: json)
        } catch {
            #expect(error.code == .malformedLogEntry)
        }
    }

    @Test func malformedProofsAreRefused() throws {
        let json = try Self.prodJSON()
        let proof = try #require(json["inclusionProof"])
        let tooMany = Self.with(proof, "hashes", .array(Array(repeating: .string("AAAA"), count: 65)))
        let notArray = Self.with(proof, "hashes", .string("AAAA"))
        let badCheckpoint = Self.with(proof, "checkpoint", .object(["envelope": .number(1)]))
        let noRoot = Self.with(proof, "rootHash", nil)
        for bad in [tooMany, notArray, badCheckpoint, noRoot] {
            #expect(throws: AttestationError.self) { try TransparencyLogEntry(json: Self.with(json, "inclusionProof", bad)) }
        }
        #expect(throws: AttestationError.self) { try TransparencyLogEntry(json: .array([])) }
    }
}
