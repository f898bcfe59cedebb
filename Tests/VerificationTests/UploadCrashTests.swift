import Foundation
import PythonPackaging
import TestSupport
import Testing

/// Issue 13: uploads killed with SIGKILL at random points leave the store consistent. The server
/// runs as a child process (`wheeltrust serve --store`); a client streams an upload slowly while
/// the server is killed with SIGKILL after a random delay (before, during or after the body, the
/// checks and the publish), then the next round starts a new server on the same store. At the
/// end `wheeltrust serve fsck` finds nothing wrong and every upload that was acknowledged (200) is
/// served with its bytes.
@Suite("uploads survive SIGKILL")
struct UploadCrashTests {
    static let rounds = 50

    /// Writes `count` small wheels `crashpkg-1.0.N-py3-none-any.whl` (each with 96 KiB of random
    /// data, so an upload takes a while) into `folder`.
    static let wheelMaker = """
        import base64, hashlib, os, sys, zipfile
        folder, count = sys.argv[1], int(sys.argv[2])
        def digest(data):
            return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        for n in range(count):
            version = f"1.0.{n}"
            info = f"crashpkg-{version}.dist-info"
            members = {
                "crashpkg/__init__.py": b"VALUE = %d\\n" % n,
                "crashpkg/blob.bin": os.urandom(96 * 1024),
                f"{info}/METADATA": f"Metadata-Version: 2.1\\nName: crashpkg\\nVersion: {version}\\n".encode(),
                f"{info}/WHEEL": b"Wheel-Version: 1.0\\nGenerator: crash-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
            }
            record = "".join(f"{name},{digest(data)},{len(data)}\\n" for name, data in members.items()) + f"{info}/RECORD,,\\n"
            with zipfile.ZipFile(os.path.join(folder, f"crashpkg-{version}-py3-none-any.whl"), "w", zipfile.ZIP_DEFLATED) as z:
                for name, data in members.items():
                    z.writestr(name, data)
                z.writestr(f"{info}/RECORD", record)
        """

    /// Streams one upload (multipart, as twine builds it) in 8 KiB pieces with short pauses;
    /// prints ACK on 200, else what happened.
    static let client = """
        import hashlib, http.client, json, os, sys, time, urllib.parse, base64
        url, token, wheel, attestation = sys.argv[1:5]
        data = open(wheel, "rb").read()
        name = os.path.basename(wheel)
        version = name.split("-")[1]
        fields = [(":action", "file_upload"), ("protocol_version", "1"), ("name", "crashpkg"), ("version", version),
                  ("filetype", "bdist_wheel"), ("pyversion", "py3"), ("metadata_version", "2.1"),
                  ("sha256_digest", hashlib.sha256(data).hexdigest()),
                  ("attestations", "[" + open(attestation).read() + "]")]
        boundary = "crash" + os.urandom(8).hex()
        body = b""
        for key, value in fields:
            body += f'--{boundary}\\r\\nContent-Disposition: form-data; name="{key}"\\r\\n\\r\\n{value}\\r\\n'.encode()
        body += f'--{boundary}\\r\\nContent-Disposition: form-data; name="content"; filename="{name}"\\r\\nContent-Type: application/octet-stream\\r\\n\\r\\n'.encode()
        body += data + f"\\r\\n--{boundary}--\\r\\n".encode()
        parts = urllib.parse.urlsplit(url)
        try:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            connection.putrequest("POST", parts.path)
            connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
            connection.putheader("Content-Length", str(len(body)))
            connection.putheader("Authorization", "Basic " + base64.b64encode(f"__token__:{token}".encode()).decode())
            connection.endheaders()
            for offset in range(0, len(body), 8192):
                connection.send(body[offset:offset + 8192])
                time.sleep(0.002)
            response = connection.getresponse()
            response.read()
            print("ACK" if response.status == 200 else f"NAK {response.status} {response.reason}")
        except Exception as error:
            print(f"ERR {type(error).__name__}")
        """

