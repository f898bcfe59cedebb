import Attestations
import Foundation
import PythonPackaging
import TestSupport
import Testing

@testable import PackageIndex

/// `--timeout` bounds every request as a whole (issue 9, attack 8): servers on 127.0.0.1 that
/// trickle, stall, never answer, ask to retry in an hour or redirect slowly in a loop. Each call
/// must end within a generous multiple of the timeout (a hang guard, not a benchmark), fail with
/// `network` naming the masked URL and the timeout, and leave no partial file behind.
@Suite struct RequestDeadlineTests {
    static let secret = "hunter2-secret"

    static func client(timeout: TimeInterval, retry: RetryPolicy = RetryPolicy(maxRetries: 3, baseDelay: 0.05)) -> HTTPClient {
        HTTPClient(credentials: nil, certificateBundle: nil, timeout: timeout, retry: retry)
    }

    /// `http://user:<secret>@127.0.0.1:<port><path>`: messages must show it masked.
    static func url(_ server: MisbehavingHTTPServer, _ path: String) -> URL {
        URL(string: "http://user:\(secret)@127.0.0.1:\(server.port)\(path)")!
    }

    /// The bound every test holds a call to: three times what the rule allows (the timeout, plus
    /// for a file one second per 64 KiB received) and two seconds of slack.
    static func bound(_ timeout: TimeInterval, received: Int = 0) -> TimeInterval {
        (timeout + Double(received) / Double(HTTPClient.defaultMinimumTransferRate)) * 3 + 2
    }

    /// Runs `call`, expecting an `IndexError`; returns it with the seconds the call took. A call
    /// still running after `guardSeconds` is cancelled and recorded as an issue, so a missing
    /// deadline fails the test instead of hanging it.
    ///
    /// The call and the clock run on `NetworkExecutor` (as `HTTPClient`'s own work does), so the
    /// time measured is the call's, not the time this test waited for a thread of the cooperative
    /// pool while other tests of the run kept it busy.
    static func failure(
        guardSeconds: TimeInterval = 30,
        _ call: @escaping @Sendable () async throws -> Void
    ) async -> (error: IndexError?, seconds: TimeInterval) {
        await withTaskExecutorPreference(NetworkExecutor.shared) {
            let started = Date()
            let outcome: Result<Void, any Error>? = await withTaskGroup(of: Result<Void, any Error>?.self) { group in
                group.addTask {
                    do { try await call(); return .success(()) } catch { return .failure(error) }
                }
                group.addTask {
                    try? await Task.sleep(for: .seconds(guardSeconds))
                    return nil
                }
                let first = await group.next() ?? nil
                group.cancelAll()
                return first
            }
            let seconds = Date().timeIntervalSince(started)
            switch outcome {
            case nil:
                Issue.record("the call was still running after \(guardSeconds) s")
                return (nil, seconds)
            case .success?:
                return (nil, seconds)
            case .failure(let error as IndexError)?:
                return (error, seconds)
            case .failure(let error)?:
                Issue.record("unexpected error type: \(error)")
                return (nil, seconds)
            }
        }
    }

