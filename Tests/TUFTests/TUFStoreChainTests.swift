import Foundation
import TestSupport
import Testing

@testable import Attestations
@testable import TUF

/// Every offline use of a TUF store re-establishes the chain of roots from the bootstrap root
/// (`TUFStore.verifiedStore`), and the update workflow trusts a stored root only at the end of
/// such a chain. The fixture repository (Fixtures/tuf/good: roots v1 → v2 → v3) is the honest
/// one; attackers write the cache with keys made in the test (`TUFTestMetadata`).
@Suite("TUF store: the root chain")
struct TUFStoreChainTests {
    static let target = "trusted_root.json"

    /// A store updated from the good repository (bootstrap v1, trusted root v3).
    static func goodStore() async throws -> TUFScratch {
        let scratch = try TUFScratch()
        _ = try await TUFUpdaterTests.updatedFromGood(scratch)
        return scratch
    }

    static func check(_ scratch: TUFScratch, bootstrap: [UInt8]? = nil) throws -> TUFStoreCheck {
        scratch.store.verifiedStore(target: target, bootstrapRoot: try bootstrap ?? TUFFixtures.bootstrap())
    }

    /// The failure of `check`, recording an issue when the store verified.
    static func failure(_ scratch: TUFScratch, bootstrap: [UInt8]? = nil) throws -> TUFFailure? {
        switch try check(scratch, bootstrap: bootstrap) {
        case .failed(let failure): return failure
        case .empty: Issue.record("store reported empty")
        case .verified: Issue.record("store verified")
        }
        return nil
    }

