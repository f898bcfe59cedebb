import AttestationsTestSupport
import Foundation
import TestSupport
import Testing

@testable import Attestations
@testable import TUF

/// Mutated real TUF metadata (the python-tuf fixture repository): the readers refuse or parse, and
/// the updater never accepts a repository in which a file changed what its signers signed.
@Suite("Hostile input: TUF metadata and updater")
struct TUFHostileTests {
    static let metadata = [
        "good/metadata/1.root.json", "good/metadata/2.root.json", "good/metadata/3.root.json", "good/metadata/timestamp.json",
        "good/metadata/2.snapshot.json", "good/metadata/2.targets.json",
    ]

    @Test func mutatedMetadataIsRefusedOrParses() throws {
        let seeds = try Self.metadata.map { try TUFFixtures.bytes($0) }
        HostileRun.cases("TUF metadata", seeds: seeds, count: 800, seed: 0x70F) { input, _ in
            guard let json = try? TUFJSON.parse(input) else { return }
            _ = TUFCanonicalJSON.serialize(json)
            _ = try? TUFRoot.parse(input)
            _ = try? TUFTimestamp.parse(input)
            _ = try? TUFSnapshot.parse(input)
            _ = try? TUFTargets.parse(input)
        }
    }

    @Test(arguments: [100_000, 66, 65])
    func deepMetadataIsRefused(_ depth: Int) {
        for object in [false, true] {
            #expect(throws: TUFJSON.Failure.self) { try TUFJSON.parse(deepJSON(depth, object: object)) }
            #expect(throws: TUFRefused.self) { try TUFRoot.parse(deepJSON(depth, object: object)) }
        }
    }

    /// One file of the good repository mutated per update: the update fails, unless the mutated
    /// file still carries exactly the signed content it had (a signature or whitespace change that
    /// leaves the threshold met).
    @Test func updaterRefusesEveryMeaningfulMutation() async throws {
        let base = try OverlayFetcher(nil)
        let probe = try TUFScratch()
        let outcome = try await probe.updater(nil, fetcher: base).update(target: TUFUpdaterTests.target, now: TUFFixtures.now)
        try #require(outcome.summary != nil)
        let served = base.requests
        var originals: [String: [UInt8]] = [:]
        for path in served { if let bytes = try await base.fetch(path, maxLength: 1 << 24) { originals[path] = bytes } }
        let paths = originals.keys.sorted()
        let start = ContinuousClock.now
        for index in 0..<80 {
            var rng = SplitMix64(seed: 0x7F0F &+ UInt64(index) &* 0x1000_0000_01B3)
            let path = rng.pick(paths)
            let original = try #require(originals[path])
            let (mutated, label) = Mutator.any(original, &rng)
            let tag = "TUFUpdater case=\(index) \(path): \(label)"
            let fetcher = MutatingFetcher(base: base, path: path, bytes: mutated)
            let scratch = try TUFScratch()
            let result = try await scratch.updater(nil, fetcher: fetcher).update(target: TUFUpdaterTests.target, now: TUFFixtures.now)
            guard let summary = result.summary else { continue }
            if path.contains("targets/") && !path.hasSuffix(".json") || path.contains("/targets/") {
                #expect(summary.targetBytes == (try TUFFixtures.targetBytes()), "changed target accepted: \(tag)")
            } else {
                #expect(Self.signedContent(mutated) == Self.signedContent(original), "changed metadata accepted: \(tag)")
            }
        }
        #expect(ContinuousClock.now - start < .seconds(15))
    }

    static func signedContent(_ bytes: [UInt8]) -> [UInt8]? {
        guard let json = try? TUFJSON.parse(bytes), let signed = json["signed"] else { return nil }
        return TUFCanonicalJSON.serialize(signed)
    }
}

/// Serves `base`, except `path`, which it answers with `bytes`.
struct MutatingFetcher: TUFFetcher {
    let base: OverlayFetcher
    let path: String
    let bytes: [UInt8]

    func fetch(_ requested: String, maxLength: Int) async throws -> [UInt8]? {
        if requested == path { return Array(bytes.prefix(maxLength + 1)) }
        return try await base.fetch(requested, maxLength: maxLength)
    }
}
