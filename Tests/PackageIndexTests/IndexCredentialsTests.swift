import Foundation
import Testing

@testable import PackageIndex

@Suite struct IndexCredentialsTests {
    @Test func percentDecodedUserinfo() throws {
        let index = try #require(URL(string: "https://12345%7Csvc-name:tok%2Fen@index.example/simple/"))
        let credentials = try #require(IndexCredentials.forIndex(index, netrc: nil))
        #expect(credentials.user == "12345|svc-name")
        #expect(credentials.password == "tok/en")
        #expect(credentials.port == 443)
        let other = try #require(URL(string: "https://index.example/other/path"))
        let header = try #require(credentials.authorizationHeader(for: other))
        #expect(header == "Basic " + Data("12345|svc-name:tok/en".utf8).base64EncodedString())
    }

    @Test func onlyForTheSameOrigin() throws {
        let credentials = IndexCredentials(user: "u", password: "p", scheme: "https", host: "Index.Example", port: nil)
        for other in [
            "http://index.example/", "https://index.example:8443/", "https://cdn.example/",
            "https://index.example.evil/", "https://sub.index.example/",
        ] {
            let url = try #require(URL(string: other))
            #expect(credentials.authorizationHeader(for: url) == nil, "\(other)")
        }
        let same = try #require(URL(string: "https://index.example:443/x"))
        #expect(credentials.authorizationHeader(for: same) != nil)
    }

    @Test func netrcFallbackByHost() throws {
        let netrc = Netrc(parsing: "machine index.example login nu password np")
        let index = try #require(URL(string: "http://index.example:8080/simple/"))
        let credentials = try #require(IndexCredentials.forIndex(index, netrc: netrc))
        #expect(credentials.user == "nu")
        #expect(credentials.port == 8080)
        let other = try #require(URL(string: "http://other.example/"))
        #expect(IndexCredentials.forIndex(other, netrc: netrc) == nil)
    }

    @Test func descriptionMasksPassword() {
        let credentials = IndexCredentials(user: "u", password: "topsecret", scheme: "https", host: "h", port: nil)
        #expect(!"\(credentials)".contains("topsecret"))
        #expect(!String(reflecting: credentials).contains("topsecret"))
    }
}
