import Foundation
import Sigstore
import Testing

@testable import Attestations
@testable import TUF

@Suite("TUF update workflow")
struct TUFUpdaterTests {
    static let target = "trusted_root.json"

    /// Bootstraps from root v1 and updates from the good repository (roots v2, v3; everything else v2).
    static func updatedFromGood(_ scratch: TUFScratch) async throws -> TUFUpdateSummary {
        let outcome = try await scratch.updater(nil).update(target: target, now: TUFFixtures.now)
        return try #require(outcome.summary, "good update failed: \(outcome.failure?.message ?? "")")
    }

    /// The failure of an update from `scenario` after a good update.
    static func failure(after scenario: String) async throws -> TUFFailure {
        let scratch = try TUFScratch()
        _ = try await updatedFromGood(scratch)
        let outcome = try await scratch.updater(scenario).update(target: target, now: TUFFixtures.now)
        return try #require(outcome.failure, "\(scenario) was accepted")
    }

    @Test func goodRepositoryRotatesRootAndVerifiesTheTarget() async throws {
        let scratch = try TUFScratch()
        let summary = try await Self.updatedFromGood(scratch)
        #expect(summary.initialRootVersion == 1)
        #expect(summary.rootVersion == 3)
        #expect(summary.timestampVersion == 2)
        #expect(summary.snapshotVersion == 2)
        #expect(summary.targetsVersion == 2)
        #expect(summary.targetDownloaded)
        #expect(summary.targetBytes == (try TUFFixtures.targetBytes()))
        #expect(summary.targetHashes.keys.sorted() == ["sha256", "sha512"])
        // The verified target is usable as a Sigstore trusted root.
        _ = try TrustedRoot.decode(Data(summary.targetBytes))
        // Everything verified is in the store.
        for name in ["root.json", "timestamp.json", "snapshot.json", "targets.json"] {
            #expect(FileManager.default.fileExists(atPath: scratch.store.metadataPath(name)))
        }
        guard case .verified(let stored) = scratch.store.verifiedTarget(Self.target, bootstrapRoot: try TUFFixtures.bootstrap()) else {
            Issue.record("stored target does not verify offline")
            return
        }
        #expect(stored == summary.targetBytes)
    }

