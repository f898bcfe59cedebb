import IndexServer
import Testing

@Suite("listen address")
struct ListenAddressTests {
    @Test("loopback: localhost, ::1 and 127.a.b.c with ASCII-digit parts 0-255, in any case")
    func loopback() {
        for host in ["localhost", "LOCALHOST", "::1", "[::1]", "127.0.0.1", "127.1.2.3", "127.255.255.255", "127.0.0.010"] {
            #expect(ListenAddress.isLoopback(host), "\(host)")
        }
    }

    @Test("not loopback: other addresses, the unspecified ones, names that start like loopback, signed or empty parts")
    func notLoopback() {
        for host in [
            "0.0.0.0", "::", "[::]", "10.0.0.1", "128.0.0.1", "127.0.0.1.example", "127.0.0.256", "127.0.0",
            "127.+0.0.1", "127.-0.0.1", "127..0.1", "127.0.0.1 ", "localhost.example", "127.0.0.\u{0661}", "example.test", "",
        ] {
            #expect(!ListenAddress.isLoopback(host), "\(host)")
        }
    }
}
