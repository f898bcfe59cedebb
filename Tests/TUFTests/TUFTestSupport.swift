import Foundation

@testable import Attestations
@testable import TUF

/// The python-tuf repositories in Fixtures/tuf (see make_repository.py there).
enum TUFFixtures {
    struct Missing: Error { let path: String }

    static let now = Date(timeIntervalSince1970: 1_893_456_000)  // 2030-01-01T00:00:00Z

    static func directory() throws -> URL {
        guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil)?.appendingPathComponent("tuf"),
            FileManager.default.fileExists(atPath: url.path)
        else { throw Missing(path: "Fixtures/tuf") }
        return url
    }

    static func bytes(_ relative: String) throws -> [UInt8] {
        let url = try directory().appendingPathComponent(relative)
        guard let data = FileManager.default.contents(atPath: url.path) else { throw Missing(path: relative) }
        return [UInt8](data)
    }

    /// The bootstrap root every scenario starts from.
    static func bootstrap() throws -> [UInt8] { try bytes("good/metadata/1.root.json") }

    /// The bytes of the target the good repository serves (a copy of the embedded trusted root).
    static func targetBytes() throws -> [UInt8] {
        let url = try directory().appendingPathComponent("good/targets")
        let name = try FileManager.default.contentsOfDirectory(atPath: url.path).sorted().first ?? ""
        return try bytes("good/targets/" + name)
    }
}

/// Serves a scenario overlay over `good/` from the fixture directory, recording what was asked.
final class OverlayFetcher: TUFFetcher, @unchecked Sendable {
    let layers: [URL]
    private let lock = NSLock()
    private var requested: [String] = []

    init(_ scenario: String?) throws {
        let base = try TUFFixtures.directory()
        layers = (scenario.map { [base.appendingPathComponent($0)] } ?? []) + [base.appendingPathComponent("good")]
    }

    var requests: [String] { lock.withLock { requested } }

    func fetch(_ path: String, maxLength: Int) async throws -> [UInt8]? {
        lock.withLock { requested.append(path) }
        for layer in layers {
            if let data = FileManager.default.contents(atPath: layer.appendingPathComponent(path).path) {
                return [UInt8](data.prefix(maxLength + 1))
            }
        }
        return nil
    }
}

/// A fetcher that answers every request with more bytes than allowed (an endless response cut
/// one byte past the limit by a well-behaved transport), or fails.
struct HostileFetcher: TUFFetcher {
    enum Mode { case tooLong, networkDown }
    let mode: Mode

    struct Down: Error, CustomStringConvertible { var description: String { "connection refused" } }

    func fetch(_ path: String, maxLength: Int) async throws -> [UInt8]? {
        switch mode {
        case .tooLong: return [UInt8](repeating: 0x20, count: maxLength + 1)
        case .networkDown: throw Down()
        }
    }
}

/// A scratch store directory removed at deinit.
final class TUFScratch: @unchecked Sendable {
    let path: String
    var store: TUFStore { TUFStore(directory: path + "/tuf") }

    init() throws {
        path = FileManager.default.temporaryDirectory.path + "/wheeltrust-tuf-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func updater(_ scenario: String?, fetcher: (any TUFFetcher)? = nil, limits: TUFLimits = .default) throws -> TUFUpdater {
        TUFUpdater(
            fetcher: try fetcher ?? OverlayFetcher(scenario), store: store, bootstrapRoot: try TUFFixtures.bootstrap(),
            layout: .metadataDirectory, limits: limits)
    }
}

extension TUFUpdateOutcome {
    var summary: TUFUpdateSummary? {
        if case .updated(let summary) = self { return summary }
        return nil
    }

    var failure: TUFFailure? {
        if case .failed(let failure) = self { return failure }
        return nil
    }
}
