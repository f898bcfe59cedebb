import Foundation
import PackageIndex
import Testing

/// Where `build --upload` sends a wheel and with which credentials: the token from an environment
/// variable, else the URL's or the netrc's; none is an error before anything is built; clear-text
/// http only to this machine.
@Suite struct UploadDestinationTests {
    let home = FileManager.default.temporaryDirectory.appendingPathComponent("wt-upload-dest-\(UUID().uuidString)").path

    func resolve(_ url: String, variable: String? = nil, environment: [String: String] = [:]) throws(IndexError) -> UploadDestination {
        try UploadDestination.resolve(url, tokenVariable: variable, environment: environment, homeDirectory: home)
    }

    @Test func theTokenComesFromTheDefaultVariableOrTheOneNamed() throws {
        let plain = try resolve("https://index.example/legacy/", environment: ["WHEELTRUST_UPLOAD_TOKEN": "wt_abc"])
        #expect(plain.credentials.user == "__token__")
        #expect(plain.credentials.password == "wt_abc")
        #expect(plain.credentials.matches(URL(string: "https://index.example/other")!))
        #expect(!plain.credentials.matches(URL(string: "https://elsewhere.example/legacy/")!))

        let named = try resolve("https://index.example/legacy/", variable: "CI_TOKEN", environment: ["CI_TOKEN": "wt_named"])
        #expect(named.credentials.password == "wt_named")
        #expect(throws: IndexError.self) {
            try resolve("https://index.example/legacy/", variable: "CI_TOKEN", environment: ["WHEELTRUST_UPLOAD_TOKEN": "wt_abc"])
        }
    }

    @Test func withoutATokenTheURLOrTheNetrcAndElseAnErrorNamingTheVariable() throws {
        let fromURL = try resolve("https://ci:s3cret@index.example/legacy/")
        #expect(fromURL.credentials.user == "ci")
        #expect(fromURL.url.absoluteString == "https://index.example/legacy/", "no credentials left in the URL")

        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        try "machine index.example login __token__ password wt_netrc\n".write(
            toFile: home + "/.netrc", atomically: true, encoding: .utf8)
        #expect(try resolve("https://index.example/legacy/").credentials.password == "wt_netrc")

        do {
            _ = try resolve("https://other.example/legacy/")
            Issue.record("resolved without credentials")
        } catch {
            #expect(error.code == .configuration)
            #expect(error.message.contains("WHEELTRUST_UPLOAD_TOKEN"), "\(error.message)")
            #expect(error.message.contains("other.example"), "\(error.message)")
        }
    }

    @Test func clearTextHTTPOnlyToThisMachine() throws {
        let token = ["WHEELTRUST_UPLOAD_TOKEN": "wt_abc"]
        for local in ["http://127.0.0.1:8080/legacy/", "http://localhost/legacy/", "http://[::1]:9/legacy/", "http://127.1.2.3/legacy/"] {
            #expect((try? resolve(local, environment: token)) != nil, "\(local)")
        }
        for remote in ["http://index.example/legacy/", "http://10.0.0.1/legacy/", "http://127.0.0.1.example/legacy/"] {
            do {
                _ = try resolve(remote, environment: token)
                Issue.record("\(remote) accepted")
            } catch {
                #expect(error.code == .configuration)
                #expect(error.message.contains("only over https"), "\(error.message)")
                #expect(!error.message.contains("wt_abc"))
            }
        }
        #expect(throws: IndexError.self) { try resolve("ftp://index.example/", environment: token) }
        #expect(throws: IndexError.self) { try resolve("not a url", environment: token) }
    }
}
