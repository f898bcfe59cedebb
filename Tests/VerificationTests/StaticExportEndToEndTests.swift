import Attestations
import Foundation
import IndexServer
import Publishing
import PythonPackaging
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The static export end to end: a store with signed wheels exported to a folder, served by
/// `python3 -m http.server` and by nginx (from the distribution's packages): real pip installs
/// from it and the real `wheeltrust verify --all` passes; after one more publish and an
/// incremental export only that project's pages change.
///
/// nginx: `/usr/sbin/nginx` (`.ci/run` installs nginx-light when missing). Without it the nginx
/// test is skipped, except under CI (`CI=true`), where it fails.
@Suite("static export end to end", .serialized)
struct StaticExportEndToEndTests {
    typealias StoreScenario = StoreEndToEndTests.StoreScenario

    static let nginx = "/usr/sbin/nginx"

    /// A port nothing listens on now (bound, read, closed).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Starts a static server process and waits until its port accepts connections.
    static func startServer(_ executable: String, _ arguments: [String], port: Int) async throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        for _ in 0..<100 {
            if accepts(port: port) { return process }
            try await Task.sleep(for: .milliseconds(100))
        }
        process.terminate()
        throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "\(executable) did not listen on \(port)"])
    }

    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// Stops a server started here with SIGKILL (a child started by Foundation's `Process` from a
    /// test may inherit a signal mask that blocks SIGTERM) and waits up to 5 s for it to go.
    /// Polls instead of `waitUntilExit`, which can wait forever when called from a task.
    static func stop(_ process: Process) {
        kill(process.processIdentifier, SIGKILL)
        for _ in 0..<50 where process.isRunning { usleep(100_000) }
    }

    static func export(_ scenario: StoreScenario, to site: String) async throws -> ProcessResult {
        try await TestProcess.run(TestProcess.wheeltrust, ["export", "--store", scenario.store.directory.path, "--out", site])
    }

    /// pip installs every fixture from `index` into a fresh venv; `wheeltrust verify --all` passes.
    static func installAndVerify(_ scenario: StoreScenario, index: String, venv: String) async throws {
        let python = try await scenario.makeVenv(venv)
        let installed = try await TestProcess.run(
            TestProcess.python3,
            ["-m", "pip", "--python", python, "install", "--no-cache-dir", "--retries", "0", "--index-url", index]
                + ["dotted.pkg", "datatool", "clitool", "markupsafe"])
        try #require(installed.status == 0, "pip: \(installed.output)")
        let verified = try await TestProcess.run(
            TestProcess.wheeltrust,
            [
                "verify", "--all", "--format", "json", "--python", python, "--index-url", index, "--cache-dir",
                scenario.root + "/cache-" + venv, "--timeout", "30", "--key", scenario.publicKeyPath,
            ], environment: ["HOME": scenario.root, "PIP_CONFIG_FILE": "/dev/null"])
        #expect(verified.status == 0, "\(verified.output)")
        let statuses = try StoreEndToEndTests.statuses(verified)
        #expect(statuses.count == 4 && statuses.values.allSatisfy { $0 == "verified" }, "\(statuses)")
    }

    /// A small real wheel `<name>-<version>-py3-none-any.whl` (METADATA, WHEEL, RECORD, one module).
    static func makeWheel(in folder: String, name: String, version: String) async throws -> String {
        let script = """
            import base64, hashlib, sys, zipfile
            folder, name, version = sys.argv[1:4]
            info = f"{name}-{version}.dist-info"
            members = {
                f"{name}_extra.py": b"VALUE = 4\\n",
                f"{info}/METADATA": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n".encode(),
                f"{info}/WHEEL": b"Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
            }
            record = "".join(
                f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},{len(data)}\\n"
                for path, data in members.items()) + f"{info}/RECORD,,\\n"
            path = f"{folder}/{name}-{version}-py3-none-any.whl"
            with zipfile.ZipFile(path, "w") as wheel:
                for member, data in members.items():
                    wheel.writestr(member, data)
                wheel.writestr(f"{info}/RECORD", record)
            print(path)
            """
        let made = try await TestProcess.run(TestProcess.python3, ["-c", script, folder, name, version])
        try #require(made.status == 0, "\(made.output)")
        return made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Every regular file of the site, relative path → (inode, bytes).
    static func snapshot(_ site: String) throws -> [String: (UInt64, Data)] {
        var result: [String: (UInt64, Data)] = [:]
        let enumerator = FileManager.default.enumerator(atPath: site)
        while let relative = enumerator?.nextObject() as? String {
            var info = stat()
            guard lstat(site + "/" + relative, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            result[relative] = (UInt64(info.st_ino), try Data(contentsOf: URL(fileURLWithPath: site + "/" + relative)))
        }
        return result
    }

    @Test(.timeLimit(.minutes(5)))
    func servedByPythonsHTTPServerPipInstallsAndVerifyPassesAndAnIncrementalExportRewritesOneProject() async throws {
        try await StoreScenario.with { scenario in
            let site = scenario.root + "/site"
            let first = try await Self.export(scenario, to: site)
            try #require(first.status == 0, "\(first.output)")
            #expect(first.stdout.contains("The simple index is at path /simple/ of the site \(site)"), "\(first.stdout)")
            #expect(FileManager.default.fileExists(atPath: site + "/integrity/datatool/0.3/datatool-0.3-py3-none-any.whl/provenance"))

            let port = try Self.freePort()
            let server = try await Self.startServer(
                TestProcess.python3, ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", site], port: port)
            defer { Self.stop(server) }
            try await Self.installAndVerify(scenario, index: "http://127.0.0.1:\(port)/simple/", venv: "venv-http-server")

            // Nothing changed: nothing is written.
            let again = try await Self.export(scenario, to: site)
            #expect(again.status == 0 && again.stdout.contains("0 project(s) exported, 0 removed; 0 file(s) written"), "\(again.stdout)")

            // One more release of one project, then an incremental export.
            let before = try Self.snapshot(site)
            let incoming = scenario.root + "/incoming2"
            try FileManager.default.createDirectory(atPath: incoming, withIntermediateDirectories: true)
            let newWheel = try await Self.makeWheel(in: incoming, name: "datatool", version: "0.4")
            let attestation = try await Attester.attest(
                wheel: newWheel, key: scenario.key, builderID: "https://builder.example/wheeltrust-tests",
                buildType: Attester.defaultBuildType)
            try StoreScenario.publish(newWheel, attestation: attestation, into: scenario.store)
            let incremental = try await Self.export(scenario, to: site)
            try #require(incremental.status == 0, "\(incremental.output)")
            let after = try Self.snapshot(site)
            let changed = Set(after.keys.filter { key in before[key].map { $0.0 != after[key]!.0 || $0.1 != after[key]!.1 } ?? true })
            #expect(
                changed == [
                    "simple/datatool/index.html", "simple/datatool/index.json", "files/datatool-0.4-py3-none-any.whl",
                    "files/datatool-0.4-py3-none-any.whl.metadata",
                    "integrity/datatool/0.4/datatool-0.4-py3-none-any.whl/provenance", ".wheeltrust-export.json",
                ], "\(changed.sorted())")
            #expect(Set(before.keys).isSubset(of: Set(after.keys)))
            let page = String(decoding: after["simple/datatool/index.html"]!.1, as: UTF8.self)
            #expect(page.contains("datatool-0.4-py3-none-any.whl") && page.contains("datatool-0.3-py3-none-any.whl"))

            // A deleted file leaves the site at the next export; its project's pages are rewritten.
            try #require(try scenario.store.delete(filename: "datatool-0.4-py3-none-any.whl", by: "admin") != nil)
            let afterDelete = try await Self.export(scenario, to: site)
            #expect(afterDelete.stdout.contains("removed files/datatool-0.4-py3-none-any.whl\n"), "\(afterDelete.stdout)")
            #expect(!FileManager.default.fileExists(atPath: site + "/integrity/datatool/0.4"))
            #expect(try Self.snapshot(site)["simple/datatool/index.html"]!.1 == before["simple/datatool/index.html"]!.1)
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func servedByNginxWithContentNegotiationPipInstallsAndVerifyPasses() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.nginx) else {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "nginx must be installed under CI (.ci/run installs nginx-light)")
            return
        }
        try await StoreScenario.with { scenario in
            let site = scenario.root + "/site"
            let exported = try await Self.export(scenario, to: site)
            try #require(exported.status == 0, "\(exported.output)")
            let port = try Self.freePort()
            let prefix = scenario.root + "/nginx"
            try FileManager.default.createDirectory(atPath: prefix + "/temp", withIntermediateDirectories: true)
            let configuration = Self.nginxConfiguration(site: site, prefix: prefix, port: port)
            try configuration.write(toFile: prefix + "/nginx.conf", atomically: true, encoding: .utf8)
            let server = try await Self.startServer(
                Self.nginx, ["-p", prefix, "-c", prefix + "/nginx.conf", "-e", prefix + "/error.log"], port: port)
            defer { Self.stop(server) }
            // Content negotiation: the JSON page to who asks for PEP 691, HTML otherwise.
            let json = try await TestProcess.run(
                "/usr/bin/curl",
                ["-s", "-i", "-H", "Accept: application/vnd.pypi.simple.v1+json", "http://127.0.0.1:\(port)/simple/datatool/"])
            #expect(json.stdout.contains("Content-Type: application/vnd.pypi.simple.v1+json"), "\(json.stdout)")
            #expect(json.stdout.contains("\"api-version\":\"1.3\""), "\(json.stdout)")
            let html = try await TestProcess.run("/usr/bin/curl", ["-s", "-i", "http://127.0.0.1:\(port)/simple/datatool/"])
            #expect(html.stdout.contains("Content-Type: text/html"), "\(html.stdout)")
            try await Self.installAndVerify(scenario, index: "http://127.0.0.1:\(port)/simple/", venv: "venv-nginx")
        }
    }

    /// The configuration README's "Serving the export" documents, on a test port and prefix.
    static func nginxConfiguration(site: String, prefix: String, port: Int) -> String {
        """
        daemon off;
        master_process off;
        pid \(prefix)/nginx.pid;
        events { worker_connections 64; }
        http {
            include /etc/nginx/mime.types;
            access_log off;
            client_body_temp_path \(prefix)/temp/body;
            proxy_temp_path \(prefix)/temp/proxy;
            fastcgi_temp_path \(prefix)/temp/fastcgi;
            uwsgi_temp_path \(prefix)/temp/uwsgi;
            scgi_temp_path \(prefix)/temp/scgi;
            map $http_accept $simple_page {
                default index.html;
                "~application/vnd\\.pypi\\.simple\\.v1\\+json" index.json;
            }
            server {
                listen 127.0.0.1:\(port);
                root \(site);
                location /simple/ {
                    index $simple_page;
                    types { text/html html; application/vnd.pypi.simple.v1+json json; }
                    add_header Vary Accept;
                }
                location /integrity/ {
                    types { }
                    default_type application/vnd.pypi.integrity.v1+json;
                }
                location ~ /\\. { deny all; }
            }
        }
        """
    }
}
