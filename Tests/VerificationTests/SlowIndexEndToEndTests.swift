import Foundation
import PythonPackaging
import TestSupport
import Testing

/// Issue 9, attack 8 end to end: the real `wheeltrust` binary against an index on 127.0.0.1 that
/// trickles one byte at a time. `--timeout 2` must bound the run, and each trickled request must
/// be an `error` check of the step it belongs to (exit 3), naming the URL and the timeout.
@Suite("slow index, end to end")
struct SlowIndexEndToEndTests {
    static let datatool = "datatool-0.3-py3-none-any.whl"
    static let clitool = "clitool-2.0-py3-none-any.whl"

    @Test("--timeout 2 bounds a trickling index: the page, the wheel and the provenance each fail in their own check")
    func tricklingIndexIsBoundedByTheTimeout() async throws {
        try await Scenario.with(packages: ["datatool", "dotted.pkg", "clitool"]) { scenario in
            let datatoolBytes = try [UInt8](Data(contentsOf: Scenario.fixtureWheels.appendingPathComponent(Self.datatool)))
            let clitoolBytes = try [UInt8](Data(contentsOf: Scenario.fixtureWheels.appendingPathComponent(Self.clitool)))
            let origin = OriginBox()

            // dotted-pkg: the project page trickles. datatool: the page is fine, the wheel trickles.
            // clitool: page and wheel are fine, the provenance answers its head and then nothing.
            // Every trickle would take eight minutes or more to finish (1 byte per 0.25 s).
            let server = try MisbehavingHTTPServer { path, _ in
                let base = origin.value
                func page(_ name: String, _ wheel: String, _ bytes: [UInt8]) -> MisbehavingHTTPServer.Behaviour {
                    let sha = FileDigest.compute(bytes, algorithm: .sha256).hex
                    let object: [String: Any] = [
                        "meta": ["api-version": "1.1"], "name": name,
                        "files": [
                            [
                                "filename": wheel, "url": "\(base)/files/\(wheel)", "hashes": ["sha256": sha],
                                "provenance": "\(base)/integrity/\(name)/\(wheel)/provenance/",
                            ]
                        ],
                    ]
                    let body = (try? JSONSerialization.data(withJSONObject: object)).map { [UInt8]($0) } ?? []
                    return .respond(.init(headers: ["Content-Type: application/vnd.pypi.simple.v1+json"], body: body))
                }
                switch path {
                case "/simple/dotted-pkg/":
                    let body = [UInt8](repeating: 0x20, count: 4096)
                    return .trickle(
                        .init(headers: ["Content-Type: application/vnd.pypi.simple.v1+json"], body: body),
                        bytes: 1, interval: 0.25)
                case "/simple/datatool/": return page("datatool", Self.datatool, datatoolBytes)
                case "/files/\(Self.datatool)": return .trickle(.init(body: datatoolBytes), bytes: 1, interval: 0.25)
                case "/simple/clitool/": return page("clitool", Self.clitool, clitoolBytes)
                case "/files/\(Self.clitool)": return .respond(.init(body: clitoolBytes))
                case "/integrity/clitool/\(Self.clitool)/provenance/":
                    return .stallAfterHead(
                        .init(headers: ["Content-Type: application/json"], body: Array("{}".utf8) + Array(repeating: 0x20, count: 9000)))
                default: return .respond(.text(404, "not found"))
                }
            }
            defer { server.stop() }
            origin.value = server.origin

            let (result, seconds) = try await TestProcess.timed(
                TestProcess.wheeltrust,
                [
                    "verify", "datatool", "dotted.pkg", "clitool", "--format", "json",
                    "--python", scenario.python, "--index-url", "http://robot:pa55word@127.0.0.1:\(server.port)/simple/",
                    "--cache-dir", scenario.cache, "--timeout", "2", "--key", scenario.publicKeyPath,
                ], environment: ["HOME": scenario.root])

            #expect(result.status == 3, "\(result.output)")
            // Generous (a loaded machine, three packages, the interpreter query), yet far below the
            // minutes the trickles would take.
            #expect(seconds < 30, "the run took \(seconds) s")
            #expect(!result.output.contains("pa55word"))
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
                "\(result.output)")
            let packages = try #require(object["packages"] as? [[String: Any]])
            func entry(_ package: String) -> [String: Any]? {
                packages.first { ProjectName.normalize($0["name"] as? String ?? "") == ProjectName.normalize(package) }
            }
            func check(_ package: String, _ name: String) -> [String: Any]? {
                (entry(package)?["checks"] as? [[String: Any]])?.first { $0["name"] as? String == name }
            }
            func status(_ package: String) -> String? { entry(package)?["status"] as? String }
            let port = "127.0.0.1:\(server.port)"

            let page = try #require(check("dotted.pkg", "index-file"), "\(result.stdout)")
            #expect(page["status"] as? String == "error")
            let pageDetail = page["detail"] as? String ?? ""
            #expect(pageDetail.contains("robot:****@\(port)/simple/dotted-pkg/: timed out"), "\(pageDetail)")
            #expect(pageDetail.contains("the 2 s timeout"), "\(pageDetail)")

            let download = try #require(check("datatool", "download"), "\(result.stdout)")
            #expect(download["status"] as? String == "error")
            let downloadDetail = download["detail"] as? String ?? ""
            #expect(downloadDetail.contains("http://\(port)/files/\(Self.datatool): timed out"), "\(downloadDetail)")
            #expect(downloadDetail.contains("the 2 s timeout"), "\(downloadDetail)")
            #expect(check("datatool", "index-hash") == nil, "no hash is reported for a wheel that never arrived")

            let provenance = try #require(check("clitool", "provenance"), "\(result.stdout)")
            #expect(provenance["status"] as? String == "error")
            let provenanceDetail = provenance["detail"] as? String ?? ""
            #expect(
                provenanceDetail.contains("http://\(port)/integrity/clitool/\(Self.clitool)/provenance/: timed out"),
                "\(provenanceDetail)")
            #expect(provenanceDetail.contains("the 2 s timeout"), "\(provenanceDetail)")
            #expect(check("clitool", "download")?["status"] as? String == "pass")