    @Test func consistentSnapshotPathsAreRequested() async throws {
        let scratch = try TUFScratch()
        let fetcher = try OverlayFetcher(nil)
        let outcome = try await scratch.updater(nil, fetcher: fetcher).update(target: Self.target, now: TUFFixtures.now)
        #expect(outcome.summary != nil)
        let sha256 = try #require(outcome.summary?.targetHashes["sha256"])
        #expect(
            fetcher.requests == [
                "metadata/2.root.json", "metadata/3.root.json", "metadata/4.root.json",
                "metadata/timestamp.json", "metadata/2.snapshot.json", "metadata/2.targets.json",
                "targets/\(sha256).trusted_root.json",
            ])
    }

    @Test func secondUpdateStartsFromTheStoredRootAndReusesVerifiedFiles() async throws {
        let scratch = try TUFScratch()
        _ = try await Self.updatedFromGood(scratch)
        let fetcher = try OverlayFetcher(nil)
        let outcome = try await scratch.updater(nil, fetcher: fetcher).update(target: Self.target, now: TUFFixtures.now)
        let summary = try #require(outcome.summary)
        #expect(summary.initialRootVersion == 3)
        #expect(!summary.targetDownloaded)
        #expect(fetcher.requests == ["metadata/4.root.json", "metadata/timestamp.json"])
    }

    // MARK: - Attacks on the timestamp, snapshot and targets

    @Test func timestampRollbackIsRefused() async throws {
        let failure = try await Self.failure(after: "rollback-timestamp")
        #expect(failure.code == .version)
        #expect(failure.message == "timestamp: version 1 is lower than the trusted version 2 (rollback attack)")
    }

    @Test func snapshotRollbackThroughTheTimestampIsRefused() async throws {
        let failure = try await Self.failure(after: "rollback-snapshot")
        #expect(failure.code == .version)
        #expect(failure.message == "timestamp: names snapshot version 1, lower than the trusted snapshot version 2 (rollback attack)")
    }

    @Test func targetsRollbackInSnapshotIsRefused() async throws {
        let failure = try await Self.failure(after: "rollback-targets")
        #expect(failure.code == .version)
        #expect(failure.message == "snapshot: lists targets.json version 1, lower than the trusted version 2 (rollback attack)")
    }

    @Test func freezeWithExpiredTimestampIsRefused() async throws {
        let failure = try await Self.failure(after: "freeze")
        #expect(failure.code == .expired)
        #expect(failure.message == "timestamp: version 3 expired at 2021-01-01T00:00:00Z (freeze attack)")
        // Also from a fresh client.
        let scratch = try TUFScratch()
        let outcome = try await scratch.updater("freeze").update(target: Self.target, now: TUFFixtures.now)
        #expect(outcome.failure?.code == .expired)
    }

    @Test func goodMetadataIsExpiredAfter2099() async throws {
        let scratch = try TUFScratch()
        let later = Date(timeIntervalSince1970: 4_102_444_800 + 86_400)  // 2100-01-02
        let outcome = try await scratch.updater(nil).update(target: Self.target, now: later)
        #expect(outcome.failure?.code == .expired)
        #expect(outcome.failure?.message == "root: version 3 expired at 2099-01-01T00:00:00Z (freeze attack or stale repository)")
    }

    @Test func mixAndMatchSnapshotIsRefused() async throws {
        let failure = try await Self.failure(after: "mix-and-match-snapshot")
        #expect(failure.code == .version)
        #expect(failure.message == "snapshot: 3.snapshot.json carries version 2, but timestamp v3 names version 3 (mix-and-match attack)")
    }

    @Test func mixAndMatchTargetsIsRefused() async throws {
        let failure = try await Self.failure(after: "mix-and-match-targets")
        #expect(failure.code == .version)
        #expect(failure.message == "targets: 3.targets.json carries version 2, but snapshot v3 names version 3 (mix-and-match attack)")
    }

    @Test func snapshotWithOtherHashThanTimestampNamesIsRefused() async throws {
        let failure = try await Self.failure(after: "snapshot-hash-mismatch")
        #expect(failure.code == .integrity)
        #expect(failure.message == "snapshot: sha256 differs from the one timestamp v3 names (mix-and-match attack)")
    }

    @Test func targetWithOtherHashIsRefused() async throws {
        let scratch = try TUFScratch()
        let outcome = try await scratch.updater("target-hash-mismatch").update(target: Self.target, now: TUFFixtures.now)
        let failure = try #require(outcome.failure)
        #expect(failure.code == .integrity)
        #expect(failure.message == "trusted_root.json: sha256 differs from the one targets v2 lists")
        #expect(!FileManager.default.fileExists(atPath: scratch.store.targetPath(Self.target)))
    }

    @Test func targetOfWrongLengthIsRefused() async throws {
        let failure = try await Self.failure(after: "wrong-target-length")
        #expect(failure.code == .integrity)
        let bytes = try TUFFixtures.targetBytes()
        let sha256 = TUFHex.encode(try #require(TUFHashes.digest("sha256", of: bytes)))
        #expect(
            failure.message
                == "trusted_root.json: targets/\(sha256).trusted_root.json is longer than the \(bytes.count - 1) bytes targets v3 lists")
    }

    @Test func targetOfWrongLengthFromAnHonestTransportIsALengthMismatch() async throws {
        // A fetcher that returns at most `maxLength` bytes: the client sees one byte fewer than
        // the file has, and still refuses it (here by hash, since the length equals what is listed).
        struct Truncating: TUFFetcher {
            let inner: OverlayFetcher
            func fetch(_ path: String, maxLength: Int) async throws -> [UInt8]? {
                try await inner.fetch(path, maxLength: maxLength).map { Array($0.prefix(maxLength)) }
            }
        }
        let scratch = try TUFScratch()
        _ = try await Self.updatedFromGood(scratch)
        let fetcher = Truncating(inner: try OverlayFetcher("wrong-target-length"))
        try? FileManager.default.removeItem(atPath: scratch.store.targetPath(Self.target))
        let outcome = try await scratch.updater(nil, fetcher: fetcher).update(target: Self.target, now: TUFFixtures.now)
        let failure = try #require(outcome.failure)
        #expect(failure.code == .integrity)
        #expect(failure.message == "trusted_root.json: sha256 differs from the one targets v3 lists")
    }

    @Test func timestampSignedByARotatedOutKeyIsRefused() async throws {
        let failure = try await Self.failure(after: "timestamp-wrong-key")
        #expect(failure.code == .signature)
        #expect(failure.message == "timestamp: version 3 has 0 of the 1 signatures root v3 requires")
    }

    // MARK: - Attacks on the root chain

    @Test func rootBelowThresholdIsRefused() async throws {
        let failure = try await Self.failure(after: "root-below-threshold")
        #expect(failure.code == .signature)
        #expect(failure.message == "root: 4.root.json has 1 of the 2 signatures the trusted root v3 requires")
    }

    @Test func rootNotSignedByItsOwnNewKeysIsRefused() async throws {
        let failure = try await Self.failure(after: "root-new-keys-below-threshold")
        #expect(failure.code == .signature)
        #expect(failure.message == "root: 4.root.json has 1 of the 2 signatures its own root keys require")
    }

    @Test func duplicateSignaturesCountOnce() async throws {
        let failure = try await Self.failure(after: "root-duplicate-signatures")
        #expect(failure.code == .signature)
        #expect(failure.message == "root: 4.root.json has 1 of the 2 signatures the trusted root v3 requires")
    }

    @Test func rootVersionSkipIsRefused() async throws {
        let failure = try await Self.failure(after: "root-version-skip")
        #expect(failure.code == .version)
        #expect(failure.message == "root: 4.root.json carries version 5, expected 4")
    }

    @Test func expiredNewRootIsRefusedAfterTheLoop() async throws {
        let scratch = try TUFScratch()
        _ = try await Self.updatedFromGood(scratch)
        let outcome = try await scratch.updater("root-expired").update(target: Self.target, now: TUFFixtures.now)
        #expect(outcome.failure?.code == .expired)
        #expect(outcome.failure?.message == "root: version 4 expired at 2021-01-01T00:00:00Z (freeze attack or stale repository)")
    }

    @Test func refusedRootsNeverReplaceTheStoredRoot() async throws {
        let scratch = try TUFScratch()
        _ = try await Self.updatedFromGood(scratch)
        let before = FileManager.default.contents(atPath: scratch.store.metadataPath("root.json"))
        for (scenario, code) in [
            ("root-below-threshold", TUFFailure.Code.signature), ("root-new-keys-below-threshold", .signature),
            ("root-version-skip", .version), ("root-duplicate-signatures", .signature),
        ] {
            let outcome = try await scratch.updater(scenario).update(target: Self.target, now: TUFFixtures.now)
            #expect(outcome.failure?.code == code, "\(scenario): \(String(describing: outcome.failure))")
            #expect(outcome.failure?.message.hasPrefix("root: 4.root.json ") == true, "\(scenario): \(String(describing: outcome.failure))")
            #expect(FileManager.default.contents(atPath: scratch.store.metadataPath("root.json")) == before)
        }
    }

    @Test func rootRotationsAreBounded() async throws {
        let scratch = try TUFScratch()
        var limits = TUFLimits.default
        limits.maxRootRotations = 1
        let fetcher = try OverlayFetcher(nil)
        let outcome = try await scratch.updater(nil, fetcher: fetcher, limits: limits).update(target: Self.target, now: TUFFixtures.now)
        // Only 2.root.json is read; root v2 still has the rotated-out timestamp key.
        #expect(fetcher.requests.filter { $0.hasSuffix(".root.json") } == ["metadata/2.root.json"])
        #expect(outcome.failure?.message == "timestamp: version 2 has 0 of the 1 signatures root v2 requires")
    }

    // MARK: - Transport and store

    @Test func overlongResponsesAreRefused() async throws {
        let scratch = try TUFScratch()
        let outcome = try await scratch.updater(nil, fetcher: HostileFetcher(mode: .tooLong)).update(
            target: Self.target, now: TUFFixtures.now)
        #expect(outcome.failure?.code == .tooLarge)
        #expect(outcome.failure?.message == "root: metadata/2.root.json is longer than the 524288-byte limit")
    }

    @Test func networkFailureIsOperational() async throws {
        let scratch = try TUFScratch()
        let outcome = try await scratch.updater(nil, fetcher: HostileFetcher(mode: .networkDown)).update(
            target: Self.target, now: TUFFixtures.now)
        let failure = try #require(outcome.failure)
        #expect(failure.code == .network)
        #expect(!failure.isTamper)
        #expect(failure.message == "root: cannot fetch metadata/2.root.json: connection refused")
    }

    @Test func unlistedTargetIsReportedClearly() async throws {
        let scratch = try TUFScratch()
        let outcome = try await scratch.updater(nil).update(target: "signing_config.json", now: TUFFixtures.now)
        #expect(
            outcome.failure?.message
                == "signing_config.json: not listed by the top-level targets v2; delegated targets roles are not searched by this client")
    }

    @Test func targetsOnlyInADelegatedRoleAreNotSearched() async throws {
        // good/ delegates "delegated/*" to role1, which lists delegated/file.txt: this client
        // says plainly that it does not search delegations.
        let scratch = try TUFScratch()
        let outcome = try await scratch.updater(nil).update(target: "delegated/file.txt", now: TUFFixtures.now)
        #expect(outcome.failure?.code == .policy)
        #expect(
            outcome.failure?.message
                == "delegated/file.txt: not listed by the top-level targets v2; delegated targets roles are not searched by this client")
    }

    @Test func snapshotRemovingARoleIsRefused() async throws {
        let failure = try await Self.failure(after: "snapshot-removes-role")
        #expect(failure.code == .policy)
        #expect(failure.message == "snapshot: version 3 removes role1.json, which the trusted snapshot v2 lists")
    }

    @Test func corruptStoredRootFallsBackToTheBootstrap() async throws {
        let scratch = try TUFScratch()
        _ = try await Self.updatedFromGood(scratch)
        try Data("{\"signed\":".utf8).write(to: URL(fileURLWithPath: scratch.store.metadataPath("root.json")))
        let outcome = try await scratch.updater(nil).update(target: Self.target, now: TUFFixtures.now)
        #expect(outcome.summary?.initialRootVersion == 1)
        #expect(outcome.summary?.rootVersion == 3)
    }

    @Test func tamperedStoredTargetFailsOfflineVerification() async throws {
        let scratch = try TUFScratch()
        _ = try await Self.updatedFromGood(scratch)
        var bytes = try TUFFixtures.targetBytes()
        bytes[20] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: scratch.store.targetPath(Self.target)))
        guard case .failed(let failure) = scratch.store.verifiedTarget(Self.target, bootstrapRoot: try TUFFixtures.bootstrap()) else {
            Issue.record("tampered stored target verified")
            return
        }
        #expect(failure.code == .integrity)
        #expect(failure.message == "trusted_root.json: stored copy's sha256 differs from the one targets v2 lists")
        // The next update replaces it with the verified copy.
        let outcome = try await scratch.updater(nil).update(target: Self.target, now: TUFFixtures.now)
        #expect(outcome.summary?.targetDownloaded == true)
        guard case .verified = scratch.store.verifiedTarget(Self.target, bootstrapRoot: try TUFFixtures.bootstrap()) else {
            Issue.record("repaired target does not verify")
            return
        }
    }

    @Test func absentStoredTargetIsAbsent() throws {
        let scratch = try TUFScratch()
        guard case .absent = scratch.store.verifiedTarget(Self.target, bootstrapRoot: try TUFFixtures.bootstrap()) else {
            Issue.record("expected absent")
            return
        }
    }

    @Test func storeNamesStayInsideTheTargetsDirectory() {
        #expect(TUFStore.fileComponent("../../etc/passwd") == "%2E.%2F..%2Fetc%2Fpasswd")
        #expect(TUFStore.fileComponent("trusted_root.json") == "trusted_root.json")
        #expect(TUFStore.fileComponent("") == "%")
    }
}
