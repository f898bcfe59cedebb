import Attestations
import Foundation
import Sigstore
import TUF
import Testing

@testable import PackageIndex

/// Serves the python-tuf fixture repositories (Tests/TUFTests/Fixtures/tuf, see
/// make_repository.py there) from our own server on 127.0.0.1 and runs the real
/// `TUFHTTPFetcher` + `TUFUpdater` against them.
@Suite("TUF update over HTTP", .serialized)
struct TUFServedRepositoryTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("TUFTests/Fixtures/tuf")
    static let now = Date(timeIntervalSince1970: 1_893_456_000)  // 2030-01-01T00:00:00Z
    static let target = "trusted_root.json"

    /// `/<scenario>/<path>` answers from the scenario overlay, else from good/; `/good/…` is the
    /// good repository; `/endless/…` streams bytes until the client hangs up; anything else 404.
    static let serverScript = #"""
        import http.server, os, socketserver, sys, threading

        root = sys.argv[1]

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args):
                pass
            def do_GET(self):
                parts = self.path.split("?")[0].lstrip("/").split("/", 1)
                if len(parts) == 2 and parts[0] == "endless":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    try:
                        while True:
                            self.wfile.write(b" " * 65536)
                    except (BrokenPipeError, ConnectionResetError):
                        return
                if len(parts) == 2 and ".." not in parts[1].split("/"):
                    for layer in (parts[0], "good"):
                        path = os.path.join(root, layer, parts[1])
                        if os.path.isfile(path):
                            with open(path, "rb") as f:
                                body = f.read()
                            self.send_response(200)
                            self.send_header("Content-Type", "application/octet-stream")
                            self.send_header("Content-Length", str(len(body)))
                            self.end_headers()
                            self.wfile.write(body)
                            return
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

        server = Server(("127.0.0.1", 0), Handler)
        print("READY %d" % server.server_address[1], flush=True)
        server.serve_forever()
        """#

    final class Harness: @unchecked Sendable {
        let scratch: TemporaryDirectory
        let server: PythonServer

        init() async throws {
            scratch = try TemporaryDirectory()
            server = try await PythonServer.script(
                TUFServedRepositoryTests.serverScript, in: scratch.path,
                arguments: [TUFServedRepositoryTests.fixtures.path])
        }

        var store: TUFStore { TUFStore(directory: scratch.path + "/store") }

        func updater(_ scenario: String, limits: TUFLimits = .default) throws -> TUFUpdater {
            let base = try #require(URL(string: "http://127.0.0.1:\(server.port)/\(scenario)/"))
            let fetcher = TUFHTTPFetcher(baseURL: base, http: TUFHTTPFetcher.client(limits: limits, timeout: 10))
            let bootstrap = try #require(
                FileManager.default.contents(
                    atPath: TUFServedRepositoryTests.fixtures.appendingPathComponent("good/metadata/1.root.json").path))
            return TUFUpdater(
                fetcher: fetcher, store: store, bootstrapRoot: [UInt8](bootstrap),
                layout: .metadataDirectory, limits: limits)
        }

        func update(_ scenario: String, limits: TUFLimits = .default) async throws -> TUFUpdateOutcome {
            try await updater(scenario, limits: limits).update(target: TUFServedRepositoryTests.target, now: TUFServedRepositoryTests.now)
        }
    }

    @Test func goodRepositoryThenEachAttackIsRefused() async throws {
        let harness = try await Harness()
        guard case .updated(let summary) = try await harness.update("good") else {
            Issue.record("good update over HTTP failed")
            return
        }
        #expect(summary.rootVersion == 3)
        #expect(summary.targetsVersion == 2)
        _ = try TrustedRoot.decode(Data(summary.targetBytes))

        let expected: [(String, String)] = [
            ("rollback-timestamp", "timestamp: version 1 is lower than the trusted version 2 (rollback attack)"),
            ("freeze", "timestamp: version 3 expired at 2021-01-01T00:00:00Z (freeze attack)"),
            (
                "mix-and-match-snapshot",
                "snapshot: 3.snapshot.json carries version 2, but timestamp v3 names version 3 (mix-and-match attack)"
            ),
            ("mix-and-match-targets", "targets: 3.targets.json carries version 2, but snapshot v3 names version 3 (mix-and-match attack)"),
            ("root-below-threshold", "root: 4.root.json has 1 of the 2 signatures the trusted root v3 requires"),
            ("root-version-skip", "root: 4.root.json carries version 5, expected 4"),
        ]
        for (scenario, message) in expected {
            let outcome = try await harness.update(scenario)
            guard case .failed(let failure) = outcome else {
                Issue.record("\(scenario) was accepted over HTTP")
                continue
            }
            #expect(failure.message == message, "\(scenario)")
            #expect(failure.isTamper)
        }
        // The trusted state survived every attack: root v3 is still the stored root, and the
        // validly signed timestamp v3 the mix-and-match scenarios served (before their snapshot or
        // targets failed) is remembered, so the good repository's older timestamp v2 is now a rollback.
        let root = try #require(FileManager.default.contents(atPath: harness.store.metadataPath("root.json")))
        #expect(root == FileManager.default.contents(atPath: Self.fixtures.appendingPathComponent("good/metadata/3.root.json").path))
        guard case .failed(let rollback) = try await harness.update("good") else {
            Issue.record("timestamp v2 accepted after v3 was trusted")
            return
        }
        #expect(rollback.message == "timestamp: version 2 is lower than the trusted version 3 (rollback attack)")
    }

    @Test func targetWithOtherBytesIsRefusedOverHTTP() async throws {
        let harness = try await Harness()
        guard case .failed(let failure) = try await harness.update("target-hash-mismatch") else {
            Issue.record("forged target accepted")
            return
        }
        #expect(failure.message == "trusted_root.json: sha256 differs from the one targets v2 lists")
        #expect(!FileManager.default.fileExists(atPath: harness.store.targetPath(Self.target)))
    }

    @Test func endlessResponseIsCutAtTheLimit() async throws {
        let harness = try await Harness()
        let limits = TUFLimits(
            rootMaxLength: 64 << 10, timestampMaxLength: 16 << 10, snapshotMaxLength: 64 << 10,
            targetsMaxLength: 64 << 10, targetMaxLength: 64 << 10)
        let started = Date()
        guard case .failed(let failure) = try await harness.update("endless", limits: limits) else {
            Issue.record("endless response accepted")
            return
        }
        #expect(failure.code == .tooLarge)
        #expect(failure.message == "root: metadata/2.root.json is longer than the 65536-byte limit")
        #expect(Date().timeIntervalSince(started) < 30)
    }

    @Test func unreachableRepositoryIsANetworkFailure() async throws {
        let port = try Loopback.freePort()
        let fetcher = TUFHTTPFetcher(
            baseURL: try #require(URL(string: "http://127.0.0.1:\(port)/")),
            http: HTTPClient(credentials: nil, certificateBundle: nil, timeout: 5, retry: RetryPolicy(maxRetries: 0)))
        let scratch = try TemporaryDirectory()
        let bootstrap = try #require(
            FileManager.default.contents(atPath: Self.fixtures.appendingPathComponent("good/metadata/1.root.json").path))
        let outcome = await TUFUpdater(
            fetcher: fetcher, store: TUFStore(directory: scratch.path), bootstrapRoot: [UInt8](bootstrap),
            layout: .metadataDirectory
        ).update(target: Self.target, now: Self.now)
        guard case .failed(let failure) = outcome else {
            Issue.record("update without a server succeeded")
            return
        }
        #expect(failure.code == .network)
        #expect(failure.message.hasPrefix("root: cannot fetch metadata/2.root.json: "))
    }

    @Test func pathsCannotLeaveTheRepository() throws {
        let base = try #require(URL(string: "https://tuf.example/repo/"))
        #expect(
            try TUFHTTPFetcher.resolve("targets/abc.trusted_root.json", under: base).absoluteString
                == "https://tuf.example/repo/targets/abc.trusted_root.json")
        #expect(
            try TUFHTTPFetcher.resolve("3.root.json", under: try #require(URL(string: "https://tuf.example"))).absoluteString
                == "https://tuf.example/3.root.json")
        for bad in ["../x", "/etc/passwd", "a//b", "http://evil/x", "a?b", "a/./b", ""] {
            let error = #expect(throws: IndexError.self, "\(bad)") { try TUFHTTPFetcher.resolve(bad, under: base) }
            #expect(error?.code == .configuration, "\(bad)")
            #expect(error?.message == "TUF path \"\(bad)\" is not a plain relative path", "\(bad)")
        }
    }
}
