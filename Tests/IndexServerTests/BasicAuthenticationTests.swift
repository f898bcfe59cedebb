import Foundation
import Testing

@testable import IndexServer

@Suite struct BasicAuthenticationTests {
    let authenticator = BasicAuthenticator(credentials: BasicCredentials(user: "user", password: "to:ken"))

    private func header(_ text: String) -> String { "Basic " + Data(text.utf8).base64EncodedString() }

    @Test func acceptsTheConfiguredCredentials() {
        #expect(authenticator.isAuthorized(header: header("user:to:ken")))
        #expect(authenticator.isAuthorized(header: "basic " + Data("user:to:ken".utf8).base64EncodedString()))
    }

    @Test func rejectsMissingWrongAndMalformedHeaders() {
        #expect(!authenticator.isAuthorized(header: nil))
        #expect(!authenticator.isAuthorized(header: ""))
        #expect(!authenticator.isAuthorized(header: header("user:wrong")))
        #expect(!authenticator.isAuthorized(header: header("user:to:ke")))  // prefix of the secret
        #expect(!authenticator.isAuthorized(header: header("user:to:kenX")))  // secret plus more
        #expect(!authenticator.isAuthorized(header: header("other:to:ken")))
        #expect(!authenticator.isAuthorized(header: "Bearer " + Data("user:to:ken".utf8).base64EncodedString()))
        #expect(!authenticator.isAuthorized(header: "Basic !!!not-base64!!!"))
        #expect(!authenticator.isAuthorized(header: "Basic"))
        #expect(!authenticator.isAuthorized(header: "Basic " + String(repeating: "A", count: 10_000)))
    }

    @Test func constantTimeComparisonIsExact() {
        #expect(BasicAuthenticator.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!BasicAuthenticator.constantTimeEquals([1, 2], [1, 2, 3]))
        #expect(!BasicAuthenticator.constantTimeEquals([1, 2, 3, 0], [1, 2, 3]))
        #expect(!BasicAuthenticator.constantTimeEquals([], [1]))
        #expect(BasicAuthenticator.constantTimeEquals([], []))
    }

    @Test func parsesCredentialsAndMasksThePassword() throws {
        let credentials = try BasicCredentials(parsing: "org|robot:s3cr:et")
        #expect(credentials.user == "org|robot")
        #expect(credentials.password == "s3cr:et")
        #expect(credentials.description == "org|robot:****")
        #expect(!ServerConfiguration(directory: "/tmp", auth: credentials).description.contains("s3cr"))
    }

    @Test(arguments: ["no-colon", ":password", "user:"])
    func rejectsBadCredentialStrings(_ text: String) {
        #expect(throws: ServerError.self) { try BasicCredentials(parsing: text) }
        do {
            _ = try BasicCredentials(parsing: text)
        } catch {
            #expect(error.code == .configuration)
        }
    }
}