    /// The common expectations on a call that ran out of time.
    static func expectTimedOut(
        _ result: (error: IndexError?, seconds: TimeInterval), timeout: TimeInterval,
        path: String, what: String, masked: Bool = true, received: Int = 0,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(result.error != nil, "the call succeeded", sourceLocation: sourceLocation)
        guard let error = result.error else { return }
        #expect(error.code == .network, "\(error)", sourceLocation: sourceLocation)
        #expect(error.message.hasPrefix(what + ": "), "\(error)", sourceLocation: sourceLocation)
        if masked { #expect(error.message.contains("user:****@127.0.0.1:"), "\(error)", sourceLocation: sourceLocation) }
        #expect(error.message.contains(path), "\(error)", sourceLocation: sourceLocation)
        #expect(!error.message.contains(secret), "\(error)", sourceLocation: sourceLocation)
        #expect(error.message.contains("the \(RequestBudget.seconds(timeout)) s timeout"), "\(error)", sourceLocation: sourceLocation)
        #expect(result.seconds < bound(timeout, received: received), "took \(result.seconds) s", sourceLocation: sourceLocation)
    }

    static let page = Array(String(repeating: "<a href=\"x\">x</a>\n", count: 2000).utf8)

    // MARK: documents (pages, provenance, TUF): a flat deadline

    @Test func aTrickledBodyEndsAtTheTimeout() async throws {
        let server = try MisbehavingHTTPServer { _, _ in
            .trickle(.init(headers: ["Content-Type: text/html"], body: Self.page), bytes: 1, interval: 0.2)
        }
        defer { server.stop() }
        let result = await Self.failure {
            _ = try await Self.client(timeout: 1).get(Self.url(server, "/simple/slow/"), accept: nil, what: "project page for slow")
        }
        Self.expectTimedOut(result, timeout: 1, path: "/simple/slow/", what: "project page for slow")
        #expect(result.error?.message.contains("timed out") == true)
        // Trickling one byte every 0.2 s never trips the idle timeout: it is the overall deadline.
        #expect(result.seconds >= 0.9)
    }

    @Test func aTrickledHeadEndsAtTheTimeout() async throws {
        let server = try MisbehavingHTTPServer { _, _ in
            .trickle(.init(body: Self.page), bytes: 1, interval: 0.2, headToo: true)
        }
        defer { server.stop() }
        let result = await Self.failure {
            _ = try await Self.client(timeout: 1).get(Self.url(server, "/head"), accept: nil, what: "page")
        }
        Self.expectTimedOut(result, timeout: 1, path: "/head", what: "page")
    }

    @Test func aStallAfterTheHeadOrMidBodyEndsAtTheTimeout() async throws {
        let server = try MisbehavingHTTPServer { path, _ in
            path == "/after-head" ? .stallAfterHead(.init(body: Self.page)) : .stallMidBody(.init(body: Self.page), sent: 1000)
        }
        defer { server.stop() }
        for path in ["/after-head", "/mid-body"] {
            let result = await Self.failure {
                _ = try await Self.client(timeout: 1).get(Self.url(server, path), accept: nil, what: "provenance of x.whl")
            }
            Self.expectTimedOut(result, timeout: 1, path: path, what: "provenance of x.whl")
        }
    }

    @Test func aServerThatNeverAnswersEndsAtTheTimeout() async throws {
        let server = try MisbehavingHTTPServer { _, _ in .silent }
        defer { server.stop() }
        let result = await Self.failure {
            _ = try await Self.client(timeout: 1).get(Self.url(server, "/silent"), accept: nil, what: "page")
        }
        Self.expectTimedOut(result, timeout: 1, path: "/silent", what: "page")
    }

    @Test func retriesDoNotExtendTheDeadline() async throws {
        // Each answer takes 0.6 s and is a 503 asking for no wait: four attempts would take 2.4 s.
        let server = try MisbehavingHTTPServer { _, _ in .delayed(.text(503, "busy", headers: ["Retry-After: 0"]), seconds: 0.6) }
        defer { server.stop() }
        let result = await Self.failure {
            _ = try await Self.client(timeout: 1).get(Self.url(server, "/busy"), accept: nil, what: "page")
        }
        Self.expectTimedOut(result, timeout: 1, path: "/busy", what: "page")
        #expect(server.requests(to: "/busy") <= 2)
    }

    // MARK: Retry-After and backoff

    @Test func aHugeRetryAfterFailsAtOnce() async throws {
        let later = Date().addingTimeInterval(86_400)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let server = try MisbehavingHTTPServer { path, _ in
            .respond(
                .text(
                    path == "/date" ? 429 : 503, "later",
                    headers: ["Retry-After: " + (path == "/date" ? formatter.string(from: later) : "3600")]))
        }
        defer { server.stop() }
        // The client's own cap on Retry-After (30 s by default) is not what saves us.
        let client = Self.client(timeout: 5, retry: RetryPolicy())
        for path in ["/seconds", "/date"] {
            let result = await Self.failure { _ = try await client.get(Self.url(server, path), accept: nil, what: "page") }
            Self.expectTimedOut(result, timeout: 5, path: path, what: "page")
            #expect(result.error?.message.contains("Retry-After") == true, "\(String(describing: result.error))")
            // A wait longer than the timeout is not begun: the call ends before the timeout would.
            #expect(result.seconds < 5, "\(result.seconds) s")
            #expect(server.requests(to: path) == 1)
        }
    }

    @Test func aRetryAfterLongerThanWhatIsLeftFailsAtOnce() async throws {
        // 3 s is under the client's Retry-After cap but more than a 2 s timeout leaves.
        let server = try MisbehavingHTTPServer { _, _ in .respond(.text(503, "later", headers: ["Retry-After: 3"])) }
        defer { server.stop() }
        let result = await Self.failure {
            _ = try await Self.client(timeout: 2, retry: RetryPolicy()).get(Self.url(server, "/x"), accept: nil, what: "page")
        }
        Self.expectTimedOut(result, timeout: 2, path: "/x", what: "page")
        #expect(
            result.error?.message.contains("with Retry-After 3 s, longer than the 2 s timeout leaves") == true,
            "\(String(describing: result.error))")
        #expect(server.requests(to: "/x") == 1)
    }

