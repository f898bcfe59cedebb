import Attestations
import Foundation
import IndexServer
import Testing

@Suite("serve and attest inputs")
struct ServeInputsTests {
    @Test("the announced URL shows the user and never the password; without credentials it is the URL as served")
    func announcedURL() throws {
        let url = try #require(URL(string: "http://127.0.0.1:8080/pypi/wheeltrust/main/simple/"))
        let credentials = try BasicCredentials(parsing: "ci:s3cret:with-colon")
        let shown = ServedIndexURL.display(url, credentials: credentials)
        #expect(shown == "http://ci:****@127.0.0.1:8080/pypi/wheeltrust/main/simple/")
        #expect(!shown.contains("s3cret"))
        #expect(ServedIndexURL.display(url, credentials: nil) == url.absoluteString)
    }

    @Test("attest's inputs: the first absent path or directory is named before anything is signed")
    func attestInputs() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wt-attest-in-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let wheel = directory + "/a-1.0-py3-none-any.whl"
        try Data("x".utf8).write(to: URL(fileURLWithPath: wheel))
        #expect(Attester.firstMissingFile([wheel]) == nil)
        #expect(Attester.firstMissingFile([wheel, directory, directory + "/absent.whl"]) == directory)
        #expect(Attester.firstMissingFile([directory + "/absent.whl", wheel]) == directory + "/absent.whl")
    }
}
