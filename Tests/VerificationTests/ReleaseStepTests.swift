import Attestations
import Foundation
import PackageIndex
import PythonPackaging
import Testing
import Verification

/// The single steps on projects that are not installed: the release and file chosen from the
/// index as an installer would, each checked like an installed package's wheel.
@Suite("single steps on packages that are not installed")
struct ReleaseStepTests {
    static func names(_ report: PackageReport) -> [CheckName] { report.checks.map(\.name) }

    /// Adds to the served folder: an sdist of clitool 2.0 (attested like the wheels), a newer
    /// pre-release wheel (never chosen without a pin) and a release with only a Windows wheel.
    static func addReleases(_ scenario: Scenario) async throws {
        let sdist = scenario.indexDirectory + "/clitool-2.0.tar.gz"
        #expect(FileManager.default.createFile(atPath: sdist, contents: Data("not really gzip; bytes are what is signed".utf8)))
        _ = try await Attester.attest(
            wheel: sdist, key: scenario.key, builderID: "https://builder.example/wheeltrust-tests", buildType: Attester.defaultBuildType)
        let pre = scenario.indexDirectory + "/clitool-3.0rc1-py3-none-any.whl"
        try FileManager.default.copyItem(atPath: scenario.indexDirectory + "/clitool-2.0-py3-none-any.whl", toPath: pre)
        _ = try await Attester.attest(
            wheel: pre, key: scenario.key, builderID: "https://builder.example/wheeltrust-tests", buildType: Attester.defaultBuildType)
        try FileManager.default.copyItem(
            atPath: scenario.indexDirectory + "/datatool-0.3-py3-none-any.whl",
            toPath: scenario.indexDirectory + "/datatool-0.4-cp311-cp311-win_amd64.whl")
    }

    @Test("PKG: the newest final release's best file for this interpreter; PKG==VER that release; --all-files every file, sdists included")
    func releasesOnTheIndex() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            try await Self.addReleases(scenario)
            let setup = VerificationSetup(
                python: scenario.python, indexURL: scenario.indexURL, keyFiles: [scenario.publicKeyPath],
                cacheDirectory: scenario.cache, environment: ["HOME": scenario.root, "PIP_CONFIG_FILE": "/dev/null"])
            let verifier = try await setup.environmentVerifier()

            // clitool is not installed: 2.0 (3.0rc1 is a pre-release), its wheel (preferred to the sdist).
            let newest = try await verifier.verifySignatures(of: "clitool")
            #expect(newest.map(\.wheel) == ["clitool-2.0-py3-none-any.whl"], "\(newest.map(\.checks))")
            #expect(Self.names(newest[0]) == [.indexFile, .download, .indexHash, .provenance, .signature, .statement])
            #expect(newest[0].checks.allSatisfy { $0.status == .pass }, "\(newest[0].checks)")
            #expect(newest[0].checks[0].detail.contains("an installer would take for this interpreter (not installed here)"))
            #expect(newest[0].version == "2.0" && newest[0].status == .verified)

            // A pin picks the pre-release; a version the index lacks fails in index-file, naming what it has.
            let pinned = try await verifier.verifySignatures(of: "clitool==3.0rc1")
            #expect(pinned.map(\.wheel) == ["clitool-3.0rc1-py3-none-any.whl"] && pinned[0].status == .verified)
            let absent = try await verifier.verifySignatures(of: "clitool==9.9")
            #expect(absent.count == 1 && Self.names(absent[0]) == [.indexFile] && absent[0].status == .failed)
            #expect(absent[0].checks[0].detail == "clitool 9.9 is not on the index: versions 2.0, 3.0rc1", "\(absent[0].checks)")

            // Every file of the release: the sdist gets steps 1–4 (no RECORD), the wheel also its contents.
            let all = try await verifier.verifyWheels(of: "clitool", allFiles: true)
            #expect(all.map(\.wheel) == ["clitool-2.0-py3-none-any.whl", "clitool-2.0.tar.gz"], "\(all.map(\.checks))")
            #expect(Self.names(all[0]).last == .wheelContents && Self.names(all[1]).last == .statement, "\(all.map(\.checks))")
            #expect(all.allSatisfy { $0.status == .verified }, "\(all.map(\.checks))")

