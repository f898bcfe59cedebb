import Foundation

/// What a request wants to do.
public enum Access: Sendable, Equatable {
    /// Read pages, files, metadata, provenance.
    case read
    /// Upload a file of this project (any spelling: compared normalized).
    case upload(project: String)
    /// Upload at all (an upload token, whatever its projects): asked before an upload's body is
    /// read, so a token that may never upload is refused before anything of it is staged; the
    /// project is asked (`upload(project:)`) once the form names it.
    case uploadAnyProject
}

/// The answer to one authorisation question.
public enum AccessDecision: Sendable, Equatable {
    /// Allowed; `principal` names who (a token name, or `anonymous`).
    case granted(principal: String)
    /// No credentials, or credentials that match nothing: answer 401 with a challenge.
    case unauthenticated
    /// Known credentials that do not grant this access: answer 403 with `reason`.
    case forbidden(reason: String)
}

/// Decides who may do what on a store-backed index, from the `Authorization` header of a request:
/// HTTP Basic with a store token as the password and `__token__` (or the token's name) as the
/// user — what pip, uv and twine send.
///
/// Guarantees: a token is accepted only through `PublishingStore.authenticate` (salted hash,
/// constant-time comparison); requests without an `Authorization` header may read only when
/// `anonymousRead` is on and never upload; a header that is present but over `maxHeaderLength`
/// bytes, not Basic, not decodable or not a valid token is `unauthenticated` (never anonymous); a
/// database failure denies (fails closed, as `unauthenticated`).
public struct StoreAccess: Sendable {
    public let store: PublishingStore
    /// Whether requests without credentials may read. Off by default: a store is a private index.
    public let anonymousRead: Bool
    static let maxHeaderLength = 8192

    public init(store: PublishingStore, anonymousRead: Bool = false) {
        self.store = store
        self.anonymousRead = anonymousRead
    }

    /// The decision for a request carrying `authorizationHeader` (nil when absent).
    public func authorize(authorizationHeader: String?, for access: Access) -> AccessDecision {
        guard let authorizationHeader else {
            return access == .read && anonymousRead ? .granted(principal: "anonymous") : .unauthenticated
        }
        // Credentials that are present but unusable are never taken for anonymous.
        guard let (user, password) = Self.basicCredentials(authorizationHeader) else { return .unauthenticated }
        guard let token = (try? store.authenticate(user: user, password: password)) ?? nil else { return .unauthenticated }
        guard token.permits(access) else {
            switch access {
            case .read: return .forbidden(reason: "token \(token.name) may not read")
            case .uploadAnyProject:
                return .forbidden(reason: "token \(token.name) is a read token and may not upload")
            case .upload(let project):
                return .forbidden(
                    reason: token.role == .read
                        ? "token \(token.name) is a read token and may not upload"
                        : "token \(token.name) may not upload to project \(project)")
            }
        }
        return .granted(principal: token.name)
    }

    /// `(user, password)` from `Basic base64(user:password)`, nil for anything else.
    static func basicCredentials(_ header: String?) -> (String, String)? {
        guard let header, header.utf8.count <= maxHeaderLength else { return nil }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard let space = trimmed.firstIndex(of: " "), trimmed[..<space].lowercased() == "basic" else { return nil }
        let encoded = trimmed[space...].trimmingCharacters(in: .whitespaces)
        guard let decoded = Data(base64Encoded: encoded), let text = String(data: decoded, encoding: .utf8),
            let colon = text.firstIndex(of: ":")
        else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }
}
