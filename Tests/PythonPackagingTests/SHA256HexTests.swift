import Testing

@testable import PythonPackaging

@Suite struct SHA256HexTests {
    /// SHA-256 of "abc" (FIPS 180-2, appendix B.1).
    static let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

    @Test func acceptsSixtyFourLowercaseHexDigits() throws {
        let value = try SHA256Hex(validating: Self.abc)
        #expect(value.text == Self.abc)
        #expect(value.description == Self.abc)
        #expect(SHA256Hex(Self.abc) == value)
        #expect(SHA256Hex(FileDigest.compute(Array("abc".utf8), algorithm: .sha256)) == value)
        #expect(value.digest == FileDigest.compute(Array("abc".utf8), algorithm: .sha256))
    }

    @Test func rejectsSixtyThreeCharactersNamingTheLength() {
        let short = String(Self.abc.dropLast())
        #expect(throws: PackagingError(.invalidDigest, "sha256 hex digest has 63 characters, expected 64 lowercase hex digits")) {
            try SHA256Hex(validating: short)
        }
        #expect(SHA256Hex(short) == nil)
        #expect(SHA256Hex(normalizing: short) == nil)
        #expect(SHA256Hex(Self.abc + "0") == nil, "65 characters")
        #expect(SHA256Hex("") == nil)
    }

    @Test func rejectsUppercaseNamingTheOffset() {
        let upper = "BA" + Self.abc.dropFirst(2)
        #expect(
            throws: PackagingError(
                .invalidDigest, "sha256 hex digest has an uppercase hex digit at offset 0, expected 64 lowercase hex digits")
        ) {
            try SHA256Hex(validating: upper)
        }
        #expect(SHA256Hex(upper) == nil)
        #expect(SHA256Hex(normalizing: upper)?.text == Self.abc, "the normalising form lowercases first")
        #expect(SHA256Hex(normalizing: Self.abc.uppercased())?.text == Self.abc)
    }

    @Test func rejectsNonHexCharactersWithoutEchoingThem() {
        for bad in ["g", "/", ".", " ", "\n", "\u{1B}", "é"] {
            let text = String(Self.abc.dropLast(bad.utf8.count)) + bad
            #expect(SHA256Hex(text) == nil, "\(bad.debugDescription)")
            #expect(SHA256Hex(normalizing: text) == nil, "\(bad.debugDescription)")
        }
        let traversal = "../" + String(repeating: "a", count: 61)
        do {
            _ = try SHA256Hex(validating: traversal)
            Issue.record("a path-like text was accepted")
        } catch {
            #expect(error.code == .invalidDigest)
            #expect(
                error.message == "sha256 hex digest has a character that is not a hex digit at offset 0, expected 64 lowercase hex digits")
            #expect(!error.message.contains(".."), "the rejected text is not echoed")
        }
    }

    @Test func shardedPathIsRootTwoDigitsThenAll() throws {
        let value = try SHA256Hex(validating: Self.abc)
        #expect(value.shardedPath(under: "/c/sha256") == "/c/sha256/ba/\(Self.abc)")
        #expect(value.shardedPath(under: "/c/checked", suffix: ".hashed") == "/c/checked/ba/\(Self.abc).hashed")
    }

    @Test func comparesByText() throws {
        let low = try SHA256Hex(validating: String(repeating: "0", count: 64))
        let high = try SHA256Hex(validating: String(repeating: "f", count: 64))
        #expect(low < high)
        #expect(Set([low, high, low]).count == 2)
    }
}
