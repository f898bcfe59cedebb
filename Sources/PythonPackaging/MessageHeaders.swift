/// The header block of an RFC 822-style message, as used by `WHEEL` and `METADATA` files.
///
/// Guarantees: parsing stops at the first blank line (the body is never decoded), only the
/// header block must be UTF-8, CRLF, LF and CR line endings are accepted, continuation lines
/// (starting with space or tab) are appended to the previous value joined by `\n`, names are
/// matched case-insensitively, and the header count and block size are bounded.
public struct MessageHeaders: Sendable {
    /// One `Name: value` header; `value` is trimmed of surrounding whitespace.
    public struct Field: Sendable, Hashable {
        public let name: String
        public let value: String
    }

    /// The headers in file order (repeated names appear repeatedly).
    public let fields: [Field]

    /// Largest header block accepted.
    public static let maxHeaderBytes = 4 << 20
    /// Most headers accepted.
    public static let maxFields = 20_000

    /// Parses the header block of `bytes`; `origin` names the file in error messages.
    public init(parsing bytes: some Collection<UInt8>, origin: String) throws(PackagingError) {
        let all = Array(bytes)
        let end = MessageHeaders.headerBlockEnd(all)
        guard end <= MessageHeaders.maxHeaderBytes else {
            throw PackagingError(.limitExceeded, "\(origin): header block larger than \(MessageHeaders.maxHeaderBytes) bytes")
        }
        guard let text = String(validating: all[0..<end], as: UTF8.self) else {
            throw PackagingError(.invalidMetadata, "\(origin): header block is not valid UTF-8")
        }
        var fields: [Field] = []
        var pending: (name: String, value: String)?
        // In Swift "\r\n" is one Character, so split on each line-break spelling (as email.feedparser).
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            if line.isEmpty { break }
            if let first = line.first, first == " " || first == "\t" {
                // Continuation of the previous header; one with nothing to continue is ignored.
                if pending != nil { pending?.value += "\n" + line }
                continue
            }
            if let p = pending {
                fields.append(Field(name: p.name, value: p.value.trimmedOfASCIIWhitespace()))
                pending = nil
            }
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex,
                !line[..<colon].contains(where: { $0 == " " || $0 == "\t" })
            else {
                // Not a header: like Python's email parser, the header block ends here.
                break
            }
            guard fields.count < MessageHeaders.maxFields else {
                throw PackagingError(.limitExceeded, "\(origin): more than \(MessageHeaders.maxFields) headers")
            }
            pending = (String(line[..<colon]), String(line[line.index(after: colon)...]))
        }
        if let p = pending {
            fields.append(Field(name: p.name, value: p.value.trimmedOfASCIIWhitespace()))
        }
        self.fields = fields
    }

    /// The first value of the header `name` (case-insensitive), if present.
    public func first(_ name: String) -> String? {
        let key = name.lowercased()
        return fields.first { $0.name.lowercased() == key }?.value
    }

    /// Every value of the header `name` (case-insensitive), in file order.
    public func all(_ name: String) -> [String] {
        let key = name.lowercased()
        return fields.filter { $0.name.lowercased() == key }.map(\.value)
    }

    /// Byte offset where the header block ends: the first empty line (LF or CRLF), else the end.
    static func headerBlockEnd(_ bytes: [UInt8]) -> Int {
        var lineStart = 0
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x0A {
                let lineLength = i - lineStart
                if lineLength == 0 || (lineLength == 1 && bytes[lineStart] == 0x0D) { return lineStart }
                lineStart = i + 1
            }
            i += 1
        }
        return bytes.count
    }
}
