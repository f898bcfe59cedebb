/// Request data and served-folder names written into a `text/plain` response body or a log line.
///
/// Guarantees: the output of `plain(_:limit:)` holds no character `isInvisible` names (C0 and C1
/// controls including CR, LF and NUL, DEL, bidirectional and line-separator format characters):
/// each is written as `\u{…}` with its code point in hex, and a backslash as `\\`, so the text is
/// one line that shows exactly which characters arrived. At most `limit` characters of the input
/// are kept (then `…`), so an over-long request cannot make a long answer.
enum UntrustedText {
    static let defaultLimit = 200

    static func plain(_ text: String, limit: Int = defaultLimit) -> String {
        var out = ""
        var kept = 0
        for scalar in text.unicodeScalars {
            if kept == limit {
                out += "…"
                break
            }
            kept += 1
            if scalar == "\\" {
                out += "\\\\"
            } else if isInvisible(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Characters that act on a terminal or on the display order rather than show as themselves.
    static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true                 // C0, DEL, C1 (CSI 0x9B among them)
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true   // bidi marks and overrides
        case 0x2028, 0x2029: return true                            // line and paragraph separators
        default: return false
        }
    }
}
