import Foundation

/// Where an upload goes and with which credentials: an index's legacy upload URL, and an API
/// token (user `__token__`, as twine and uv publish send it) or the URL's own credentials.
///
/// Guarantees: the token is read from the environment variable named, never from the command line
/// (where other users of the machine can read it); without one, the URL's userinfo, else the
/// netrc entry for its host, is used; with neither, `resolve` throws `configuration` before
/// anything is built or sent. The credentials are bound to the URL's origin (see
/// ``IndexCredentials``); `url` has no userinfo, and messages name it masked.
public struct UploadDestination: Sendable {
    /// The user name that says "the password is an API token".
    public static let tokenUser = "__token__"
    /// The environment variable read for the token when none is named.
    public static let defaultTokenVariable = "WHEELTRUST_UPLOAD_TOKEN"

    public let url: URL
    public let credentials: IndexCredentials

    public static func resolve(
        _ text: String, tokenVariable: String?, environment: [String: String], homeDirectory: String
    ) throws(IndexError) -> UploadDestination {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let origin = url.origin
        else {
            throw IndexError(.configuration, "upload URL \(URLMasking.redact(text)) is not an absolute http(s) URL")
        }
        // A token sent in clear text to another machine is a token given away.
        if scheme == "http", !isLoopback(origin.host) {
            throw IndexError(
                .configuration, "upload URL \(url.redacted): credentials are sent only over https (or http to this machine)")
        }
        let variable = tokenVariable ?? defaultTokenVariable
        if let token = environment[variable], !token.isEmpty {
            return UploadDestination(
                url: url.removingUserInfo,
                credentials: IndexCredentials(user: tokenUser, password: token, scheme: origin.scheme, host: origin.host, port: origin.port)
            )
        }
        if tokenVariable != nil {
            throw IndexError(.configuration, "the upload token variable \(variable) is not set")
        }
        let netrc = Netrc.load(environment: environment, homeDirectory: homeDirectory)
        guard let credentials = IndexCredentials.forIndex(url, netrc: netrc) else {
            throw IndexError(
                .configuration,
                "no credentials for \(url.redacted): set \(defaultTokenVariable) to an upload token, or give a netrc entry for \(origin.host)"
            )
        }
        return UploadDestination(url: url.removingUserInfo, credentials: credentials)
    }

    /// `localhost`, 127.0.0.0/8 or ::1.
    static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if bare == "localhost" || bare == "::1" { return true }
        let parts = bare.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
