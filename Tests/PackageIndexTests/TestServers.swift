import Foundation
import PythonPackaging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Errors of the test harness itself.
struct HarnessError: Error, CustomStringConvertible {
    let description: String
}

/// Loopback socket helpers for tests.
enum Loopback {
    /// A port that was free a moment ago: bind port 0 on 127.0.0.1, read it, close.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError(description: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw HarnessError(description: "bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw HarnessError(description: "getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result == 0
    }
}

/// A Python process serving HTTP on loopback for the duration of a test.
final class PythonServer: @unchecked Sendable {
    let process: Process
    let ports: [Int]

    var port: Int { ports[0] }

    /// Python prologue: exit as soon as stdin (a pipe the test process holds) reaches EOF, so a
    /// crashed or killed test never leaves a server behind.
    static let watchdog =
        "import os, sys, threading, runpy\n"
        + "threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()\n"

    private init(process: Process, ports: [Int]) {
        self.process = process
        self.ports = ports
    }

    deinit { stop() }

    /// SIGKILL, since SIGTERM may be ignored (a disposition inherited from the test runner).
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// `python3 -m http.server --bind 127.0.0.1 <port>` serving `directory`; the start is awaited
    /// on a thread of its own (it polls and blocks), never on one of the cooperative pool's.
    static func staticFiles(directory: String) async throws -> PythonServer {
        try await DedicatedThread.run { () throws in try startStaticFiles(directory: directory) }
    }

    private static func startStaticFiles(directory: String) throws -> PythonServer {
        for _ in 0..<5 {
            let port = try Loopback.freePort()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            // `python3 -m http.server --bind 127.0.0.1 --directory <dir> <port>`, run through runpy
            // with a watchdog that exits when our stdin pipe closes (the test process died).
            process.arguments = [
                "python3", "-c", PythonServer.watchdog + "runpy.run_module('http.server', run_name='__main__')",
                "--bind", "127.0.0.1", "--directory", directory, String(port),
            ]
            let stdin = Pipe()
            process.standardInput = stdin
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline, process.isRunning {
                if Loopback.canConnect(port: port) { return PythonServer(process: process, ports: [port]) }
                usleep(20_000)
            }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        throw HarnessError(description: "python3 -m http.server did not start")
    }

    /// Runs `script` (which must print `READY <port> [<port>…]` once listening) with `arguments`;
    /// the wait for its line is awaited on a thread of its own.
    static func script(_ script: String, in directory: String, arguments: [String]) async throws -> PythonServer {
        try await DedicatedThread.run { () throws in try startScript(script, in: directory, arguments: arguments) }
    }

    private static func startScript(_ script: String, in directory: String, arguments: [String]) throws -> PythonServer {
        let path = directory + "/server.py"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            ["python3", "-c", PythonServer.watchdog + "sys.argv = sys.argv[1:]\nrunpy.run_path(sys.argv[0], run_name='__main__')", path]
            + arguments
        process.standardInput = Pipe()
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
        let line = String(decoding: buffer, as: UTF8.self).split(separator: "\n").first ?? ""
        let words = line.split(separator: " ")
        guard words.first == "READY" else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            throw HarnessError(description: "test server did not start: \(line)")
        }
        return PythonServer(process: process, ports: words.dropFirst().compactMap { Int($0) })
    }
}

