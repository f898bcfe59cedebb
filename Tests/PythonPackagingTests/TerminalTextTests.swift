import Foundation
import PythonPackaging
import Testing

/// The one rule for untrusted text on a terminal: every class of character a terminal acts on or
/// hides is escaped visibly, a backslash is doubled, ordinary text of any script is kept.
@Suite("terminal text")
struct TerminalTextTests {
    @Test("C0 controls, ESC, CR, LF, TAB, BS, BEL, NUL and DEL are shown as escapes")
    func c0AndDelete() {
        #expect(TerminalEscaping.escape("a\u{1B}[1A\u{1B}[2Kb") == "a\\x1b[1A\\x1b[2Kb")
        #expect(TerminalEscaping.escape("line\nnext\rover\ttab") == "line\\nnext\\rover\\ttab")
        #expect(TerminalEscaping.escape("\u{08}\u{07}\u{00}\u{7F}\u{1F}") == "\\x08\\x07\\x00\\x7f\\x1f")
        for value in UInt32(0)..<0x20 {
            let escaped = TerminalEscaping.escape(String(Unicode.Scalar(value)!))
            #expect(
                escaped.hasPrefix("\\") && escaped.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F },
                "U+\(String(value, radix: 16)) -> \(escaped)")
        }
    }

    @Test("C1 controls (U+0080–U+009F, CSI U+009B among them) are shown as \\u{…}")
    func c1() {
        for value in UInt32(0x80)...0x9F {
            let escaped = TerminalEscaping.escape("x" + String(Unicode.Scalar(value)!))
            #expect(escaped == "x\\u{00" + String(value, radix: 16, uppercase: true) + "}")
        }
        #expect(TerminalEscaping.escape("\u{9B}31m") == "\\u{009B}31m")
    }

    @Test(
        "bidirectional embeddings, overrides, isolates and marks are shown as \\u{…}",
        arguments: [0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F, 0x061C] as [UInt32])
    func bidi(value: UInt32) {
        let text = "evil" + String(Unicode.Scalar(value)!) + "yp.txt"
        let expected = "evil\\u{" + String(format: "%04X", value) + "}yp.txt"
        #expect(TerminalEscaping.escape(text) == expected)
    }

    @Test(
        "invisible characters are shown: zero-width, joiners, BOM, soft hyphen, tags, variation selectors, fillers, odd spaces",
        arguments: [
            0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x034F, 0xE0041, 0xE007F, 0xFE0F, 0xE0100,
            0x3164, 0x115F, 0x180E, 0x2028, 0x2029, 0x00A0, 0x2003, 0x3000, 0xE000, 0x10FFFD, 0xFFFE, 0x0378,
        ] as [UInt32])
    func invisible(value: UInt32) {
        let scalar = Unicode.Scalar(value)!
        #expect(TerminalEscaping.mustEscape(scalar))
        #expect(TerminalEscaping.escape("a" + String(scalar) + "b") == "a\\u{" + String(format: "%04X", value) + "}b")
    }

    @Test("a backslash is doubled, so an escape cannot be forged")
    func backslash() {
        #expect(TerminalEscaping.escape("\\x1b") == "\\\\x1b")
        #expect(TerminalEscaping.escape("\u{1B}") != TerminalEscaping.escape("\\x1b"))
        #expect(TerminalEscaping.escape("C:\\path") == "C:\\\\path")
    }

    @Test(
        "ordinary text of any script is kept as it is",
        arguments: [
            "café", "✓ VERIFIED", "数据工具", "Ελληνικά", "עברית", "العربية", "e\u{301}", "naïve-1.0", "😀", "–—…«»", "ß",
            "plain ASCII: !\"#$%&'()*+,-./0-9:;<=>?@[]^_`{|}~",
        ])
    func keepsOrdinaryText(text: String) {
        #expect(TerminalEscaping.escape(text) == text)
        #expect(TerminalText(escaping: text).rendered == text)
    }

    @Test("a combining mark that opens a value is shown, so it cannot attach to the text before it")
    func leadingCombiningMark() {
        #expect(TerminalEscaping.escape("\u{20DD}x") == "\\u{20DD}x")
        #expect(TerminalEscaping.escape("x\u{20DD}") == "x\u{20DD}")
    }

    @Test("bytes that are not UTF-8 are shown as \\xHH, valid sequences as text")
    func invalidUTF8() {
        #expect(TerminalEscaping.escape(bytes: [0x61, 0xFF, 0x62]) == "a\\xffb")
        #expect(TerminalEscaping.escape(bytes: Array("café".utf8)) == "café")
        #expect(TerminalEscaping.escape(bytes: [0xC3]) == "\\xc3")
        #expect(TerminalEscaping.escape(bytes: [0xE2, 0x9C, 0x41]) == "\\xe2\\x9cA")
        #expect(TerminalEscaping.escape(bytes: [0xED, 0xA0, 0x80]) == "\\xed\\xa0\\x80", "an encoded surrogate is not UTF-8")
        #expect(TerminalEscaping.escape(bytes: [0x1B, 0x5B, 0x32, 0x4A, 0x80]) == "\\x1b[2J\\x80")
        #expect(TerminalEscaping.escape(bytes: [0xC2, 0x9B]) == "\\u{009B}", "C1 encoded in UTF-8 is a control")
        #expect(TerminalText(escapingBytes: [0x5C, 0xFE]).rendered == "\\\\\\xfe")
    }

    @Test("escaping is injective: random strings of every class come back exactly from their escaped form")
    func injective() {
        var generator = SystemRandomNumberGenerator()
        let pool: [UInt32] = [
            0x00, 0x07, 0x09, 0x0A, 0x0D, 0x1B, 0x5C, 0x78, 0x75, 0x7B, 0x7D, 0x41, 0x7F, 0x85, 0x9B,
            0xE9, 0x301, 0x202E, 0x2066, 0x200B, 0x200D, 0xFEFF, 0x2713, 0x6570, 0xE0041, 0x1F600,
        ]
        var seen: [String: String] = [:]
        for _ in 0..<3000 {
            let length = Int.random(in: 0...6, using: &generator)
            let text = String(String.UnicodeScalarView((0..<length).map { _ in Unicode.Scalar(pool.randomElement(using: &generator)!)! }))
            let escaped = TerminalEscaping.escape(text)
            #expect(Self.unescape(escaped) == text, "\(escaped.debugDescription)")
            if let earlier = seen[escaped] { #expect(earlier == text) }
            seen[escaped] = text
            #expect(escaped.unicodeScalars.allSatisfy { !TerminalEscaping.mustEscape($0) })
        }
    }

    @Test("TerminalText: literals verbatim, interpolations escaped, nested TerminalText not escaped twice")
    func interpolation() {
        let kind = "\u{1B}[1A\u{1B}[2K  ✓ VERIFIED evil 1.0"
        let line: TerminalText = "\u{1B}[2Kpublisher \(kind)\n"
        #expect(line.rendered == "\u{1B}[2Kpublisher \\x1b[1A\\x1b[2K  ✓ VERIFIED evil 1.0\n")
        let inner: TerminalText = "a\\b \(kind)"
        let outer: TerminalText = "[\(inner)]"
        #expect(outer.rendered == "[" + inner.rendered + "]")
        let twice: TerminalText = "\(TerminalText(escaping: TerminalText(escaping: "\\").rendered))"
        #expect(twice.rendered == "\\\\\\\\", "escaping a rendered string again doubles its backslashes: use TerminalText to avoid it")
        let number: TerminalText = "\(42) \(3.5) \(["x\ny"])"
        #expect(number.rendered == "42 3.5 [\"x\\\\ny\"]")
        let joined = ["a\nb", "c"].map { TerminalText(escaping: $0) }.joined(separator: "\n")
        #expect(joined.rendered == "a\\nb\nc")
    }

    @Test("JSON keeps its values exactly; characters a terminal would act on or hide become \\u escapes")
    func json() throws {
        let values = ["\u{1B}[2K\r\n✓ VERIFIED", "a\u{202E}b\u{9B}c\u{7F}", "\u{E0041}\u{200B}é数据\u{2028}"]
        let data = try JSONEncoder().encode(["v": values])
        let escaped = TerminalEscaping.escapeJSON(String(decoding: data, as: UTF8.self))
        #expect(escaped.unicodeScalars.allSatisfy { !TerminalEscaping.mustEscape($0) }, "\(escaped)")
        #expect(escaped.contains("é数据"))
        #expect(escaped.contains("\\u202e") && escaped.contains("\\u009b") && escaped.contains("\\udb40\\udc41"), "\(escaped)")
        let decoded = try JSONDecoder().decode([String: [String]].self, from: Data(escaped.utf8))
        #expect(decoded["v"] == values)
        let pretty = "{\n  \"a\" : \"x\"\n}"
        #expect(TerminalEscaping.escapeJSON(pretty) == pretty, "structural whitespace is kept")
    }

    /// The inverse of `TerminalEscaping.escape`, for the injectivity test.
    static func unescape(_ text: String) -> String? {
        var out = String.UnicodeScalarView()
        var scalars = Array(text.unicodeScalars)[...]
        while let first = scalars.popFirst() {
            guard first == "\\" else { out.append(first); continue }
            switch scalars.popFirst() {
            case "\\": out.append("\\")
            case "t": out.append("\t")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "x":
                let digits = String(String.UnicodeScalarView(scalars.prefix(2)))
                scalars = scalars.dropFirst(2)
                guard let value = UInt32(digits, radix: 16), value < 0x20 || value == 0x7F else { return nil }
                out.append(Unicode.Scalar(value)!)
            case "u":
                guard scalars.popFirst() == "{", let end = scalars.firstIndex(of: "}") else { return nil }
                guard let value = UInt32(String(String.UnicodeScalarView(scalars[..<end])), radix: 16),
                    let scalar = Unicode.Scalar(value)
                else { return nil }
                scalars = scalars[(end + 1)...]
                out.append(scalar)
            default: return nil
            }
        }
        return String(out)
    }
}
