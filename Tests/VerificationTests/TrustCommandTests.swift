import Foundation
import PythonPackaging
import TestSupport
import Testing

/// `wheeltrust trust update|show` end to end: the real binary against the python-tuf fixture
/// repository (Tests/TUFTests/Fixtures/tuf/good) laid out as Sigstore's CDN is (metadata
/// at the base, targets under targets/) and served on 127.0.0.1.
@Suite("wheeltrust trust", .serialized)
struct TrustCommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("TUFTests/Fixtures/tuf")

    /// A static file server on 127.0.0.1 (port 0) that exits when our stdin pipe closes.
    final class StaticServer: @unchecked Sendable {
        let process = Process()
        let stdin = Pipe()
        var port = 0

        /// The server started; the wait for its READY line is awaited on a thread of its own.
        static func start(directory: String) async throws -> StaticServer {
            try await DedicatedThread.run { () throws in try StaticServer(directory: directory) }
        }

        private init(directory: String) throws {
            let script = """
                import functools, http.server, os, sys, threading
                threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
                class Quiet(http.server.SimpleHTTPRequestHandler):
                    def log_message(self, *args): pass
                server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=sys.argv[1]))
                print("READY %d" % server.server_address[1], flush=True)
                server.serve_forever()
                """
            process.executableURL = URL(fileURLWithPath: TestProcess.python3)
            process.arguments = ["-c", script, directory]
            process.standardInput = stdin
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            var buffer = Data()
            while !buffer.contains(UInt8(ascii: "\n")) {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
            }
            let line = String(decoding: buffer, as: UTF8.self)
            guard line.hasPrefix("READY "), let port = Int(line.dropFirst(6).trimmingCharacters(in: .whitespacesAndNewlines)) else {
                process.terminate()
                throw CocoaError(.fileReadUnknown)
            }
            self.port = port
        }

        deinit {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
    }

    final class Scratch: @unchecked Sendable {
        let path = FileManager.default.temporaryDirectory.path + "/wheeltrust-trustcmd-\(UUID().uuidString)"
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Copies good/ into `<scratch>/repo` in Sigstore's layout.
    static func layOut(_ scratch: Scratch) throws -> String {
        let repo = scratch.path + "/repo"
        let manager = FileManager.default
        try manager.createDirectory(atPath: repo, withIntermediateDirectories: true)
        let metadata = fixtures.appendingPathComponent("good/metadata")
        for name in try manager.contentsOfDirectory(atPath: metadata.path) {
            try manager.copyItem(atPath: metadata.appendingPathComponent(name).path, toPath: repo + "/" + name)
        }
        try manager.copyItem(atPath: fixtures.appendingPathComponent("good/targets").path, toPath: repo + "/targets")
        return repo
    }

    @Test func updateShowAndARefusedRollback() async throws {
        let scratch = Scratch()
        let repo = try Self.layOut(scratch)
        let server = try await StaticServer.start(directory: repo)
        let base = [
            "--repository-url", "http://127.0.0.1:\(server.port)", "--root", repo + "/1.root.json",
            "--cache-dir", scratch.path + "/cache",
        ]

        let update = try await TestProcess.run(TestProcess.wheeltrust, ["trust", "update"] + base)
        #expect(update.status == 0, "\(update.output)")
        #expect(update.stdout.contains("root: v1 -> v3 (expires 2099-01-01T00:00:00Z)"))
        #expect(update.stdout.contains("timestamp: v2, snapshot: v2, targets: v2"))
        #expect(update.stdout.contains("trusted_root.json: verified and stored"))

        let show = try await TestProcess.run(TestProcess.wheeltrust, ["trust", "show"] + base)
        #expect(show.status == 0, "\(show.output)")
        #expect(show.stdout.contains("root: v3, expires 2099-01-01T00:00:00Z"))
        #expect(show.stdout.contains("sha256: 6494e21ea73fa7ee769f85f57d5a3e6a08725eae1e38c755fc3517c9e6bc0b66"))
        #expect(show.stdout.contains("cached copy verifies"))

        // The repository now serves an older (validly signed) timestamp: refused, exit 1.
        try FileManager.default.removeItem(atPath: repo + "/timestamp.json")
        try FileManager.default.copyItem(
            atPath: Self.fixtures.appendingPathComponent("rollback-timestamp/metadata/timestamp.json").path,
            toPath: repo + "/timestamp.json")
        let rollback = try await TestProcess.run(TestProcess.wheeltrust, ["trust", "update"] + base)
        rollback.expectError(
            1,
            "TUF update from http://127.0.0.1:\(server.port) refused: "
                + "timestamp: version 1 is lower than the trusted version 2 (rollback attack)")
    }

    /// A `--repository-url` store is anchored at the `--root` file: shown with another root (an
    /// attacker's, made here) or after its root.json was swapped, it is refused (exit 3) naming
    /// the chain failure; the chain the update kept is in `roots/`.
    @Test func customStoreIsAnchoredAtItsRootFile() async throws {
        let scratch = Scratch()
        let repo = try Self.layOut(scratch)
        let server = try await StaticServer.start(directory: repo)
        let url = "http://127.0.0.1:\(server.port)"
        let cache = scratch.path + "/cache"
        let base = ["--repository-url", url, "--cache-dir", cache]
        let update = try await TestProcess.run(TestProcess.wheeltrust, ["trust", "update", "--root", repo + "/1.root.json"] + base)
        #expect(update.status == 0, "\(update.output)")
        let show = try await TestProcess.run(TestProcess.wheeltrust, ["trust", "show", "--root", repo + "/1.root.json"] + base)
        #expect(show.status == 0, "\(show.output)")
        #expect(show.stdout.contains("root chain: v1 -> v2 -> v3 (from the --root file)"), "\(show.output)")
        let store = show.stdout.split(separator: "\n").first { $0.hasPrefix("  cache: ") }.map { String($0.dropFirst(9)) } ?? ""
        #expect(
            FileManager.default.fileExists(atPath: store + "/roots/2.root.json")
                && FileManager.default.fileExists(atPath: store + "/roots/3.root.json"))

        let attacker = TUFTestKey()
        let attackerRoot = scratch.path + "/attacker-root.json"
        try TUFTestMetadata.sign(TUFTestMetadata.root(version: 1, rootKeys: [attacker], roleKey: attacker), by: [attacker])
            .write(to: URL(fileURLWithPath: attackerRoot))
        let other = try await TestProcess.run(TestProcess.wheeltrust, ["trust", "show", "--root", attackerRoot] + base)
        #expect(other.status == 3, "\(other.output)")
        #expect(
            other.stderr.contains("does not verify: root chain: roots/2.root.json has 0 of the 1 signatures the trusted root v1 requires"),
            "\(other.output)")

        try FileManager.default.removeItem(atPath: store + "/root.json")
        try FileManager.default.copyItem(atPath: repo + "/2.root.json", toPath: store + "/root.json")
        let swapped = try await TestProcess.run(TestProcess.wheeltrust, ["trust", "show", "--root", repo + "/1.root.json"] + base)
        #expect(swapped.status == 3, "\(swapped.output)")
        #expect(
            swapped.stderr.contains(
                "root chain: the cached root.json (version 2) is not the root v3 the chain from the bootstrap root v1 reaches"),
            "\(swapped.output)")
    }

    @Test func usageErrors() async throws {
        let both = try await TestProcess.run(TestProcess.wheeltrust, ["trust", "update", "--staging", "--root", "x"])
        both.expectError(2, "--root and --staging cannot be used together")
        let noURL = try await TestProcess.run(TestProcess.wheeltrust, ["trust", "update", "--root", "x"])
        noURL.expectError(2, "--root needs --repository-url")
        let badURL = try await TestProcess.run(TestProcess.wheeltrust, ["trust", "update", "--repository-url", "ftp://x"])
        badURL.expectError(2, "--repository-url is not an http(s) URL: ftp://x")
    }

    @Test func unreachableRepositoryExits3() async throws {
        let scratch = Scratch()
        // Port 9 (discard) on loopback: nothing listens there in the test environment.
        let result = try await TestProcess.run(
            TestProcess.wheeltrust,
            [
                "trust", "update", "--repository-url", "http://127.0.0.1:9", "--cache-dir", scratch.path, "--timeout", "5",
            ])
        result.expectError(
            3,
            prefix: "TUF update from http://127.0.0.1:9 could not complete: root: cannot fetch 16.root.json: "
                + "network: TUF 16.root.json: http://127.0.0.1:9/16.root.json: connection refused")
    }
}
