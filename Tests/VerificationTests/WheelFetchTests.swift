import Attestations
import Foundation
import PackageIndex
import PythonPackaging
import Testing

@testable import Verification

/// `Pipeline.fetchWheel` in process, offline (no network is touched): a miss is `.failed` with the
/// `download` check that says why; a cache hit is `.fetched` with the entry's path and digest.
@Suite struct WheelFetchTests {
    private func pipeline(cacheRoot: String) -> Pipeline {
        let http = HTTPClient(credentials: nil, certificateBundle: nil, timeout: 1, maxRetries: 0)
        let configuration = IndexConfiguration(indexURL: URL(string: "http://127.0.0.1:9/simple/")!, source: "test")
        return Pipeline(
            context: VerificationContext(
                index: IndexClient(configuration: configuration, http: http), http: http,
                cache: ContentCache(root: cacheRoot), provenanceVerifier: ProvenanceVerifier(verifiers: []), offline: true))
    }

    private func file(sha256: String?) -> IndexFile {
        IndexFile(
            filename: "demo-1.0-py3-none-any.whl", url: URL(string: "http://127.0.0.1:9/demo-1.0-py3-none-any.whl")!,
            sha256: sha256.flatMap { SHA256Hex(normalizing: $0) }, provenanceURL: nil, coreMetadata: false, yanked: false)
    }

    private func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wheeltrust-fetch-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func anOfflineMissFailsInTheDownloadCheck() async throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let hex = String(repeating: "ab", count: 32)
        let outcome = await pipeline(cacheRoot: root).fetchWheel(file(sha256: hex))
        guard case .failed(let checks) = outcome else {
            Issue.record("a wheel that is not cached was fetched offline: \(outcome)")
            return
        }
        #expect(outcome.wheel == nil)
        #expect(checks.count == 1)
        #expect(checks.first?.name == .download)
        #expect(checks.first?.status == .error)
        #expect(checks.first?.detail == "offline: no cached wheel demo-1.0-py3-none-any.whl (sha256 \(hex)); run once online")

        let unpublished = await pipeline(cacheRoot: root).fetchWheel(file(sha256: nil))
        #expect(
            unpublished.checks.map(\.detail)
                == ["offline: the cached page publishes no sha256 for demo-1.0-py3-none-any.whl; run once online"])
    }

    @Test func aCachedWheelIsFetchedWithItsDigest() async throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bytes = Array("not really a wheel, only cached bytes".utf8)
        let hex = FileDigest.compute(bytes, algorithm: .sha256).hex
        let cache = ContentCache(root: root)
        let download = cache.temporaryPath()
        try AtomicFile.write(bytes, to: download)
        try cache.store(download: download, sha256Hex: SHA256Hex(FileDigest.compute(bytes, algorithm: .sha256)))

        let outcome = await pipeline(cacheRoot: root).fetchWheel(file(sha256: hex.uppercased()))
        guard case .fetched(let wheel) = outcome else {
            Issue.record("a cached wheel was not fetched: \(outcome.checks)")
            return
        }
        #expect(wheel.path == cache.path(sha256Hex: try #require(SHA256Hex(hex))))
        #expect(wheel.sha256.text == hex)
        #expect(outcome.checks.map(\.name) == [.download, .indexHash])
        #expect(outcome.checks.map(\.status) == [.pass, .pass])
    }
}
