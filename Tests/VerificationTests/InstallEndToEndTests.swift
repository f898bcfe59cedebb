import Attestations
import Foundation
import Testing

@testable import Verification

/// `install` end to end through the built binary, with real pip (the environment's own, which
/// also resolves requirements files) and real uv, against wheeltrust's own index on 127.0.0.1:
/// a requirements file installs only after every downloaded file verified; a swapped file or a
/// removed provenance installs nothing (the venv's file list is unchanged) and names package and
/// check; an sdist is built only after it verified and only when allowed (an in-tree build
/// backend that leaves a mark when its code runs shows it never ran otherwise); a requirements
/// line that would make pip run a build backend is refused before pip runs; `--extra`/`--group`
/// choose a lock's entries.
@Suite("install: requirements files, sdists and lock extras end to end")
struct InstallEndToEndTests {
    static let uv = WrapperEndToEndTests.uv

    /// A venv made by `python3 -m venv` (with its own pip, which resolves requirements files).
    static func pipVenv(_ scenario: Scenario, _ name: String) async throws -> String {
        let venv = scenario.root + "/" + name
        let created = try await TestProcess.run(TestProcess.python3, ["-m", "venv", venv])
        try #require(created.status == 0, "venv: \(created.output)")
        return venv
    }

    /// `wheeltrust install <arguments>` into `venv` against the scenario's index, trusting its key.
    static func install(_ scenario: Scenario, venv: String, _ arguments: [String]) async throws -> ProcessResult {
        try await TestProcess.run(
            TestProcess.wheeltrust,
            ["install"] + arguments + [
                "--python", venv + "/bin/python", "--index-url", scenario.indexURL, "--cache-dir", scenario.cache,
                "--key", scenario.publicKeyPath,
            ],
            // No pip cache: a file swapped on the index is fetched again, as a first install would.
            environment: ["HOME": scenario.root, "PIP_CONFIG_FILE": "/dev/null", "PIP_NO_CACHE_DIR": "1"])
    }

    /// An sdist `sdistpkg-1.0.tar.gz` on the scenario's index, signed with its key unless
    /// `signed` is false. Its in-tree build backend appends a line to `marker` whenever its code
    /// is imported (so the test sees whether anything of it ran) and builds a pure wheel.
    static func addSdist(_ scenario: Scenario, marker: String, signed: Bool = true) async throws -> (filename: String, sha256: String) {
        let source = scenario.root + "/sdist-src/sdistpkg-1.0"
        try FileManager.default.createDirectory(atPath: source + "/sdistpkg", withIntermediateDirectories: true)
        try "Metadata-Version: 2.1\nName: sdistpkg\nVersion: 1.0\n".write(toFile: source + "/PKG-INFO", atomically: true, encoding: .utf8)
        try "[build-system]\nrequires = []\nbuild-backend = \"backend\"\nbackend-path = [\".\"]\n"
            .write(toFile: source + "/pyproject.toml", atomically: true, encoding: .utf8)
        try "VALUE = 1\n".write(toFile: source + "/sdistpkg/__init__.py", atomically: true, encoding: .utf8)
        try """
        import base64, hashlib, os, zipfile
        with open(\(String(reflecting: marker)), "a") as mark:
            mark.write("backend imported\\n")

        FILES = {
            "sdistpkg/__init__.py": b"VALUE = 1\\n",
            "sdistpkg-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\\nName: sdistpkg\\nVersion: 1.0\\n",
            "sdistpkg-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
        }

        def get_requires_for_build_wheel(config_settings=None):
            return []

        def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
            name = "sdistpkg-1.0-py3-none-any.whl"
            record = []
            with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as archive:
                for path, data in FILES.items():
                    archive.writestr(path, data)
                    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                    record.append("%s,sha256=%s,%d" % (path, digest, len(data)))
                record.append("sdistpkg-1.0.dist-info/RECORD,,")
                archive.writestr("sdistpkg-1.0.dist-info/RECORD", "\\n".join(record) + "\\n")
            return name

        """.write(toFile: source + "/backend.py", atomically: true, encoding: .utf8)
        let filename = "sdistpkg-1.0.tar.gz"
        let packed = try await TestProcess.run(
            "/usr/bin/env", ["tar", "-czf", scenario.indexDirectory + "/" + filename, "-C", scenario.root + "/sdist-src", "sdistpkg-1.0"])
        try #require(packed.status == 0, "tar: \(packed.output)")
        if signed {
            _ = try await Attester.attest(
                wheel: scenario.indexDirectory + "/" + filename, key: scenario.key,
                builderID: "https://builder.example/wheeltrust-tests", buildType: Attester.defaultBuildType)
        }
        return (filename, try await scenario.sha256(ofIndexFile: filename))
    }

