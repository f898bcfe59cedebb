import Foundation
import Testing

@testable import PackageIndex

@Suite struct ProxySettingsTests {
    @Test func schemeChoosesTheProxy() {
        let settings = ProxySettings(environment: ["https_proxy": "http://proxy.test:3128", "HTTP_PROXY": "plain.test:8080"])
        #expect(settings.proxy(for: URL(string: "https://index.test/simple/")!)?.host == "proxy.test")
        #expect(settings.proxy(for: URL(string: "https://index.test/simple/")!)?.port == 3128)
        #expect(settings.proxy(for: URL(string: "http://index.test/simple/")!)?.host == "plain.test")
    }

    @Test func noProxyAndLoopbackAreDirect() {
        let settings = ProxySettings(environment: ["HTTPS_PROXY": "http://proxy.test:3128", "no_proxy": "internal.test, .corp.test"])
        #expect(settings.proxy(for: URL(string: "https://internal.test/")!) == nil)
        #expect(settings.proxy(for: URL(string: "https://pkgs.internal.test/")!) == nil)
        #expect(settings.proxy(for: URL(string: "https://a.corp.test/")!) == nil)
        #expect(settings.proxy(for: URL(string: "https://notinternal.test/")!) != nil)
        #expect(settings.proxy(for: URL(string: "https://127.0.0.1:8443/")!) == nil)
        #expect(settings.proxy(for: URL(string: "https://localhost/")!) == nil)
        let all = ProxySettings(environment: ["https_proxy": "http://proxy.test:3128", "NO_PROXY": "*"])
        #expect(all.proxy(for: URL(string: "https://anything.test/")!) == nil)
    }

    @Test func unusableProxyIsIgnoredAndCredentialsMasked() {
        let bad = ProxySettings(environment: ["https_proxy": "socks5://proxy.test:1080"])
        #expect(bad.proxy(for: URL(string: "https://index.test/")!) == nil)
        let withUser = ProxySettings(environment: ["https_proxy": "http://me:s%40cret@proxy.test:3128"])
        let proxy = withUser.proxy(for: URL(string: "https://index.test/")!)
        #expect(proxy?.password == "s@cret")
        #expect(proxy?.description.contains("cret") == false)
    }
}