            // Installed datatool with --all-files: the installed version's files (not the newer Windows-only 0.4).
            let installedRelease = try await verifier.fetchAttestations(of: "datatool", allFiles: true)
            #expect(installedRelease.map(\.report.wheel) == ["datatool-0.3-py3-none-any.whl"])
            // Its newest release offers only a wheel this interpreter cannot load: index-file fails, naming it.
            let windows = try await verifier.verifySignatures(of: "datatool==0.4")
            #expect(windows.count == 1 && windows[0].status == .failed)
            #expect(
                windows[0].checks[0].detail == "no file of datatool 0.4 suits this interpreter: datatool-0.4-cp311-cp311-win_amd64.whl",
                "\(windows[0].checks)")

            // A served file whose bytes differ from its provenance's subject fails in the statement check.
            try FileManager.default.removeItem(atPath: scenario.indexDirectory + "/clitool-2.0.tar.gz")
            #expect(FileManager.default.createFile(atPath: scenario.indexDirectory + "/clitool-2.0.tar.gz", contents: Data("swapped".utf8)))
            let swapped = try await verifier.verifySignatures(of: "clitool", allFiles: true)
            let sdistReport = try #require(swapped.first { $0.wheel == "clitool-2.0.tar.gz" })
            let statement = try #require(sdistReport.checks.first { $0.name == .statement })
            #expect(statement.status == .fail && statement.detail.contains("subject digest"), "\(statement.detail)")
        }
    }

    @Test(
        "the command line: verify-wheel PKG==VER --format json on a project that is not installed, and verify-signature with a bare filename"
    )
    func commandLine() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            try await Self.addReleases(scenario)
            let run = try ReportJSON(await scenario.wheeltrust(["verify-wheel", "clitool==2.0", "--all-files", "--format", "json"]))
            #expect(run.result.status == 0, "\(run.result.output)")
            #expect(run.report.packages.compactMap(\.wheel).sorted() == ["clitool-2.0-py3-none-any.whl", "clitool-2.0.tar.gz"])
            let fetched = scenario.root + "/clitool.provenance"
            let fetch = try await scenario.wheeltrust(["fetch-attestation", "clitool", "-o", fetched])
            #expect(fetch.status == 0, "\(fetch.output)")
            let offline = try ReportJSON(
                await scenario.wheeltrust(["verify-signature", "--provenance", fetched, "clitool-2.0-py3-none-any.whl", "--format", "json"])
            )
            #expect(offline.result.status == 0, "\(offline.result.output)")
            offline.expect("clitool-2.0-py3-none-any.whl", .download, .skip, "sha256 is not checked (give the file, or --sha256)")
            offline.expect("clitool-2.0-py3-none-any.whl", .statement, .pass, "(digest not checked)")
            let wrong = try ReportJSON(
                await scenario.wheeltrust(["verify-signature", "--provenance", fetched, "clitool-2.1-py3-none-any.whl", "--format", "json"])
            )
            wrong.expect("clitool-2.1-py3-none-any.whl", .statement, .fail, "subject name")
        }
    }
}

/// The wheel tags an interpreter accepts, in an installer's order, from its own facts.
@Suite("compatible tags")
struct CompatibleTagsTests {
    static let cpython311 = InterpreterTagFacts(
        implementation: "cpython", version: "3.11.2", platform: "linux-x86_64", soabi: "cpython-311-x86_64-linux-gnu",
        libc: "glibc 2.36", pointerBits: 64, freeThreaded: false, extensionSuffix: ".cpython-311-x86_64-linux-gnu.so")

    @Test("CPython 3.11 on glibc 2.36 x86_64: own ABI first, manylinux newest to oldest with legacy aliases, then abi3, none, py3, any")
    func cpython() {
        let tags = CompatibleTags.supported(Self.cpython311).map(\.description)
        #expect(tags.first == "cp311-cp311-manylinux_2_36_x86_64")
        #expect(tags.contains("cp311-cp311-manylinux2014_x86_64") && tags.contains("cp311-cp311-manylinux1_x86_64"))
        func index(_ tag: String) -> Int { tags.firstIndex(of: tag) ?? Int.max }
        #expect(index("cp311-cp311-manylinux_2_17_x86_64") < index("cp311-cp311-manylinux2014_x86_64"))
        #expect(index("cp311-cp311-manylinux2014_x86_64") < index("cp311-cp311-linux_x86_64"))
        #expect(index("cp311-cp311-linux_x86_64") < index("cp311-abi3-manylinux_2_36_x86_64"))
        #expect(index("cp311-abi3-linux_x86_64") < index("cp311-none-manylinux_2_36_x86_64"))
        #expect(index("cp310-abi3-manylinux_2_17_x86_64") < index("py311-none-manylinux_2_36_x86_64"))
        #expect(index("py3-none-linux_x86_64") < index("cp311-none-any"))
        #expect(tags.suffix(3) == ["py32-none-any", "py31-none-any", "py30-none-any"])
        #expect(!tags.contains("cp311-cp311-manylinux_2_37_x86_64") && !tags.contains { $0.contains("win") })
        #expect(!tags.contains("cp312-abi3-linux_x86_64"), "no abi3 of a newer Python")
    }

