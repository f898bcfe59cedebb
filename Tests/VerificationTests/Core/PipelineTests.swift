import Attestations
import Foundation
import PackageIndex
import PythonPackaging
import Testing

@testable import Verification

/// ``Pipeline`` in process, step by step, against wheeltrust's own index server on 127.0.0.1 with
/// the fixture wheels signed by a key made here: each test calls the step and asserts which check
/// the step returned, with what status and what detail.
@Suite("Pipeline")
struct PipelineTests {
    static let datatool = "datatool-0.3-py3-none-any.whl"
    static let dotted = "dotted_pkg-1.2.0-0-py3-none-any.whl"
    static let clitool = "clitool-2.0-py3-none-any.whl"

    // MARK: [1/5] locate

    @Test("locate: the installed wheel's file on the index is the one candidate, index-file passes naming it")
    func locateFindsTheInstalledWheel() async throws {
        try await SignedIndex.with { index in
            let installed = try index.installed(from: Self.datatool)
            let (candidates, check) = try await index.pipeline().locate(installed)
            #expect(candidates.map(\.filename) == [Self.datatool])
            // The detail names the index that served the file (without its credentials).
            #expect(
                check
                    == CheckResult(.indexFile, .pass, "\(Self.datatool) on \(URL(string: index.indexURL)!.removingUserInfo.absoluteString)")
            )
            // The file carries what the next steps need: the index's sha256, where to download it.
            #expect(candidates.first?.sha256?.text == (try index.sha256(of: Self.datatool)))
        }
    }

    @Test("locate: a project not on the index, or a version or tags the index lacks, fails index-file saying what it offers")
    func locateFailsWhenTheIndexLacksTheWheel() async throws {
        try await SignedIndex.with { index in
            let pipeline = try index.pipeline()
            let absent = try WheelSelectionTests.installed("absentpkg", "1.0", tags: ["py3-none-any"])
            let (none, absentCheck) = await pipeline.locate(absent)
            #expect(none.isEmpty)
            #expect(absentCheck.name == .indexFile && absentCheck.status == .fail, "\(absentCheck)")
            #expect(absentCheck.detail.hasPrefix("absentpkg is not on the index"), "\(absentCheck.detail)")

            let otherVersion = try WheelSelectionTests.installed("datatool", "0.9", tags: ["py3-none-any"])
            let (_, versionCheck) = await pipeline.locate(otherVersion)
            Core.expect(
                [versionCheck], .indexFile, .fail,
                "the installed datatool 0.9 (py3-none-any) is not on the index: the index has versions 0.3")

            let otherTags = try WheelSelectionTests.installed("datatool", "0.3", tags: ["cp311-cp311-linux_x86_64"])
            let (_, tagsCheck) = await pipeline.locate(otherTags)
            Core.expect(
                [tagsCheck], .indexFile, .fail, "(cp311-cp311-linux_x86_64) is not on the index",
                "the index has 0.3 only as \(Self.datatool)")
        }
    }

    // MARK: [2/5] download

    @Test("fetchWheel: the downloaded bytes are hashed in the cache and match the index's sha256")
    func fetchWheelHashesTheCachedBytes() async throws {
        try await SignedIndex.with { index in
            let pipeline = try index.pipeline()
            let file = try await index.indexFile(Self.datatool, project: "datatool")
            let sha256 = try index.sha256(of: Self.datatool)
            let (wheel, checks) = await Core.fetch(pipeline, file)
            let fetched = try #require(wheel, "\(checks)")
            #expect(fetched.sha256.text == sha256)
            #expect(try FileHashing.digest(ofFileAt: fetched.path, algorithm: .sha256).digest.hex == sha256)
            #expect(
                checks == [
                    CheckResult(.download, .pass, "\(Self.datatool) sha256 \(sha256)"),
                    CheckResult(.indexHash, .pass, "matches the index's sha256"),
                ])
            // A second fetch is served by the cache, which hashes its entry again before handing it out.
            try FileManager.default.removeItem(atPath: index.directory + "/" + Self.datatool)
            let (again, againChecks) = await Core.fetch(pipeline, file)
            #expect(again?.path == fetched.path, "\(againChecks)")
            #expect(Core.failing(againChecks).isEmpty, "\(againChecks)")
        }
    }

    @Test("fetchWheel: an index publishing another sha256 than the wheel's fails index-hash with both digests")
    func fetchWheelIndexHashMismatch() async throws {
        try await SignedIndex.with { index in
            let published = String(repeating: "ab", count: 32)
            try published.write(toFile: index.directory + "/" + Self.datatool + ".sha256", atomically: true, encoding: .utf8)
            let file = try await index.indexFile(Self.datatool, project: "datatool")
            #expect(file.sha256?.text == published)
            let actual = try index.sha256(of: Self.datatool)
            let (wheel, checks) = await Core.fetch(try index.pipeline(), file)
            #expect(wheel?.sha256.text == actual, "the digest reported is the bytes', never the index's")
            Core.expect(checks, .download, .pass, actual)
            Core.expect(checks, .indexHash, .fail, "the index publishes sha256 \(published) but the wheel is \(actual)")
            #expect(Core.failing(checks) == [.indexHash])
        }
    }

    @Test("indexHashCheck: no published digest is a skip; case is ignored; any other digest fails")
    func indexHashCheckVerdicts() throws {
        let actual = try #require(SHA256Hex(String(repeating: "0f", count: 32)))
        #expect(
            Pipeline.indexHashCheck(published: nil, actual: actual)
                == CheckResult(.indexHash, .skip, "the index publishes no sha256 for this file"))
        #expect(Pipeline.indexHashCheck(published: SHA256Hex(normalizing: actual.text.uppercased()), actual: actual).status == .pass)
        let other = try #require(SHA256Hex(String(repeating: "0e", count: 32)))
        #expect(
            Pipeline.indexHashCheck(published: other, actual: actual)
                == CheckResult(.indexHash, .fail, "the index publishes sha256 \(other) but the wheel is \(actual)"))
    }

    @Test("fetchWheel: a file that cannot be downloaded is a download error, with no index-hash verdict")
    func fetchWheelCannotDownload() async throws {
        try await SignedIndex.with { index in
            var file = try await index.indexFile(Self.datatool, project: "datatool")
            file.url = URL(string: "http://127.0.0.1:\(index.server.port)/files/absent-1.0-py3-none-any.whl")!
            file.sha256 = nil
            let (wheel, checks) = await Core.fetch(try index.pipeline(), file)
            #expect(wheel == nil)
            Core.expect(checks, .download, .error, "404")
            #expect(Core.check(.indexHash, in: checks) == nil)
        }
    }

    // MARK: [3/5] provenance and [4/5] signature and statement

    @Test("provenance: fetched from the Integrity API and verified: provenance, signature and statement pass")
    func provenanceVerifies() async throws {
        try await SignedIndex.with { index in
            let pipeline = try index.pipeline()
            let installed = try index.installed(from: Self.datatool)
            let (report, fetched) = await pipeline.locateAndFetch(installed)
            let wheel = try #require(fetched, "\(report.checks)")
            let (checks, verified, signer) = await pipeline.provenance(for: wheel, installed: installed)
            #expect(verified)
            // Who signed, as a value: the trusted key by name and fingerprint.
            #expect(signer == .key(name: index.publicKeyPath, fingerprint: "sha256:\(index.key.publicKey.fingerprint)"))
            Core.expect(checks, .provenance, .pass, "1 attestation(s) from http://127.0.0.1:\(index.server.port)/")
            Core.expect(checks, .signature, .pass, "attestation 1.1 signed by \(index.publicKeyPath)", index.key.publicKey.keyID)
            Core.expect(
                checks, .statement, .pass, "subject \(Self.datatool) sha256 matches",
                "builder https://builder.example/wheeltrust-tests")
            #expect(checks.map(\.name) == [.provenance, .signature, .statement])
            // The steps alone give the same verdicts.
            let (provenance, fetchCheck) = await pipeline.fetchProvenance(
                for: wheel.file, project: installed.name,
                version: installed.rawVersion)
            #expect(fetchCheck.status == .pass)
            let evaluated = await pipeline.evaluate(try #require(provenance).provenance, filename: Self.datatool, sha256: wheel.sha256)
            #expect(evaluated == Array(checks.dropFirst()))
        }
    }

    @Test("provenance: one byte of the wheel changed after signing fails the statement's digest; its contents fail too")
    func tamperedWheelByte() async throws {
        try await SignedIndex.with { index in
            let signed = try index.sha256(of: Self.datatool)
            let path = index.directory + "/" + Self.datatool
            try Self.flipByteInFirstMember(of: path)
            let tampered = try index.sha256(of: Self.datatool)
            let pipeline = try index.pipeline()
            let installed = try index.installed(from: Self.datatool)
            let (report, fetched) = await pipeline.locateAndFetch(installed)
            let wheel = try #require(fetched, "\(report.checks)")
            #expect(wheel.sha256.text == tampered)
            Core.expect(report.checks, .indexHash, .pass)  // the index serves what it has: its hash agrees
            let (checks, verified, _) = await pipeline.provenance(for: wheel, installed: installed)
            #expect(!verified)
            Core.expect(checks, .signature, .pass)
            Core.expect(checks, .statement, .fail, "subject digest: subject sha256 \(signed) differs from the file's \(tampered)")
            #expect(Core.failing(checks) == [.statement])
            // Opened anyway, the wheel's own RECORD gives the change away.
            let contents = Pipeline.openWheel(at: wheel.path, filename: Self.datatool).check
            #expect(contents.name == .wheelContents && contents.status == .fail, "\(contents)")
        }
    }

    @Test("provenance: a signer whose key is not trusted fails the signature, naming the key tried, not the signer's")
    func wrongKey() async throws {
        try await SignedIndex.with { index in
            let (strangerPath, stranger) = try Core.strangerKeyFile(in: index.root)
            let pipeline = try index.pipeline(keyFile: strangerPath)
            let installed = try index.installed(from: Self.datatool)
            let (_, fetched) = await pipeline.locateAndFetch(installed)
            let (checks, verified, _) = await pipeline.provenance(for: try #require(fetched), installed: installed)
            #expect(!verified)
            Core.expect(
                checks, .signature, .fail, "attestation 1.1: signature matches no trusted key",
                "\(strangerPath) (\(stranger.publicKey.keyID))")
            #expect(!(Core.check(.signature, in: checks)?.detail.contains(index.key.publicKey.keyID) ?? true))
            #expect(Core.check(.statement, in: checks) == nil, "no statement is judged without a trusted signature")
            #expect(Core.failing(checks) == [.signature])
            // provenWheel refuses it with the same checks.
            let proven = await pipeline.provenWheel(of: installed)
            #expect(proven.wheel == nil)
            #expect(Core.failing(proven.checks) == [.signature])
        }
    }

    @Test("provenance: another real wheel swapped in under the signed name fails the statement's digest")
    func swappedWheel() async throws {
        try await SignedIndex.with { index in
            let signed = try index.sha256(of: Self.dotted)
            let target = index.directory + "/" + Self.dotted
            try FileManager.default.removeItem(atPath: target)
            try FileManager.default.copyItem(atPath: index.directory + "/" + Self.clitool, toPath: target)
            let swapped = try index.sha256(of: Self.dotted)
            let pipeline = try index.pipeline()
            let file = try await index.indexFile(Self.dotted, project: "dotted.pkg")
            let (wheel, fetchChecks) = await Core.fetch(pipeline, file)
            #expect(Core.failing(fetchChecks).isEmpty, "\(fetchChecks)")
            let (provenance, _) = await pipeline.fetchProvenance(for: file, project: ProjectName("dotted.pkg"), version: "1.2.0")
            let checks = await pipeline.evaluate(
                try #require(provenance).provenance, filename: Self.dotted,
                sha256: try #require(wheel).sha256)
            Core.expect(checks, .signature, .pass)
            Core.expect(checks, .statement, .fail, "subject digest: subject sha256 \(signed) differs from the file's \(swapped)")
        }
    }

    @Test("provenance: a wheel with no provenance on the index fails the provenance check, nothing else is judged")
    func missingProvenance() async throws {
        try await SignedIndex.with { index in
            try FileManager.default.removeItem(atPath: index.directory + "/" + Self.datatool + ".slsa.attestation")
            let pipeline = try index.pipeline()
            let installed = try index.installed(from: Self.datatool)
            let (_, fetched) = await pipeline.locateAndFetch(installed)
            let (checks, verified, _) = await pipeline.provenance(for: try #require(fetched), installed: installed)
            #expect(!verified)
            #expect(checks.count == 1, "\(checks)")
            Core.expect(checks, .provenance, .fail, "no provenance on the index for \(Self.datatool)")
        }
    }

    // MARK: choosing among candidates

    @Test("locateAndFetch: among wheels of one name, version and tags, the one whose RECORD has the installed METADATA is chosen")
    func choosesAmongCandidatesByMetadataHash() async throws {
        try await SignedIndex.with { index in
            // A second real wheel of datatool 0.3, build 1, whose METADATA says something else.
            let rebuilt = try await Self.makeWheel(
                in: index.directory, name: "datatool", version: "0.3", build: "1",
                summary: "A rebuild with other metadata.")
            try await Core.sign(rebuilt, with: index.key)
            let rebuiltName = (rebuilt as NSString).lastPathComponent
            let pipeline = try index.pipeline()

            let original = try index.installed(from: Self.datatool)
            let (report, fetched) = await pipeline.locateAndFetch(original)
            Core.expect(report.checks, .indexFile, .pass, Self.datatool, rebuiltName)
            #expect(fetched?.file.filename == Self.datatool)
            #expect(report.wheel == Self.datatool)
            #expect(report.sha256 == (try index.sha256(of: Self.datatool)))

            let other = try index.installed(from: rebuiltName)
            #expect(other.wheelMetadata?.build == "1")
            // Installed WHEEL without the build line: both files are candidates again.
            let withoutBuild = try index.installed(from: rebuiltName)
            try Data("Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n".utf8)
                .write(to: URL(fileURLWithPath: withoutBuild.distInfoPath + "/WHEEL"))
            let reloaded = InstalledDistribution.load(distInfoPath: withoutBuild.distInfoPath, root: withoutBuild.root)
            let (rebuiltReport, rebuiltFetched) = await pipeline.locateAndFetch(reloaded)
            Core.expect(rebuiltReport.checks, .indexFile, .pass, Self.datatool, rebuiltName)
            #expect(rebuiltFetched?.file.filename == rebuiltName)

            // Installed METADATA that neither wheel's RECORD lists: no candidate is the installed one.
            let edited = try index.installed(
                from: Self.datatool,
                metadata: Array("Metadata-Version: 2.1\nName: datatool\nVersion: 0.3\nSummary: edited\n\n".utf8))
            let (editedReport, editedFetched) = await pipeline.locateAndFetch(edited)
            #expect(editedFetched == nil)
            #expect(editedReport.checks.filter { $0.name == .indexFile }.map(\.status) == [.pass, .fail])
            let failure = try #require(editedReport.checks.last)
            #expect(
                failure
                    == CheckResult(
                        .indexFile, .fail,
                        "none of \(rebuiltName), \(Self.datatool) has the installed METADATA"))
        }
    }

    // MARK: offline

    @Test("offline: nothing cached is an error naming what is missing; after one online run every step comes from the cache")
    func offlineUsesOnlyTheCache() async throws {
        try await SignedIndex.with { index in
            let installed = try index.installed(from: Self.datatool)
            let offline = try index.pipeline(offline: true)
            let (none, emptyCheck) = await offline.locate(installed)
            #expect(none.isEmpty)
            Core.expect([emptyCheck], .indexFile, .error, "offline: no cached project page for datatool", "run once online")
            let file = try await index.indexFile(Self.datatool, project: "datatool")
            let (noWheel, noWheelChecks) = await Core.fetch(offline, file)
            #expect(noWheel == nil)
            Core.expect(noWheelChecks, .download, .error, "offline: no cached wheel \(Self.datatool)")

            let online = try index.pipeline()
            let proven = await online.provenWheel(of: installed)
            #expect(proven.wheel != nil, "\(proven.checks)")

            let (candidates, cachedCheck) = await offline.locate(installed)
            #expect(candidates.map(\.filename) == [Self.datatool])
            #expect(cachedCheck.status == .pass)
            let (report, fetched) = await offline.locateAndFetch(installed)
            let wheel = try #require(fetched, "\(report.checks)")
            let (checks, verified, _) = await offline.provenance(for: wheel, installed: installed)
            #expect(verified)
            Core.expect(checks, .provenance, .pass, "from the offline cache")
            Core.expect(checks, .statement, .pass)
        }
    }

    // MARK: [5/5] wheel contents; a local wheel

    @Test("openWheel: a member not in RECORD, or differing from RECORD, fails wheel-contents naming it")
    func openWheelChecksMembersAgainstRecord() async throws {
        try await SignedIndex.with { index in
            let clean = Pipeline.openWheel(at: index.directory + "/" + Self.datatool)
            #expect(clean.wheel != nil)
            #expect(clean.check == CheckResult(.wheelContents, .pass, "8 RECORD entries, every member recorded and matching"))

            let extra = index.root + "/extra/" + Self.datatool
            try await Self.python(
                """
                import shutil, sys, zipfile
                shutil.copy(sys.argv[1], sys.argv[2])
                with zipfile.ZipFile(sys.argv[2], "a") as z: z.writestr("datatool_extra.py", "import os\\n")
                """, [index.directory + "/" + Self.datatool, extra])
            Core.expect(
                [Pipeline.openWheel(at: extra).check], .wheelContents, .fail,
                "shipped but not in RECORD: datatool_extra.py")

            let edited = index.root + "/edited/" + Self.datatool
            try await Self.python(
                """
                import sys, zipfile
                with zipfile.ZipFile(sys.argv[1]) as src, zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as dst:
                    for info in src.infolist():
                        data = src.read(info)
                        if info.filename == "datatool.py": data = data.replace(b"datatool ran", b"datatool RAN")
                        dst.writestr(info, data)
                """, [index.directory + "/" + Self.datatool, edited])
            Core.expect([Pipeline.openWheel(at: edited).check], .wheelContents, .fail, "differs from RECORD: datatool.py")

            let notZip = index.root + "/garbage.whl"
            try Data("not a zip".utf8).write(to: URL(fileURLWithPath: notZip))
            Core.expect([Pipeline.openWheel(at: notZip).check], .wheelContents, .fail, "the wheel is malformed or cannot be read")
        }
    }

    @Test("verifyLocalWheel: a local wheel and its attestation verify; a changed byte fails the statement")
    func verifyLocalWheel() async throws {
        try await SignedIndex.with { index in
            let path = index.directory + "/" + Self.datatool
            let provenance = try ProvenanceFile.decode(Data(contentsOf: URL(fileURLWithPath: path + ".slsa.attestation")))
            let verifier = try index.pipeline().context.provenanceVerifier
            let report = await Pipeline.verifyLocalWheel(at: path, provenance: provenance, verifier: verifier)
            #expect(report.status == .verified, "\(report.checks)")
            #expect(report.checks.map(\.name) == [.download, .signature, .statement, .wheelContents])
            Core.expect(report.checks, .download, .pass, "(local file)")

            let signed = try index.sha256(of: Self.datatool)
            try Self.flipByteInFirstMember(of: path)
            let tampered = await Pipeline.verifyLocalWheel(at: path, provenance: provenance, verifier: verifier)
            #expect(tampered.status == .failed)
            Core.expect(tampered.checks, .statement, .fail, "subject digest: subject sha256 \(signed) differs")
            #expect(Core.failing(tampered.checks) == [.statement, .wheelContents])

            let absent = await Pipeline.verifyLocalWheel(at: index.root + "/absent.whl", provenance: provenance, verifier: verifier)
            Core.expect(absent.checks, .download, .error, "absent.whl")
        }
    }

    // MARK: helpers

    /// Changes one byte of the first member's compressed data (the zip still opens; its bytes differ).
    static func flipByteInFirstMember(of path: String) throws {
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        try #require(bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]))
        let nameLength = Int(bytes[26]) | Int(bytes[27]) << 8
        let extraLength = Int(bytes[28]) | Int(bytes[29]) << 8
        let offset = 30 + nameLength + extraLength + 2
        bytes[offset] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func python(_ script: String, _ arguments: [String]) async throws {
        for argument in arguments.dropFirst() {
            try FileManager.default.createDirectory(
                atPath: (argument as NSString).deletingLastPathComponent,
                withIntermediateDirectories: true)
        }
        let result = try await TestProcess.run(TestProcess.python3, ["-B", "-c", script] + arguments)
        try #require(result.status == 0, "\(result.output)")
    }

    /// A real wheel made by make_wheels.py's own builder: one module, the given metadata summary.
    static func makeWheel(in directory: String, name: String, version: String, build: String?, summary: String) async throws -> String {
        let script = """
            import sys
            sys.path.insert(0, sys.argv[1])
            import make_wheels
            build = sys.argv[6] or None
            print(make_wheels.build_wheel(sys.argv[2], sys.argv[3], sys.argv[4],
                  [(sys.argv[3] + ".py", b'def run():\\n    return "rebuilt"\\n', 0o644)], summary=sys.argv[5], build=build))
            """
        let result = try await TestProcess.run(
            TestProcess.python3,
            [
                "-B", "-c", script, Scenario.fixtureWheels.path, directory, name, version, summary, build ?? "",
            ])
        try #require(result.status == 0, "\(result.output)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
