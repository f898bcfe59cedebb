/// Escapes text for HTML element content and double-quoted attribute values.
///
/// Guarantees: `&`, `<`, `>`, `"` and `'` never appear unescaped in the output, and neither does
/// any character `UntrustedText.isInvisible` names (C0 and C1 controls, DEL, bidirectional and
/// line-separator format characters): those become numeric character references (`&#x1B;`), so a
/// page shown raw on a terminal cannot carry an escape sequence or reorder what it shows.
enum HTMLEscaping {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if UntrustedText.isInvisible(scalar) {
                    out += "&#x" + String(scalar.value, radix: 16, uppercase: true) + ";"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
