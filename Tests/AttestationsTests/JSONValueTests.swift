import Foundation
import Testing

@testable import Attestations

@Suite struct JSONValueTests {
    @Test func decodesEveryKindAndSubscripts() throws {
        let json = try JSONValue.parse(Data(#"{"a":[null,true,1.5,"s"],"o":{"k":"v"}}"#.utf8), what: "test")
        #expect(json["a"]?[0] == .null)
        #expect(json["a"]?[1]?.boolValue == true)
        #expect(json["a"]?[2]?.numberValue == 1.5)
        #expect(json["a"]?[3]?.stringValue == "s")
        #expect(json["a"]?[4] == nil)
        #expect(json["o"]?["k"]?.stringValue == "v")
        #expect(json["missing"] == nil)
        #expect(json["a"]?["k"] == nil)
        #expect(try JSONValue.parse(JSONEncoder().encode(json), what: "test") == json)
    }

    @Test func booleansAreNotNumbers() throws {
        let json = try JSONValue.parse(Data("[true, 1, 0, false]".utf8), what: "test")
        #expect(json == .array([.bool(true), .number(1), .number(0), .bool(false)]))
    }

    @Test func rejectsInvalidJSON() {
        #expect((#expect(throws: AttestationError.self) { try JSONValue.parse(Data("{\"a\":}".utf8), what: "x") })?.code == .malformedJSON)
    }
}