/// The scripted test server: two listeners (127.0.0.1 and 127.0.0.2) sharing one handler that
/// logs every request (host, path, Authorization, Accept) as JSON lines to argv[1].
/// argv[2] is the Authorization value `/auth` and `/locked/…` accept.
let scriptedServer = #"""
    import base64, hashlib, http.server, json, socketserver, sys, threading

    log_path, expected_auth = sys.argv[1], sys.argv[2]
    counts = {}
    lock = threading.Lock()
    ports = {}
    WHEEL = b"pretend this is a wheel\n" * 100
    WHEEL_SHA = hashlib.sha256(WHEEL).hexdigest()
    PROVENANCE = json.dumps({"version": 1, "attestation_bundles": [{"publisher": {"kind": "Pulp User", "prn": "prn:auth.user:1"},
        "attestations": [{"version": 1, "verification_material": None,
                          "envelope": {"statement": base64.b64encode(b"{}").decode(), "signature": base64.b64encode(b"sig").decode()}}]}]}).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def log_message(self, *args):
            pass
        def send(self, status, body=b"", ctype="text/plain", headers=()):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for key, value in headers:
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)
        def do_GET(self):
            host = self.server.server_address[0]
            base = "http://127.0.0.1:%d" % ports["127.0.0.1"]
            path = self.path
            with lock:
                counts[path] = counts.get(path, 0) + 1
                n = counts[path]
                with open(log_path, "a") as f:
                    f.write(json.dumps({"host": host, "path": path, "authorization": self.headers.get("Authorization"),
                                        "accept": self.headers.get("Accept")}) + "\n")
            wheel = "amqp-1.0-py3-none-any.whl"
            if path == "/auth" or path.startswith("/locked/"):
                if self.headers.get("Authorization") == expected_auth:
                    return self.send(200, b"welcome")
                return self.send(401, b"no", headers=[("WWW-Authenticate", 'Basic realm="t"')])
            if path == "/flaky":
                return self.send(503, b"busy", headers=[("Retry-After", "0")]) if n <= 2 else self.send(200, b"recovered")
            if path == "/always503":
                return self.send(503, b"busy", headers=[("Retry-After", "0")])
            if path == "/always429":
                return self.send(429, b"slow down", headers=[("Retry-After", "0")])
            if path == "/bad-request":
                return self.send(400, b"bad")
            if path == "/redirect-other":
                return self.send(302, headers=[("Location", "http://127.0.0.2:%d/landing" % ports["127.0.0.2"])])
            if path == "/redirect-same":
                return self.send(302, headers=[("Location", "/landing")])
            if path == "/landing":
                return self.send(200, b"landed")
            if path == "/loop":
                return self.send(302, headers=[("Location", "/loop")])
            if path == "/big":
                return self.send(200, b"x" * 300000)
            if path == "/files/" + wheel:
                return self.send(200, WHEEL, "application/octet-stream")
            if path == "/pulp/pypi/dom/main/simple/amqp/":
                page = {"meta": {"api-version": "1.1"}, "name": "amqp", "files": [{
                    "filename": wheel, "url": base + "/files/" + wheel, "hashes": {"sha256": WHEEL_SHA},
                    "provenance": base + "/pypi/dom/main/integrity/amqp/1.0/" + wheel + "/provenance/"}]}
                return self.send(200, json.dumps(page).encode(), "application/vnd.pypi.simple.v1+json")
            if path == "/api/pypi/dom/main/integrity/amqp/1.0/" + wheel + "/provenance/":
                return self.send(200, PROVENANCE, "application/json")
            if path == "/html/simple/amqp/":
                body = '<html><body><a href="/files/%s#sha256=%s" data-provenance="/nowhere/">%s</a></body></html>' % (wheel, WHEEL_SHA, wheel)
                return self.send(200, body.encode(), "text/html; charset=utf-8")
            if path == "/extra/simple/amqp/":
                body = '<a href="/files/amqp-0.9.tar.gz">amqp-0.9.tar.gz</a><a href="/files/%s">%s</a>' % (wheel, wheel)
                return self.send(200, body.encode(), "text/html")
            if path == "/borrow/simple/amqp/":
                # Advertises the provenance of 127.0.0.1's Pulp index, whichever host serves the page.
                page = {"meta": {"api-version": "1.1"}, "name": "amqp", "files": [{
                    "filename": wheel, "url": base + "/files/" + wheel, "hashes": {"sha256": WHEEL_SHA},
                    "provenance": base + "/api/pypi/dom/main/integrity/amqp/1.0/" + wheel + "/provenance/"}]}
                return self.send(200, json.dumps(page).encode(), "application/vnd.pypi.simple.v1+json")
            if path == "/garbage/simple/amqp/":
                return self.send(200, b'{"files": 7}', "application/json")
            if path.startswith("/garbage/simple/../integrity") or path.startswith("/garbage/integrity/"):
                return self.send(200, b"<html>not provenance</html>", "text/html")
            return self.send(404, b"not found")

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
        allow_reuse_address = True

    servers = []
    for address in ("127.0.0.1", "127.0.0.2"):
        server = Server((address, 0), Handler)
        ports[address] = server.server_address[1]
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print("READY %d %d" % (ports["127.0.0.1"], ports["127.0.0.2"]), flush=True)
    threading.Event().wait()
    """#

/// A scripted server plus its request log.
final class ScriptedServer: @unchecked Sendable {
    let directory: TemporaryDirectory
    let server: PythonServer
    let logPath: String

    static let user = "12345|svc-name"
    static let password = "s3cr3t-pa55"
    static var expectedAuthorization: String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    private init(directory: TemporaryDirectory, logPath: String, server: PythonServer) {
        self.directory = directory
        self.logPath = logPath
        self.server = server
    }

    /// The server started and listening.
    static func start() async throws -> ScriptedServer {
        let directory = try TemporaryDirectory()
        let logPath = directory.path + "/requests.log"
        let server = try await PythonServer.script(
            scriptedServer, in: directory.path, arguments: [logPath, ScriptedServer.expectedAuthorization])
        return ScriptedServer(directory: directory, logPath: logPath, server: server)
    }

    var port: Int { server.ports[0] }
    /// The same server on 127.0.0.2 (another origin).
    var otherPort: Int { server.ports[1] }

    /// `http://127.0.0.1:<port><path>`, with the test credentials in the userinfo when asked.
    func url(_ path: String, withCredentials: Bool = false) -> URL {
        let userinfo = withCredentials ? "12345%7Csvc-name:\(ScriptedServer.password)@" : ""
        return URL(string: "http://\(userinfo)127.0.0.1:\(port)\(path)")!
    }

    struct Logged: Decodable {
        let host: String
        let path: String
        let authorization: String?
        let accept: String?
    }

    func requests() -> [Logged] {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Logged.self, from: Data($0.utf8)) }
    }
}
