import Foundation
import TestSupport
import Testing

@testable import PackageIndex

/// Mutated PEP 691 JSON and PEP 503 HTML project pages, pip configuration files and netrc files:
/// refused with `IndexError` (or, for netrc, read leniently as pip does) or parsed; never a trap or a hang.
@Suite("Hostile input: simple pages, pip.conf, netrc")
struct IndexHostileTests {
    static let page = URL(string: "https://index.example/api/pypi/dom/main/simple/amqp/")!
    static let hash = String(repeating: "ab", count: 32)

    /// Pages shaped like the real index responses the other tests use (Pulp and PEP 691/503).
    static let jsonPages = [
        """
        {"meta": {"api-version": "1.1"}, "name": "amqp",
         "files": [
          {"filename": "amqp-5.3.1-0-py3-none-any.whl", "url": "https://cdn.example/amqp-5.3.1-0-py3-none-any.whl",
           "hashes": {"sha256": "\(hash)"}, "core-metadata": {"sha256": "\(hash)"}, "requires-python": ">=3.8",
           "provenance": "https://index.example/pypi/dom/main/integrity/amqp/5.3.1/amqp-5.3.1-0-py3-none-any.whl/provenance/"},
          {"filename": "amqp-5.3.1.tar.gz", "url": "../../files/amqp-5.3.1.tar.gz", "hashes": {"sha256": "\(hash)"},
           "data-dist-info-metadata": false, "provenance": null, "yanked": "broken", "size": 129, "upload-time": "2024-11-12T19:55:45.123Z"},
          {"filename": "amqp-5.3.0.tar.gz", "url": "amqp-5.3.0.tar.gz", "hashes": {}, "dist-info-metadata": true, "yanked": false}
         ], "versions": ["5.3.0", "5.3.1"]}
        """
    ]
    static let htmlPages = [
        """
        <!DOCTYPE html><html><head><meta name="pypi:repository-version" content="1.1"><title>Links for amqp</title></head><body>
        <h1>Links for amqp</h1>
        <!-- <a href="commented.whl">commented.whl</a> -->
        <A HREF="../../files/amqp-5.3.1-0-py3-none-any.whl?x=1&amp;y=2#sha256=\(hash)"
           data-provenance="https://index.example/pypi/dom/main/integrity/amqp/5.3.1/amqp-5.3.1-0-py3-none-any.whl/provenance/"
           data-core-metadata="sha256=\(hash)" data-requires-python="&gt;=3.8">amqp-5.3.1-0-py3-none-any.whl</A><br/>
        <a href='amqp-5.3.1.tar.gz#md5=abc' data-yanked="">amqp-5.3.1.tar.gz</a>
        <a href=amqp-5.3.0.tar.gz data-dist-info-metadata="false">amqp&#45;5.3.0.tar.gz</a>
        <a name="no-href">nothing</a>
        </body></html>
        """
    ]
    static let configs = [
        """
        [global]
        index-url = https://user:secret@index.example/api/pypi/dom/main/simple/
        extra-index-url =
            https://a.example/simple/
            https://b.example/simple/
        cert = /etc/ssl/certs/ca.pem
        ; comment
        # comment
        [install]
        index_url: https://other.example/simple/
        --trusted-host = index.example
        """
    ]
    static let netrcs = [
        """
        # comment
        machine index.example login alice password "s3 cret"
        machine other.example
            login bob
            password pw
        macdef init
        cd /pub

        default login anonymous password me@example
        """
    ]

    @Test func mutatedJSONPagesAreRefusedOrParse() {
        HostileRun.cases("SimpleAPI.parseJSON", seeds: Self.jsonPages.map { Array($0.utf8) }, count: 2500, seed: 0x691) { input, _ in
            _ = try? SimpleAPI.parseJSON(Data(input), base: Self.page)
        }
    }

    @Test func mutatedHTMLPagesAreRefusedOrParse() {
        HostileRun.cases("SimpleAPI.parseHTML", seeds: Self.htmlPages.map { Array($0.utf8) }, count: 2500, seed: 0x503) { input, _ in
            _ = try? SimpleAPI.parseHTML(Data(input), base: Self.page)
        }
    }

    @Test func mutatedPipConfigurationsAreRefusedOrParse() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wheeltrust-hostile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/pip.conf"
        var index = 0
        HostileRun.cases("ConfigFile", seeds: Self.configs.map { Array($0.utf8) }, count: 1500, seed: 0xC0F) { input, _ in
            defer { index += 1 }
            _ = try? ConfigFile(parsing: String(decoding: input, as: UTF8.self), origin: "pip.conf")
            if index % 10 == 0, (try? Data(input).write(to: URL(fileURLWithPath: file))) != nil {
                _ = try? PipConfiguration.resolve(
                    environment: ["PIP_CONFIG_FILE": file], homeDirectory: directory, sitePrefix: nil,
                    interpreterDefault: nil, override: nil)
            }
        }
    }

    @Test func mutatedNetrcFilesParse() {
        HostileRun.cases("Netrc", seeds: Self.netrcs.map { Array($0.utf8) }, count: 2500, seed: 0x7E7) { input, _ in
            let netrc = Netrc(parsing: String(decoding: input, as: UTF8.self))
            _ = netrc.credentials(forHost: "index.example")
        }
    }

    @Test func hostileDocumentsAreRefusedWithoutTrapping() {
        let deep = [UInt8](repeating: 0x5B, count: 100_000)
        let deepArray = #expect(throws: IndexError.self) { try SimpleAPI.parseJSON(Data(deep), base: Self.page) }
        #expect(deepArray?.message == "simple page \(Self.page.absoluteString) is not valid JSON")
        let deepObject = Array(String(repeating: #"{"a":"#, count: 100_000).utf8)
        let deepObjectError = #expect(throws: IndexError.self) { try SimpleAPI.parseJSON(Data(deepObject), base: Self.page) }
        #expect(deepObjectError?.message == "simple page \(Self.page.absoluteString) is not valid JSON")
        for html in [
            String(repeating: "<a href=", count: 50_000), String(repeating: "<!--", count: 50_000),
            "<a href=\"x#sha256=" + String(repeating: "a", count: 200_000) + "\">x</a>",
            String(repeating: "&#x110000;&#99999999999999999999;&#;", count: 10_000),
        ] {
            _ = try? SimpleAPI.parseHTML(Data(html.utf8), base: Self.page)
        }
        _ = try? ConfigFile(parsing: String(repeating: "[", count: 100_000), origin: "x")
        _ = Netrc(parsing: String(repeating: "machine ", count: 50_000))
        _ = Netrc(parsing: "machine \"" + String(repeating: "\\", count: 100_000))
    }
}
