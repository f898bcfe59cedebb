import Attestations
import Foundation
import PythonPackaging
import Testing

@testable import Building

extension Builds {
    /// `wheeltrust rebuild`: the recorded build done again from the same inputs by digest.
    @Suite struct RebuildTests {
        /// Builds `files` once (signed) and returns the work folder, the result and the wheelhouse.
        static func firstBuild(
            _ label: String, name: String, version: String, files: [String: String], wheels: [String]
        ) async throws -> (work: String, result: BuildResult, wheelhouse: String, sdist: String) {
            let work = try BuildFixtures.temporaryDirectory(label)
            let sdist = try await BuildFixtures.makeSdist(name: name, version: version, files: files, in: work)
            let wheelhouse = work + "/wheelhouse"
            try FileManager.default.createDirectory(atPath: wheelhouse, withIntermediateDirectories: true)
            for wheel in wheels { try FileManager.default.copyItem(atPath: BuildFixtures.fixture(wheel), toPath: wheelhouse + "/" + wheel) }
            let (key, _) = try BuildFixtures.signingKey()
            let result = try await SourceBuilder.build(
                BuildRequest(
                    source: try SourceDistribution.local(path: sdist), outputDirectory: work + "/out", buildTag: BuildTag(number: 0),
                    requirements: .findLinks(wheelhouse), python: BuildFixtures.buildPython, signer: key))
            return (work, result, wheelhouse, sdist)
        }

        @Test func anUnchangedFlitBuildIsReproducedByteForByte() async throws {
            let (work, result, wheelhouse, sdist) = try await Self.firstBuild(
                "rebuild-flit", name: "flitty", version: "2.0", files: BuildFixtures.flitProject(),
                wheels: ["flit_core-3.10.1-py3-none-any.whl"])
            defer { try? FileManager.default.removeItem(atPath: work) }
            let report = try await Rebuilder.rebuild(
                .init(
                    wheel: result.wheelPath, provenanceFile: result.attestationPath, sdist: sdist, findLinks: wheelhouse,
                    outputDirectory: work + "/rebuild", python: BuildFixtures.buildPython))
            #expect(report.outcome == .reproduced)
            #expect(report.rebuiltSHA256 == result.wheelSHA256)
            #expect((report.rebuiltWheel as NSString).lastPathComponent == "flitty-2.0-0-py2.py3-none-any.whl")
        }

        @Test func aBackendThatIgnoresTheRecordedInputsIsNotReproducedAndTheMembersNamed() async throws {
            // The in-tree backend writes the build's HOME (a fresh folder each time) into a member.
            let (work, result, wheelhouse, sdist) = try await Self.firstBuild(
                "rebuild-tiny", name: "tiny", version: "1.0", files: BuildFixtures.inTreeBackendProject(), wheels: [])
            defer { try? FileManager.default.removeItem(atPath: work) }
            let report = try await Rebuilder.rebuild(
                .init(
                    wheel: result.wheelPath, provenanceFile: result.attestationPath, sdist: sdist, findLinks: wheelhouse,
                    outputDirectory: work + "/rebuild", python: BuildFixtures.buildPython, withDiff: true))
            guard case .notReproduced(let differences) = report.outcome else {
                Issue.record("outcome \(report.outcome)")
                return
            }
            #expect(differences.map(\.member) == ["tiny-1.0.dist-info/RECORD", "tiny/_build_facts.py"])
            #expect(differences.allSatisfy { $0.kind == .contentDiffers })
            let diff = try #require(differences.last?.diff)
            #expect(diff.contains("-HOME = '") && diff.contains("+HOME = '"), "\(diff)")
            #expect(!diff.contains("SOURCE_DATE_EPOCH"), "the unchanged line is not shown: \(diff)")
        }

        @Test func aBuildDependencySwappedInTheWheelhouseIsNamed() async throws {
            let (work, result, wheelhouse, sdist) = try await Self.firstBuild(
                "rebuild-swap", name: "flitty", version: "2.0", files: BuildFixtures.flitProject(),
                wheels: ["flit_core-3.10.1-py3-none-any.whl"])
            defer { try? FileManager.default.removeItem(atPath: work) }
            // Another flit_core under the recorded name.
            let swapped = wheelhouse + "/flit_core-3.10.1-py3-none-any.whl"
            try FileManager.default.removeItem(atPath: swapped)
            try Data("not the recorded wheel".utf8).write(to: URL(fileURLWithPath: swapped))
            let error = await #expect(throws: BuildError.self) {
                try await Rebuilder.rebuild(
                    .init(
                        wheel: result.wheelPath, provenanceFile: result.attestationPath, sdist: sdist, findLinks: wheelhouse,
                        outputDirectory: work + "/rebuild", python: BuildFixtures.buildPython))
            }
            #expect(error?.code == .requirementUnavailable)
            #expect(
                error?.message.hasPrefix("build requirement: flit_core-3.10.1-py3-none-any.whl has sha256 ") == true
                    && error?.message.hasSuffix("the provenance records cb31a76e8b31ad3351bb89e531f64ef2b05d1e65bd939183250bf81ddf4922a8")
                        == true,
                "\(error?.message ?? "")")
            // Missing altogether: named too.
            try FileManager.default.removeItem(atPath: swapped)
            let missing = await #expect(throws: BuildError.self) {
                try await Rebuilder.rebuild(
                    .init(
                        wheel: result.wheelPath, provenanceFile: result.attestationPath, sdist: sdist, findLinks: wheelhouse,
                        outputDirectory: work + "/rebuild", python: BuildFixtures.buildPython))
            }
            #expect(missing?.message == "build requirement: flit_core-3.10.1-py3-none-any.whl is missing from \(wheelhouse)")
        }

        @Test func aWheelThatIsNotTheSubjectOrAnotherSourceIsRefused() async throws {
            let (work, result, wheelhouse, sdist) = try await Self.firstBuild(
                "rebuild-subject", name: "tiny", version: "1.0", files: BuildFixtures.inTreeBackendProject(), wheels: [])
            defer { try? FileManager.default.removeItem(atPath: work) }
            let other = work + "/other.whl"
            try FileManager.default.copyItem(atPath: result.wheelPath, toPath: other)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: other))
            handle.seekToEndOfFile()
            handle.write(Data([0]))
            try handle.close()
            let subject = await #expect(throws: BuildError.self) {
                try await Rebuilder.rebuild(
                    .init(
                        wheel: other, provenanceFile: result.attestationPath, sdist: sdist, findLinks: wheelhouse,
                        outputDirectory: work + "/rebuild", python: BuildFixtures.buildPython))
            }
            #expect(subject?.message.hasPrefix("subject: ") == true)
            let otherSdist = try await BuildFixtures.makeSdist(
                name: "tiny", version: "1.0", files: BuildFixtures.inTreeBackendProject(),
                in: try BuildFixtures.temporaryDirectory("other"),
                mtime: 1_600_000_000)
            let source = await #expect(throws: BuildError.self) {
                try await Rebuilder.rebuild(
                    .init(
                        wheel: result.wheelPath, provenanceFile: result.attestationPath, sdist: otherSdist, findLinks: wheelhouse,
                        outputDirectory: work + "/rebuild", python: BuildFixtures.buildPython))
            }
            #expect(source?.code == .sourceRejected)
            #expect(source?.message.hasPrefix("source: \(otherSdist) has sha256 ") == true, "\(source?.message ?? "")")
        }
    }
}