    /// A pylock naming only the sdist.
    static func sdistLock(_ scenario: Scenario, sha256: String) throws -> String {
        let lock = scenario.root + "/sdist-pylock.toml"
        try """
        lock-version = "1.0"
        created-by = "wheeltrust-tests"

        [[packages]]
        name = "sdistpkg"
        version = "1.0"
        sdist = { url = "http://127.0.0.1:1/files/sdistpkg-1.0.tar.gz", hashes = { sha256 = "\(sha256)" } }

        """.write(toFile: lock, atomically: true, encoding: .utf8)
        return lock
    }

    static func marks(_ marker: String) -> Int {
        ((try? String(contentsOfFile: marker, encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    @Test(
        "install -r requirements.txt: a swapped index file or a removed provenance installs nothing (exit 1, venv unchanged, package and check named); a clean index installs with the environment's pip and the final verify passes"
    )
    func requirementsFile() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            let venv = try await Self.pipVenv(scenario, "pip-venv")
            let requirements = scenario.root + "/requirements.txt"
            try "clitool\ndotted.pkg==1.2.0\n".write(toFile: requirements, atomically: true, encoding: .utf8)
            let before = LockEndToEndTests.listing(venv)

            // A file swapped on the index: other bytes under the same name (the index's own hash follows them).
            let clitoolPath = scenario.indexDirectory + "/clitool-2.0-py3-none-any.whl"
            let savedWheel = try Data(contentsOf: URL(fileURLWithPath: clitoolPath))
            try (savedWheel + Data("swapped".utf8)).write(to: URL(fileURLWithPath: clitoolPath))
            let swapped = try ReportJSON(try await Self.install(scenario, venv: venv, ["-r", requirements, "--format", "json"]))
            swapped.expect("clitool", .statement, .fail)
            #expect(swapped.package("dotted_pkg")?.status == .verified, "\(swapped.result.output)")
            #expect(LockEndToEndTests.listing(venv) == before, "nothing installed")
            try savedWheel.write(to: URL(fileURLWithPath: clitoolPath))

            // A provenance removed from the index.
            let dotted = "dotted_pkg-1.2.0-0-py3-none-any.whl"
            let attestationPath = scenario.indexDirectory + "/" + dotted + ".slsa.attestation"
            let savedAttestation = try Data(contentsOf: URL(fileURLWithPath: attestationPath))
            try FileManager.default.removeItem(atPath: attestationPath)
            let unsigned = try ReportJSON(try await Self.install(scenario, venv: venv, ["-r", requirements, "--format", "json"]))
            unsigned.expect("dotted_pkg", .provenance, .fail, "no provenance on the index for \(dotted)")
            #expect(unsigned.package("clitool")?.status == .verified, "\(unsigned.result.output)")
            #expect(LockEndToEndTests.listing(venv) == before, "nothing installed")
            let text = try await Self.install(scenario, venv: venv, ["-r", requirements])
            #expect(text.status == 1, "\(text.output)")
            #expect(text.stderr.contains("nothing installed: not every package verified"), "\(text.stderr)")
            #expect(!text.output.contains(Scenario.token), "credentials are never shown")
            try savedAttestation.write(to: URL(fileURLWithPath: attestationPath))

            // Clean: installed from the verified copies, then verified as installed.
            let done = try ReportJSON(try await Self.install(scenario, venv: venv, ["-r", requirements, "--format", "json"]))
            #expect(done.result.status == 0, "\(done.result.output)")
            // The final report names each package as installed (its METADATA's spelling).
            #expect(Set(done.report.packages.map { $0.name.lowercased() }) == ["clitool", "dotted.pkg"], "\(done.result.stdout)")
            done.expect("clitool", .installedFiles, .pass)
            done.expect("dotted.pkg", .installedFiles, .pass)
            #expect(LockEndToEndTests.listing(venv).contains { $0.hasSuffix("site-packages/clitool-2.0.dist-info/RECORD") })
            #expect(!done.result.output.contains(Scenario.token), "credentials are never shown")
        }
    }

    @Test(
        "install -r requirements.txt runs no build backend: an sdist-only requirement fails resolution with pip's message; a path requirement is refused before pip runs"
    )
    func requirementsRunNothing() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            let venv = try await Self.pipVenv(scenario, "pip-venv")
            let marker = scenario.root + "/backend-ran"
            _ = try await Self.addSdist(scenario, marker: marker)
            let before = LockEndToEndTests.listing(venv)

            let requirements = scenario.root + "/requirements.txt"
            try "clitool\nsdistpkg\n".write(toFile: requirements, atomically: true, encoding: .utf8)
            let sdistOnly = try await Self.install(scenario, venv: venv, ["-r", requirements, "--format", "json"])
            #expect(sdistOnly.status == 3, "\(sdistOnly.output)")
            #expect(sdistOnly.stderr.contains("No matching distribution found for sdistpkg"), "\(sdistOnly.stderr)")
            #expect(sdistOnly.stderr.contains("wheels only"), "\(sdistOnly.stderr)")
            #expect(!sdistOnly.output.contains(Scenario.token), "credentials are never shown")

            // A local project directory: pip would run its backend even with --only-binary :all:.
            let project = scenario.root + "/sdist-src/sdistpkg-1.0"
            try "clitool\n\(project)\n".write(toFile: requirements, atomically: true, encoding: .utf8)
            let path = try await Self.install(scenario, venv: venv, ["-r", requirements])
            #expect(path.status == 2, "\(path.output)")
            #expect(path.stderr.contains("\(requirements):2: "), "\(path.stderr)")
            #expect(path.stderr.contains("is not a requirement by name"), "\(path.stderr)")

            #expect(Self.marks(marker) == 0, "no build backend ran")
            #expect(LockEndToEndTests.listing(venv) == before, "nothing installed")

            // A requirements file smuggled in through pip's environment (pip reads PIP_REQUIREMENT
            // as one more -r; this one names the project directory) is not passed on to pip.
            let smuggledFile = scenario.root + "/smuggled.txt"
            try "\(project)\n".write(toFile: smuggledFile, atomically: true, encoding: .utf8)
            try "clitool\n".write(toFile: requirements, atomically: true, encoding: .utf8)
            let smuggled = try await TestProcess.run(
                TestProcess.wheeltrust,
                [
                    "install", "-r", requirements, "--format", "json", "--python", venv + "/bin/python", "--index-url",
                    scenario.indexURL, "--cache-dir", scenario.cache, "--key", scenario.publicKeyPath,
                ],
                environment: [
                    "HOME": scenario.root, "PIP_CONFIG_FILE": "/dev/null", "PIP_NO_CACHE_DIR": "1", "PIP_REQUIREMENT": smuggledFile,
                ])
            #expect(smuggled.status == 0, "\(smuggled.output)")
            #expect(try ReportJSON(smuggled).report.packages.map { $0.name.lowercased() } == ["clitool"], "\(smuggled.output)")
            #expect(Self.marks(marker) == 0, "no build backend ran")

            // An environment without pip cannot resolve a requirements file: exit 2, saying so.
            let noPip = try await Self.install(scenario, venv: scenario.venv, ["-r", requirements])
            #expect(noPip.status == 2, "\(noPip.output)")
            #expect(noPip.stderr.contains("the environment has no pip to resolve"), "\(noPip.stderr)")
        }
    }

