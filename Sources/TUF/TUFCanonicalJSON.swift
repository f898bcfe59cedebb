import Attestations

/// The canonical JSON form TUF signs: the securesystemslib / OLPC "Canonical JSON" dialect
/// (<http://wiki.laptop.org/go/Canonical_JSON>), which is NOT RFC 8785 (see `CanonicalJSON` for that).
///
/// Guarantees: object members sorted by the Unicode code points of their names (as Python's
/// `sorted` on `str` does), no whitespace, strings written as UTF-8 with only `"` and `\` escaped
/// (every other character, control characters included, is written raw), numbers only as integers
/// (a fraction, exponent or a magnitude beyond 2^53 is refused: the dialect has no floats), `true`,
/// `false`, `null`. Nesting deeper than `maxDepth` is refused.
public enum TUFCanonicalJSON {
    /// Nesting deeper than this is refused.
    public static let maxDepth = 64

    /// The canonical UTF-8 bytes of `value`; nil when `value` holds something the dialect cannot
    /// express (a non-integer number) or nests too deep.
    public static func serialize(_ value: JSONValue) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        return write(value, into: &out, depth: 0) ? out : nil
    }

    private static func write(_ value: JSONValue, into out: inout [UInt8], depth: Int) -> Bool {
        guard depth <= maxDepth else { return false }
        switch value {
        case .null: out.append(contentsOf: Array("null".utf8))
        case .bool(let flag): out.append(contentsOf: Array((flag ? "true" : "false").utf8))
        case .number(let number):
            guard let integer = TUFJSON.exactInteger(number) else { return false }
            out.append(contentsOf: Array(String(integer).utf8))
        case .string(let text): writeString(text, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                guard write(element, into: &out, depth: depth + 1) else { return false }
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { codePointsPrecede($0, $1) }
            for (index, key) in keys.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                guard let member = members[key], write(member, into: &out, depth: depth + 1) else { return false }
            }
            out.append(UInt8(ascii: "}"))
        }
        return true
    }

    private static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Code-point order (Swift's `<` on String compares canonical equivalents, which Python does not).
    /// UTF-8 byte order equals code-point order.
    static func codePointsPrecede(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }
}
