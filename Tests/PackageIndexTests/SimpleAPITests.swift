import Foundation
import Testing

@testable import PackageIndex

@Suite struct SimpleAPITests {
    let page = URL(string: "https://index.example/api/pypi/dom/main/simple/amqp/")!
    let hashA = String(repeating: "a", count: 64)
    let hashB = String(repeating: "B", count: 64)

    @Test func parsesPEP691JSON() throws {
        let json = """
            {"meta": {"api-version": "1.1"}, "name": "amqp",
             "files": [
              {"filename": "amqp-5.3.1-0-py3-none-any.whl", "url": "https://cdn.example/amqp-5.3.1-0-py3-none-any.whl",
               "hashes": {"sha256": "\(hashA)"}, "core-metadata": {"sha256": "\(hashA)"},
               "provenance": "https://index.example/pypi/dom/main/integrity/amqp/5.3.1/amqp-5.3.1-0-py3-none-any.whl/provenance/"},
              {"filename": "amqp-5.3.1.tar.gz", "url": "../../files/amqp-5.3.1.tar.gz", "hashes": {"sha256": "\(hashB)"},
               "data-dist-info-metadata": false, "provenance": null, "yanked": "broken"},
              {"filename": "amqp-5.3.0.tar.gz", "url": "amqp-5.3.0.tar.gz", "hashes": {}, "dist-info-metadata": true, "yanked": false}
             ]}
            """
        let parsed = try SimpleAPI.parseJSON(Data(json.utf8), base: page)
        #expect(parsed.name == "amqp")
        #expect(parsed.files.count == 3)
        let wheel = parsed.files[0]
        #expect(wheel.sha256?.text == hashA)
        #expect(wheel.coreMetadata)
        #expect(!wheel.yanked)
        #expect(wheel.provenanceURL?.absoluteString.hasSuffix("/provenance/") == true)
        let sdist = parsed.files[1]
        #expect(sdist.url.absoluteString == "https://index.example/api/pypi/dom/main/files/amqp-5.3.1.tar.gz")
        #expect(sdist.sha256?.text == hashB.lowercased())
        #expect(sdist.yanked)
        #expect(!sdist.coreMetadata)
        #expect(sdist.provenanceURL == nil)
        #expect(parsed.files[2].sha256 == nil)
        #expect(parsed.files[2].coreMetadata)
        #expect(parsed.files[2].url.absoluteString == "https://index.example/api/pypi/dom/main/simple/amqp/amqp-5.3.0.tar.gz")
    }

    @Test func rejectsBadJSON() {
        for body in [
            "not json", "[]", "{\"files\": 3}", "{\"meta\": {\"api-version\": \"2.0\"}, \"files\": []}",
            "{\"files\": [{\"filename\": \"x.whl\"}]}",
            "{\"files\": [{\"filename\": \"x.whl\", \"url\": \"x.whl\", \"hashes\": {\"sha256\": \"zz\"}}]}",
            "{\"files\": [{\"filename\": \"x.whl\", \"url\": \"javascript:alert(1)\"}]}",
        ] {
            let error = #expect(throws: IndexError.self, "\(body)") { try SimpleAPI.parseJSON(Data(body.utf8), base: page) }
            #expect(error?.code == .badResponse)
        }
    }

    @Test func parsesPEP503HTML() throws {
        let html = """
            <!DOCTYPE html><html><head><title>Links for amqp</title></head><body>
            <!-- <a href="commented.whl">commented.whl</a> -->
            <A HREF="../../files/amqp-5.3.1-0-py3-none-any.whl?x=1&amp;y=2#sha256=\(hashA)"
               data-provenance="https://index.example/pypi/dom/main/integrity/amqp/5.3.1/amqp-5.3.1-0-py3-none-any.whl/provenance/"
               data-core-metadata="sha256=\(hashA)" data-requires-python="&gt;=3.8">amqp-5.3.1-0-py3-none-any.whl</A><br/>
            <a href='amqp-5.3.1.tar.gz#md5=abc' data-yanked="">amqp-5.3.1.tar.gz</a>
            <a href=amqp-5.3.0.tar.gz data-dist-info-metadata="false">amqp&#45;5.3.0.tar.gz</a>
            <a name="no-href">nothing</a>
            </body></html>
            """
        let parsed = try SimpleAPI.parseHTML(Data(html.utf8), base: page)
        #expect(parsed.name == "amqp")
        #expect(parsed.files.count == 3)
        let wheel = parsed.files[0]
        #expect(wheel.filename == "amqp-5.3.1-0-py3-none-any.whl")
        #expect(wheel.url.absoluteString == "https://index.example/api/pypi/dom/main/files/amqp-5.3.1-0-py3-none-any.whl?x=1&y=2")
        #expect(wheel.sha256?.text == hashA)
        #expect(wheel.coreMetadata)
        #expect(wheel.provenanceURL?.host == "index.example")
        #expect(!wheel.yanked)
        #expect(parsed.files[1].yanked)
        #expect(parsed.files[1].sha256 == nil)
        #expect(parsed.files[2].filename == "amqp-5.3.0.tar.gz")
        #expect(!parsed.files[2].coreMetadata)
    }

