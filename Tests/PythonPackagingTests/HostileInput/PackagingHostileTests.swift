import Foundation
import TestSupport
import Testing

@testable import PythonPackaging

/// Mutated real wheels and wheel metadata: refused with `PackagingError` or parsed; never a trap,
/// a hang or an unbounded allocation; a mutated wheel whose hashed members changed never checks clean.
@Suite("Hostile input: wheels, RECORD, METADATA, WHEEL, filenames, versions")
struct PackagingHostileTests {
    static let wheels = ["rfc8785-0.1.2-py3-none-any.whl", "shelf_reader-0.1-py2-none-any.whl", "abi3info-2024.10.3-py3-none-any.whl"]

    static func fixture(_ name: String) throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return [UInt8](try Data(contentsOf: url))
    }

    /// Every member's bytes by name (nil for a member that does not read).
    static func members(_ archive: ZipArchive) -> [String: [UInt8]?] {
        var out: [String: [UInt8]?] = [:]
        for entry in archive.entries where !entry.isDirectory { out[entry.name] = .some(try? archive.data(of: entry)) }
        return out
    }

    @Test func mutatedWheelsAreRefusedOrReadAndNeverCheckCleanWhenChanged() throws {
        let directory = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(directory) }
        var originals: [[String: [UInt8]?]] = []
        var seeds: [[UInt8]] = []
        for name in Self.wheels {
            let path = directory + "/" + name
            let bytes = try Self.fixture(name)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            originals.append(Self.members(try ZipArchive(path: path)))
            seeds.append(bytes)
        }
        let mutate: ([UInt8], inout SplitMix64) -> (bytes: [UInt8], label: String) = { input, rng in
            rng.below(2) == 0 ? Mutator.zip(input, &rng) : Mutator.bytes(input, &rng)
        }
        var index = 0
        HostileRun.cases("ZipArchive/Wheel", seeds: seeds, count: 400, seed: 0x21F, budget: .seconds(20), mutate: mutate) { input, label in
            defer { index += 1 }
            let source = index % seeds.count
            let path = directory + "/" + Self.wheels[source]
            guard (try? Data(input).write(to: URL(fileURLWithPath: path))) != nil else { return }
            if let archive = try? ZipArchive(path: path) {
                for entry in archive.entries { try? archive.read(entry) { _ in } }
            }
            guard let wheel = try? Wheel.open(path: path), let report = try? wheel.checkMembers(), report.isClean else { return }
            // Clean means every recorded member reads as the original bytes.
            for entry in wheel.record.entries where entry.hash != .none {
                let now = wheel.archive.entry(named: entry.path).flatMap { try? wheel.archive.data(of: $0) }
                #expect(now == originals[source][entry.path] ?? nil, "changed member \(entry.path) checked clean: \(label)")
            }
        }
    }

    @Test func mutatedRecordsAreRefusedOrParse() throws {
        var seeds: [[UInt8]] = []
        for name in Self.wheels {
            let wheel = try Wheel.open(
                path: try Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures").map(\.path) ?? "")
            let entry = try #require(wheel.archive.entry(named: wheel.distInfoDirectory + "/RECORD"))
            seeds.append(try wheel.archive.data(of: entry))
        }
        HostileRun.cases("Record", seeds: seeds, count: 2000, seed: 0x4EC) { input, _ in
            _ = try? Record(parsing: input, origin: "RECORD")
            _ = try? CSVRows.parse(input)
        }
    }

    @Test func mutatedMetadataAndWheelFilesAreRefusedOrParse() throws {
        let seeds = try ["shelf_reader-0.1.METADATA", "shelf_reader-0.1.WHEEL", "rfc8785-0.1.2.WHEEL"].map { try Self.fixture($0) }
        HostileRun.cases("MessageHeaders", seeds: seeds, count: 2500, seed: 0x3E7A) { input, _ in
            _ = try? MessageHeaders(parsing: input, origin: "METADATA")
            _ = try? CoreMetadata(parsing: input)
            _ = try? WheelMetadata(parsing: input)
        }
    }

    @Test func mutatedFilenamesAndVersionsAreRefusedOrParse() throws {
        let csv = String(decoding: try Self.fixture("redhat-distribution-filenames.csv"), as: UTF8.self)
        var names =
            Self.wheels + ["spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "pypi_attestations-0.0.19.tar.gz"]
        names += csv.split(separator: "\n").prefix(40).compactMap { $0.split(separator: ",").first.map(String.init) }
        let versions = [
            "1.0", "1.0.post1.dev3+local.7", "2!1.0rc1", "v1.0-RC.1", "1.0a", "0.0.19", "2024.10.3", "1!2.3.4b5.post6.dev7+abc.8",
        ]
        let seeds = (names + versions).map { Array($0.utf8) }
        var parsed: [PythonVersion] = []
        HostileRun.cases("filenames/versions", seeds: seeds, count: 1500, seed: 0xF11E) { input, _ in
            let text = String(decoding: input, as: UTF8.self)
            if let wheel = try? WheelFilename(parsing: text) { _ = wheel.tags; _ = wheel.description }
            _ = try? DistributionFilename(parsing: text)
            let version = PythonVersion(text)
            _ = version.normalized
            _ = version.hashValue
            if parsed.count < 64 { parsed.append(version) } else { _ = parsed.map { $0 == version } }
        }
    }

    @Test func hostileVersionsAreBounded() {
        let huge = String(repeating: "9", count: 100_000)
        for text in [
            huge, "1." + huge, huge + "!1", "1.0" + String(repeating: ".0", count: 50_000), "1.0+" + String(repeating: "a.", count: 50_000),
            "1.0rc" + huge, "1.0.post" + huge, "1.0.dev" + huge, "\u{0}1.0", "1.0\u{FFFF}",
        ] {
            let version = PythonVersion(text)
            _ = version.normalized
            #expect(version == PythonVersion(text))
        }
    }
}

extension PackagingHostileTests {
    /// Long filenames (a 100 KB name, a name of 50 000 dots) parse or fail in linear time.
    @Test(arguments: ["a", ".", "-", "_", "1", "é"])
    func longFilenamesAreBounded(_ unit: String) {
        for count in [10_000, 40_000] {
            let clock = ContinuousClock()
            let start = clock.now
            let long = String(repeating: unit, count: count)
            for text in [
                long + "-1.0-py3-none-any.whl", "a-" + long + "-py3-none-any.whl", "a-1.0-" + long + "-none-any.whl",
                "a-1.0-py3-none-" + long + ".whl", long + "-1.0.tar.gz", "a-1.0-" + long + "-py3-none-any.whl",
            ] {
                _ = try? WheelFilename(parsing: text)
                _ = try? DistributionFilename(parsing: text)
            }
            #expect(clock.now - start < .seconds(10), "\(count) × \(unit.debugDescription) took \(clock.now - start)")
        }
    }
}
