import Attestations
import Foundation

/// RFC 8785 JSON Canonicalization Scheme (JCS) serialisation of a `JSONValue`.
///
/// Guarantees: object members sorted by the UTF-16 code units of their names, no whitespace,
/// strings escaped exactly as RFC 8785 §3.2.2.2 requires (only `"`, `\` and control characters are
/// escaped; control characters other than `\b \f \n \r \t` as `\u00xx` lowercase), numbers
/// formatted as ECMAScript's `Number.prototype.toString` (shortest round-trip digits; integers
/// below 1e21 without exponent; `-0` as `0`). NaN and infinities cannot be represented and are
/// refused. Nesting deeper than `maxDepth` is refused, so hostile input costs bounded stack.
public enum CanonicalJSON {
    /// Nesting deeper than this is refused.
    public static let maxDepth = 128

    /// The canonical UTF-8 bytes of `value`.
    public static func serialize(_ value: JSONValue) throws(AttestationError) -> [UInt8] {
        var out: [UInt8] = []
        try write(value, into: &out, depth: 0)
        return out
    }

    /// The canonical text of `value` (the same bytes as `serialize`, as a String).
    public static func string(_ value: JSONValue) throws(AttestationError) -> String {
        String(decoding: try serialize(value), as: UTF8.self)
    }

    private static func write(_ value: JSONValue, into out: inout [UInt8], depth: Int) throws(AttestationError) {
        guard depth <= maxDepth else {
            throw AttestationError(.malformedJSON, "canonical JSON: nesting deeper than \(maxDepth) levels")
        }
        switch value {
        case .null: out.append(contentsOf: Array("null".utf8))
        case .bool(let flag): out.append(contentsOf: Array((flag ? "true" : "false").utf8))
        case .number(let number): out.append(contentsOf: Array(try formatNumber(number).utf8))
        case .string(let text): writeString(text, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                try write(element, into: &out, depth: depth + 1)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
            for (index, key) in keys.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                if let member = members[key] {
                    try write(member, into: &out, depth: depth + 1)
                }
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Writes `text` as a JSON string per RFC 8785 §3.2.2.2.
    static func writeString(_ text: String, into out: inout [UInt8]) {
        let hexDigits = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x00..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `number` formatted as ECMAScript `Number.prototype.toString` (ECMA-262 §6.1.6.1.20).
    public static func formatNumber(_ number: Double) throws(AttestationError) -> String {
        guard number.isFinite else {
            throw AttestationError(.malformedJSON, "canonical JSON: \(number) is not representable (RFC 8785 §3.2.2.3)")
        }
        if number == 0 { return "0" }
        let negative = number < 0
        // Swift's description gives the shortest digits that round-trip (as ECMAScript requires);
        // only the layout differs, so take the digits and the decimal exponent from it.
        let (digits, pointPosition) = decimalDigits(of: negative ? -number : number)
        let k = digits.count
        let n = pointPosition
        var text: String
        if k <= n && n <= 21 {
            text = digits + String(repeating: "0", count: n - k)
        } else if 0 < n && n <= 21 {
            let split = digits.index(digits.startIndex, offsetBy: n)
            text = digits[..<split] + "." + digits[split...]
        } else if -6 < n && n <= 0 {
            text = "0." + String(repeating: "0", count: -n) + digits
        } else {
            let exponent = n - 1
            let sign = exponent < 0 ? "-" : "+"
            let head = String(digits.prefix(1))
            let tail = String(digits.dropFirst())
            text = head + (tail.isEmpty ? "" : "." + tail) + "e" + sign + String(abs(exponent))
        }
        return negative ? "-" + text : text
    }

    /// The significant digits `s` (no leading or trailing zeros) and `n` such that the value is
    /// `0.s × 10^n`, read from Swift's shortest round-trip description of a positive finite double.
    private static func decimalDigits(of value: Double) -> (String, Int) {
        let description = value.description
        var mantissa = Substring(description)
        var exponent = 0
        if let e = description.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = description[..<e]
            exponent = Int(description[description.index(after: e)...]) ?? 0
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let integerPart = parts.first.map(String.init) ?? ""
        let fractionPart = parts.count > 1 ? String(parts[1]) : ""
        var all = Array(integerPart + fractionPart)
        var point = integerPart.count + exponent
        while let first = all.first, first == "0" {
            all.removeFirst()
            point -= 1
        }
        while let last = all.last, last == "0" { all.removeLast() }
        return (String(all), point)
    }
}
