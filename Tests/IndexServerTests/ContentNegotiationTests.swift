import Testing

@testable import IndexServer

@Suite struct ContentNegotiationTests {
    @Test func pipsAcceptHeaderGetsJSON() {
        let pip = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01"
        #expect(SimpleFormat.negotiate(accept: pip) == .json)
        #expect(SimpleFormat.negotiate(accept: "application/vnd.pypi.simple.latest+json") == .json)
        #expect(SimpleFormat.negotiate(accept: "application/vnd.pypi.simple.v1+json, text/html;q=0.1") == .json)
    }

    @Test func everythingElseGetsHTML() {
        #expect(SimpleFormat.negotiate(accept: nil) == .html(contentType: "text/html; charset=utf-8"))
        #expect(SimpleFormat.negotiate(accept: "*/*") == .html(contentType: "text/html; charset=utf-8"))
        #expect(SimpleFormat.negotiate(accept: "text/html") == .html(contentType: "text/html; charset=utf-8"))
        #expect(
            SimpleFormat.negotiate(accept: "application/vnd.pypi.simple.v1+html")
                == .html(contentType: "application/vnd.pypi.simple.v1+html"))
        #expect(SimpleFormat.negotiate(accept: "application/json") == .html(contentType: "text/html; charset=utf-8"))
    }

    @Test func qualityDecides() {
        #expect(SimpleFormat.negotiate(accept: "application/vnd.pypi.simple.v1+json;q=0") != .json)
        #expect(SimpleFormat.negotiate(accept: "application/vnd.pypi.simple.v1+json;q=0.2, text/html") != .json)
        #expect(SimpleFormat.negotiate(accept: "application/vnd.pypi.simple.v1+json;q=nan") == .json)  // bad q ignored
    }

    @Test func hostileHeadersAreBounded() {
        let huge = String(repeating: "application/vnd.pypi.simple.v1+json,", count: 1000)
        #expect(SimpleFormat.negotiate(accept: huge) != .json)
        #expect(SimpleFormat.negotiate(accept: ";;;,,,=;q=") != .json)
    }
}
