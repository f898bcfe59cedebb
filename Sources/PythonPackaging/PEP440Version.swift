/// An arbitrary-size non-negative decimal number kept as canonical digits (no leading zeros),
/// so that hostile version strings with huge numbers cannot overflow.
struct Numeral: Hashable, Comparable, Sendable, CustomStringConvertible {
    let digits: String

    init(digits raw: Substring) {
        let trimmed = raw.drop { $0 == "0" }
        digits = trimmed.isEmpty ? "0" : String(trimmed)
    }

    static let zero = Numeral(digits: "0")

    var isZero: Bool { digits == "0" }
    var description: String { digits }

    static func < (lhs: Numeral, rhs: Numeral) -> Bool {
        if lhs.digits.count != rhs.digits.count { return lhs.digits.count < rhs.digits.count }
        return lhs.digits < rhs.digits
    }
}

/// A valid PEP 440 version broken into its parts, with spellings already normalized.
struct PEP440Version: Hashable, Sendable {
    enum PreKind: Int, Hashable, Sendable, Comparable {
        case alpha = 0, beta = 1, rc = 2
        var label: String { ["a", "b", "rc"][rawValue] }
        static func < (l: PreKind, r: PreKind) -> Bool { l.rawValue < r.rawValue }
    }
    enum LocalSegment: Hashable, Sendable {
        case number(Numeral)
        case text(String)
        var description: String {
            switch self {
            case .number(let n): return n.description
            case .text(let s): return s
            }
        }
    }

    var epoch: Numeral = .zero
    var release: [Numeral] = []
    var pre: (kind: PreKind, number: Numeral)?
    var post: Numeral?
    var dev: Numeral?
    var local: [LocalSegment]?

    /// The release with trailing zeros removed: `1.0.0` and `1` compare equal.
    var trimmedRelease: ArraySlice<Numeral> {
        var end = release.count
        while end > 1, release[end - 1].isZero { end -= 1 }
        return release[0..<end]
    }

    /// PEP 440 normal form.
    var normalForm: String {
        var s = ""
        if !epoch.isZero { s += "\(epoch)!" }
        s += release.map(\.description).joined(separator: ".")
        if let pre { s += "\(pre.kind.label)\(pre.number)" }
        if let post { s += ".post\(post)" }
        if let dev { s += ".dev\(dev)" }
        if let local { s += "+" + local.map(\.description).joined(separator: ".") }
        return s
    }

    static func == (l: PEP440Version, r: PEP440Version) -> Bool { compare(l, r) == 0 }

    func hash(into hasher: inout Hasher) {
        hasher.combine(epoch)
        hasher.combine(Array(trimmedRelease))
        hasher.combine(pre?.kind)
        hasher.combine(pre?.number)
        hasher.combine(post)
        hasher.combine(dev)
        hasher.combine(local)
    }

    /// Three-way comparison in PEP 440 order (mirrors the ordering of the reference implementation).
    static func compare(_ a: PEP440Version, _ b: PEP440Version) -> Int {
        if a.epoch != b.epoch { return a.epoch < b.epoch ? -1 : 1 }
        let ra = a.trimmedRelease, rb = b.trimmedRelease
        for (x, y) in zip(ra, rb) where x != y { return x < y ? -1 : 1 }
        if ra.count != rb.count { return ra.count < rb.count ? -1 : 1 }
        let c = cmp(a.preKey, b.preKey); if c != 0 { return c }
        let p = cmpOptional(a.post, b.post, nilIsLow: true); if p != 0 { return p }
        let d = cmpOptional(a.dev, b.dev, nilIsLow: false); if d != 0 { return d }
        return compareLocal(a.local, b.local)
    }

    /// (rank, kind, number): rank 0 = dev-only release (sorts before any pre), 1 = pre-release, 2 = none.
    private var preKey: (Int, Int, Numeral) {
        if let pre { return (1, pre.kind.rawValue, pre.number) }
        if post == nil, dev != nil { return (0, 0, .zero) }
        return (2, 0, .zero)
    }

    private static func cmp(_ a: (Int, Int, Numeral), _ b: (Int, Int, Numeral)) -> Int {
        if a.0 != b.0 { return a.0 < b.0 ? -1 : 1 }
        if a.1 != b.1 { return a.1 < b.1 ? -1 : 1 }
        if a.2 != b.2 { return a.2 < b.2 ? -1 : 1 }
        return 0
    }