    static func write(_ scratch: TUFScratch, _ relative: String, _ bytes: [UInt8]) throws {
        let url = URL(fileURLWithPath: scratch.store.directory + "/" + relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    static func read(_ scratch: TUFScratch, _ relative: String) throws -> [UInt8] {
        [UInt8](try #require(FileManager.default.contents(atPath: scratch.store.directory + "/" + relative)))
    }

    // MARK: - The honest store

    @Test func updateKeepsTheChainAndTheStoreVerifiesThroughIt() async throws {
        let scratch = try await Self.goodStore()
        #expect(try Self.read(scratch, "roots/2.root.json") == (try TUFFixtures.bytes("good/metadata/2.root.json")))
        #expect(try Self.read(scratch, "roots/3.root.json") == (try TUFFixtures.bytes("good/metadata/3.root.json")))
        #expect(try Self.read(scratch, "root.json") == (try TUFFixtures.bytes("good/metadata/3.root.json")))
        guard case .verified(let store) = try Self.check(scratch) else {
            Issue.record("good store does not verify: \(try Self.check(scratch))")
            return
        }
        #expect(store.rootChain == [1, 2, 3])
        #expect(store.root.version == 3)
        #expect(store.timestamp?.version == 2 && store.snapshot?.version == 2 && store.targets.version == 2)
        #expect(store.targetBytes == (try TUFFixtures.targetBytes()))
    }

    /// A newer bootstrap (v3, as a newer wheeltrust would embed) starts the replay there.
    @Test func aLaterBootstrapReplaysFromItsOwnVersion() async throws {
        let scratch = try await Self.goodStore()
        guard case .verified(let store) = try Self.check(scratch, bootstrap: try TUFFixtures.bytes("good/metadata/3.root.json")) else {
            Issue.record("store does not verify from bootstrap v3")
            return
        }
        #expect(store.rootChain == [3])
    }

    @Test func anEmptyStoreIsEmpty() throws {
        guard case .empty = try Self.check(try TUFScratch()) else {
            Issue.record("an empty store is not empty")
            return
        }
    }

    // MARK: - An attacker's own store

    /// A complete, self-consistent store signed by one key made here (root v1 like the bootstrap,
    /// or a higher version, with or without a chain of its own): never chained from the bootstrap.
    @Test(arguments: [(1, false), (5, false), (5, true), (1000, true)])
    func attackerStoreIsRefused(rootVersion: Int, chain: Bool) throws {
        let scratch = try TUFScratch()
        try TUFTestMetadata.writeAttackerStore(
            directory: scratch.store.directory, targetName: Self.target,
            target: Data(try TUFFixtures.targetBytes()), rootVersion: rootVersion, chain: chain)
        let failure = try #require(try Self.failure(scratch))
        #expect(failure.role == "root chain", "\(failure)")
        switch (rootVersion, chain) {
        case (1, _):
            #expect(failure.code == .integrity)
            #expect(
                failure.message
                    == "root chain: the cached root.json (version 1) is not the root v1 the chain from the bootstrap root v1 reaches")
        case (_, false):
            #expect(failure.code == .store)
            #expect(
                failure.message.hasPrefix(
                    "root chain: the cache holds root v5 but not the chain of roots from the bootstrap root v1 (roots/ is missing"))
        default:
            #expect(failure.code == .signature)
            #expect(failure.message == "root chain: roots/2.root.json has 0 of the 1 signatures the trusted root v1 requires")
        }
        // The verified-target view says the same, and the update workflow does not start from it.
        guard case .failed(let same) = scratch.store.verifiedTarget(Self.target, bootstrapRoot: try TUFFixtures.bootstrap()) else {
            Issue.record("verifiedTarget accepted the attacker's store")
            return
        }
        #expect(same == failure)
    }

    /// The update workflow ignores the attacker's root (it starts from the bootstrap), removes
    /// the attacker's chain and leaves a store that verifies.
    @Test func updateRepairsAnAttackerStore() async throws {
        let scratch = try TUFScratch()
        try TUFTestMetadata.writeAttackerStore(
            directory: scratch.store.directory, targetName: Self.target,
            target: Data("{}".utf8), rootVersion: 9, chain: true)
        let summary = try await TUFUpdaterTests.updatedFromGood(scratch)
        #expect(summary.initialRootVersion == 1)
        #expect(summary.rootVersion == 3)
        #expect(scratch.store.storedRootVersions() == [2, 3])
        guard case .verified(let store) = try Self.check(scratch) else {
            Issue.record("repaired store does not verify: \(try Self.check(scratch))")
            return
        }
        #expect(store.rootChain == [1, 2, 3])
    }

    // MARK: - Variants on an honest store

    /// A rotated root that fails the old threshold, one that fails its own, and a skipped version,
    /// each written into the chain (and as root.json) after v3: the fixtures the update refuses.
    @Test(arguments: [
        ("root-below-threshold", "root chain: roots/4.root.json has 1 of the 2 signatures the trusted root v3 requires"),
        ("root-new-keys-below-threshold", "root chain: roots/4.root.json has 1 of the 2 signatures its own root keys require"),
        ("root-duplicate-signatures", "root chain: roots/4.root.json has 1 of the 2 signatures the trusted root v3 requires"),
        ("root-version-skip", "root chain: roots/4.root.json carries version 5, expected 4"),
    ])
    func aBadLinkBreaksTheChain(scenario: String, message: String) async throws {
        let scratch = try await Self.goodStore()
        let bad = try TUFFixtures.bytes("\(scenario)/metadata/4.root.json")
        try Self.write(scratch, "roots/4.root.json", bad)
        try Self.write(scratch, "root.json", bad)
        let failure = try #require(try Self.failure(scratch))
        #expect(failure.message == message)
        #expect(failure.isTamper)
    }

    @Test func aGapInTheChainIsRefused() async throws {
        let scratch = try await Self.goodStore()
        try FileManager.default.removeItem(atPath: scratch.store.rootPath(version: 2))
        let failure = try #require(try Self.failure(scratch))
        #expect(failure.code == .version)
        #expect(
            failure.message
                == "root chain: the cached root.json is version 3, but the chain from the bootstrap root v1 ends at v1 (roots/2.root.json is missing)"
        )
    }

    /// A valid root placed beyond a gap (roots/5 with no roots/4) does not continue the chain.
    @Test func aRootBeyondAGapIsRefused() async throws {
        let scratch = try await Self.goodStore()
        try Self.write(scratch, "roots/5.root.json", try TUFFixtures.bytes("good/metadata/3.root.json"))
        let failure = try #require(try Self.failure(scratch))
        #expect(failure.message == "root chain: roots/5.root.json does not continue the chain from the bootstrap root v1, which ends at v3")
    }

