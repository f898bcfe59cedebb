import Testing

@testable import PythonPackaging

@Suite struct RecordTests {
    private func parse(_ text: String, origin: String = "RECORD") throws(PackagingError) -> Record {
        try Record(parsing: Array(text.utf8), origin: origin)
    }

    @Test func parsesPlainRowsWithLF() throws {
        let record = try parse(
            """
            pkg/__init__.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0
            pkg-1.0.dist-info/RECORD,,

            """)
        #expect(record.entries.count == 2)
        let first = try #require(record.entry(for: "pkg/__init__.py"))
        #expect(first.size == 0)
        guard case .digest(let digest) = first.hash else { Issue.record("expected digest"); return }
        #expect(digest.algorithm == .sha256)
        #expect(digest.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(digest.recordValue == "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU")
        let record2 = try #require(record.entry(for: "pkg-1.0.dist-info/RECORD"))
        #expect(record2.hash == .none)
        #expect(record2.size == nil)
        #expect(record.entry(for: "missing") == nil)
    }

    @Test func parsesQuotedFieldsWithCommasAndDoubledQuotes() throws {
        let text = "\"dir/a,b.txt\",,\r\n\"he said \"\"hi\"\".txt\",,12\r\n\"multi\nline\",,\r\nlast,,"
        let record = try parse(text)
        #expect(record.entries.map(\.path) == ["dir/a,b.txt", "he said \"hi\".txt", "multi\nline", "last"])
        #expect(record.entries[1].size == 12)
    }

    @Test func crlfAndMissingTrailingNewlineAndEmptyLines() throws {
        let record = try parse("a,,\r\n\r\n\nb,,1\r\nc,,2")
        #expect(record.entries.map(\.path) == ["a", "b", "c"])
        #expect(record.entries.map(\.size) == [nil, 1, 2])
    }

    @Test func parsesSha384AndSha512() throws {
        let d384 = FileDigest.compute(Array("abc".utf8), algorithm: .sha384)
        let d512 = FileDigest.compute(Array("abc".utf8), algorithm: .sha512)
        let record = try parse("x,\(d384.recordValue),3\ny,\(d512.recordValue),3\n")
        #expect(record.entries[0].hash == .digest(d384))
        #expect(record.entries[1].hash == .digest(d512))
        #expect(d384.hex.hasPrefix("cb00753f45a35e8bb5a03d699ac65007"))
        #expect(d512.hex.hasPrefix("ddaf35a193617abacc417349ae204131"))
    }

    @Test func weakOrUnknownAlgorithmsAreUnsupportedNotErrors() throws {
        let record = try parse("a,md5=1B2M2Y8AsgTpgAmY7PhCfg,0\nb,sha1=2jmj7l5rSw0yVb_vlWAYkK_YBwk,0\nc,blake3=xyz,0\n")
        #expect(record.entries[0].hash == .unsupported(algorithm: "md5"))
        #expect(record.entries[1].hash == .unsupported(algorithm: "sha1"))
        #expect(record.entries[2].hash == .unsupported(algorithm: "blake3"))
    }

