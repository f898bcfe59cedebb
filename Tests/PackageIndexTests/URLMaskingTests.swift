import Foundation
import Testing
@testable import PackageIndex

@Suite struct URLMaskingTests {
    @Test func masksPasswordKeepsUser() throws {
        let url = try #require(URL(string: "https://12345%7Csvc:s3cr3t-token@index.example:8443/simple/?q=1"))
        #expect(url.redacted == "https://12345%7Csvc:****@index.example:8443/simple/?q=1")
        #expect(!url.redacted.contains("s3cr3t"))
    }

    @Test func masksBareToken() throws {
        let url = try #require(URL(string: "https://tokenvalue@index.example/simple/"))
        #expect(url.redacted == "https://****@index.example/simple/")
    }

    @Test func leavesPlainURLAlone() throws {
        let url = try #require(URL(string: "https://index.example/a@b/simple/"))
        #expect(url.redacted == "https://index.example/a@b/simple/")
    }

    @Test func masksUnparseableText() {
        #expect(URLMasking.redact("ht tp://u:p@ss w@host/x") == "ht tp://u:****@host/x")
        #expect(!URLMasking.redact("user:hunter2@host/path").contains("hunter2"))
    }

    @Test func removingUserInfoStripsCredentials() throws {
        let url = try #require(URL(string: "https://u:p@index.example/simple/"))
        #expect(url.removingUserInfo.absoluteString == "https://index.example/simple/")
    }

    @Test func errorMessagesAreOneLine() {
        let error = IndexError(.network, "a\nb\rc")
        #expect(error.message == "a b c")
        #expect(error.description == "network: a b c")
    }
}