    @Test(
        "sdists: a verified sdist is refused without --allow-sdist-build (check sdist-build) and built and installed with it; one whose provenance did not verify is never built",
        .enabled(if: uv != nil))
    func sdists() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            let venv = try await Self.pipVenv(scenario, "pip-venv")
            let marker = scenario.root + "/backend-ran"
            let (filename, sha256) = try await Self.addSdist(scenario, marker: marker)
            let lock = try Self.sdistLock(scenario, sha256: sha256)
            let before = LockEndToEndTests.listing(venv)

            // Verified, not allowed: refused in its check, nothing built or installed.
            let refused = try ReportJSON(try await Self.install(scenario, venv: venv, ["-r", lock, "--format", "json"]))
            refused.expect("sdistpkg", .signature, .pass)
            refused.expect("sdistpkg", .sdistBuild, .fail, "\(filename) is an sdist: building it runs its own code")
            #expect(refused.failing("sdistpkg").map(\.name) == [.sdistBuild])
            let hint = try await Self.install(scenario, venv: venv, ["-r", lock])
            #expect(hint.status == 1 && hint.stderr.contains("--allow-sdist-build"), "\(hint.output)")
            #expect(Self.marks(marker) == 0, "nothing of the sdist ran")
            #expect(LockEndToEndTests.listing(venv) == before, "nothing installed")

