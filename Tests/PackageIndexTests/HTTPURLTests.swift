import PackageIndex
import Testing

@Suite("http(s) URL check")
struct HTTPURLTests {
    @Test("http and https URLs with a host, in any case, parse; other schemes, no host or no scheme do not")
    func parse() {
        #expect(HTTPURL.parse("https://index.test/simple/")?.host == "index.test")
        #expect(HTTPURL.parse("HTTP://127.0.0.1:8080/")?.port == 8080)
        #expect(HTTPURL.parse("https://user:pass@index.test/")?.user == "user")
        for bad in ["ftp://x", "file:///etc/passwd", "https:///path", "index.test/simple", "", "https://exa mple.test/"] {
            #expect(HTTPURL.parse(bad) == nil, "\(bad)")
        }
    }
}
