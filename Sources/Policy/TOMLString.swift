/// TOML text written by wheeltrust (a starting policy, identities inserted into a lock).
///
/// Guarantees: ``basic(_:)`` is a TOML basic string that reads back as exactly `value`: `"` and `\`
/// escaped, tab, line feed and carriage return as their short escapes, printable ASCII as it is,
/// every other character (controls, non-ASCII, bidi and invisible ones) as `\uXXXX` or
/// `\UXXXXXXXX`, so nothing a value holds can end the string early, add a key or hide in review.
public enum TOMLString {
    public static func basic(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case " "..."~": out.unicodeScalars.append(scalar)
            default:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out +=
                    scalar.value <= 0xFFFF
                    ? "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    : "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
            }
        }
        return out + "\""
    }
}