            // Not verified (provenance removed), even with building allowed: never built.
            let attestation = scenario.indexDirectory + "/" + filename + ".slsa.attestation"
            let saved = try Data(contentsOf: URL(fileURLWithPath: attestation))
            try FileManager.default.removeItem(atPath: attestation)
            let unverified = try ReportJSON(
                try await Self.install(scenario, venv: venv, ["-r", lock, "--allow-sdist-build", "--format", "json"]))
            unverified.expect("sdistpkg", .provenance, .fail, "no provenance on the index for \(filename)")
            unverified.expect("sdistpkg", .sdistBuild, .skip, "not built: its provenance did not verify")
            #expect(Self.marks(marker) == 0, "an unverified sdist is never built")
            #expect(LockEndToEndTests.listing(venv) == before, "nothing installed")
            try saved.write(to: URL(fileURLWithPath: attestation))

            // Verified and allowed: built from the verified copy (its backend ran) and installed, with pip.
            let built = try ReportJSON(
                try await Self.install(scenario, venv: venv, ["-r", lock, "--allow-sdist-build", "--format", "json"]))
            #expect(built.result.status == 0, "\(built.result.output)")
            built.expect("sdistpkg", .sdistBuild, .pass, "built from the verified copy")
            #expect(Self.marks(marker) > 0, "the verified sdist was built")
            #expect(LockEndToEndTests.listing(venv).contains { $0.hasSuffix("site-packages/sdistpkg/__init__.py") })

            // And with uv as the installer, into a venv of its own.
            let uvVenv = try await Self.pipVenv(scenario, "uv-venv")
            let withUV = try ReportJSON(
                try await Self.install(scenario, venv: uvVenv, ["-r", lock, "--allow-sdist-build", "--uv", Self.uv!, "--format", "json"]))
            #expect(withUV.result.status == 0, "\(withUV.result.output)")
            #expect(LockEndToEndTests.listing(uvVenv).contains { $0.hasSuffix("site-packages/sdistpkg/__init__.py") })
        }
    }

    @Test(
        "--extra and --group choose a lock's entries by their markers (PEP 751 extras, dependency_groups, default-groups); one the lock does not offer is exit 2",
        .enabled(if: uv != nil))
    func extrasAndGroups() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            let lock = scenario.root + "/pylock.toml"
            try await LockEndToEndTests.compile(scenario, ["clitool", "dotted.pkg", "datatool"], to: lock)
            var text = try String(contentsOfFile: lock, encoding: .utf8)
            text = text.replacingOccurrences(of: "created-by = ", with: "extras = [\"data\"]\ndependency-groups = [\"dev\"]\ncreated-by = ")
            text = text.replacingOccurrences(of: "name = \"datatool\"\n", with: "name = \"datatool\"\nmarker = \"'data' in extras\"\n")
            text = text.replacingOccurrences(
                of: "name = \"dotted-pkg\"\n", with: "name = \"dotted-pkg\"\nmarker = \"'dev' in dependency_groups\"\n")
            try text.write(toFile: lock, atomically: true, encoding: .utf8)

            func chosen(_ arguments: [String]) async throws -> Set<String> {
                let json = try ReportJSON(try await scenario.wheeltrust(["verify-lock", lock, "--format", "json"] + arguments))
                #expect(json.result.status == 0, "\(json.result.output)")
                return Set(json.report.packages.map { $0.name.lowercased() })
            }
            #expect(try await chosen([]) == ["clitool"])
            #expect(try await chosen(["--extra", "data"]) == ["clitool", "datatool"])
            #expect(try await chosen(["--group", "dev"]) == ["clitool", "dotted-pkg"])
            #expect(try await chosen(["--extra", "data", "--group", "dev"]) == ["clitool", "datatool", "dotted-pkg"])
            let unknown = try await scenario.wheeltrust(["verify-lock", lock, "--extra", "nope"])
            #expect(unknown.status == 2, "\(unknown.output)")
            #expect(unknown.stderr.contains("the lock offers no extra \"nope\" (extras: it names data)"), "\(unknown.stderr)")

            // install takes the same choice: only the chosen entries are installed.
            let venv = try await Self.pipVenv(scenario, "pip-venv")
            let installed = try ReportJSON(
                try await Self.install(scenario, venv: venv, ["-r", lock, "--extra", "data", "--format", "json"]))
            #expect(installed.result.status == 0, "\(installed.result.output)")
            #expect(Set(installed.report.packages.map { $0.name.lowercased() }) == ["clitool", "datatool"])
            #expect(!LockEndToEndTests.listing(venv).contains { $0.contains("dotted_pkg") })
        }
    }
}
