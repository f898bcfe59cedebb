import Foundation
import PackageIndex
import PythonPackaging
import Testing

@testable import Verification

/// ``WheelSelection`` in process: which of an index project's files could be the installed wheel
/// (name, PEP 440 version, the exact tag set, the build tag) and what a "not on the index" message
/// says the index offers instead.
@Suite("WheelSelection")
struct WheelSelectionTests {
    /// A `.dist-info` written to a fresh directory (METADATA, WHEEL with `tags` and `build`, an
    /// empty RECORD) and loaded the way an environment's listing loads it.
    static func installed(
        _ name: String, _ version: String, tags: [String], build: String? = nil,
        wheel: Bool = true
    ) throws -> InstalledDistribution {
        let site = FileManager.default.temporaryDirectory.appendingPathComponent("wt-sel-\(UUID().uuidString)").path
        let distInfo = "\(site)/\(name.replacingOccurrences(of: ".", with: "_"))-\(version).dist-info"
        try FileManager.default.createDirectory(atPath: distInfo, withIntermediateDirectories: true)
        try "Metadata-Version: 2.1\nName: \(name)\nVersion: \(version)\n\n"
            .write(toFile: distInfo + "/METADATA", atomically: true, encoding: .utf8)
        if wheel {
            let lines =
                ["Wheel-Version: 1.0", "Generator: test", "Root-Is-Purelib: true"] + tags.map { "Tag: \($0)" }
                + (build.map { ["Build: \($0)"] } ?? [])
            try (lines.joined(separator: "\n") + "\n").write(toFile: distInfo + "/WHEEL", atomically: true, encoding: .utf8)
        }
        try "".write(toFile: distInfo + "/RECORD", atomically: true, encoding: .utf8)
        let loaded = InstalledDistribution.load(distInfoPath: distInfo, root: site)
        try? FileManager.default.removeItem(atPath: site)
        return loaded
    }

    static func files(_ names: String...) -> [IndexFile] {
        names.map {
            IndexFile(
                filename: $0, url: URL(string: "http://127.0.0.1:9/files/\($0)")!, sha256: nil,
                provenanceURL: nil, coreMetadata: false, yanked: false)
        }
    }

    @Test("only files of the installed name and version with the installed tag set qualify, sorted by name")
    func nameVersionAndTags() throws {
        let installed = try Self.installed("datatool", "0.3", tags: ["py3-none-any"])
        let chosen = WheelSelection.candidates(
            in: Self.files(
                "datatool-0.3-py3-none-any.whl",
                "datatool-0.3.tar.gz",  // an sdist is never the installed wheel
                "datatool-0.4-py3-none-any.whl",  // another version
                "datatool-0.3-py2-none-any.whl",  // another tag
                "datatool-0.3-py2.py3-none-any.whl",  // a superset of the installed tags
                "datatools-0.3-py3-none-any.whl",  // another project
                "datatool-0.3-py3-none-any.whl.metadata",  // not a wheel name
                "Datatool-0.3.0-1-py3-none-any.whl"), for: installed)
        // PEP 440 and PEP 503 equality: `Datatool` / `0.3.0` are the same project and version; with
        // no build tag installed, any build tag qualifies.
        #expect(chosen.map(\.filename) == ["Datatool-0.3.0-1-py3-none-any.whl", "datatool-0.3-py3-none-any.whl"])
    }

    @Test("a platform wheel qualifies only with exactly the installed platform tags")
    func platformTags() throws {
        let installed = try Self.installed(
            "MarkupSafe", "2.1.5",
            tags: [
                "cp311-cp311-manylinux_2_17_x86_64", "cp311-cp311-manylinux2014_x86_64",
            ])
        let chosen = WheelSelection.candidates(
            in: Self.files(
                "MarkupSafe-2.1.5-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                "MarkupSafe-2.1.5-cp311-cp311-manylinux2014_x86_64.whl",  // a subset of the tags
                "MarkupSafe-2.1.5-cp311-cp311-musllinux_1_1_x86_64.whl",  // another libc
                "MarkupSafe-2.1.5-cp311-cp311-win_amd64.whl",  // another platform
                "MarkupSafe-2.1.5-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",  // another interpreter
                "MarkupSafe-2.1.5-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl"), for: installed)
        #expect(chosen.map(\.filename) == ["MarkupSafe-2.1.5-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"])
    }

    @Test("an installed build tag admits only files with that build tag")
    func buildTag() throws {
        let files = Self.files(
            "dotted_pkg-1.2.0-0-py3-none-any.whl", "dotted_pkg-1.2.0-1-py3-none-any.whl",
            "dotted_pkg-1.2.0-py3-none-any.whl")
        let withBuild = try Self.installed("Dotted.Pkg", "1.2.0", tags: ["py3-none-any"], build: "0")
        #expect(WheelSelection.candidates(in: files, for: withBuild).map(\.filename) == ["dotted_pkg-1.2.0-0-py3-none-any.whl"])
        let otherBuild = try Self.installed("Dotted.Pkg", "1.2.0", tags: ["py3-none-any"], build: "7")
        #expect(WheelSelection.candidates(in: files, for: otherBuild).isEmpty)
        // No `Build` line installed (installers may drop it): every build qualifies, and the
        // pipeline then chooses among them by the installed METADATA's digest.
        let noBuild = try Self.installed("Dotted.Pkg", "1.2.0", tags: ["py3-none-any"])
        #expect(
            WheelSelection.candidates(in: files, for: noBuild).map(\.filename) == [
                "dotted_pkg-1.2.0-0-py3-none-any.whl", "dotted_pkg-1.2.0-1-py3-none-any.whl", "dotted_pkg-1.2.0-py3-none-any.whl",
            ])
    }

    @Test("an installed distribution without WHEEL is matched by name and version only")
    func noInstalledWheelFile() throws {
        let installed = try Self.installed("datatool", "0.3", tags: [], wheel: false)
        #expect(installed.wheelMetadata == nil)
        let chosen = WheelSelection.candidates(
            in: Self.files(
                "datatool-0.3-py2-none-any.whl", "datatool-0.3-py3-none-any.whl", "datatool-0.4-py3-none-any.whl"), for: installed)
        #expect(chosen.map(\.filename) == ["datatool-0.3-py2-none-any.whl", "datatool-0.3-py3-none-any.whl"])
    }

    @Test("describeOffer names the same version's other wheels, else the versions, else nothing")
    func describeOffer() throws {
        let installed = try Self.installed("datatool", "0.3", tags: ["py3-none-any"])
        #expect(
            WheelSelection.describeOffer(
                Self.files(
                    "datatool-0.3-py2-none-any.whl", "datatool-0.3-cp311-cp311-linux_x86_64.whl",
                    "datatool-0.4-py3-none-any.whl"), for: installed)
                == "the index has 0.3 only as datatool-0.3-cp311-cp311-linux_x86_64.whl, datatool-0.3-py2-none-any.whl")
        #expect(
            WheelSelection.describeOffer(
                Self.files(
                    "datatool-0.4-py3-none-any.whl", "datatool-0.2.tar.gz",
                    "datatool-0.4.tar.gz"), for: installed)
                == "the index has versions 0.2, 0.4")
        #expect(
            WheelSelection.describeOffer(Self.files("README.txt"), for: installed)
                == "the index lists no distribution files for it")
        #expect(WheelSelection.describeOffer([], for: installed) == "the index lists no distribution files for it")
    }
}
