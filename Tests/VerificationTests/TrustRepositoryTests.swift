import Attestations
import Foundation
import TUF
import Testing
import Verification

/// `TrustRepository` (the `trust update|show` flow) in process, against the python-tuf fixture
/// repository served on 127.0.0.1 (`TrustCommandTests.StaticServer`).
@Suite("trust repository (in process)", .serialized)
struct TrustRepositoryTests {
    @Test("argument problems come in order: the URL, a root file with staging, a root file without a URL")
    func problems() throws {
        #expect(TrustRepository.problem(staging: false, repositoryURL: nil, rootFile: nil) == nil)
        #expect(TrustRepository.problem(staging: true, repositoryURL: "https://mirror.test/tuf", rootFile: nil) == nil)
        #expect(TrustRepository.problem(staging: false, repositoryURL: "https://mirror.test", rootFile: "root.json") == nil)
        #expect(TrustRepository.problem(staging: false, repositoryURL: "ftp://x", rootFile: nil) == .notHTTP("ftp://x"))
        #expect(TrustRepository.problem(staging: true, repositoryURL: "ftp://x", rootFile: "r") == .notHTTP("ftp://x"))
        #expect(TrustRepository.problem(staging: true, repositoryURL: nil, rootFile: "r") == .rootFileWithStaging)
        #expect(TrustRepository.problem(staging: false, repositoryURL: nil, rootFile: "r") == .rootFileWithoutURL)
        let refused = #expect(throws: VerificationError.self) {
            _ = try TrustRepository(
                staging: false, repositoryURL: "https://user:secret@mirror.test:x", rootFile: nil, cacheDirectory: "/tmp")
        }
        #expect(refused?.code == .usage && refused?.message.contains("secret") == false, "\(String(describing: refused))")
    }

    @Test("Sigstore's instances are anchored at their embedded roots and kept where verification reads them; a root file is kept apart")
    func storeChoice() throws {
        let scratch = TrustCommandTests.Scratch()
        let production = try TrustRepository(staging: false, repositoryURL: nil, rootFile: nil, cacheDirectory: scratch.path)
        #expect(production.name == "Sigstore production" && !production.isAnchoredAtFile)
        #expect(production.url.absoluteString == SigstoreTUF.Instance.production.repositoryURL)
        #expect(production.store.directory == scratch.path + "/tuf/prod")
        #expect(production.bootstrapRoot == (try SigstoreTUF.bootstrapRoot(.production)))
        let staging = try TrustRepository(staging: true, repositoryURL: "http://127.0.0.1:1", rootFile: nil, cacheDirectory: scratch.path)
        #expect(staging.name == "Sigstore staging" && staging.store.directory == scratch.path + "/tuf/staging")
        #expect(staging.url.absoluteString == "http://127.0.0.1:1")

        let root = TrustCommandTests.fixtures.appendingPathComponent("good/metadata/1.root.json").path
        let custom = try TrustRepository(staging: false, repositoryURL: "http://127.0.0.1:1", rootFile: root, cacheDirectory: scratch.path)
        #expect(custom.name == "Custom" && custom.isAnchoredAtFile)
        #expect(custom.store.directory == SigstoreTUF.storeDirectory(cacheRoot: scratch.path, repositoryURL: "http://127.0.0.1:1"))
        #expect(custom.store.directory != production.store.directory)
        #expect(custom.bootstrapRoot == [UInt8](try Data(contentsOf: URL(fileURLWithPath: root))))
        let unreadable = #expect(throws: VerificationError.self) {
            _ = try TrustRepository(
                staging: false, repositoryURL: "http://127.0.0.1:1", rootFile: "/nonexistent.json", cacheDirectory: scratch.path)
        }
        #expect(unreadable?.code == .usage && unreadable?.message.hasPrefix("cannot read the root file /nonexistent.json") == true)
    }

    @Test("update verifies and stores the trusted root, the cache then verifies offline; a rolled-back timestamp is refused as tampering")
    func updateAndRollback() async throws {
        let scratch = TrustCommandTests.Scratch()
        let repo = try TrustCommandTests.layOut(scratch)
        let server = try await TrustCommandTests.StaticServer.start(directory: repo)
        let repository = try TrustRepository(
            staging: false, repositoryURL: "http://127.0.0.1:\(server.port)",
            rootFile: repo + "/1.root.json", cacheDirectory: scratch.path + "/cache")
        guard case .empty = repository.cachedState() else { Issue.record("a new store holds nothing"); return }
        let updated = await repository.update(timeout: 30)
        guard case .updated(let summary) = updated else { Issue.record("\(updated)"); return }
        #expect(summary.initialRootVersion == 1 && summary.rootVersion == 3)
        #expect((summary.timestampVersion, summary.snapshotVersion, summary.targetsVersion) == (2, 2, 2))
        #expect(summary.targetName == SigstoreTUF.trustedRootTarget && summary.targetDownloaded)
        guard case .verified(let stored) = repository.cachedState() else { Issue.record("the store does not verify"); return }
        #expect(stored.rootChain == [1, 2, 3])

        try FileManager.default.removeItem(atPath: repo + "/timestamp.json")
        try FileManager.default.copyItem(
            atPath: TrustCommandTests.fixtures.appendingPathComponent("rollback-timestamp/metadata/timestamp.json").path,
            toPath: repo + "/timestamp.json")
        let rollback = await repository.update(timeout: 30)
        guard case .failed(let failure) = rollback else { Issue.record("\(rollback)"); return }
        #expect(failure.isTamper && failure.code == .version)
        #expect(failure.message == "timestamp: version 1 is lower than the trusted version 2 (rollback attack)")
    }

    @Test("an unreachable repository is an operational failure, not tampering")
    func unreachable() async throws {
        let scratch = TrustCommandTests.Scratch()
        let repository = try TrustRepository(
            staging: false, repositoryURL: "http://127.0.0.1:9", rootFile: nil, cacheDirectory: scratch.path)
        let result = await repository.update(timeout: 5)
        guard case .failed(let failure) = result else { Issue.record("\(result)"); return }
        #expect(!failure.isTamper && failure.code == .network, "\(failure)")
    }
}
