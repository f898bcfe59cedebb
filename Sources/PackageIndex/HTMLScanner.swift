/// A small, bounded scanner for the `<a>` (and `<base>`) elements of a PEP 503 page.
///
/// Guarantees: linear time in the input; never crashes on any byte sequence; attribute names
/// are lowercased; attribute values and link text have HTML character references decoded.
/// It is not a general HTML parser: comments are skipped, everything else that is not an
/// `<a …>…</a>` or `<base …>` element is ignored.
struct HTMLScanner {
    struct Anchor {
        var attributes: [String: String]
        var text: String
    }

    private(set) var anchors: [Anchor] = []
    private(set) var baseHref: String?

    init(_ bytes: [UInt8]) {
        var i = 0
        let n = bytes.count
        while i < n {
            guard bytes[i] == UInt8(ascii: "<") else { i += 1; continue }
            // Comments.
            if HTMLScanner.hasPrefix(bytes, at: i, "<!--") {
                if let end = HTMLScanner.find(bytes, "-->", from: i + 4) { i = end + 3 } else { break }
                continue
            }
            let nameStart = i + 1
            var j = nameStart
            while j < n, HTMLScanner.isNameByte(bytes[j]) { j += 1 }
            let name = String(decoding: bytes[nameStart..<j], as: UTF8.self).lowercased()
            guard name == "a" || name == "base" else { i = max(j, i + 1); continue }
            let (attributes, tagEnd) = HTMLScanner.attributes(bytes, from: j)
            i = tagEnd
            if name == "base" {
                if baseHref == nil, let href = attributes["href"] { baseHref = href }
                continue
            }
            // Link text runs to the closing </a> (or the next <a, for broken pages).
            var textEnd = i
            while textEnd < n {
                if bytes[textEnd] == UInt8(ascii: "<"),
                    HTMLScanner.hasPrefixCaseInsensitive(bytes, at: textEnd, "</a")
                        || HTMLScanner.hasPrefixCaseInsensitive(bytes, at: textEnd, "<a ")
                {
                    break
                }
                textEnd += 1
            }
            let rawText = String(decoding: bytes[i..<textEnd], as: UTF8.self)
            anchors.append(Anchor(attributes: attributes, text: HTMLEntities.decode(rawText).trimmingWhitespace()))
            i = textEnd
        }
    }

    /// Parses attributes from `start` to the closing `>`; returns them and the index after `>`.
    private static func attributes(_ bytes: [UInt8], from start: Int) -> ([String: String], Int) {
        var result: [String: String] = [:]
        var i = start
        let n = bytes.count
        while i < n {
            while i < n, isSpace(bytes[i]) || bytes[i] == UInt8(ascii: "/") { i += 1 }
            guard i < n else { break }
            if bytes[i] == UInt8(ascii: ">") { return (result, i + 1) }
            let nameStart = i
            while i < n, !isSpace(bytes[i]), bytes[i] != UInt8(ascii: "="), bytes[i] != UInt8(ascii: ">") { i += 1 }
            let name = String(decoding: bytes[nameStart..<i], as: UTF8.self).lowercased()
            while i < n, isSpace(bytes[i]) { i += 1 }
            var value = ""
            if i < n, bytes[i] == UInt8(ascii: "=") {
                i += 1
                while i < n, isSpace(bytes[i]) { i += 1 }
                if i < n, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") {
                    let quote = bytes[i]
                    let valueStart = i + 1
                    i = valueStart
                    while i < n, bytes[i] != quote { i += 1 }
                    value = String(decoding: bytes[valueStart..<min(i, n)], as: UTF8.self)
                    if i < n { i += 1 }
                } else {
                    let valueStart = i
                    while i < n, !isSpace(bytes[i]), bytes[i] != UInt8(ascii: ">") { i += 1 }
                    value = String(decoding: bytes[valueStart..<i], as: UTF8.self)
                }
            }
            if !name.isEmpty, result[name] == nil { result[name] = HTMLEntities.decode(value) }
        }
        return (result, n)
    }

    private static func isSpace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0C
    }

    private static func isNameByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
    }

    private static func hasPrefix(_ bytes: [UInt8], at index: Int, _ prefix: String) -> Bool {
        let p = Array(prefix.utf8)
        guard index + p.count <= bytes.count else { return false }
        for k in 0..<p.count where bytes[index + k] != p[k] { return false }
        return true
    }

    private static func hasPrefixCaseInsensitive(_ bytes: [UInt8], at index: Int, _ prefix: String) -> Bool {
        let p = Array(prefix.utf8)
        guard index + p.count <= bytes.count else { return false }
        for k in 0..<p.count {
            let a = bytes[index + k], b = p[k]
            let lower = (a >= 65 && a <= 90) ? a + 32 : a
            if lower != b { return false }
        }
        return true
    }

    private static func find(_ bytes: [UInt8], _ needle: String, from start: Int) -> Int? {
        let p = Array(needle.utf8)
        guard !p.isEmpty, bytes.count >= p.count, start <= bytes.count - p.count else { return nil }
        var i = start
        while i <= bytes.count - p.count {
            if bytes[i] == p[0], hasPrefix(bytes, at: i, needle) { return i }
            i += 1
        }
        return nil
    }
}
