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

    @Test func masksEveryUserinfoInTheText() {
        // Found by the pip-config fuzzer: only the first authority was masked, so a value holding
        // two URLs (an `index-url` line with two, or a continuation line) or a URL inside another's
        // query showed the second password in the error message.
        #expect(
            URLMasking.redact("https://user:first-secret@a.example/simple/ https://user:second-secret@b.example/simple/")
                == "https://user:****@a.example/simple/ https://user:****@b.example/simple/")
        #expect(
            URLMasking.redact("https://u:first-secret@a.example https://u:second-secret@b.example")
                == "https://u:****@a.example https://u:****@b.example")
        #expect(
            URLMasking.redact("https://a.example/x?next=https://u:query-secret@b.example/")
                == "https://a.example/x?next=https://u:****@b.example/")
        #expect(
            URLMasking.redact("https://a.example/si/\n  id/?x=1 https://user:secret-token@b.example/")
                == "https://a.example/si/\n  id/?x=1 https://user:****@b.example/")
        #expect(URLMasking.redact("https://a https://tokenvalue@b/") == "https://a https://****@b/")
        // What a typo or URL parsing can leave of a credential: `//user:pass@` inside a path, a
        // single slash, a run glued to other text.
        #expect(
            URLMasking.redact("index URL 'https:/user:typo-secret@index.example/simple/' is not absolute")
                == "index URL 'https:/user:****@index.example/simple/' is not absolute")
        #expect(URLMasking.redact("https://a.example/simpleuser:glued-secret@b.example/") == "https://a.example/simpleuser:****@b.example/")
        #expect(URLMasking.redact("https://index.example/simple/") == "https://index.example/simple/")
        #expect(URLMasking.redact("https://[::1]:8443/simple/?a=b#c") == "https://[::1]:8443/simple/?a=b#c")
        #expect(
            URLMasking.redact("http://****@.host//user:path-secret@/simple/")
                == "http://****@.host//user:****@/simple/")
    }

    @Test func masksByScalarsNotCharacters() throws {
        // A combining mark after `@` or `/` forms one Character with it; a URL parser still sees
        // the separator, so the masking must too.
        for text in ["https://user:s3cr3t@\u{301}host/", "https://\u{301}user:s3cr3t@host/", "https://user:s3cr3t\u{301}@host/"] {
            let masked = URLMasking.redact(text)
            #expect(!masked.contains("s3cr3t"), "\(text.debugDescription) → \(masked.debugDescription)")
            if let url = URL(string: text), url.password != nil {
                #expect(URL(string: masked)?.password == "****")
            }
        }
    }

    @Test func aPipConfigurationErrorNeverShowsASecondURLsPassword() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wt-mask-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("pip.conf")
        try Data("[global]\nindex-url = https://user:first-secret@a.example https://user:second-secret@b.example/simple/\n".utf8)
            .write(to: file)
        do {
            let configuration = try PipConfiguration.resolve(
                files: [file.path], environment: [:], homeDirectory: directory.path,
                interpreterDefault: nil, override: nil)
            #expect(!configuration.indexURL.redacted.contains("secret"), "\(configuration.indexURL.redacted)")
        } catch {
            #expect(error.code == .configuration)
            #expect(!error.message.contains("first-secret") && !error.message.contains("second-secret"), "\(error.message)")
        }
    }

    @Test func removingUserInfoStripsCredentials() throws {
        let url = try #require(URL(string: "https://u:p@index.example/simple/"))
        #expect(url.removingUserInfo.absoluteString == "https://index.example/simple/")
        // Found by the url fuzzer: URLComponents cannot rebuild a URL with an empty scheme, and the
        // URL came back with its userinfo.
        for text in ["://user:url-secret@host/path", "://@@tps:/", "://a:a:l@c@d?x"] {
            let stripped = try #require(URL(string: text)).removingUserInfo
            #expect(stripped.user == nil && stripped.password == nil, "\(text) → \(stripped.absoluteString)")
            #expect(!stripped.absoluteString.contains("url-secret"))
        }
    }

    @Test func errorMessagesAreOneLine() {
        let error = IndexError(.network, "a\nb\rc")
        #expect(error.message == "a b c")
        #expect(error.description == "network: a b c")
    }
}
