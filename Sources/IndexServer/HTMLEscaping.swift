import PythonPackaging

/// Escapes text for HTML element content and double-quoted attribute values.
///
/// Guarantees: `&`, `<`, `>`, `"` and `'` never appear unescaped in the output, and neither does
/// any character the project's rule for untrusted text escapes (`TerminalEscaping.mustEscape`:
/// controls, bidi and other invisible or format characters, line separators): those become
/// numeric character references (`&#x1B;`), so a page shown raw on a terminal cannot carry an
/// escape sequence, reorder or hide what it shows.
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
                if TerminalEscaping.mustEscape(scalar) {
                    out += "&#x" + String(scalar.value, radix: 16, uppercase: true) + ";"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