    @Test func honoursBaseElement() throws {
        let html = "<html><head><base href=\"https://files.example/pkg/\"></head><a href=\"a-1.0.tar.gz\">a-1.0.tar.gz</a>"
        let parsed = try SimpleAPI.parseHTML(Data(html.utf8), base: page)
        #expect(parsed.files.first?.url.absoluteString == "https://files.example/pkg/a-1.0.tar.gz")
    }

    @Test func rejectsMalformedHashFragment() {
        let html = "<a href=\"a-1.0.tar.gz#sha256=1234\">a-1.0.tar.gz</a>"
        let error = #expect(throws: IndexError.self) { try SimpleAPI.parseHTML(Data(html.utf8), base: page) }
        #expect(error?.code == .badResponse)
    }

    @Test func aFragmentIsDroppedEvenWhenACombiningMarkFollowsItsHash() throws {
        // Found by the simple-html fuzzer: `#` + U+0301 is one Character, so a Character search
        // missed the `#` that the URL parser then read as a fragment, kept in the file URL.
        let digest = String(repeating: "a", count: 64)
        let html =
            "<a href=\"a-1.0.tar.gz#\u{301}x\">a</a><a href=\"b-1.0.tar.gz#sha256=\(digest)\">b</a>"
            + "<a href=\"c-1.0.tar.gz#\u{301}sha256=\(digest)\">c</a>"
        let parsed = try SimpleAPI.parseHTML(Data(html.utf8), base: page)
        #expect(parsed.files.map(\.url.fragment) == [nil, nil, nil])
        #expect(parsed.files.map(\.url.lastPathComponent) == ["a-1.0.tar.gz", "b-1.0.tar.gz", "c-1.0.tar.gz"])
        #expect(parsed.files.map(\.sha256?.text) == [nil, digest, nil], "only a fragment that is exactly sha256=<hex> gives a digest")
        let json =
            #"{"meta":{"api-version":"1.1"},"name":"a","files":[{"filename":"a-1.0.tar.gz","url":"a-1.0.tar.gz#\#u{301}x","hashes":{}}]}"#
        let page691 = try SimpleAPI.parseJSON(Data(json.utf8), base: page)
        #expect(page691.files.first?.url.fragment == nil)
    }

    @Test func hostileHTMLDoesNotCrash() throws {
        for html in [
            "<a", "<a href=", "<a href=\"", "<a href='x'", "<!--", "&#xFFFFFFFF;", "<a href=x>&#0;&#x110000;&amp",
            String(repeating: "<a ", count: 5000), String(repeating: "<", count: 10_000),
        ] {
            _ = try? SimpleAPI.parseHTML(Data(html.utf8), base: page)
        }
        #expect(HTMLEntities.decode("a&amp;b&lt;&#x41;&#66;&bogus;&") == "a&b<AB&bogus;&")
    }

    @Test func capsInputSize() {
        let big = Data(count: SimpleAPI.maxPageSize + 1)
        #expect(throws: IndexError(.tooLarge, "simple page \(page.redacted) is larger than \(SimpleAPI.maxPageSize) bytes")) {
            try SimpleAPI.parseHTML(big, base: page)
        }
        let error = #expect(throws: IndexError.self) { try SimpleAPI.parseJSON(big, base: page) }
        #expect(error?.code == .tooLarge)
    }
}
