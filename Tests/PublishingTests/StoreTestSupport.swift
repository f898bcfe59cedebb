import Crypto
import Foundation
import PythonPackaging

@testable import Publishing

/// Temporary stores and staged uploads for the Publishing tests.
enum StoreTestSupport {
    /// A fresh store in a new temporary folder.
    static func makeStore() throws -> PublishingStore {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wheeltrust-store-\(UUID().uuidString)")
        return try PublishingStore(directory: directory)
    }

    static func remove(_ store: PublishingStore) {
        try? FileManager.default.removeItem(at: store.directory)
    }

    static func sha256Hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// Stages `bytes` in the store's staging folder and describes them as `filename`.
    static func stage(
        _ bytes: [UInt8], as filename: String, in store: PublishingStore, metadata: [UInt8]? = nil, provenance: [UInt8]? = nil,
        declaredSHA256: String? = nil, uploader: String = "ci"
    ) throws -> StoreUpload {
        let staged = store.stagingDirectory.appendingPathComponent("upload-\(UUID().uuidString)")
        try Data(bytes).write(to: staged)
        return StoreUpload(
            stagedFile: staged, filename: filename, sha256: declaredSHA256 ?? sha256Hex(bytes), size: Int64(bytes.count),
            coreMetadata: metadata, provenance: provenance, uploader: uploader)
    }

    static func metadata(name: String, version: String, requiresPython: String? = nil) -> [UInt8] {
        var text = "Metadata-Version: 2.1\nName: \(name)\nVersion: \(version)\n"
        if let requiresPython { text += "Requires-Python: \(requiresPython)\n" }
        return Array(text.utf8)
    }

    /// Runs `body` on every item at once, each on a thread of its own (publishes block on SQLite
    /// and fsync: never on the cooperative pool, nor on GCD's global queues, which share its
    /// threads on Linux; other suites' in-process servers need them), and returns the results in
    /// the items' order.
    static func concurrently<T: Sendable, R: Sendable>(_ items: [T], _ body: @escaping @Sendable (T) throws -> R) async throws -> [R] {
        try await DedicatedThread.run { () throws(any Error) in
            let results = ResultsBox<R>(count: items.count)
            let group = DispatchGroup()
            for index in items.indices {
                group.enter()
                Thread {
                    results.set(index, Result { try body(items[index]) })
                    group.leave()
                }.start()
            }
            group.wait()
            return try results.values()
        }
    }

    static func stagingNames(_ store: PublishingStore) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: store.stagingDirectory.path)) ?? []).sorted()
    }
}

/// Results filled in from several threads.
final class ResultsBox<R: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<R, any Error>?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<R, any Error>) {
        lock.lock()
        results[index] = result
        lock.unlock()
    }

    func values() throws -> [R] {
        lock.lock()
        defer { lock.unlock() }
        return try results.map { try $0!.get() }
    }
}
