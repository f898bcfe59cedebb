/// A SHA-256 digest written as exactly 64 lowercase hexadecimal digits (`0-9a-f`).
///
/// Guarantees: every value holds exactly 64 characters, each `0-9` or `a-f`; nothing else can be
/// built (the strict initialisers reject uppercase, the normalising one lowercases first). So the
/// text is safe as a file name (no `/`, no `..`, no control character) and two values are equal
/// exactly when they name the same digest.
public struct SHA256Hex: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The 64 lowercase hex digits.
    public let text: String

    /// Accepts exactly 64 lowercase hex digits; anything else throws `invalidDigest` naming the
    /// length or the first character that is not a lowercase hex digit (the text itself is not
    /// echoed: it may be anything).
    public init(validating text: some StringProtocol) throws(PackagingError) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 64 else {
            throw PackagingError(.invalidDigest, "sha256 hex digest has \(utf8.count) characters, expected 64 lowercase hex digits")
        }
        if let offset = utf8.firstIndex(where: { !Self.isLowercaseHexDigit($0) }) {
            let what = (0x41...0x46).contains(utf8[offset]) ? "an uppercase hex digit" : "a character that is not a hex digit"
            throw PackagingError(
                .invalidDigest,
                "sha256 hex digest has \(what) at offset \(offset), expected 64 lowercase hex digits")
        }
        self.text = String(decoding: utf8, as: UTF8.self)
    }

    /// Exactly 64 lowercase hex digits, nil otherwise.
    public init?(_ text: some StringProtocol) {
        guard let value = try? Self(validating: text) else { return nil }
        self = value
    }

    /// 64 hex digits of either case, lowercased; nil otherwise.
    public init?(normalizing text: some StringProtocol) {
        self.init(text.lowercased())
    }

    /// The hex form of a SHA-256 digest.
    ///
    /// - Precondition: `digest.algorithm == .sha256` (the bytes are then 32, the hex 64 digits).
    public init(_ digest: FileDigest) {
        precondition(digest.algorithm == .sha256 && digest.bytes.count == 32, "SHA256Hex from a \(digest.algorithm) digest")
        self.text = digest.hex
    }

    /// The digest as a `FileDigest` (algorithm `sha256`).
    public var digest: FileDigest {
        // Cannot fail: the text is 64 hex digits by construction.
        guard let digest = try? FileDigest(hex: text, algorithm: .sha256) else { preconditionFailure("SHA256Hex holds 64 hex digits") }
        return digest
    }

    /// `<root>/<first two digits>/<all 64 digits><suffix>`: the sharded layout of the caches.
    /// The digits cannot hold `/` or `.`, so the path stays below `root` whatever `root` is.
    public func shardedPath(under root: String, suffix: String = "") -> String {
        "\(root)/\(text.prefix(2))/\(text)\(suffix)"
    }

    public var description: String { text }

    public static func < (lhs: SHA256Hex, rhs: SHA256Hex) -> Bool { lhs.text < rhs.text }

    private static func isLowercaseHexDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte)
    }
}