            for package in ["dotted.pkg", "datatool", "clitool"] { #expect(status(package) == "error", "\(package)") }
            let summary = try #require(object["summary"] as? [String: Any])
            #expect(summary["errors"] as? Int == 3)

            // The trickled wheel never became a cache entry (the complete one did).
            let datatoolSHA = FileDigest.compute(datatoolBytes, algorithm: .sha256).hex
            let clitoolSHA = FileDigest.compute(clitoolBytes, algorithm: .sha256).hex
            #expect(!FileManager.default.fileExists(atPath: "\(scenario.cache)/sha256/\(datatoolSHA.prefix(2))/\(datatoolSHA)"))
            #expect(FileManager.default.fileExists(atPath: "\(scenario.cache)/sha256/\(clitoolSHA.prefix(2))/\(clitoolSHA)"))
        }
    }

    /// The lock records each file's size; an index that serves more (a body without a length,
    /// fast enough to keep above the minimum rate, as long as it likes) is stopped one byte past
    /// it: `lock-hash` fails naming the lock's size, at once, instead of reading for minutes (or up
    /// to the 8 GiB cap) what can only fail `lock-hash` afterwards.
    @Test("verify-lock stops a download one byte past the size the lock records")
    func aDownloadLargerThanTheLockedSizeIsStoppedThere() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            let datatoolBytes = try [UInt8](Data(contentsOf: Scenario.fixtureWheels.appendingPathComponent(Self.datatool)))
            let sha = FileDigest.compute(datatoolBytes, algorithm: .sha256).hex
            let origin = OriginBox()
            // The real wheel, then 16 MiB more at 256 KiB/s (above the 64 KiB/s minimum): a minute.
            let padded = datatoolBytes + [UInt8](repeating: 0x50, count: 16 << 20)
            let server = try MisbehavingHTTPServer { path, _ in
                let base = origin.value
                switch path {
                case "/simple/datatool/":
                    let object: [String: Any] = [
                        "meta": ["api-version": "1.1"], "name": "datatool",
                        "files": [["filename": Self.datatool, "url": "\(base)/files/\(Self.datatool)", "hashes": ["sha256": sha]]],
                    ]
                    let body = (try? JSONSerialization.data(withJSONObject: object)).map { [UInt8]($0) } ?? []
                    return .respond(.init(headers: ["Content-Type: application/vnd.pypi.simple.v1+json"], body: body))
                case "/files/\(Self.datatool)":
                    return .trickle(.init(body: padded, contentLength: .some(nil)), bytes: 64 << 10, interval: 0.25)
                default: return .respond(.text(404, "not found"))
                }
            }
            defer { server.stop() }
            origin.value = server.origin
            let lock = scenario.root + "/pylock.toml"
            try """
            lock-version = "1.0"
            created-by = "test"

            [[packages]]
            name = "datatool"
            version = "0.3"

            [[packages.wheels]]
            name = "\(Self.datatool)"
            url = "\(server.origin)/files/\(Self.datatool)"
            size = \(datatoolBytes.count)
            hashes = { sha256 = "\(sha)" }

            """.write(toFile: lock, atomically: true, encoding: .utf8)

            let (result, seconds) = try await TestProcess.timed(
                TestProcess.wheeltrust,
                [
                    "verify-lock", lock, "--format", "json", "--python", scenario.python,
                    "--index-url", "http://127.0.0.1:\(server.port)/simple/", "--cache-dir", scenario.cache, "--timeout", "5",
                    "--key", scenario.publicKeyPath,
                ], environment: ["HOME": scenario.root])
            #expect(result.status == 1, "\(result.output)")
            #expect(seconds < 30, "the run took \(seconds) s")
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.output)")
            let package = try #require((object["packages"] as? [[String: Any]])?.first)
            let checks = package["checks"] as? [[String: Any]] ?? []
            let lockHash = try #require(checks.first { $0["name"] as? String == "lock-hash" }, "\(checks)")
            #expect(lockHash["status"] as? String == "fail", "\(lockHash)")
            #expect(!checks.contains { $0["name"] as? String == "download" && $0["status"] as? String == "pass" }, "\(checks)")
            let detail = lockHash["detail"] as? String ?? ""
            #expect(detail.contains("more than the \(datatoolBytes.count) bytes the lock records"), "\(detail)")
            #expect(package["status"] as? String == "failed", "\(package)")
        }
    }

    @Test("trust update --timeout 1 against a trickling TUF repository ends in time with exit 3")
    func tricklingTUFRepositoryIsBoundedByTheTimeout() async throws {
        let server = try MisbehavingHTTPServer { _, _ in
            .trickle(
                .init(headers: ["Content-Type: application/json"], body: Array(repeating: 0x20, count: 4096)),
                bytes: 1, interval: 0.25)
        }
        defer { server.stop() }
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("wt-tuf-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let (result, seconds) = try await TestProcess.timed(
            TestProcess.wheeltrust,
            [
                "trust", "update", "--repository-url", server.origin, "--cache-dir", cache, "--timeout", "1",
            ], environment: [:])
        #expect(result.status == 3, "\(result.output)")
        #expect(result.stderr.contains("could not complete: root: cannot fetch "), "\(result.output)")
        #expect(
            result.stderr.contains(".root.json: timed out: no complete response within the 1 s timeout"),
            "\(result.output)")
        // Generous for a loaded machine; the trickle would take over a quarter of an hour.
        #expect(seconds < 30, "took \(seconds) s")
    }
}

/// The server's origin, known only once it listens (the route builds absolute URLs from it).
private final class OriginBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = ""
    var value: String {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}
