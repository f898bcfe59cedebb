import Foundation
import PackageIndex
import PythonPackaging
import Testing

@testable import Lock
@testable import Verification

@Suite("install stages only verified bytes")
struct VerifiedInstallTests {
    static func cacheWith(_ bytes: [UInt8], storedAs sha256: String) throws -> ContentCache {
        let root = NSTemporaryDirectory() + "wt-stage-\(UUID().uuidString)"
        let cache = ContentCache(root: root)
        let path = cache.path(sha256Hex: try #require(SHA256Hex(normalizing: sha256)))
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return cache
    }

    static func verified(_ filename: String, sha256: String) -> PackageReport {
        PackageReport(
            name: "demo", version: "1.0", wheel: filename, sha256: sha256, checks: [CheckResult(.signature, .pass, "test")])
    }

    @Test("the staged copy is hashed: a cache entry changed after verification installs nothing")
    func changedCache() throws {
        let good = Array("the verified bytes".utf8)
        let sha = FileDigest.compute(good, algorithm: .sha256).hex
        let cache = try Self.cacheWith(Array("other bytes".utf8), storedAs: sha)
        defer { try? FileManager.default.removeItem(atPath: cache.root) }
        do {
            _ = try VerifiedInstall.stage([Self.verified("demo-1.0-py3-none-any.whl", sha256: sha)], cache: cache)
            Issue.record("staged a changed file")
        } catch {
            #expect(error.message.contains("changed after it verified (sha256 \(sha)"), "\(error.message)")
        }
        let clean = try Self.cacheWith(good, storedAs: sha)
        defer { try? FileManager.default.removeItem(atPath: clean.root) }
        let (folder, files) = try VerifiedInstall.stage([Self.verified("demo-1.0-py3-none-any.whl", sha256: sha)], cache: clean)
        defer { VerifiedInstall.remove(folder) }
        #expect(files == [folder + "/demo-1.0-py3-none-any.whl"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: files[0])) == Data(good))
        let mode = try FileManager.default.attributesOfItem(atPath: folder)[.posixPermissions] as? Int
        #expect(mode == 0o700)
    }

    @Test("one package that did not verify, or an sdist, stages nothing")
    func refuses() throws {
        let cache = ContentCache(root: NSTemporaryDirectory() + "wt-stage-none")
        var failed = Self.verified("demo-1.0-py3-none-any.whl", sha256: String(repeating: "0", count: 64))
        failed.checks.append(CheckResult(.lockHash, .fail, "x"))
        #expect(throws: LockError.self) { try VerifiedInstall.stage([failed], cache: cache) }
        #expect(throws: LockError.self) {
            try VerifiedInstall.stage([Self.verified("demo-1.0.tar.gz", sha256: String(repeating: "0", count: 64))], cache: cache)
        }
    }
}
