import AttestationsTestSupport
import Foundation
import Testing

@testable import Attestations
@testable import Sigstore

@Suite struct CanonicalJSONTests {
    /// RFC 8785 §3.2.2 "Sample Input" / "Sample Output".
    @Test func rfc8785SampleOfSection322() throws {
        let input = #"""
            {
              "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """#
        let value = try JSONValue.parse(Data(input.utf8), what: "sample")
        let expected =
            #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        #expect(try CanonicalJSON.string(value) == expected)
        // §3.2.4: the same output as UTF-8 bytes.
        let hex =
            "7b226c69746572616c73223a5b6e756c6c2c747275652c66616c73655d2c226e756d62657273223a5b3333333333333333332e333333333333332c31652b33302c342e352c302e3030322c31652d32375d2c22737472696e67223a22e282ac245c75303030665c6e4127425c225c5c5c5c5c222f227d"
        #expect(try CanonicalJSON.serialize(value).hex == hex)
    }

    /// RFC 8785 §3.2.3: members sorted by UTF-16 code units (the emoji's surrogates sort before U+FB33).
    @Test func rfc8785SortingOfSection323() throws {
        let value: JSONValue = .object([
            "\u{20ac}": .string("Euro Sign"),
            "\r": .string("Carriage Return"),
            "\u{fb33}": .string("Hebrew Letter Dalet With Dagesh"),
            "1": .string("One"),
            "\u{1F600}": .string("Emoji: Grinning Face"),
            "\u{0080}": .string("Control"),
            "\u{00f6}": .string("Latin Small Letter O With Diaeresis"),
        ])
        let text = try CanonicalJSON.string(value)
        let order = ["Carriage Return", "One", "Control", "Latin Small", "Euro Sign", "Emoji", "Hebrew"]
        let positions = order.map { text.range(of: $0)?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        #expect(text.hasPrefix(#"{"\r":"Carriage Return","1":"One","\#u{0080}":"Control""#))
    }

    /// RFC 8785 Appendix B: IEEE 754 bit patterns and their ECMAScript serialisation.
    @Test(
        arguments: [
            (0x0000000000000000, "0"), (0x8000000000000000, "0"), (0x0000000000000001, "5e-324"),
            (0x8000000000000001, "-5e-324"), (0x7fefffffffffffff, "1.7976931348623157e+308"),
            (0xffefffffffffffff, "-1.7976931348623157e+308"), (0x4340000000000000, "9007199254740992"),
            (0xc340000000000000, "-9007199254740992"), (0x4430000000000000, "295147905179352830000"),
            (0x44b52d02c7e14af5, "9.999999999999997e+22"), (0x44b52d02c7e14af6, "1e+23"),
            (0x44b52d02c7e14af7, "1.0000000000000001e+23"), (0x444b1ae4d6e2ef4e, "999999999999999700000"),
            (0x444b1ae4d6e2ef4f, "999999999999999900000"), (0x444b1ae4d6e2ef50, "1e+21"),
            (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"), (0x3eb0c6f7a0b5ed8d, "0.000001"),
            (0x41b3de4355555553, "333333333.3333332"), (0x41b3de4355555554, "333333333.33333325"),
            (0x41b3de4355555555, "333333333.3333333"), (0x41b3de4355555556, "333333333.3333334"),
            (0x41b3de4355555557, "333333333.33333343"), (0xbecbf647612f3696, "-0.0000033333333333333333"),
            (0x43143ff3c1cb0959, "1424953923781206.2"),
        ] as [(UInt64, String)])
    func rfc8785AppendixBNumbers(bits: UInt64, expected: String) throws {
        #expect(try CanonicalJSON.formatNumber(Double(bitPattern: bits)) == expected)
    }

    /// Beyond Appendix B: the next double after 1e-6 stays in plain notation (n = -5).
    @Test func smallNumberJustAboveOneMillionth() throws {
        #expect(try CanonicalJSON.formatNumber(Double(bitPattern: 0x3eb0c6f7a0b5ed8e)) == "0.0000010000000000000002")
    }

    @Test func rekorSizedIntegersHaveNoExponent() throws {
        #expect(try CanonicalJSON.string(.number(1733354041)) == "1733354041")
        #expect(try CanonicalJSON.string(.number(153454663)) == "153454663")
        #expect(try CanonicalJSON.string(.number(-12)) == "-12")
        #expect(try CanonicalJSON.string(.number(1e20)) == "100000000000000000000")
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteNumbersAreRefused(number: Double) {
        #expect(throws: AttestationError.self) { try CanonicalJSON.serialize(.number(number)) }
    }

    @Test func stringEscaping() throws {
        let value: JSONValue = .string("a\u{1}\u{8}\u{9}\u{a}\u{c}\u{d}\u{1f}\"\\/\u{7f}\u{2028}é")
        #expect(try CanonicalJSON.string(value) == "\"a\\u0001\\b\\t\\n\\f\\r\\u001f\\\"\\\\/\u{7f}\u{2028}é\"")
    }

    @Test func noWhitespaceAndNestedSorting() throws {
        let value: JSONValue = .object(["b": .array([.object(["z": .null, "a": .bool(true)]), .number(1.5)]), "a": .object([:])])
        #expect(try CanonicalJSON.string(value) == #"{"a":{},"b":[{"a":true,"z":null},1.5]}"#)
    }

    @Test func excessiveNestingIsRefused() {
        var value: JSONValue = .null
        for _ in 0...CanonicalJSON.maxDepth { value = .array([value]) }
        #expect(throws: AttestationError.self) { try CanonicalJSON.serialize(value) }
    }
}
