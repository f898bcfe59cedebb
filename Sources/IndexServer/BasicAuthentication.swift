import Foundation

/// A user name and password for HTTP Basic authentication.
///
/// Guarantees: `description` never shows the password.
public struct BasicCredentials: Sendable, Hashable, CustomStringConvertible {
    public let user: String
    public let password: String

    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }

    /// Parses `user:password` (the password may itself contain `:`); an empty user or a missing
    /// `:` is a `configuration` error. The message never repeats the password.
    public init(parsing text: String) throws(ServerError) {
        guard let colon = text.firstIndex(of: ":") else {
            throw ServerError(.configuration, "credentials must have the form user:password (no ':' found)")
        }
        let user = String(text[..<colon])
        let password = String(text[text.index(after: colon)...])
        guard !user.isEmpty else { throw ServerError(.configuration, "credentials have an empty user name") }
        guard !password.isEmpty else { throw ServerError(.configuration, "credentials for '\(user)' have an empty password") }
        self.init(user: user, password: password)
    }

    public var description: String { "\(user):****" }
}

/// Checks `Authorization: Basic …` headers against configured credentials.
///
/// Guarantees: the comparison of the presented `user:password` bytes with the expected ones takes
/// time that depends only on the expected length, never on where the first difference is; a
/// missing, malformed or non-Basic header is simply "not authorised".
struct BasicAuthenticator: Sendable {
    let expected: [UInt8]
    static let challenge = "Basic realm=\"wheeltrust\""
    /// Headers longer than this are rejected without decoding (bounded work on hostile input).
    static let maxHeaderLength = 8192

    init(credentials: BasicCredentials) {
        self.expected = Array("\(credentials.user):\(credentials.password)".utf8)
    }

    func isAuthorized(header: String?) -> Bool {
        guard let header, header.utf8.count <= Self.maxHeaderLength else { return false }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard let space = trimmed.firstIndex(of: " ") else { return false }
        guard trimmed[..<space].lowercased() == "basic" else { return false }
        let encoded = trimmed[space...].trimmingCharacters(in: .whitespaces)
        guard let decoded = Data(base64Encoded: encoded) else { return false }
        return Self.constantTimeEquals(Array(decoded), expected)
    }

    /// Compares `presented` with `expected` in time that depends only on `expected.count`.
    static func constantTimeEquals(_ presented: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference: UInt8 = presented.count == expected.count ? 0 : 1
        for index in 0..<expected.count {
            let other: UInt8 = index < presented.count ? presented[index] : 0
            difference |= other ^ expected[index]
        }
        return difference == 0
    }
}