    @Test("a free-threaded build has no abi3; aarch64 starts manylinux at 2.17; 32-bit on x86_64 is i686; no glibc: linux_ only")
    func variants() {
        var threaded = Self.cpython311
        threaded.version = "3.13.0"
        threaded.soabi = "cpython-313t-x86_64-linux-gnu"
        threaded.freeThreaded = true
        let threadedTags = CompatibleTags.supported(threaded).map(\.description)
        #expect(threadedTags.first == "cp313-cp313t-manylinux_2_36_x86_64" && !threadedTags.contains { $0.contains("abi3") })
        var arm = Self.cpython311
        arm.platform = "linux-aarch64"
        let armTags = CompatibleTags.supported(arm).map(\.description)
        #expect(armTags.contains("cp311-cp311-manylinux_2_17_aarch64") && !armTags.contains("cp311-cp311-manylinux_2_16_aarch64"))
        var i686 = Self.cpython311
        i686.pointerBits = 32
        #expect(CompatibleTags.supported(i686).first?.description == "cp311-cp311-manylinux_2_36_i686")
        var musl = Self.cpython311
        musl.libc = ""
        #expect(CompatibleTags.supported(musl).first?.description == "cp311-cp311-linux_x86_64")
    }

    @Test("this machine's interpreter, asked through the trusted query, accepts py3-none-any and its own cp tag")
    func realInterpreter() async throws {
        let environment = try await PythonEnvironment.inspect(python: "python3", withPipDefaultIndex: false)
        let facts = try #require(environment.tagFacts)
        let tags = CompatibleTags.supported(facts).map(\.description)
        let parts = environment.version.split(separator: ".")
        #expect(tags.contains("py3-none-any"))
        #expect(tags.contains { $0.hasPrefix("cp\(parts[0])\(parts[1])-") }, "\(tags.prefix(3))")
    }

    @Test("release selection: a better-ranked wheel wins over a generic one and an sdist; yanked files only with a pin")
    func selection() throws {
        func file(_ name: String, yanked: Bool = false) -> IndexFile {
            IndexFile(
                filename: name, url: URL(string: "http://127.0.0.1/\(name)")!, sha256: nil, provenanceURL: nil,
                coreMetadata: false, yanked: yanked)
        }
        let tags = CompatibleTags.supported(Self.cpython311)
        let files = [
            file("pkg-1.0.tar.gz"), file("pkg-1.0-py3-none-any.whl"), file("pkg-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"),
            file("pkg-1.1-py3-none-any.whl", yanked: true), file("other-2.0-py3-none-any.whl"),
        ]
        guard case .success(let (version, release)) = ReleaseSelection.release(in: files, request: try #require(ReleaseRequest("pkg")))
        else { Issue.record("no release"); return }
        #expect(version == PythonVersion("1.0") && release.count == 3)
        #expect(ReleaseSelection.bestFile(in: release, tags: tags)?.filename == "pkg-1.0-cp311-cp311-manylinux_2_17_x86_64.whl")
        #expect(ReleaseSelection.bestFile(in: [files[0]], tags: tags)?.filename == "pkg-1.0.tar.gz")
        guard case .success(let (_, yanked)) = ReleaseSelection.release(in: files, request: try #require(ReleaseRequest("pkg==1.1")))
        else { Issue.record("no pinned release"); return }
        #expect(yanked.map(\.filename) == ["pkg-1.1-py3-none-any.whl"])
        #expect(ReleaseRequest("pkg==") == nil && ReleaseRequest("a b") == nil && ReleaseRequest("pkg==1==2") == nil)
    }
}
