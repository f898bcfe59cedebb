/// Decoding of HTML character references in attribute values and text.
///
/// Guarantees: `&amp; &lt; &gt; &quot; &apos; &nbsp;`, decimal `&#NN;` and hex `&#xHH;` are
/// decoded; unknown or malformed references are left as written; invalid code points become
/// U+FFFD. Bounded: a reference longer than 32 characters is not a reference.
enum HTMLEntities {
    private static let named: [Substring: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}",
    ]

    static func decode(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = text[...]
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let afterAmp = rest.index(after: amp)
            let window = rest[afterAmp...].prefix(32)
            guard let semi = window.firstIndex(of: ";") else {
                out += "&"
                rest = rest[afterAmp...]
                continue
            }
            let body = rest[afterAmp..<semi]
            if let replacement = replacement(for: body) {
                out += replacement
                rest = rest[rest.index(after: semi)...]
            } else {
                out += "&"
                rest = rest[afterAmp...]
            }
        }
        out += rest
        return out
    }

    private static func replacement(for body: Substring) -> String? {
        if let value = named[body] { return value }
        guard body.first == "#" else { return nil }
        var digits = body.dropFirst()
        var radix = 10
        if digits.first == "x" || digits.first == "X" {
            radix = 16
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, let code = UInt32(digits, radix: radix) else { return nil }
        guard let scalar = Unicode.Scalar(code), code != 0 else { return "\u{FFFD}" }
        return String(Character(scalar))
    }
}
