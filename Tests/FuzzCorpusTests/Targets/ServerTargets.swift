import Foundation

@testable import IndexServer

/// What `serve` reads from a request: the `Authorization` and `Accept` headers; and the escaping
/// of strings it reflects into HTML.
enum ServerTargets {
    static let authenticator = BasicAuthenticator(credentials: BasicCredentials(user: "fuzz", password: "fuzz-password"))

    static let serverHeaders = FuzzTarget(
        "server-headers", "BasicCredentials(parsing:), BasicAuthenticator.isAuthorized, SimpleFormat.negotiate (Accept), HTMLEscaping",
        sync: { bytes in
            var broken = Broken()
            let text = FuzzBytes.text(bytes)
            if let credentials = try? BasicCredentials(parsing: text) {
                broken.require(credentials.description == credentials.user + ":****", "credentials print more than the user")
                broken.require(
                    credentials.user + ":" + credentials.password == text, "credentials are not the text split at its first colon")
            }
            if authenticator.isAuthorized(header: text) {
                let token =
                    text.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1).last
                    .map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
                broken.require(Data(base64Encoded: token) == Data("fuzz:fuzz-password".utf8), "header \(text.debugDescription) authorised")
            }
            switch SimpleFormat.negotiate(accept: text) {
            case .json: broken.require(text.lowercased().contains("json"), "JSON chosen for \(text.debugDescription)")
            case .html(let contentType):
                // Never a type taken from the request: one of the two fixed HTML types.
                broken.require(
                    ["text/html; charset=utf-8", "application/vnd.pypi.simple.v1+html"].contains(contentType), "HTML as \(contentType)")
            }
            let escaped = HTMLEscaping.escape(text)
            broken.require(!escaped.contains { "<>\"'".contains($0) }, "HTML escaping left markup in \(escaped.debugDescription)")
            return broken.list
        })
}