    @Test func wrongDigestLengthIsAnErrorNamingTheLine() {
        // 31 bytes instead of 32.
        let short = URLSafeBase64.encode([UInt8](repeating: 7, count: 31))
        let error = #expect(throws: PackagingError.self) {
            try parse("ok,,\nbad,sha256=\(short),1\n", origin: "pkg.dist-info/RECORD")
        }
        #expect(error?.code == .invalidRecord)
        #expect(error?.message.contains("pkg.dist-info/RECORD line 2") == true)
        #expect(error?.message.contains("31 bytes") == true)
    }

    @Test func paddedOrNonURLSafeBase64IsAnError() {
        let digest = FileDigest.compute([], algorithm: .sha256)
        let standard = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"
        for bad in [digest.recordValue + "=", "sha256=" + standard, "sha256=", "sha256=!!!"] {
            #expect((#expect(throws: PackagingError.self) { try parse("a,\(bad),0\n") })?.code == .invalidRecord)
        }
    }

    @Test func malformedRowsAreErrorsNamingTheLine() {
        let cases: [(String, String)] = [
            ("a,,\nb,,,\n", "line 2"),  // four fields
            ("a,\n", "line 1"),  // two fields
            ("a,,-1\n", "line 1"),  // negative size
            ("a,,12x\n", "line 1"),  // non-numeric size
            ("a,,+5\n", "line 1"),  // sign
            ("a,,99999999999999999999\n", "line 1"),  // overflow
            ("a,nohash,1\n", "line 1"),  // no algorithm=
            ("a,=abc,1\n", "line 1"),  // empty algorithm
            ("\"a,,\n", "line 1"),  // unterminated quote
            ("\"a\"b,,\n", "line 1"),  // text after closing quote
            ("x,,\na\"b,,\n", "line 2"),  // quote inside unquoted field
            (",,\n", "line 1"),  // empty path
            ("a,,\na,,\n", "line 2"),  // duplicate path
        ]
        for (text, line) in cases {
            let error = #expect(throws: PackagingError.self, "\(text.debugDescription)") { try parse(text) }
            #expect(error?.code == .invalidRecord)
            #expect(error?.message.contains("RECORD \(line)") == true, "\(error?.message ?? "")")
        }
    }

    @Test func listedPathsAreThoseOfTheEntriesAndFollowTheSameRowRules() throws {
        let text = "pkg/__init__.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\r\n\"pkg/a,b.py\",,\npkg-1.0.dist-info/RECORD,,"
        let paths = try Record.listedPaths(parsing: Array(text.utf8), origin: "RECORD")
        #expect(paths == (try parse(text)).entries.map(\.path))
        #expect(paths == ["pkg/__init__.py", "pkg/a,b.py", "pkg-1.0.dist-info/RECORD"])
        for (bad, line) in [("a,\n", "line 1"), ("x,,\na\"b,,\n", "line 2"), (",,\n", "line 1"), ("\"a,,\n", "line 1")] {
            let error = #expect(throws: PackagingError.self) { try Record.listedPaths(parsing: Array(bad.utf8), origin: "RECORD") }
            #expect(error?.message.contains("RECORD \(line)") == true, "\(error?.message ?? "")")
        }
        // Hashes and sizes are not looked at: a hint needs only the paths.
        #expect(try Record.listedPaths(parsing: Array("a,nohash,x\n".utf8), origin: "RECORD") == ["a"])
    }

    @Test func invalidUTF8IsAnError() {
        let bytes: [UInt8] = Array("a".utf8) + [0xFF, 0xFE] + Array(",,\n".utf8)
        #expect((#expect(throws: PackagingError.self) { try Record(parsing: bytes, origin: "RECORD") })?.code == .invalidRecord)
    }

    @Test func emptyRecordHasNoEntries() throws {
        #expect(try parse("").entries.isEmpty)
        #expect(try parse("\n\r\n").entries.isEmpty)
    }

    @Test func fileDigestHexRoundTripAndErrors() throws {
        let digest = FileDigest.compute(Array("abc".utf8), algorithm: .sha256)
        #expect(try FileDigest(hex: digest.hex.uppercased(), algorithm: .sha256) == digest)
        #expect((#expect(throws: PackagingError.self) { try FileDigest(hex: "abc", algorithm: .sha256) })?.code == .invalidRecord)
        #expect(throws: PackagingError.self) {
            try FileDigest(hex: String(repeating: "zz", count: 32), algorithm: .sha256)
        }
    }

    @Test func base64RoundTripsAllLengths() {
        for length in 0..<70 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            #expect(URLSafeBase64.decode(URLSafeBase64.encode(bytes)) == bytes)
        }
        #expect(URLSafeBase64.decode("A") == nil)  // impossible length
        #expect(URLSafeBase64.decode("AB") == nil)  // non-zero padding bits
        #expect(URLSafeBase64.decode("AA") == [0])
    }
}
