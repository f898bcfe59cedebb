/// A wheel's optional build tag (`0`, `1abc`): a leading decimal number and the rest as a suffix.
///
/// Guarantees: `number` is the value of the leading digits (which must exist), and tags order
/// by number first, then by suffix as a string, as the binary distribution format specifies.
public struct BuildTag: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let number: Int
    public let suffix: String

    public init(number: Int, suffix: String = "") {
        self.number = number
        self.suffix = suffix
    }

    /// Parses a build tag; throws `invalidFilename` unless it starts with a digit and is
    /// made of ASCII letters, digits and `_`.
    public init(parsing text: String) throws(PackagingError) {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 18, let n = Int(digits),
            WheelTag.isValidComponent(text)
        else {
            throw PackagingError(.invalidFilename, "invalid build tag '\(ProjectName.excerpt(text))' (must start with a digit)")
        }
        self.init(number: n, suffix: String(text.dropFirst(digits.count)))
    }

    public var description: String { "\(number)\(suffix)" }

    public static func < (l: BuildTag, r: BuildTag) -> Bool {
        (l.number, l.suffix) < (r.number, r.suffix)
    }
}
