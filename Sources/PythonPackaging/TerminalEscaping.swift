/// The one rule for showing untrusted text on a terminal (``TerminalText`` applies it).
///
/// Guarantees: the result of `escape` contains no character that a terminal acts on or that
/// renders invisibly, so untrusted text can neither move the cursor, erase or recolour what we
/// print, start a new line, reorder the text around it, nor hide characters:
/// - C0 controls and DEL: `\t`, `\n`, `\r`, else `\xHH` (`\x1b` for ESC, `\x7f` for DEL);
/// - every other character that is escaped: `\u{HHHH}` (at least four hex digits): C1 controls
///   (U+0080–U+009F), format characters (bidirectional embeddings, overrides, isolates and marks,
///   zero-width space / joiners, word joiner, BOM, soft hyphen, tag characters …), every other
///   default-ignorable code point (variation selectors, Hangul fillers …), line and paragraph
///   separators, space separators other than U+0020, private-use, unassigned and noncharacter
///   code points, and a combining mark that opens the string (it would combine with our text
///   before it);
/// - a backslash is doubled, so no escape can be forged;
/// - bytes that are not valid UTF-8 (``escape(bytes:)``): `\xHH` for each byte of the invalid
///   sequence (always ≥ `\x80`, so never confused with an escaped control character).
/// Everything else (printable ASCII, letters, digits, punctuation and symbols of any script,
/// combining marks after a base character, emoji without joiners) is kept as it is. The mapping
/// is injective: two different strings never look the same once escaped. It is not idempotent on
/// purpose (escaping twice doubles the backslashes): ``TerminalText`` keeps escaped text from
/// being escaped again.
public enum TerminalEscaping {
    /// `text` made safe for a terminal.
    public static func escape(_ text: some StringProtocol) -> String {
        var needed = false
        for scalar in text.unicodeScalars where scalar == "\\" || mustEscape(scalar) {
            needed = true
            break
        }
        if !needed, let first = text.unicodeScalars.first, isCombining(first) { needed = true }
        guard needed else { return String(text) }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        var isFirst = true
        for scalar in text.unicodeScalars {
            append(scalar, to: &out, opening: isFirst)
            isFirst = false
        }
        return out
    }

    /// Bytes that may not be valid UTF-8, made safe for a terminal.
    public static func escape(bytes: some Sequence<UInt8>) -> String {
        let bytes = Array(bytes)
        var out = ""
        out.reserveCapacity(bytes.count + 16)
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        // Every result says how many bytes it stands for, so `position` follows the input even
        // though the parser reads ahead.
        var position = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                append(Unicode.UTF8.decode(encoded), to: &out, opening: position == 0)
                position += encoded.count
            case .error(let length):
                for byte in bytes[position..<position + length] {
                    out += "\\x" + hex(UInt32(byte), minimumDigits: 2, uppercase: false)
                }
                position += length
            case .emptyInput:
                return out
            }
        }
    }

    /// JSON text (as `JSONEncoder` writes it) with every character `escape` would escape that is
    /// still raw in it written as a JSON `\uHHHH` escape, so the document shows nothing hidden on a
    /// terminal while a JSON parser reads exactly the same values. Only non-ASCII characters, DEL
    /// and C0 controls other than the structural whitespace (tab, newline, carriage return) are
    /// touched; none of them can stand outside a string in valid JSON.
    public static func escapeJSON(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: { ($0.value >= 0x7F || isBareControl($0)) && mustEscape($0) }) else {
            return json
        }
        var out = ""
        out.reserveCapacity(json.utf8.count + 32)
        for scalar in json.unicodeScalars {
            guard (scalar.value >= 0x7F || isBareControl(scalar)) && mustEscape(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            for unit in String(scalar).utf16 {
                out += "\\u" + hex(UInt32(unit), minimumDigits: 4, uppercase: false)
            }
        }
        return out
    }

    /// Whether a character is never shown as it is.
    public static func mustEscape(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x20 || value == 0x7F { return true }
        if value < 0x7F { return false }
        if value < 0xA0 { return true }
        let properties = scalar.properties
        switch properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .spaceSeparator,
            .privateUse, .unassigned, .surrogate:
            return true
        default:
            return properties.isDefaultIgnorableCodePoint || properties.isNoncharacterCodePoint
        }
    }

    private static func isBareControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r"
    }

    private static func isCombining(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: true
        default: false
        }
    }

    private static func append(_ scalar: Unicode.Scalar, to out: inout String, opening: Bool) {
        switch scalar {
        case "\\": out += "\\\\"
        case "\t": out += "\\t"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\x" + hex(scalar.value, minimumDigits: 2, uppercase: false)
            } else if mustEscape(scalar) || (opening && isCombining(scalar)) {
                out += "\\u{" + hex(scalar.value, minimumDigits: 4, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }

    private static func hex(_ value: UInt32, minimumDigits: Int, uppercase: Bool) -> String {
        let digits = String(value, radix: 16, uppercase: uppercase)
        return String(repeating: "0", count: max(0, minimumDigits - digits.count)) + digits
    }
}