    private static func cmpOptional(_ a: Numeral?, _ b: Numeral?, nilIsLow: Bool) -> Int {
        switch (a, b) {
        case (nil, nil): return 0
        case (nil, _): return nilIsLow ? -1 : 1
        case (_, nil): return nilIsLow ? 1 : -1
        case let (x?, y?): return x == y ? 0 : (x < y ? -1 : 1)
        }
    }

    private static func compareLocal(_ a: [LocalSegment]?, _ b: [LocalSegment]?) -> Int {
        guard let a else { return b == nil ? 0 : -1 }
        guard let b else { return 1 }
        for (x, y) in zip(a, b) {
            switch (x, y) {
            case let (.number(m), .number(n)) where m != n: return m < n ? -1 : 1
            case let (.text(s), .text(t)) where s != t: return s < t ? -1 : 1
            case (.text, .number): return -1
            case (.number, .text): return 1
            default: continue
            }
        }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }
}

extension PEP440Version {
    /// Longest input considered for PEP 440 parsing; longer strings are treated as invalid.
    static let maxLength = 512

    /// Parses a PEP 440 version (case-insensitive, surrounding whitespace allowed, optional
    /// leading `v`, alternative spellings). Returns nil if `text` is not valid PEP 440.
    init?(parsing text: String) {
        guard text.utf8.count <= PEP440Version.maxLength else { return nil }
        let trimmed = text.trimmedOfASCIIWhitespace().lowercased()
        var p = Cursor(Array(trimmed.utf8))
        _ = p.eat("v")

        // Epoch and release.
        guard let first = p.digits() else { return nil }
        if p.eat("!") {
            epoch = first
            guard let r = p.digits() else { return nil }
            release = [r]
        } else {
            release = [first]
        }
        while p.peek == UInt8(ascii: "."), p.isDigit(at: p.index + 1) {
            p.index += 1
            guard let n = p.digits() else { return nil }
            release.append(n)
        }

        // Pre-release.
        let beforePre = p.index
        _ = p.separator()
        if let kind = p.preLabel() {
            _ = p.separator()
            pre = (kind, p.digits() ?? .zero)
        } else {
            p.index = beforePre
        }

        // Post-release.
        let beforePost = p.index
        if p.peek == UInt8(ascii: "-"), p.isDigit(at: p.index + 1) {
            p.index += 1
            post = p.digits()
        } else {
            _ = p.separator()
            if p.eat("post") || p.eat("rev") || p.eat("r") {
                _ = p.separator()
                post = p.digits() ?? .zero
            } else {
                p.index = beforePost
            }
        }

        // Dev release.
        let beforeDev = p.index
        _ = p.separator()
        if p.eat("dev") {
            _ = p.separator()
            dev = p.digits() ?? .zero
        } else {
            p.index = beforeDev
        }

        // Local version label.
        if p.eat("+") {
            var segments: [LocalSegment] = []
            repeat {
                guard let seg = p.alnumRun() else { return nil }
                if seg.allSatisfy({ $0.isASCII && $0.isNumber }) {
                    segments.append(.number(Numeral(digits: Substring(seg))))
                } else {
                    segments.append(.text(seg))
                }
            } while p.separator()
            local = segments
        }

        guard p.atEnd else { return nil }
    }
}

/// A byte cursor for the hand-written PEP 440 parser.
private struct Cursor {
    let bytes: [UInt8]
    var index = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index >= bytes.count }
    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    func isDigit(at i: Int) -> Bool { i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39 }

    mutating func digits() -> Numeral? {
        let start = index
        while isDigit(at: index) { index += 1 }
        guard index > start else { return nil }
        return Numeral(digits: Substring(String(decoding: bytes[start..<index], as: UTF8.self)))
    }

    mutating func eat(_ literal: String) -> Bool {
        let lit = Array(literal.utf8)
        guard index + lit.count <= bytes.count, Array(bytes[index..<index + lit.count]) == lit else { return false }
        index += lit.count
        return true
    }

    mutating func separator() -> Bool {
        guard let b = peek, b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: ".") else { return false }
        index += 1
        return true
    }

    mutating func preLabel() -> PEP440Version.PreKind? {
        if eat("alpha") || eat("a") { return .alpha }
        if eat("beta") || eat("b") { return .beta }
        if eat("preview") || eat("pre") || eat("rc") || eat("c") { return .rc }
        return nil
    }

    mutating func alnumRun() -> String? {
        let start = index
        while let b = peek, (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7A) { index += 1 }
        guard index > start else { return nil }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }
}

extension String {
    /// The string without leading and trailing ASCII whitespace.
    func trimmedOfASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = {
            $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" || $0 == "\r\n"
        }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