    /// root.json swapped for an older root of the same chain (after targets were written).
    @Test func rootSwappedForAnEarlierOneIsRefused() async throws {
        let scratch = try await Self.goodStore()
        try Self.write(scratch, "root.json", try TUFFixtures.bytes("good/metadata/2.root.json"))
        let failure = try #require(try Self.failure(scratch))
        #expect(failure.code == .integrity)
        #expect(
            failure.message
                == "root chain: the cached root.json (version 2) is not the root v3 the chain from the bootstrap root v1 reaches")
    }

    /// The same root written with other whitespace (same signed content) is still the chain's end.
    @Test func rootReserialisedWithTheSameContentIsAccepted() async throws {
        let scratch = try await Self.goodStore()
        let object = try JSONSerialization.jsonObject(with: Data(try Self.read(scratch, "root.json")))
        let compact = [UInt8](try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
        #expect(compact != (try Self.read(scratch, "root.json")))
        try Self.write(scratch, "root.json", compact)
        guard case .verified(let store) = try Self.check(scratch) else {
            Issue.record("re-serialised root refused: \(try Self.check(scratch))")
            return
        }
        #expect(store.root.version == 3)
    }

    /// A cached root older than the bootstrap (rolled back below the embedded root).
    @Test func rootOlderThanTheBootstrapIsRefused() async throws {
        let scratch = try await Self.goodStore()
        try Self.write(scratch, "root.json", try TUFFixtures.bytes("good/metadata/2.root.json"))
        let failure = try #require(try Self.failure(scratch, bootstrap: try TUFFixtures.bytes("good/metadata/3.root.json")))
        #expect(failure.code == .version)
        #expect(failure.message == "root chain: the cached root.json is version 2, older than the bootstrap root v3 (rollback)")
    }

    /// timestamp, snapshot or targets signed by a key of an unchained root (the attacker's).
    @Test(arguments: ["timestamp", "snapshot", "targets"])
    func roleSignedByAnUnchainedKeyIsRefused(role: String) async throws {
        let scratch = try await Self.goodStore()
        let attacker = TUFTestKey()
        let signed: [String: Any]
        switch role {
        case "timestamp": signed = TUFTestMetadata.timestamp(version: 9, snapshotVersion: 9)
        case "snapshot": signed = TUFTestMetadata.snapshot(version: 9, targetsVersion: 9)
        default: signed = TUFTestMetadata.targets(version: 9, name: Self.target, bytes: Data(try TUFFixtures.targetBytes()))
        }
        try Self.write(scratch, "\(role).json", [UInt8](try TUFTestMetadata.sign(signed, by: [attacker])))
        let failure = try #require(try Self.failure(scratch))
        #expect(failure.code == .signature)
        #expect(failure.message == "\(role): stored version 9 has 0 of the 1 signatures root v3 requires")
    }

    /// A store of an older wheeltrust (root.json v3, no roots/): refused, naming the fix; one
    /// update rebuilds the chain from the repository.
    @Test func storeWithoutAChainIsRefusedUntilUpdated() async throws {
        let scratch = try await Self.goodStore()
        try FileManager.default.removeItem(atPath: scratch.store.directory + "/roots")
        let failure = try #require(try Self.failure(scratch))
        #expect(failure.code == .store)
        #expect(
            failure.message
                == "root chain: the cache holds root v3 but not the chain of roots from the bootstrap root v1 (roots/ is missing: written by an older wheeltrust, or not by wheeltrust)"
        )
        let outcome = try await scratch.updater(nil).update(target: Self.target, now: TUFFixtures.now)
        #expect(outcome.summary?.initialRootVersion == 1)
        guard case .verified(let store) = try Self.check(scratch) else {
            Issue.record("rebuilt store does not verify")
            return
        }
        #expect(store.rootChain == [1, 2, 3])
    }

    /// Metadata without the target (the target deleted) is refused, not reported empty: only an
    /// empty store lets a caller fall back to its embedded data.
    @Test func metadataWithoutTheTargetIsRefused() async throws {
        let scratch = try await Self.goodStore()
        try FileManager.default.removeItem(atPath: scratch.store.targetPath(Self.target))
        let failure = try #require(try Self.failure(scratch))
        #expect(failure.role == Self.target)
        #expect(failure.code == .store)
    }

    /// A stray root beyond the chain is removed by the next update.
    @Test func updateRemovesAStrayRoot() async throws {
        let scratch = try await Self.goodStore()
        try Self.write(scratch, "roots/7.root.json", try TUFFixtures.bytes("good/metadata/3.root.json"))
        let outcome = try await scratch.updater(nil).update(target: Self.target, now: TUFFixtures.now)
        #expect(outcome.summary?.initialRootVersion == 3)
        #expect(scratch.store.storedRootVersions() == [2, 3])
        guard case .verified = try Self.check(scratch) else {
            Issue.record("store does not verify after the update")
            return
        }
    }
}
