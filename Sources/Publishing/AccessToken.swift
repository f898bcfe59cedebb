import Crypto
import Foundation
import PythonPackaging

/// What a token may do.
public enum TokenRole: String, Sendable, Equatable, CaseIterable {
    /// Read the index (pages, files, metadata, provenance).
    case read
    /// Read, and upload files (to every project, or only to the token's projects).
    case upload
}

/// A token as the store describes it: never its secret.
///
/// Guarantees: holds no secret and nothing from which one can be derived but a salted SHA-256;
/// `projects` are normalized names (empty: no project restriction).
public struct AccessToken: Sendable, Equatable {
    /// The token's name (letters, digits, `.`, `_`, `-`), unique in the store.
    public let name: String
    /// The public id part of the token (16 hex digits), by which it is looked up.
    public let id: String
    public let role: TokenRole
    /// For an upload token, the only projects it may upload to (normalized); empty: every project.
    public let projects: [String]
    public let created: Date

    /// Whether this token grants `access`.
    public func permits(_ access: Access) -> Bool {
        switch access {
        case .read:
            return true
        case .uploadAnyProject:
            return role == .upload
        case .upload(let project):
            return role == .upload && (projects.isEmpty || projects.contains(ProjectName.normalize(project)))
        }
    }
}

/// The secret form of a token: `wt_<id>_<secret>`, `id` 16 hex digits (8 random bytes), `secret`
/// 64 hex digits (32 random bytes from the system's CSPRNG).
///
/// Guarantees: the store keeps only `SHA-256(salt ‖ secret)` with a 16-byte random salt per
/// token; a presented token is looked up by its id and its hash compared in constant time. The
/// secret has 256 bits of entropy, so a fast salted hash is enough (no password stretching needed:
/// nothing about it can be guessed). `description` never shows the secret.
struct TokenSecret: Sendable, CustomStringConvertible {
    let id: String
    let secret: String

    static let prefix = "wt_"

    /// A fresh random token.
    static func generate() -> TokenSecret {
        TokenSecret(id: hex(randomBytes(8)), secret: hex(randomBytes(32)))
    }

    /// Parses `wt_<16 hex>_<64 hex>`; nil for anything else (no partial matches).
    init?(parsing text: String) {
        guard text.utf8.count == Self.prefix.utf8.count + 16 + 1 + 64, text.hasPrefix(Self.prefix) else { return nil }
        let body = text.dropFirst(Self.prefix.count)
        let parts = body.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].utf8.count == 16, parts[1].utf8.count == 64,
            parts.allSatisfy({ $0.utf8.allSatisfy(Self.isLowerHex) })
        else { return nil }
        self.init(id: String(parts[0]), secret: String(parts[1]))
    }

    private init(id: String, secret: String) {
        self.id = id
        self.secret = secret
    }

    /// The text handed to the user once.
    var text: String { Self.prefix + id + "_" + secret }

    var description: String { Self.prefix + id + "_****" }

    /// `SHA-256(salt ‖ secret)`.
    func hash(salt: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: salt)
        hasher.update(data: Array(secret.utf8))
        return Array(hasher.finalize())
    }

    /// Compares in time that depends only on `expected.count`.
    static func constantTimeEquals(_ presented: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference: UInt8 = presented.count == expected.count ? 0 : 1
        for index in 0..<expected.count {
            difference |= (index < presented.count ? presented[index] : 0) ^ expected[index]
        }
        return difference == 0
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte)
    }
}
