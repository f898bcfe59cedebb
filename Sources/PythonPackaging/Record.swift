/// The hash recorded for one RECORD row.
///
/// `.none` means the hash column was empty (RECORD itself, signature files, `.pyc` written at
/// install time). `.unsupported` carries an algorithm we do not accept (md5, sha1, anything
/// unknown); it is not a parse error, but verifiers must treat it as a failure, never a skip.
public enum RecordHash: Sendable, Hashable {
    case none
    case digest(FileDigest)
    case unsupported(algorithm: String)
}

/// One row of a RECORD file: a `/`-separated path relative to the install root (or the wheel
/// root), its hash and its size in bytes when given.
public struct RecordEntry: Sendable, Hashable {
    public let path: String
    public let hash: RecordHash
    public let size: Int64?

    public init(path: String, hash: RecordHash, size: Int64?) {
        self.path = path
        self.hash = hash
        self.size = size
    }
}

/// A parsed RECORD file (PEP 376 / PEP 627, the wheel and installed forms).
///
/// Guarantees: every row had exactly three CSV fields and valid UTF-8; every path is non-empty,
/// free of NUL and unique; every `sha256`/`sha384`/`sha512` digest is unpadded urlsafe base64 of
/// exactly the algorithm's length; every size is empty or a non-negative decimal integer.
/// Errors name the origin and the line number.
public struct Record: Sendable {
    public let entries: [RecordEntry]
    private let index: [String: Int]

    public init(parsing bytes: some Collection<UInt8>, origin: String) throws(PackagingError) {
        let rows = try Self.rows(parsing: bytes, origin: origin)
        var entries: [RecordEntry] = []
        var index: [String: Int] = [:]
        entries.reserveCapacity(rows.count)
        for row in rows {
            let entry = try Self.entry(from: row, origin: origin)
            guard index[entry.path] == nil else {
                throw PackagingError(.invalidRecord, "\(origin) line \(row.line): duplicate path \(entry.path)")
            }
            index[entry.path] = entries.count
            entries.append(entry)
        }
        self.entries = entries
        self.index = index
    }

    /// The entry whose path is exactly `path`, if any.
    /// The paths a RECORD lists, in order, without decoding hashes or sizes (for an installed
    /// RECORD, which is only a hint): the CSV and path rules of ``init(parsing:origin:)``.
    public static func listedPaths(parsing bytes: some Collection<UInt8>, origin: String) throws(PackagingError) -> [String] {
        try rows(parsing: bytes, origin: origin).map { row throws(PackagingError) in
            try path(of: row, place: "\(origin) line \(row.line)")
        }
    }

    private static func rows(parsing bytes: some Collection<UInt8>, origin: String) throws(PackagingError) -> [CSVRows.Row] {
        do {
            return try CSVRows.parse(bytes)
        } catch {
            switch error {
            case .quoteInUnquotedField(let line):
                throw PackagingError(.invalidRecord, "\(origin) line \(line): quote inside an unquoted field")
            case .textAfterClosingQuote(let line):
                throw PackagingError(.invalidRecord, "\(origin) line \(line): text after a closing quote")
            case .unterminatedQuote(let line):
                throw PackagingError(.invalidRecord, "\(origin) line \(line): unterminated quoted field")
            }
        }
    }

    /// The row's path field, checked: three fields, a non-empty UTF-8 path without NUL.
    private static func path(of row: CSVRows.Row, place: @autoclosure () -> String) throws(PackagingError) -> String {
        guard row.fields.count == 3 else {
            throw PackagingError(.invalidRecord, "\(place()): expected 3 fields, found \(row.fields.count)")
        }
        guard let path = utf8String(row.fields[0]), !path.isEmpty, !path.utf8.contains(0) else {
            throw PackagingError(.invalidRecord, "\(place()): path is empty, contains NUL or is not UTF-8")
        }
        return path
    }

    public func entry(for path: String) -> RecordEntry? {
        index[path].map { entries[$0] }
    }

    private static func entry(from row: CSVRows.Row, origin: String) throws(PackagingError) -> RecordEntry {
        // Built only when an error names it: a RECORD has thousands of rows.
        var place: String { "\(origin) line \(row.line)" }
        let path = try path(of: row, place: place)
        guard let hashText = utf8String(row.fields[1]), let sizeText = utf8String(row.fields[2]) else {
            throw PackagingError(.invalidRecord, "\(place): hash or size is not UTF-8")
        }
        let hash = try parseHash(hashText, place: place)
        let size = try parseSize(sizeText, place: place)
        return RecordEntry(path: path, hash: hash, size: size)
    }

    static func parseHash(_ text: String, place: @autoclosure () -> String) throws(PackagingError) -> RecordHash {
        if text.isEmpty { return .none }
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw PackagingError(.invalidRecord, "\(place()): hash \"\(text.prefix(80))\" is not <algorithm>=<digest>")
        }
        let name = String(text[..<equals])
        let value = text[text.index(after: equals)...]
        guard let algorithm = HashAlgorithm(rawValue: name) else {
            return .unsupported(algorithm: name)
        }
        do {
            return .digest(try FileDigest(recordBase64: value, algorithm: algorithm))
        } catch {
            throw PackagingError(.invalidRecord, "\(place()): \(error.message)")
        }
    }

    static func parseSize(_ text: String, place: @autoclosure () -> String) throws(PackagingError) -> Int64? {
        if text.isEmpty { return nil }
        guard text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let value = Int64(text)
        else {
            throw PackagingError(.invalidRecord, "\(place()): size \"\(text.prefix(40))\" is not a non-negative integer")
        }
        return value
    }

    private static func utf8String(_ bytes: [UInt8]) -> String? {
        let string = String(decoding: bytes, as: UTF8.self)
        return string.utf8.elementsEqual(bytes) ? string : nil
    }
}
