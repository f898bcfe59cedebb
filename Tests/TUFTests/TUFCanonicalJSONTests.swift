import Foundation
import Sigstore
import Testing

@testable import Attestations
@testable import TUF

@Suite("TUF canonical JSON and metadata reading")
struct TUFCanonicalJSONTests {
    static func canonical(_ text: String) throws -> String? {
        TUFCanonicalJSON.serialize(try TUFJSON.parse(Array(text.utf8))).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func sortsKeysByCodePointAndDropsWhitespace() throws {
        #expect(
            try Self.canonical(#"{ "b": 1, "a": [true, false, null], "B": {"y": 2, "x": -3} }"#)
                == #"{"B":{"x":-3,"y":2},"a":[true,false,null],"b":1}"#)
        // Code-point order, not canonical-equivalence order: U+00E9 (é) sorts after "z", and
        // "e" + U+0301 sorts before "f".
        #expect(try Self.canonical("{\"\u{E9}\":1,\"z\":2}") == "{\"z\":2,\"\u{E9}\":1}")
        #expect(try Self.canonical("{\"f\":4,\"e\u{301}\":3}") == "{\"e\u{301}\":3,\"f\":4}")
    }

    @Test func canonicallyEquivalentNamesAreDuplicates() {
        // Swift treats "\u{E9}" and "e\u{301}" as one key; refusing the document keeps every
        // reader on the same member.
        #expect(throws: TUFJSON.Failure.self) { try TUFJSON.parse(Array("{\"\u{E9}\":1,\"e\u{301}\":3}".utf8)) }
    }

    @Test func escapesOnlyQuoteAndBackslash() throws {
        // OLPC: control characters and non-ASCII are written raw (RFC 8785 would escape \n as "\n").
        #expect(try Self.canonical(#"["a\"b\\c\nd\u00e9\/"]"#) == "[\"a\\\"b\\\\c\nd\u{E9}/\"]")
    }

    @Test func differsFromRFC8785() throws {
        let value = try TUFJSON.parse(Array(#"{"a":"line\nbreak"}"#.utf8))
        let tuf = try #require(TUFCanonicalJSON.serialize(value))
        let jcs = try CanonicalJSON.serialize(value)
        #expect(tuf != jcs)
    }

    @Test func refusesWhatTheDialectCannotExpress() {
        for bad in [
            "1.5", "1e3", "01", "{\"a\":1,\"a\":2}", "[1,]", "{\"a\" 1}", "tru", "\"\\x\"", "\"\\ud800\"",
            "9007199254740993", "[1] x", String(repeating: "[", count: 80) + String(repeating: "]", count: 80),
        ] {
            #expect(throws: TUFJSON.Failure.self, "\(bad.prefix(20))") { try TUFJSON.parse(Array(bad.utf8)) }
        }
        #expect(TUFCanonicalJSON.serialize(.number(0.5)) == nil)
    }

    @Test func readsSurrogatePairs() throws {
        #expect(try TUFJSON.parse(Array(#""\ud83d\ude00""#.utf8)) == .string("\u{1F600}"))
    }

    /// Sigstore's own production and staging roots (ECDSA P-256, hex DER signatures) verify with
    /// this canonical form: each is signed by a threshold of its own root keys.
    @Test(arguments: SigstoreTUF.Instance.allCases)
    func sigstoreRootsVerifyUnderTheirOwnKeys(_ instance: SigstoreTUF.Instance) throws {
        let root = try TUFRoot.parse(try SigstoreTUF.bootstrapRoot(instance))
        #expect(root.consistentSnapshot)
        #expect(root.keys.values.allSatisfy { $0.scheme == "ecdsa-sha2-nistp256" })
        #expect(root.thresholdProblem(for: "root", envelope: root.envelope) == nil)
        let roleKeys = try #require(root.roles["root"])
        let valid = root.envelope.validSignatureCount(keyIDs: roleKeys.keyIDs, keys: root.keys)
        #expect(valid >= roleKeys.threshold)
    }

    @Test func fixtureRootsUseAllThreeSchemes() throws {
        let root = try TUFRoot.parse(try TUFFixtures.bytes("good/metadata/3.root.json"))
        #expect(Set(root.keys.values.map(\.scheme)) == ["ed25519", "ecdsa-sha2-nistp256", "rsassa-pss-sha256"])
        #expect(root.keys.count == 5)
    }

    @Test func aChangedSignedByteBreaksTheSignature() throws {
        var text = String(decoding: try TUFFixtures.bytes("good/metadata/timestamp.json"), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"version\": 2\n }", with: "\"version\": 3\n }")
        let root = try TUFRoot.parse(try TUFFixtures.bytes("good/metadata/3.root.json"))
        let original = try TUFTimestamp.parse(try TUFFixtures.bytes("good/metadata/timestamp.json"))
        let forged = try TUFTimestamp.parse(Array(text.utf8))
        #expect(forged.version == 3)
        #expect(root.thresholdProblem(for: "timestamp", envelope: original.envelope) == nil)
        let problem = root.thresholdProblem(for: "timestamp", envelope: forged.envelope)
        #expect(problem?.valid == 0 && problem?.threshold == 1, "the edited bytes carry no valid signature: \(String(describing: problem))")
    }

    @Test func metadataOfTheWrongTypeIsRefused() throws {
        #expect(throws: TUFRefused.self) { try TUFTimestamp.parse(try TUFFixtures.bytes("good/metadata/2.snapshot.json")) }
    }

    @Test func keysOfUnknownSchemesNeverCount() {
        let key: JSONValue = .object([
            "keytype": .string("ed25519"), "scheme": .string("ed25519-sha512"),
            "keyval": .object(["public": .string(String(repeating: "ab", count: 32))]),
        ])
        guard case .failure(let problem) = TUFKey.parse(key) else {
            Issue.record("unknown scheme accepted")
            return
        }
        #expect(problem.reason.contains("unsupported key type/scheme"))
    }
}
