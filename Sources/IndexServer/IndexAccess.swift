import Foundation
import Hummingbird
import Publishing

/// Who may do what on one server: nobody is asked (`open`), one configured user (`basic`, the
/// folder mode's `--auth`), or the store's tokens (`store`: read and upload tokens, optional
/// anonymous read).
///
/// Guarantees: `authorize` is the one place a request's credentials are judged, for reads and
/// uploads alike; a folder-mode server grants no upload to anyone; credentials are compared in
/// constant time (`BasicAuthenticator`, `PublishingStore.authenticate`).
enum IndexAccess: Sendable {
    case open
    case basic(BasicAuthenticator)
    case store(StoreAccess)

    /// The decision for `request` wanting `access` (e.g. `.upload(project:)` for an upload route).
    func authorize(_ request: Request, for access: Access) -> AccessDecision {
        authorize(header: request.headers[.authorization], for: access)
    }

    /// The decision for a request carrying this `Authorization` header.
    func authorize(header: String?, for access: Access) -> AccessDecision {
        switch self {
        case .open:
            return access == .read ? .granted(principal: "anonymous") : .forbidden(reason: "this index accepts no uploads")
        case .basic(let authenticator):
            guard authenticator.isAuthorized(header: header) else { return .unauthenticated }
            return access == .read ? .granted(principal: "user") : .forbidden(reason: "this index accepts no uploads")
        case .store(let storeAccess):
            return storeAccess.authorize(authorizationHeader: header, for: access)
        }
    }

    /// The answer to a request that was not granted: 401 with a Basic challenge, or 403 with the reason.
    static func refusal(_ decision: AccessDecision) -> Response? {
        switch decision {
        case .granted:
            return nil
        case .unauthenticated:
            var headers = HTTPFields()
            headers[.wwwAuthenticate] = BasicAuthenticator.challenge
            return IndexResponder.text(.unauthorized, "authentication required", headers: headers)
        case .forbidden(let reason):
            return IndexResponder.text(.forbidden, UntrustedText.plain(reason, limit: 300))
        }
    }
}