    @Test func aRetryAfterWithinTheTimeoutIsStillHonoured() async throws {
        let server = try MisbehavingHTTPServer { _, count in
            count == 1 ? .respond(.text(503, "later", headers: ["Retry-After: 1"])) : .respond(.text(200, "recovered"))
        }
        defer { server.stop() }
        let started = Date()
        let response = try await Self.client(timeout: 5, retry: RetryPolicy()).get(URL(string: server.origin + "/x")!, accept: nil)
        #expect(String(decoding: response.body, as: UTF8.self) == "recovered")
        #expect(server.requests(to: "/x") == 2)
        #expect(Date().timeIntervalSince(started) >= 0.9)
    }

    @Test func backoffLongerThanWhatIsLeftFailsAtOnce() async throws {
        let server = try MisbehavingHTTPServer { _, _ in .respond(.text(502, "bad gateway")) }
        defer { server.stop() }
        let result = await Self.failure {
            _ = try await Self.client(timeout: 2, retry: RetryPolicy(maxRetries: 3, baseDelay: 10, maxRetryAfter: 60))
                .get(Self.url(server, "/gw"), accept: nil, what: "page")
        }
        Self.expectTimedOut(result, timeout: 2, path: "/gw", what: "page")
        #expect(result.error?.message.contains("HTTP 502 from") == true)
        #expect(
            result.error?.message.contains("no time left to retry within the 2 s timeout") == true,
            "\(String(describing: result.error))")
        #expect(server.requests(to: "/gw") == 1)
    }

    // MARK: redirects

    @Test func aSlowRedirectLoopEndsAtTheTimeoutNotAtTheHopLimit() async throws {
        // Ten hops of 0.6 s each would take 6 s before the hop limit stops them.
        let server = try MisbehavingHTTPServer { path, _ in
            .delayed(.init(status: 302, headers: ["Location: \(path == "/a" ? "/b" : "/a")"]), seconds: 0.6)
        }
        defer { server.stop() }
        let result = await Self.failure {
            _ = try await Self.client(timeout: 1).get(Self.url(server, "/a"), accept: nil, what: "page")
        }
        #expect(result.error?.code == .network)
        #expect(result.error?.message.contains("the 1 s timeout") == true, "\(String(describing: result.error))")
        #expect(result.error?.message.contains("127.0.0.1:\(server.port)/") == true)
        #expect(result.seconds < Self.bound(1))
    }

    @Test func aRedirectToATrickleNamesTheTarget() async throws {
        let server = try MisbehavingHTTPServer { path, _ in
            path == "/start"
                ? .respond(.init(status: 302, headers: ["Location: /trickle/target"]))
                : .trickle(.init(body: Self.page), bytes: 1, interval: 0.2)
        }
        defer { server.stop() }
        let result = await Self.failure {
            _ = try await Self.client(timeout: 1).get(Self.url(server, "/start"), accept: nil, what: "page")
        }
        #expect(result.error?.code == .network)
        #expect(
            result.error?.message.contains("http://127.0.0.1:\(server.port)/trickle/target: timed out") == true,
            "\(String(describing: result.error))")
        #expect(result.seconds < Self.bound(1))
    }

    // MARK: files (wheels): T plus one second per `minimumTransferRate` bytes

    @Test func aTrickledDownloadFailsAndLeavesNoFile() async throws {
        let body = [UInt8](repeating: 0x5A, count: 4 << 20)
        let server = try MisbehavingHTTPServer { path, _ in
            switch path {
            case "/slow.whl": return .trickle(.init(body: body), bytes: 1024, interval: 0.1)  // 10 KiB/s
            case "/stall.whl": return .stallMidBody(.init(body: body), sent: 100_000)
            case "/head.whl": return .stallAfterHead(.init(body: body))
            default: return .trickle(.init(body: body), bytes: 1, interval: 0.2, headToo: true)
            }
        }
        defer { server.stop() }
        let scratch = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: scratch.path + "/out", withIntermediateDirectories: true)
        for path in ["/slow.whl", "/stall.whl", "/head.whl", "/trickled-head.whl"] {
            let result = await Self.failure {
                _ = try await Self.client(timeout: 1).download(
                    Self.url(server, path), to: scratch.path + "/out/file.whl",
                    expectedSHA256: nil, what: "file")
            }
            // A connection that dies mid-body is retried; what arrived counts toward the deadline.
            let received = path == "/stall.whl" ? 100_000 * server.requests(to: path) : 0
            Self.expectTimedOut(result, timeout: 1, path: path, what: "file", received: received)
            // Nothing partial is left: neither the destination nor the temporary file beside it.
            #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/out") == [], "\(path)")
        }
    }

    @Test func theMinimumRateIsNamedWhenADownloadFallsBelowIt() async throws {
        let body = [UInt8](repeating: 0x5A, count: 4 << 20)
        let server = try MisbehavingHTTPServer { _, _ in .trickle(.init(body: body), bytes: 2048, interval: 0.1) }  // 20 KiB/s
        defer { server.stop() }
        let scratch = try TemporaryDirectory()
        let result = await Self.failure {
            _ = try await Self.client(timeout: 1).download(
                Self.url(server, "/w.whl"), to: scratch.path + "/w.whl",
                expectedSHA256: nil, what: "file")
        }
        Self.expectTimedOut(result, timeout: 1, path: "/w.whl", what: "file")
        #expect(result.error?.message.contains("plus 1 s per 64 KiB received") == true, "\(String(describing: result.error))")
        // Never before the timeout; at 20 KiB/s the deadline comes at about 1 / (1 - 20/64) ≈ 1.5 s.
        #expect(result.seconds >= 1)
    }

    @Test func aLargeDownloadAboveTheMinimumRateMayTakeLongerThanTheTimeout() async throws {
        // 16 MiB at about 4 MiB/s: longer than the 3 s timeout, far above 64 KiB/s.
        let body = (0..<(16 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let server = try MisbehavingHTTPServer { _, _ in .trickle(.init(body: body), bytes: 1 << 20, interval: 0.25) }
        defer { server.stop() }
        let scratch = try TemporaryDirectory()
        let started = Date()
        let result = try await Self.client(timeout: 3).download(
            URL(string: server.origin + "/big.whl")!,
            to: scratch.path + "/big.whl", expectedSHA256: nil)
        #expect(Date().timeIntervalSince(started) > 3)
        #expect(result.size == Int64(body.count))
        #expect(result.sha256.text == FileDigest.compute(body, algorithm: .sha256).hex)
    }

    @Test func aTimedOutDownloadNeverBecomesACacheEntry() async throws {
        let body = [UInt8](repeating: 1, count: 1 << 20)
        let server = try MisbehavingHTTPServer { _, _ in .stallMidBody(.init(body: body), sent: 500_000) }
        defer { server.stop() }
        let scratch = try TemporaryDirectory()
        let cache = ContentCache(root: scratch.path + "/cache")
        let temporary = cache.temporaryPath()
        let result = await Self.failure {
            let downloaded = try await Self.client(timeout: 1).download(Self.url(server, "/w.whl"), to: temporary, expectedSHA256: nil)
            try cache.store(download: temporary, sha256Hex: downloaded.sha256)
        }
        Self.expectTimedOut(result, timeout: 1, path: "/w.whl", what: "file", received: 500_000 * server.requests(to: "/w.whl"))
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/cache/sha256"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/cache/tmp") == [])
        #expect(!cache.contains(sha256Hex: SHA256Hex(FileDigest.compute(body, algorithm: .sha256))))
    }

    // MARK: the index client and TUF go through the same deadline

    @Test func indexPagesAndProvenanceEndAtTheTimeout() async throws {
        let wheel = "slowpkg-1.0-py3-none-any.whl"
        let server = try MisbehavingHTTPServer { path, _ in
            if path == "/simple/slowpkg/" { return .trickle(.init(body: Self.page), bytes: 1, interval: 0.2) }
            if path.hasPrefix("/integrity/") { return .stallAfterHead(.init(headers: ["Content-Type: application/json"], body: Self.page)) }
            return .respond(.text(404, "no"))
        }
        defer { server.stop() }
        let index = Self.url(server, "/simple/")
        let configuration = IndexConfiguration(indexURL: index, source: "test")
        let client = IndexClient(configuration: configuration, http: Self.client(timeout: 1))
        let page = await Self.failure { _ = try await client.project(ProjectName("slowpkg")) }
        Self.expectTimedOut(page, timeout: 1, path: "/simple/slowpkg/", what: "project page for slowpkg")

        let file = IndexFile(
            filename: wheel, url: URL(string: server.origin + "/files/" + wheel)!, sha256: nil,
            provenanceURL: Self.url(server, "/integrity/slowpkg/1.0/\(wheel)/provenance/"),
            coreMetadata: false, yanked: false, indexURL: index)
        let provenance = await Self.failure {
            _ = try await client.provenance(for: file, project: ProjectName("slowpkg"), version: "1.0")
        }
        // Provenance candidates are built without the index URL's userinfo.
        Self.expectTimedOut(provenance, timeout: 1, path: "/integrity/slowpkg/1.0/", what: "provenance of \(wheel)", masked: false)
    }

    @Test func tufFetchesEndAtTheTimeout() async throws {
        let server = try MisbehavingHTTPServer { _, _ in .trickle(.init(body: Self.page), bytes: 1, interval: 0.2) }
        defer { server.stop() }
        let fetcher = TUFHTTPFetcher(baseURL: URL(string: server.origin + "/tuf")!, http: TUFHTTPFetcher.client(timeout: 1))
        let result = await Self.failure { _ = try await fetcher.fetch("2.root.json", maxLength: 1 << 20) }
        let error = try #require(result.error, "a trickled TUF file was accepted")
        #expect(error.code == .network)
        #expect(error.message.contains("TUF 2.root.json: http://127.0.0.1:\(server.port)/tuf/2.root.json: timed out"), "\(error)")
        #expect(error.message.contains("the 1 s timeout"))
        #expect(result.seconds < Self.bound(1))
    }

    // MARK: no false alarms

    @Test func aBusyProcessDoesNotMakeAHealthyServerTimeOut() async throws {
        // A 4 MiB page streamed over about 0.8 s, with a 1.5 s timeout; meanwhile every thread of
        // the cooperative pool is blocked for 3 s (as CPU-heavy verification work can). The deadline
        // must judge the server, not the process: the call runs on `NetworkExecutor`, keeps reading
        // and completes. (Read from the cooperative pool, the body would wait behind the blocked
        // threads and the deadline would pass before it was read.)
        let body = (0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let server = try MisbehavingHTTPServer { _, _ in .trickle(.init(body: body), bytes: 256 << 10, interval: 0.05) }
        defer { server.stop() }
        let client = HTTPClient(credentials: nil, certificateBundle: nil, timeout: 1.5, retry: RetryPolicy(maxRetries: 0))
        let request = Task { try await client.get(URL(string: server.origin + "/healthy")!, accept: nil) }
        try await Task.sleep(for: .milliseconds(100))
        let blockers = (0..<(ProcessInfo.processInfo.activeProcessorCount + 2)).map { _ in
            Task.detached { usleep(3_000_000) }
        }
        let response = try await request.value
        for blocker in blockers { await blocker.value }
        #expect(response.body.count == body.count)
        #expect(
            FileDigest.compute([UInt8](response.body), algorithm: .sha256).hex
                == FileDigest.compute(body, algorithm: .sha256).hex)
    }

    // MARK: the rule itself

    @Test func theBudgetRule() {
        let start = ContinuousClock.now
        let document = RequestBudget(timeout: 5, minimumRate: nil, start: start)
        #expect(document.deadline(received: 0) == start + .seconds(5))
        #expect(document.deadline(received: 1 << 30) == start + .seconds(5))
        let file = RequestBudget(timeout: 5, minimumRate: 64 << 10, start: start)
        #expect(file.deadline(received: 0) == start + .seconds(5))
        #expect(file.deadline(received: 64 << 10) == start + .seconds(6))
        #expect(file.deadline(received: 100 << 20) == start + .seconds(5 + 1600))
        #expect(RequestBudget.seconds(2) == "2")
        #expect(RequestBudget.seconds(0.5) == "0.5")
        #expect(RequestBudget.amount(Double(64 << 10)) == "64 KiB")
        #expect(RequestBudget.amount(Double(1 << 20)) == "1 MiB")
        #expect(document.exhaustedReason(received: 9) == "timed out: no complete response within the 5 s timeout")
        #expect(HTTPClient(credentials: nil, certificateBundle: nil).minimumTransferRate == 64 << 10)
    }
}
