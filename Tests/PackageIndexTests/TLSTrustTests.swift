import Foundation
import TestSupport
import Testing

@testable import PackageIndex

/// pip's `cert` honoured: an HTTPS index whose certificate comes from a CA made in the test is
/// reachable with that CA as the bundle, and refused without it, with another CA, or for a
/// certificate that names another host.
@Suite struct TLSTrustTests {
    /// `python3 server.py <cert> <key>`: HTTPS on 127.0.0.1, `/simple/` answers 200, `/wheel` a body.
    static let script = #"""
        import http.server, socketserver, ssl, sys

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args):
                pass
            def do_GET(self):
                body = b"secure index\n" * (1000 if self.path == "/wheel" else 1)
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

        server = Server(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[1], sys.argv[2])
        server.socket = context.wrap_socket(server.socket, server_side=True)
        print("READY %d" % server.server_address[1], flush=True)
        server.serve_forever()
        """#

    struct Setup {
        let directory: TemporaryDirectory
        let server: PythonServer
        let bundle: String
        var base: String { "https://127.0.0.1:\(server.port)" }
    }

    static func serve(ipAddresses: [String] = ["127.0.0.1"], dnsNames: [String] = ["localhost"]) async throws -> Setup {
        let directory = try TemporaryDirectory()
        let ca = try TestCertificateAuthority()
        let (certificate, key) = try ca.issueServerCertificate(ipAddresses: ipAddresses, dnsNames: dnsNames)
        let certPath = try directory.write("server.pem", certificate)
        let keyPath = try directory.write("server.key", key)
        let bundle = try directory.write("ca-bundle.pem", "# the test CA\n" + (try ca.pem))
        let server = try await PythonServer.script(script, in: directory.path, arguments: [certPath, keyPath])
        return Setup(directory: directory, server: server, bundle: bundle)
    }

    static func client(bundle: String?) -> HTTPClient {
        HTTPClient(
            credentials: nil, certificateBundle: bundle, timeout: 5,
            retry: RetryPolicy(maxRetries: 2, baseDelay: 0.01, maxRetryAfter: 1), environment: [:])
    }

    @Test("the CA bundle pip is configured with is trusted: GET and download over HTTPS")
    func bundleIsTrusted() async throws {
        let setup = try await Self.serve()
        defer { setup.server.stop() }
        let client = Self.client(bundle: setup.bundle)
        let page = try await client.get(URL(string: setup.base + "/simple/")!, accept: "text/html")
        #expect(page.status == 200)
        #expect(String(decoding: page.body, as: UTF8.self) == "secure index\n")

        let target = setup.directory.path + "/wheel"
        let result = try await client.download(URL(string: setup.base + "/wheel")!, to: target, expectedSHA256: nil)
        #expect(result.size == 13_000)
    }

    @Test("without the bundle the system store does not trust the test CA: a TLS error, not retried")
    func systemStoreRefuses() async throws {
        let setup = try await Self.serve()
        defer { setup.server.stop() }
        let error = await #expect(throws: IndexError.self) {
            try await Self.client(bundle: nil).get(URL(string: setup.base + "/simple/")!, accept: nil, what: "project page")
        }
        #expect(error?.code == .network)
        #expect(error?.message.contains("TLS") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("attempts") == false, "TLS failures are not retried: \(error?.message ?? "")")
    }

    @Test("a bundle naming another CA is all that is trusted: the server's CA is refused")
    func otherCARefused() async throws {
        let setup = try await Self.serve()
        defer { setup.server.stop() }
        let other = try TestCertificateAuthority(commonName: "wheeltrust test CA")
        let bundle = try setup.directory.write("other.pem", try other.pem)
        let error = await #expect(throws: IndexError.self) {
            try await Self.client(bundle: bundle).get(URL(string: setup.base + "/simple/")!, accept: nil)
        }
        #expect(error?.code == .network)
        #expect(error?.message.contains("not trusted") == true, "\(error?.message ?? "")")
    }

    @Test("a certificate from the trusted CA for another host is refused")
    func wrongHostRefused() async throws {
        let setup = try await Self.serve(ipAddresses: ["10.9.8.7"], dnsNames: ["elsewhere.test"])
        defer { setup.server.stop() }
        let error = await #expect(throws: IndexError.self) {
            try await Self.client(bundle: setup.bundle).get(URL(string: setup.base + "/simple/")!, accept: nil)
        }
        #expect(error?.code == .network)
        #expect(error?.message.contains("TLS") == true, "\(error?.message ?? "")")
    }

    @Test("a bundle block that is not a certificate is a configuration error before any connection")
    func invalidCertificateInBundle() async throws {
        let directory = try TemporaryDirectory()
        let bundle = try directory.write("bad.pem", "-----BEGIN CERTIFICATE-----\nAAECAw==\n-----END CERTIFICATE-----\n")
        let error = await #expect(throws: IndexError.self) {
            try await Self.client(bundle: bundle).get(URL(string: "https://127.0.0.1:9/")!, accept: nil)
        }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("bad.pem") == true)
    }
}
