import Foundation
import PythonPackaging
import Testing

@testable import PackageIndex

@Suite struct HTTPClientTests {
    static func client(
        credentials: IndexCredentials? = nil, maxRetries: Int = 3, maxBodySize: Int = 32 << 20,
        certificateBundle: String? = nil
    ) -> HTTPClient {
        HTTPClient(
            credentials: credentials, certificateBundle: certificateBundle, timeout: 5,
            retry: RetryPolicy(maxRetries: maxRetries, baseDelay: 0.01, maxRetryAfter: 1), maxBodySize: maxBodySize)
    }

    static func credentials(for server: ScriptedServer) -> IndexCredentials? {
        IndexCredentials.forIndex(server.url("/", withCredentials: true), netrc: nil)
    }

    // MARK: python3 -m http.server

    @Test func staticServerGetDownloadAndNotFound() async throws {
        let root = try TemporaryDirectory()
        let payload = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try root.write("www/pkg/file.bin", data: payload)
        try root.write("www/index.html", "<a href=\"pkg/file.bin\">file.bin</a>")
        let server = try await PythonServer.staticFiles(directory: root.path + "/www")
        defer { server.stop() }
        let base = "http://127.0.0.1:\(server.port)"
        let client = Self.client()

        let page = try await client.get(URL(string: base + "/index.html")!, accept: "text/html")
        #expect(page.status == 200)
        #expect(page.mediaType == "text/html")
        #expect(String(decoding: page.body, as: UTF8.self).contains("file.bin"))

        let expected = FileDigest.compute([UInt8](payload), algorithm: .sha256).hex
        let target = root.path + "/out/file.bin"
        try FileManager.default.createDirectory(atPath: root.path + "/out", withIntermediateDirectories: true)
        let result = try await client.download(
            URL(string: base + "/pkg/file.bin")!, to: target, expectedSHA256: SHA256Hex(normalizing: expected.uppercased()))
        #expect(result.sha256.text == expected)
        #expect(result.size == Int64(payload.count))
        #expect(FileManager.default.contents(atPath: target) == payload)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path + "/out") == ["file.bin"])

        let missing = await #expect(throws: IndexError.self) {
            try await client.get(URL(string: base + "/nope")!, accept: nil, what: "project page")
        }
        #expect(missing?.code == .notFound)
        #expect(missing?.message.contains("project page") == true)
        #expect(missing?.message.contains("404") == true)
    }

    @Test func downloadHashMismatchLeavesNothing() async throws {
        let root = try TemporaryDirectory()
        try root.write("www/file.bin", "real content")
        let server = try await PythonServer.staticFiles(directory: root.path + "/www")
        defer { server.stop() }
        try FileManager.default.createDirectory(atPath: root.path + "/out", withIntermediateDirectories: true)
        let target = root.path + "/out/file.bin"
        let error = await #expect(throws: IndexError.self) {
            try await Self.client().download(
                URL(string: "http://127.0.0.1:\(server.port)/file.bin")!, to: target,
                expectedSHA256: SHA256Hex(String(repeating: "0", count: 64)))
        }
        #expect(error?.code == .badResponse)
        #expect(
            error?.message
                == "file: sha256 mismatch for http://127.0.0.1:\(server.port)/file.bin: expected \(String(repeating: "0", count: 64)), "
                + "received 359b365773dbfb3e21cc1196062f477ad27f83bc04aa9dcd4178d924127a5f17")
        #expect(error?.message.contains("sha256 mismatch") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path + "/out").isEmpty)
    }

    @Test func closedPortIsANetworkErrorQuickly() async throws {
        let port = try Loopback.freePort()
        let started = Date()
        let url = URL(string: "http://user:hunter2secret@127.0.0.1:\(port)/simple/")!
        let error = await #expect(throws: IndexError.self) {
            try await Self.client(maxRetries: 1).get(url, accept: nil)
        }
        #expect(error?.code == .network)
        #expect(error?.message.contains("hunter2secret") == false)
        #expect(error?.message.contains("user:****@127.0.0.1") == true)
        // A hang guard, not a speed measurement: a refused connection must not wait out
        // timeouts and retries without end (the machine may be busy, so the bound is loose).
        #expect(Date().timeIntervalSince(started) < 60)
    }

    // MARK: scripted server

    @Test func basicAuthAcceptedAndRejected() async throws {
        let server = try await ScriptedServer.start()
        let ok = try await Self.client(credentials: Self.credentials(for: server)).get(
            server.url("/auth", withCredentials: true), accept: nil)
        #expect(String(decoding: ok.body, as: UTF8.self) == "welcome")
        #expect(server.requests().last?.authorization == ScriptedServer.expectedAuthorization)

        let wrong = IndexCredentials(
            user: "12345|svc-name", password: "wrong-password-xyz", scheme: "http", host: "127.0.0.1", port: server.port)
        let refused = await #expect(throws: IndexError.self) {
            try await Self.client(credentials: wrong).get(server.url("/auth"), accept: nil)
        }
        #expect(refused?.code == .authentication)
        #expect(refused?.message.contains("401") == true)
        #expect(refused?.message.contains("wrong-password-xyz") == false)

        let anonymous = await #expect(throws: IndexError.self) { try await Self.client().get(server.url("/auth"), accept: nil) }
        #expect(anonymous?.code == .authentication)
        #expect(
            anonymous?.message == "resource: HTTP 401 from \(server.url("/auth").absoluteString) (no credentials configured for this host)")
        #expect(server.requests().filter { $0.path == "/auth" }.count == 3, "401 is never retried")
    }

    @Test func credentialsInURLAreNeverLeakedInErrors() async throws {
        let server = try await ScriptedServer.start()
        let client = Self.client(credentials: Self.credentials(for: server), maxRetries: 1)
        var messages: [String] = []
        for path in ["/missing", "/always503", "/bad-request", "/loop"] {
            do {
                _ = try await client.get(server.url(path, withCredentials: true), accept: nil)
            } catch {
                messages.append(error.message)
                messages.append(error.description)
            }
        }
        #expect(messages.count == 8)
        for message in messages {
            #expect(!message.contains(ScriptedServer.password), "\(message)")
            #expect(!message.contains("\n"))
        }
    }

    @Test func retriesServiceUnavailableThenSucceeds() async throws {
        let server = try await ScriptedServer.start()
        let response = try await Self.client().get(server.url("/flaky"), accept: nil)
        #expect(String(decoding: response.body, as: UTF8.self) == "recovered")
        #expect(server.requests().filter { $0.path == "/flaky" }.count == 3)
    }

    @Test func givesUpAfterMaxRetries() async throws {
        let server = try await ScriptedServer.start()
        let error = await #expect(throws: IndexError.self) {
            try await Self.client(maxRetries: 2).get(server.url("/always503"), accept: nil)
        }
        #expect(error?.code == .network)
        #expect(error?.message.contains("503") == true)
        #expect(error?.message.contains("after 3 attempts") == true)
        #expect(server.requests().filter { $0.path == "/always503" }.count == 3)

        let limited = await #expect(throws: IndexError.self) {
            try await Self.client(maxRetries: 1).get(server.url("/always429"), accept: nil)
        }
        #expect(limited?.code == .network)
        #expect(limited?.message == "resource: HTTP 429 from \(server.url("/always429").absoluteString) after 2 attempts")
        #expect(server.requests().filter { $0.path == "/always429" }.count == 2)

        let bad = await #expect(throws: IndexError.self) { try await Self.client().get(server.url("/bad-request"), accept: nil) }
        #expect(bad?.code == .badResponse)
        #expect(bad?.message == "resource: unexpected HTTP 400 from \(server.url("/bad-request").absoluteString)")
        #expect(server.requests().filter { $0.path == "/bad-request" }.count == 1, "4xx is never retried")
    }

    @Test func authorizationIsNotForwardedToAnotherHost() async throws {
        let server = try await ScriptedServer.start()
        let client = Self.client(credentials: Self.credentials(for: server))
        let response = try await client.get(server.url("/redirect-other", withCredentials: true), accept: nil)
        #expect(String(decoding: response.body, as: UTF8.self) == "landed")
        #expect(response.url.host == "127.0.0.2")
        let log = server.requests()
        let first = try #require(log.first { $0.path == "/redirect-other" })
        #expect(first.host == "127.0.0.1")
        #expect(first.authorization == ScriptedServer.expectedAuthorization)
        let landing = try #require(log.first { $0.path == "/landing" })
        #expect(landing.host == "127.0.0.2")
        #expect(landing.authorization == nil)
    }

    @Test func authorizationIsKeptOnSameHostRedirect() async throws {
        let server = try await ScriptedServer.start()
        let client = Self.client(credentials: Self.credentials(for: server))
        _ = try await client.get(server.url("/redirect-same"), accept: nil)
        let landing = try #require(server.requests().first { $0.path == "/landing" })
        #expect(landing.host == "127.0.0.1")
        #expect(landing.authorization == ScriptedServer.expectedAuthorization)
    }

    @Test func redirectLoopIsCapped() async throws {
        let server = try await ScriptedServer.start()
        let error = await #expect(throws: IndexError.self) { try await Self.client().get(server.url("/loop"), accept: nil) }
        #expect(error?.code == .badResponse)
        #expect(error?.message.contains("redirects") == true)
        #expect(server.requests().filter { $0.path == "/loop" }.count == 11)
    }

    @Test func bodyIsCapped() async throws {
        let server = try await ScriptedServer.start()
        let error = await #expect(throws: IndexError.self) {
            try await Self.client(maxBodySize: 100_000).get(server.url("/big"), accept: nil)
        }
        #expect(error?.code == .tooLarge)
        #expect(error?.message == "resource: \(server.url("/big").absoluteString) declares 300000 bytes, more than the 100000-byte cap")
        let fine = try await Self.client(maxBodySize: 400_000).get(server.url("/big"), accept: nil)
        #expect(fine.body.count == 300_000)
    }

    @Test func unusableCertificateBundleFailsClosed() async throws {
        let dir = try TemporaryDirectory()
        let empty = try dir.write("empty.pem", "no certificates here")
        let server = try await ScriptedServer.start()
        for bundle in [empty, dir.path + "/missing.pem"] {
            let error = await #expect(throws: IndexError.self) {
                try await Self.client(certificateBundle: bundle).get(server.url("/landing"), accept: nil)
            }
            #expect(error?.code == .configuration)
            #expect(
                error?.message
                    == (bundle == empty ? "CA bundle \(empty) holds no PEM CERTIFICATE block" : "cannot read CA bundle \(bundle)"))
        }
        #expect(server.requests().isEmpty)
    }

    @Test func certificateBundleParsing() throws {
        let dir = try TemporaryDirectory()
        let pem =
            "junk\n-----BEGIN CERTIFICATE-----\nAAEC\nAw==\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nBAU=\n-----END CERTIFICATE-----\n"
        let path = try dir.write("ca.pem", pem)
        let bundle = try CertificateBundle.load(path: path)
        #expect(bundle.certificates == [[0, 1, 2, 3], [4, 5]])
        // CRLF lines, tabs, an unterminated last block, a block with bad base64, other PEM kinds.
        let messy =
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\r\n"
            + "-----BEGIN CERTIFICATE-----\r\n\tAAEC\r\n Aw==\r\n-----END CERTIFICATE-----\r\n"
            + "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"
            + "-----BEGIN CERTIFICATE-----\nBAU=\n"
        #expect(CertificateBundle.parsePEMCertificates(messy) == [[0, 1, 2, 3]])
        #expect(CertificateBundle.parsePEMCertificates("") == [])
        #expect(CertificateBundle.parsePEMCertificates("-----BEGIN CERTIFICATE-----") == [])
    }
}
