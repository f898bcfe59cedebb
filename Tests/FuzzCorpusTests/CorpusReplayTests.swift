import Foundation
import Testing

/// Replays the committed fuzz corpus through the same bodies the fuzzer runs: every input that
/// once reached new code (`Fuzz/Corpus/<target>.tar.xz`, grown by `scripts/fuzz.sh`) and every
/// input that once made a target fail (`Fuzz/Regressions/<target>/`) must still be handled without
/// a crash or a broken invariant.
@Suite("Fuzz corpus replay")
struct CorpusReplayTests {
    static let fuzzRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    /// The inputs of `target`'s corpus archive, unpacked with `tar` into a fresh directory. `tar`
    /// is waited for without blocking a thread of the cooperative pool (in-process index servers
    /// of other suites need those threads to answer).
    static func corpus(of target: String) async throws -> [[UInt8]] {
        let archive = fuzzRoot.appendingPathComponent("Corpus/\(target).tar.xz")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wheeltrust-corpus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "-xJf", archive.path, "-C", directory.path]
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            tar.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try tar.run() } catch { continuation.resume(throwing: error) }
        }
        guard status == 0 else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: archive.path])
        }
        return try files(in: directory)
    }

    static func files(in directory: URL) throws -> [[UInt8]] {
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix(".") }.sorted()
            .map { try [UInt8](Data(contentsOf: directory.appendingPathComponent($0))) }
    }

    @Test("every target has a committed corpus, and every corpus a target")
    func corporaMatchTargets() throws {
        let archives = try FileManager.default.contentsOfDirectory(atPath: Self.fuzzRoot.appendingPathComponent("Corpus").path)
            .filter { $0.hasSuffix(".tar.xz") }.map { String($0.dropLast(".tar.xz".count)) }
        #expect(Set(archives) == Set(FuzzTargets.all.map(\.name)))
        let regressions =
            (try? FileManager.default.contentsOfDirectory(atPath: Self.fuzzRoot.appendingPathComponent("Regressions").path)) ?? []
        #expect(Set(regressions.filter { !$0.hasPrefix(".") }).isSubset(of: Set(FuzzTargets.all.map(\.name))))
    }

    /// One target at a time, yielding after every input: the replay is CPU work that would
    /// otherwise hold the cooperative pool's threads (two on a two-core machine) for a minute and
    /// starve the in-process servers other suites run at the same time.
    @Test(
        "every committed input runs through its parser without breaking an invariant",
        .serialized, arguments: FuzzTargets.all.map(\.name))
    func replay(_ name: String) async throws {
        let target = try #require(FuzzTargets.named(name))
        let corpus = try await Self.corpus(of: name)
        #expect(!corpus.isEmpty, "the corpus of \(name) is empty")
        let regressions = try Self.files(in: Self.fuzzRoot.appendingPathComponent("Regressions/\(name)"))
        for (index, bytes) in (regressions + corpus).enumerated() {
            let broken = await target.run(bytes)
            await Task.yield()
            #expect(broken.isEmpty, "\(name) input \(index) (\(bytes.count) bytes): \(broken.joined(separator: "; "))")
        }
    }
}
