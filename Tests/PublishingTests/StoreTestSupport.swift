import Crypto
import Foundation

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

    static func stagingNames(_ store: PublishingStore) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: store.stagingDirectory.path)) ?? []).sorted()
    }
}