    @Test("SIGKILL at random points of uploads leaves the store consistent and every acknowledged upload served")
    func killedUploads() async throws {
        let world = try await UploadEndToEndTests.World.make(wheels: [])
        defer { world.remove() }
        let made = try await TestProcess.run(TestProcess.python3, ["-c", Self.wheelMaker, world.dist, String(Self.rounds)])
        try #require(made.status == 0, "\(made.output)")
        let wheels = try FileManager.default.contentsOfDirectory(atPath: world.dist).filter { $0.hasSuffix(".whl") }.sorted()
        try #require(wheels.count == Self.rounds)
        let attested = try await TestProcess.run(
            TestProcess.wheeltrust, ["attest"] + wheels.map { world.dist + "/" + $0 } + ["--key", world.privateKeyPath])
        try #require(attested.status == 0, "\(attested.output)")
        let clientPath = world.root + "/client.py"
        try Self.client.write(toFile: clientPath, atomically: true, encoding: .utf8)

        var acknowledged: [String] = []
        var outcomes: [String: Int] = [:]
        var generator = SystemRandomNumberGenerator()
        for (round, wheel) in wheels.enumerated() {
            let server = try await world.serve()
            let client = Process()
            client.executableURL = URL(fileURLWithPath: TestProcess.python3)
            client.arguments = [
                clientPath, server.uploadURL, world.token, world.dist + "/" + wheel, world.dist + "/" + wheel + ".slsa.attestation",
            ]
            let output = Pipe()
            client.standardOutput = output
            client.standardError = FileHandle.nullDevice
            try client.run()
            // Every fifth round lets the upload finish (so acknowledged uploads exist for sure);
            // the others kill the server somewhere in 0…150 ms: while connecting, mid-body,
            // during the checks or the publish, or just after.
            if round % 5 == 0 {
                // Killed only once the client has its answer (at most 30 s).
                for _ in 0..<300 where client.isRunning { try await Task.sleep(for: .milliseconds(100)) }
            } else {
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...150, using: &generator)))
            }
            await server.kill9()
            let line: String = await DedicatedThread.run {
                let data = output.fileHandleForReading.readDataToEndOfFile()
                client.waitUntilExit()
                return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            outcomes[String(line.prefix(3)), default: 0] += 1
            if line == "ACK" { acknowledged.append(wheel) }
            if round % 5 == 0 { #expect(line == "ACK", "round \(round) had time to finish: \(line)") }
        }
        print("upload crash rounds: \(outcomes)")
        #expect(acknowledged.count >= Self.rounds / 5, "\(outcomes)")

        // The store is consistent: fsck finds nothing corrupt (leftovers in staging are only
        // reclaimable)...
        let fsck = try await TestProcess.run(
            TestProcess.wheeltrust, ["serve", "fsck", "--store", world.store], environment: ["HOME": world.root])
        print("fsck after the crash rounds: \(fsck.stdout)")
        #expect(fsck.status == 0, "\(fsck.output)")
        #expect(!fsck.stdout.contains("CORRUPT"), "\(fsck.output)")
        // ... and every acknowledged upload is served, byte for byte.
        try await world.withServer { server in
            let page = try await world.projectPage("crashpkg", server: server) ?? ""
            for wheel in acknowledged {
                #expect(page.contains(wheel), "acknowledged \(wheel) is listed")
                let local = try await TestProcess.run("/usr/bin/sha256sum", [world.dist + "/" + wheel]).stdout.prefix(64)
                let url =
                    world.withCredentials(server.indexURL).replacingOccurrences(
                        of: "/pypi/wheeltrust/main/simple/", with: "/api/pulp-content/wheeltrust/main/") + wheel
                let served = try await TestProcess.run("/bin/sh", ["-c", "/usr/bin/curl -sf '\(url)' | /usr/bin/sha256sum"])
                #expect(served.stdout.prefix(64) == local, "\(wheel) served with its bytes")
            }
        }
    }
}
