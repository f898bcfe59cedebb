import Foundation
import PythonPackaging
import Testing

@testable import IndexServer

/// Issue 9, attack 11: nothing a request or the served folder holds may become markup, a header or
/// a terminal escape. Every error is `text/plain` (hostile requests sent byte for byte, over a raw
/// socket), every response says `nosniff` and forbids scripts, and the pages escape every name.
@Suite struct ReflectedContentTests {
    static let plain = "text/plain; charset=utf-8"
    static let origin = "/pypi/wheeltrust/main/simple/"
    static let integrity = "/api/pypi/wheeltrust/main/integrity/"

    private func withServer(
        auth: BasicCredentials? = nil, prepare: (String) throws -> Void = { _ in },
        _ body: (Int) async throws -> Void
    ) async throws {
        let directory = try TestSupport.folder(with: [TestSupport.dottedWheel])
        defer { TestSupport.remove(directory) }
        try prepare(directory)
        let server = try await IndexServer(configuration: ServerConfiguration(directory: directory, auth: auth)).start()
        do {
            try await body(server.port)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// What holds for every answer of the responder, whatever was asked.
    static func expectHardened(_ answer: RawHTTP.Answer, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(answer.values("x-content-type-options") == ["nosniff"], "\(label): \(answer)", sourceLocation: sourceLocation)
        #expect(
            answer.values("content-security-policy") == [ResponseHardening.contentSecurityPolicy], "\(label)",
            sourceLocation: sourceLocation)
        #expect(answer.values("set-cookie").isEmpty, "\(label)", sourceLocation: sourceLocation)
    }

    /// An error answer: exactly `text/plain; charset=utf-8`, a body without a control byte (not even
    /// CR, LF or NUL), ESC or a bidi override, and never longer than a few hundred bytes.
    static func expectPlainError(
        _ answer: RawHTTP.Answer, status: Int, _ label: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(answer.status == status, "\(label): \(answer)", sourceLocation: sourceLocation)
        #expect(answer.values("content-type") == [plain], "\(label): \(answer)", sourceLocation: sourceLocation)
        expectHardened(answer, label, sourceLocation: sourceLocation)
        #expect(!answer.body.contains { $0 < 0x20 || $0 == 0x7F }, "\(label): \(answer.body)", sourceLocation: sourceLocation)
        #expect(!answer.text.unicodeScalars.contains { TerminalEscaping.mustEscape($0) }, "\(label)", sourceLocation: sourceLocation)
        #expect(answer.body.count < 1200, "\(label): \(answer.body.count) bytes", sourceLocation: sourceLocation)
    }

    // MARK: hostile requests

    @Test func hostileRequestsGetPlainTextErrors() async throws {
        try await withServer { port in
            let cases: [(target: String, status: Int)] = [
                // The issue's instance: a tag in the Integrity API path.
                (Self.integrity + "%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E/1.0/x.whl/provenance/", 404),
                (Self.integrity + "dotted-pkg/1.2.0/%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E.whl/provenance/", 404),
                (Self.origin + "%3Cscript%3Ealert(1)%3C%2Fscript%3E/", 404),
                (Self.origin + "%3Csvg%20onload%3Dalert(1)%3E/", 404),
                (Self.origin + "a%22b%27c%26d/", 404),
                (Self.origin + "x%00y/", 404),
                (Self.origin + "%1B%5B2j%1B%5B1a%E2%80%AEgnp-exe/", 404),
                (Self.origin + "line%0D%0Abreak/", 404),
                (Self.origin + String(repeating: "%3C", count: 1000) + "/", 404),
                (Self.origin + "%FF%FE/", 400),
                (Self.origin + "%C0%AF/", 400),
                (Self.origin + String(repeating: "a", count: 5000) + "/", 400),
                ("/api/pulp-content/wheeltrust/main/%3Cimg%20src%3Dx%3E.whl", 404),
                ("/api/pulp-content/wheeltrust/main/%3Cimg%3E.whl.metadata", 404),
                ("/%3Cimg%20src%3Dx%3E", 404),
            ]
            for (target, status) in cases {
                let answer = await RawHTTP.request(port: port, target: target)
                Self.expectPlainError(answer, status: status, target)
            }
            // The issue's body: the tag is not markup here (text/plain, nosniff), and what is shown is
            // exactly what arrived, NUL and ESC written out as escapes.
            let tag = await RawHTTP.request(
                port: port, target: Self.integrity + "%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E/1.0/x.whl/provenance/")
            #expect(tag.text == "<img src=x onerror=alert(1)> 1.0 x.whl provenance does not exist.")
            let nul = await RawHTTP.request(port: port, target: Self.origin + "x%00y/")
            #expect(nul.text == "x\\x00y does not exist.")
            let escape = await RawHTTP.request(port: port, target: Self.origin + "%1B%5B2j%E2%80%AEx/")
            #expect(escape.text == "\\x1b[2j\\u{202E}x does not exist.")
            let long = await RawHTTP.request(port: port, target: Self.origin + String(repeating: "%3C", count: 1000) + "/")
            #expect(long.text == String(repeating: "<", count: 200) + "… does not exist.")

            let post = await RawHTTP.request(port: port, target: Self.origin + "%3Cimg%3E/", method: "POST")
            Self.expectPlainError(post, status: 405, "POST")
            #expect(post.header("allow") == "GET, HEAD")
        }
    }

    @Test func headerInjectionThroughRedirectsIsImpossible() async throws {
        try await withServer { port in
            let cases = [
                Self.origin + "Foo%0D%0ASet-Cookie:%20x=1/",
                Self.origin + "Foo%0D%0ASet-Cookie:%20x=1",
                Self.origin + "%3Cimg%3E%0D%0A%0D%0A%3Cscript%3E",
                Self.integrity + "Foo%0D%0ASet-Cookie:%20x=1/1.0%0D%0AX-Evil:%201/x%22%3E%3Cb%3E.whl/provenance",
            ]
            for target in cases {
                let answer = await RawHTTP.request(port: port, target: target)
                Self.expectPlainError(answer, status: 301, target)
                let locations = answer.values("location")
                #expect(locations.count == 1, "\(target): \(answer)")
                let location = locations.first ?? ""
                // Only the unreserved characters, `%` escapes and `/` reach the header.
                let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%/".unicodeScalars)
                #expect(location.unicodeScalars.allSatisfy { allowed.contains($0) }, "\(location)")
                #expect(location.hasPrefix("/pypi/") || location.hasPrefix("/api/pypi/"), "\(location)")
                #expect(answer.values("x-evil").isEmpty)
                // The head has exactly the lines the server wrote: no line was split off a value.
                let headLines = String(decoding: answer.head, as: UTF8.self).components(separatedBy: "\r\n").dropFirst()
                #expect(headLines.allSatisfy { $0.contains(":") && !$0.contains("\n") }, "\(headLines)")
            }
        }
    }

    @Test func requestsTheParserRefusesGetNoHTMLEither() async throws {
        try await withServer { port in
            let raw: [[UInt8]] = [
                Array("GET /pypi/wheeltrust/main/simple/a\rb/ HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
                Array("GET /pypi/wheeltrust/main/simple/a\u{1b}b/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8),
                Array("GET /pypi/wheeltrust/main/simple/\(String(repeating: "a", count: 100_000))/ HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
                Array("GET /<script>\" HTTP/1.1\r\nHost: <script>\r\nConnection: close\r\n\r\n".utf8),
            ]
            for request in raw {
                let answer = await RawHTTP.send(port: port, request)
                let label = String(decoding: request.prefix(60), as: UTF8.self)
                // Either our plain-text answer, or the HTTP parser's own bare 400 (no body at all), or
                // the connection closed without an answer.
                if answer.header("content-type") != nil {
                    Self.expectPlainError(answer, status: answer.status, label)
                } else {
                    #expect(answer.status == 400 || answer.head.isEmpty, "\(label): \(answer)")
                    #expect(answer.body.isEmpty, "\(label): \(answer)")
                }
            }
        }
    }

    @Test func authenticationFailuresArePlainTextToo() async throws {
        try await withServer(auth: BasicCredentials(user: "user", password: "token")) { port in
            for target in [Self.integrity + "%3Cimg%20src%3Dx%3E/1.0/x.whl/provenance/", Self.origin, "/%3Cb%3E"] {
                let answer = await RawHTTP.request(
                    port: port, target: target,
                    extraHeaders: ["Authorization: Basic PHNjcmlwdD4="])
                Self.expectPlainError(answer, status: 401, target)
                #expect(answer.text == "authentication required")
                #expect(answer.header("www-authenticate") == BasicAuthenticator.challenge)
            }
        }
    }

    @Test func everySuccessfulAnswerHasItsExactContentTypeAndTheHardeningHeaders() async throws {
        try await withServer(prepare: { directory in
            try TestSupport.write(#"{"version":1,"attestation_bundles":[]}"#, to: directory, name: TestSupport.dottedWheel + ".provenance")
        }) { port in
            let json = ["Accept: application/vnd.pypi.simple.v1+json"]
            let cases: [(target: String, headers: [String], type: String)] = [
                (Self.origin, [], "text/html; charset=utf-8"),
                (Self.origin, json, "application/vnd.pypi.simple.v1+json"),
                (Self.origin + "dotted-pkg/", [], "text/html; charset=utf-8"),
                (Self.origin + "dotted-pkg/", ["Accept: application/vnd.pypi.simple.v1+html"], "application/vnd.pypi.simple.v1+html"),
                (Self.origin + "dotted-pkg/", json, "application/vnd.pypi.simple.v1+json"),
                ("/api/pulp-content/wheeltrust/main/\(TestSupport.dottedWheel)", [], "application/octet-stream"),
                ("/api/pulp-content/wheeltrust/main/\(TestSupport.dottedWheel).metadata", [], "application/octet-stream"),
                (Self.integrity + "dotted-pkg/1.2.0/\(TestSupport.dottedWheel)/provenance/", [], "application/json"),
            ]
            for (target, headers, type) in cases {
                let answer = await RawHTTP.request(port: port, target: target, extraHeaders: headers)
                #expect(answer.status == 200, "\(target): \(answer)")
                #expect(answer.values("content-type") == [type], "\(target): \(answer)")
                Self.expectHardened(answer, target)
                let head = await RawHTTP.request(port: port, target: target, method: "HEAD", extraHeaders: headers)
                Self.expectHardened(head, "HEAD " + target)
            }
        }
    }

    @Test func aHostileHostHeaderNeverReachesAPage() async throws {
        try await withServer { port in
            let json = "Accept: application/vnd.pypi.simple.v1+json"
            var served = 0
            for host in ["a\"><img src=x onerror=alert(1)>", "x'y", "evil.example/<b>", "a b", "%3Cimg%3E"] {
                for accept in [[], [json]] {
                    let answer = await RawHTTP.send(
                        port: port,
                        Array(
                            ([
                                "GET \(Self.origin)dotted-pkg/ HTTP/1.1", "Host: \(host)", "Connection: close",
                            ] + accept)
                            .joined(separator: "\r\n").utf8) + Array("\r\n\r\n".utf8))
                    let label = "Host: \(host) \(accept)"
                    if answer.status == 400 && answer.header("content-type") == nil { continue }  // refused by the parser
                    #expect(answer.status == 200, "\(label): \(answer)")
                    served += 1
                    Self.expectHardened(answer, label)
                    // An authority that is not a plain host[:port] is ignored: links name the listening address.
                    #expect(!answer.text.contains(host), "\(label)")
                    #expect(answer.text.contains("http://127.0.0.1:\(port)/api/pulp-content/wheeltrust/main/"), "\(label)")
                    #expect(!answer.text.contains("<img") && !answer.text.contains("<b>"), "\(label)")
                }
            }
            #expect(served >= 4, "the HTTP parser let too few of the hostile Host headers through to test the pages")
        }
    }

    // MARK: hostile names in the served folder

    static let hostileNames = [
        "dotted_pkg-1.2.0-0<img src=x onerror=alert(1)>-py3-none-any.whl",
        "evil&amp\"name-1.0-py3-none-any.whl",
        "quote'name-1.0-py3-none-any.whl",
        "ctl\u{1b}[2J-1.0-py3-none-any.whl",
        "newline\n<b>-1.0.tar.gz",
        "dotted_pkg-1.2.0+<x>-py3-none-any.whl",
        "dotted_pkg-1.2.0-0-py3-none-any.whl\u{202E}lmth.whl",
    ]

    @Test func hostileNamesInTheFolderNeverReachAPageRaw() async throws {
        let hostileAttestation = TestSupport.dottedWheel + ".\u{1b}[31m<b>\"x\"'&.attestation"
        try await withServer(prepare: { directory in
            for name in Self.hostileNames {
                try FileManager.default.copyItem(atPath: directory + "/" + TestSupport.dottedWheel, toPath: directory + "/" + name)
            }
            try TestSupport.write("[not an object]", to: directory, name: hostileAttestation)
        }) { port in
            let json = ["Accept: application/vnd.pypi.simple.v1+json"]
            for (target, headers) in [
                (Self.origin, [String]()), (Self.origin, json),
                (Self.origin + "dotted-pkg/", []), (Self.origin + "dotted-pkg/", json),
            ] {
                let answer = await RawHTTP.request(port: port, target: target, extraHeaders: headers)
                #expect(answer.status == 200, "\(target)")
                let text = answer.text
                for fragment in ["<img", "<b>", "<x>", "\u{1b}", "\u{202E}", "\n<b>", "&amp\"", "quote'"] {
                    #expect(!text.contains(fragment), "\(target) holds \(fragment.debugDescription)")
                }
                if headers.isEmpty {
                    // The only markup is ours: every '<' opens one of the tags the page template writes.
                    let tags = text.components(separatedBy: "<").dropFirst().map { $0.prefix { $0 != " " && $0 != ">" } }
                    #expect(
                        Set(tags).isSubset(of: [
                            "!DOCTYPE", "html", "/html", "head", "/head", "meta", "title", "/title",
                            "body", "/body", "h1", "/h1", "a", "/a", "br/",
                        ]), "\(Set(tags))")
                } else {
                    let parsed = try JSONSerialization.jsonObject(with: Data(answer.body))
                    #expect(parsed is [String: Any], "\(target)")
                }
            }
            // A hostile side-file name in an error: plain text, the escape written out.
            let broken = await RawHTTP.request(
                port: port, target: Self.integrity + "dotted-pkg/1.2.0/\(TestSupport.dottedWheel)/provenance/")
            Self.expectPlainError(broken, status: 500, "broken attestation")
            #expect(broken.text == "attestation file \(TestSupport.dottedWheel).\\x1b[31m<b>\"x\"'&.attestation is not a JSON object")
        }
    }

    /// The renderer's own contract, apart from the filename parser that keeps such names out.
    @Test func pagesEscapeEveryNameEvenOnesTheParserWouldRefuse() throws {
        let directory = try TestSupport.folder(with: [])
        defer { TestSupport.remove(directory) }
        let layout = IndexLayout(domain: "wheeltrust", distribution: "main", legacyProvenanceURLs: false)
        let pages = SimplePages(layout: layout, catalog: IndexCatalog(directory: directory))
        let hostile = "a<img src=x onerror=alert(1)>\"'&\u{1b}[2J\u{202E}\u{0}\n.whl"
        let entry = CatalogEntry(
            filename: hostile, path: directory + "/missing", distribution: try DistributionFilename(parsing: TestSupport.dottedWheel),
            size: 1, sha256Hex: TestSupport.dottedDigest, advertisedSHA256Hex: TestSupport.dottedDigest,
            provenance: .file(path: directory + "/missing.provenance"), modified: Date(timeIntervalSince1970: 0))
        let html = String(
            decoding: pages.projectHTML(normalized: "x<script>\"", entries: [entry], origin: "http://127.0.0.1:1"), as: UTF8.self)
        #expect(html.contains(">a&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;&#x1B;[2J&#x202E;&#x0;&#xA;.whl</a>"), "\(html)")
        #expect(html.contains("<title>Links for x&lt;script&gt;&quot;</title>"))
        for raw in ["<img", "<script", "\u{1b}", "\u{202E}", "\u{0}", "x\"", "\"'"] {
            #expect(!html.contains(raw), "\(raw.debugDescription)")
        }
        // Attribute values stay inside their quotes: every attribute is name="value" with no quote inside.
        let anchor = try #require(html.components(separatedBy: "<a ").dropFirst().first?.components(separatedBy: ">").first)
        #expect(anchor.filter { $0 == "\"" }.count == 4, "\(anchor)")  // href and data-provenance
        #expect(
            anchor.contains(
                "href=\"http://127.0.0.1:1/api/pulp-content/wheeltrust/main/a%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E%22%27%26%1B%5B2J%E2%80%AE%00%0A.whl#sha256="
            ))

        let root = String(decoding: pages.rootHTML(entries: [entry]), as: UTF8.self)
        #expect(root.contains(">dotted-pkg</a>"))

        let json = pages.projectJSON(normalized: "x<script>\"\u{1b}", entries: [entry], origin: "http://127.0.0.1:1")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        #expect(object["name"] as? String == "x<script>\"\u{1b}")
        let file = try #require((object["files"] as? [[String: Any]])?.first)
        #expect(file["filename"] as? String == hostile)
        #expect(!json.contains(0x1B) && !json.contains(0x00) && !json.contains(0x0A))
    }

    @Test func theEscapersThemselves() {
        #expect(HTMLEscaping.escape("<a href=\"x\" title='y'>&</a>") == "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;")
        #expect(HTMLEscaping.escape("e\u{1b}[1A\u{9b}2K\u{7f}\u{2066}\u{2028}\t") == "e&#x1B;[1A&#x9B;2K&#x7F;&#x2066;&#x2028;&#x9;")
        #expect(HTMLEscaping.escape("café ✓") == "café ✓")
        #expect(UntrustedText.plain("a\r\nb\u{0}\u{1b}[2J\u{202E}\\u{41}") == "a\\r\\nb\\x00\\x1b[2J\\u{202E}\\\\u{41}")
        #expect(UntrustedText.plain("<img src=\"x\">") == "<img src=\"x\">")
        #expect(UntrustedText.plain(String(repeating: "x", count: 5), limit: 3) == "xxx…")
        #expect(UntrustedText.plain("xxx", limit: 3) == "xxx")
    }
}
