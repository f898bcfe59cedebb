import Attestations
import Foundation
import Sigstore
import TUF
import Testing
import Verification

/// `VerificationSetup.sigstoreTrustedRoot()` uses the trusted root `trust update` verified and
/// cached, offline, and refuses a cached copy that does not verify.
@Suite("Cached TUF trust root")
struct CachedTrustRootTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("TUFTests/Fixtures/tuf")

    /// Reads the good fixture repository from disk.
    struct DirectoryFetcher: TUFFetcher {
        let base: URL
        func fetch(_ path: String, maxLength: Int) async throws -> [UInt8]? {
            FileManager.default.contents(atPath: base.appendingPathComponent(path).path).map { [UInt8]($0.prefix(maxLength + 1)) }
        }
    }

    final class Cache: @unchecked Sendable {
        let path = FileManager.default.temporaryDirectory.path + "/wheeltrust-cachedroot-\(UUID().uuidString)"
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Runs the TUF update of the fixture repository into `<cache>/tuf/staging`. The fixture's
    /// target is a copy of the embedded PRODUCTION trusted root, so a staging setup that returns
    /// production's logs proves the cached copy was used.
    static func populate(_ cache: Cache) async throws {
        let bootstrap = try #require(
            FileManager.default.contents(atPath: fixtures.appendingPathComponent("good/metadata/1.root.json").path))
        let store = TUFStore(directory: SigstoreTUF.storeDirectory(cacheRoot: cache.path, instance: .staging))
        let updater = TUFUpdater(
            fetcher: DirectoryFetcher(base: fixtures.appendingPathComponent("good")), store: store,
            bootstrapRoot: [UInt8](bootstrap), layout: .metadataDirectory)
        guard case .updated = await updater.update(target: SigstoreTUF.trustedRootTarget, now: Date(timeIntervalSince1970: 1_893_456_000))
        else {
            Issue.record("fixture update failed")
            return
        }
    }

    static func logIDs(_ root: TrustedRoot) -> [[UInt8]] { root.tlogs.map(\.keyID) }

    /// The staging setup with the cache anchored at the fixture repository's bootstrap root (the
    /// fixture is not signed by Sigstore's keys, so it cannot chain from the embedded root).
    static func setup(_ cache: Cache) throws -> VerificationSetup {
        var setup = VerificationSetup(cacheDirectory: cache.path, environment: [:], staging: true)
        setup.tufBootstrapRoot = [UInt8](
            try #require(FileManager.default.contents(atPath: fixtures.appendingPathComponent("good/metadata/1.root.json").path)))
        return setup
    }

    @Test func cachedRootIsUsedForItsInstance() async throws {
        let cache = Cache()
        try await Self.populate(cache)
        let root = try Self.setup(cache).sigstoreTrustedRoot()
        #expect(Self.logIDs(root) == Self.logIDs(try TrustedRoot.production))
        #expect(Self.logIDs(root) != Self.logIDs(try TrustedRoot.staging))
    }

    @Test func withoutACachedRootTheEmbeddedOneIsUsed() throws {
        let cache = Cache()
        let root = try Self.setup(cache).sigstoreTrustedRoot()
        #expect(Self.logIDs(root) == Self.logIDs(try TrustedRoot.staging))
    }

    @Test func tamperedCachedRootIsRefusedNotReplaced() async throws {
        let cache = Cache()
        try await Self.populate(cache)
        let store = TUFStore(directory: SigstoreTUF.storeDirectory(cacheRoot: cache.path, instance: .staging))
        let path = store.targetPath(SigstoreTUF.trustedRootTarget)
        var bytes = try #require(FileManager.default.contents(atPath: path))
        bytes[bytes.count / 2] ^= 1
        try bytes.write(to: URL(fileURLWithPath: path))
        let setup = try Self.setup(cache)
        do {
            _ = try setup.sigstoreTrustedRoot()
            Issue.record("tampered cached root accepted")
        } catch {
            #expect(error.code == .operational)
            #expect(error.message.contains("trusted_root.json: stored copy's sha256 differs from the one targets v2 lists"))
            // The remedy is a value; the library's words name no command.
            #expect(error.remedy?.remedy == .updateTrust)
            #expect(error.remedy.map { "\($0.fact); \($0.remedy)" } == error.message)
            #expect(error.message.hasSuffix("; \(Remedy.updateTrust)") && !error.message.contains("`"), "\(error.message)")
        }
    }

    @Test func trustedRootFileStillWins() async throws {
        let cache = Cache()
        try await Self.populate(cache)
        let file = cache.path + "/private-root.json"
        let stagingBytes = try #require(
            FileManager.default.contents(
                atPath: Self.fixtures.deletingLastPathComponent()
                    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                    .appendingPathComponent("Sources/Sigstore/Resources/sigstore/staging/trusted_root.json").path))
        try stagingBytes.write(to: URL(fileURLWithPath: file))
        let root = try VerificationSetup(cacheDirectory: cache.path, environment: [:], trustedRootFile: file).sigstoreTrustedRoot()
        #expect(Self.logIDs(root) == Self.logIDs(try TrustedRoot.staging))
    }
}