extension Builds.RebuildTests {
    @Test func aWheelThatDiffersOnlyInZipMetadataIsReproducedNormalised() async throws {
        let (work, result, wheelhouse, sdist) = try await Self.firstBuild(
            "rebuild-norm", name: "flitty", version: "2.0", files: BuildFixtures.flitProject(),
            wheels: ["flit_core-3.10.1-py3-none-any.whl"])
        defer { try? FileManager.default.removeItem(atPath: work) }
        // The same members, in reverse order, stored uncompressed, with other times and modes.
        let folder = work + "/repacked"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let repacked = folder + "/" + (result.wheelPath as NSString).lastPathComponent
        let script = """
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1]) as zin, zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_STORED) as zout:
                for info in reversed(zin.infolist()):
                    new = zipfile.ZipInfo(info.filename, (2001, 2, 3, 4, 5, 6))
                    new.external_attr = 0o600 << 16
                    zout.writestr(new, zin.read(info))
            """
        let repack = try await BuildFixtures.run("/usr/bin/env", ["python3", "-c", script, result.wheelPath, repacked])
        try #require(repack.status == 0, "\(repack.output)")
        let (key, _) = try BuildFixtures.signingKey()
        let attestation = try await Attester.attest(wheel: repacked, signer: key, provenance: result.provenance.predicate())
        let report = try await Rebuilder.rebuild(
            .init(
                wheel: repacked, provenanceFile: attestation, sdist: sdist, findLinks: wheelhouse, outputDirectory: work + "/rebuild",
                python: BuildFixtures.buildPython))
        #expect(report.outcome == .reproducedNormalised)
    }
}

/// Hostile sdists: unpacking refuses what would leave the work folder.
struct HostileSdistTests {
    /// `tiny-1.0.tar.gz` with PKG-INFO and `member` (Python: a call of `add`).
    static func tarball(_ member: String, in work: String) async throws -> String {
        let path = work + "/tiny-1.0.tar.gz"
        let script = [
            "import io, sys, tarfile",
            "tar = tarfile.open(sys.argv[1], 'w:gz')",
            "def add(name, data=b'x', link=None):",
            "    info = tarfile.TarInfo(name)",
            "    if link is not None:",
            "        info.type = tarfile.SYMTYPE; info.linkname = link; tar.addfile(info)",
            "    else:",
            "        info.size = len(data); tar.addfile(info, io.BytesIO(data))",
            "add('tiny-1.0/PKG-INFO', b'Metadata-Version: 2.1\\nName: tiny\\nVersion: 1.0\\n')",
            member,
            "tar.close()",
        ].joined(separator: "\n")
        let made = try await BuildFixtures.run("/usr/bin/env", ["python3", "-c", script, path])
        try #require(made.status == 0, "\(made.output)")
        return path
    }

    @Test(arguments: [
        ("add('tiny-1.0/../../escaped.txt')", "escaped.txt"),
        ("add('tiny-1.0/passwd', link='/etc/passwd')", "passwd"),
        ("add('other-top/file.txt')", "exactly one top folder"),
    ])
    func membersThatLeaveTheTreeAreRefusedWhenUnpacking(member: String, named: String) async throws {
        let work = try BuildFixtures.temporaryDirectory("hostile")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let path = try await Self.tarball(member, in: work)
        let (key, _) = try BuildFixtures.signingKey()
        let error = await #expect(throws: BuildError.self) {
            try await SourceBuilder.build(
                BuildRequest(
                    source: try SourceDistribution.local(path: path), outputDirectory: work + "/out", requirements: .findLinks(work),
                    python: BuildFixtures.buildPython, signer: key))
        }
        #expect(error?.code == .usage)
        #expect(error?.message.hasPrefix("unpacking tiny-1.0.tar.gz failed (exit status 1)") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(named) == true, "\(error?.message ?? "")")
        #expect(!FileManager.default.fileExists(atPath: work + "/escaped.txt"))
    }
}
