import Foundation
import Lock
import PythonPackaging
import Testing

@testable import Verification

/// The install and pre-install flows of ``Lock`` in process (what `install`, `verify-lock`,
/// `verify-files` and `lock-identities` call): real venvs, the environment's own real pip, and
/// wheeltrust's own index server on 127.0.0.1. A returned ``Report`` names the package and check
/// that failed; thrown ``LockError``s are setup or operational failures and name what was wrong.
@Suite("VerifiedInstallFlow and PreInstallVerification")
struct VerifiedInstallFlowTests {
    static let clitool = "clitool-2.0-py3-none-any.whl"

    /// A setup for the scenario's index, key and cache on `python` (no pip configuration of this
    /// machine, no pip cache: a file swapped on the index is fetched again).
    static func setup(_ scenario: Scenario, python: String, indexURL: String? = nil) -> VerificationSetup {
        VerificationSetup(
            python: python, indexURL: indexURL ?? scenario.indexURL, keyFiles: [scenario.publicKeyPath],
            cacheDirectory: scenario.cache,
            environment: [
                "HOME": scenario.root, "PIP_CONFIG_FILE": "/dev/null", "PIP_NO_CACHE_DIR": "1",
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            ])
    }

    /// A hand-written PEP 751 lock naming the index's clitool wheel with `sha256`.
    static func clitoolLock(_ scenario: Scenario, sha256: String) throws -> String {
        let lock = scenario.root + "/pylock.toml"
        try """
        lock-version = "1.0"
        created-by = "wheeltrust-tests"

        [[packages]]
        name = "clitool"
        version = "2.0"
        wheels = [{ url = "http://127.0.0.1:1/files/\(clitool)", hashes = { sha256 = "\(sha256)" } }]

        """.write(toFile: lock, atomically: true, encoding: .utf8)
        return lock
    }

    static func sha256(_ path: String) throws -> String {
        try FileHashing.digest(ofFileAt: path, algorithm: .sha256).digest.hex
    }

    /// Every line of `original` appears in `edited`, in the same order (an edit only inserts).
    static func keepsInOrder(_ original: String, within edited: String) -> Bool {
        var remaining = edited.split(separator: "\n", omittingEmptySubsequences: false)[...]
        for line in original.split(separator: "\n", omittingEmptySubsequences: false) {
            guard let at = remaining.firstIndex(of: line) else { return false }
            remaining = remaining[(at + 1)...]
        }
        return true
    }

    /// Records the progress events a flow reports.
    final class Events: @unchecked Sendable {
        private let lock = NSLock()
        private var events: [VerifiedInstallFlow.Progress] = []
        func add(_ event: VerifiedInstallFlow.Progress) { lock.withLock { events.append(event) } }
        var all: [VerifiedInstallFlow.Progress] { lock.withLock { events } }
    }

    @Test(
        "run(.requirements): a file swapped on the index returns notInstalled naming its package and check, and the venv is unchanged; a clean index installs, then every package verifies as installed"
    )
    func requirementsInstallOnlyAfterEveryFileVerified() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            let venv = try await InstallEndToEndTests.pipVenv(scenario, "pip-venv")
            let requirements = scenario.root + "/requirements.txt"
            try "clitool\ndotted.pkg==1.2.0\n".write(toFile: requirements, atomically: true, encoding: .utf8)
            let before = LockEndToEndTests.listing(venv)
            var flow = VerifiedInstallFlow(setup: Self.setup(scenario, python: venv + "/bin/python"))
            let events = Events()
            flow.progress = { events.add($0) }

            let wheelPath = scenario.indexDirectory + "/" + Self.clitool
            let saved = try Data(contentsOf: URL(fileURLWithPath: wheelPath))
            try (saved + Data("swapped".utf8)).write(to: URL(fileURLWithPath: wheelPath))
            guard case .notInstalled(let refused) = try await flow.run(.requirements(requirements)) else {
                Issue.record("a swapped file was installed")
                return
            }
            let clitool = try #require(refused.packages.first { $0.name == "clitool" }, "\(refused.packages)")
            #expect(Core.failing(clitool.checks) == [.statement], "\(clitool.checks)")
            #expect(refused.packages.first { $0.name == "dotted_pkg" }?.status == .verified, "\(refused.packages)")
            #expect(refused.exitCode == 1)
            #expect(refused.index?.contains(Scenario.token) == false, "credentials are never reported")
            #expect(LockEndToEndTests.listing(venv) == before, "nothing installed")
            try saved.write(to: URL(fileURLWithPath: wheelPath))

            guard case .installed(let installed) = try await flow.run(.requirements(requirements)) else {
                Issue.record("a clean index did not install")
                return
            }
            #expect(Set(installed.packages.map { $0.name.lowercased() }) == ["clitool", "dotted.pkg"], "\(installed.packages)")
            for package in installed.packages {
                #expect(package.status == .verified, "\(package.name): \(package.checks)")
                Core.expect(package.checks, .installedFiles, .pass, "files match the verified RECORD")
            }
            #expect(installed.exitCode == 0)
            #expect(LockEndToEndTests.listing(venv).contains { $0.hasSuffix("site-packages/clitool-2.0.dist-info/RECORD") })
            // Progress: files of the pre-install verification, a phase end, then installed packages.
            let all = events.all
            let firstInstalled = try #require(all.firstIndex { if case .installedPackage = $0 { true } else { false } })
            #expect(all[..<firstInstalled].contains { if case .file = $0 { true } else { false } })
            #expect(all[..<firstInstalled].contains { if case .phaseEnded = $0 { true } else { false } })
            if case .phaseEnded = try #require(all.last) {} else { Issue.record("the last phase did not end: \(all)") }
        }
    }

    @Test("run(.lock): an sdist is never built unless allowed; refused, nothing of it runs and sdist-build fails")
    func sdistIsGated() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            let venv = try await InstallEndToEndTests.pipVenv(scenario, "pip-venv")
            let marker = scenario.root + "/backend-ran"
            let sdist = try await InstallEndToEndTests.addSdist(scenario, marker: marker)
            let lock = try InstallEndToEndTests.sdistLock(scenario, sha256: sdist.sha256)
            let before = LockEndToEndTests.listing(venv)
            let flow = VerifiedInstallFlow(setup: Self.setup(scenario, python: venv + "/bin/python"))
            guard case .notInstalled(let report) = try await flow.run(.file(lock, selection: LockSelection.Request())) else {
                Issue.record("an sdist was installed without being allowed")
                return
            }
            let package = try #require(report.packages.first, "\(report)")
            Core.expect(package.checks, .sdistBuild, .fail, "building sdists was not allowed")
            #expect(Core.failing(package.checks) == [.sdistBuild], "provenance verified; only the gate refused: \(package.checks)")
            #expect(SdistBuildGate.refused(report.packages) == ["sdistpkg"])
            #expect(InstallEndToEndTests.marks(marker) == 0, "the build backend never ran")
            #expect(LockEndToEndTests.listing(venv) == before, "nothing installed")
        }
    }

    @Test(
        "PreInstallVerification.lock: the lock's hash is checked against the index (lock-hash names the mismatch); a verified lock's identities are recorded into a copy, the rest byte for byte"
    )
    func lockVerifiedAndIdentitiesRecorded() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            let verification = PreInstallVerification(setup: Self.setup(scenario, python: scenario.python))
            let wrong = String(repeating: "0", count: 64)
            let tampered = try await verification.lock(try Self.clitoolLock(scenario, sha256: wrong)).report
            let refused = try #require(tampered.packages.first, "\(tampered)")
            #expect(Core.failing(refused.checks).first == .lockHash, "\(refused.checks)")
            #expect(refused.checks.first { $0.name == .lockHash }?.detail.contains(wrong) == true, "\(refused.checks)")

            let real = try Self.sha256(scenario.indexDirectory + "/" + Self.clitool)
            let lockFile = try Self.clitoolLock(scenario, sha256: real)
            let (lock, report) = try await verification.lock(lockFile)
            #expect(report.packages.map(\.status) == [.verified], "\(report.packages.map(\.checks))")
            Core.expect(try #require(report.packages.first).checks, .lockHash, .pass)
            #expect(report.interpreter != nil)

            let copy = scenario.root + "/identified.toml"
            #expect(try LockIdentityRecording.record(lock, reports: report.packages, to: copy) == 1)
            let original = try String(contentsOfFile: lockFile, encoding: .utf8)
            let written = try String(contentsOfFile: copy, encoding: .utf8)
            #expect(written.contains("attestation-identities"), "\(written)")
            #expect(Self.keepsInOrder(original, within: written), "every line of the lock kept, in order: \(written)")
            #expect(try String(contentsOfFile: lockFile, encoding: .utf8) == original, "the lock itself is untouched")
            let unwritable = #expect(throws: LockError.self) {
                try LockIdentityRecording.record(lock, reports: report.packages, to: scenario.root + "/no-such-folder/pylock.toml")
            }
            #expect(unwritable?.code == .operational)
            #expect(unwritable?.message.hasPrefix("cannot write \(scenario.root)/no-such-folder/pylock.toml: ") == true)
        }
    }

    @Test(
        "PreInstallVerification: no distribution file is a notApplicable error naming the paths; an index URL that is not http(s) is a setup error keeping the setup's own cause"
    )
    func setupAndInputErrorsAreThrown() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            let empty = scenario.root + "/empty"
            try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
            let verification = PreInstallVerification(setup: Self.setup(scenario, python: scenario.python))
            let none = await #expect(throws: LockError.self) { try await verification.files(in: [empty]) }
            #expect(none?.code == .notApplicable)
            #expect(none?.message == "no .whl, .tar.gz or .zip files in \(empty)")

            let badIndex = PreInstallVerification(
                setup: Self.setup(scenario, python: scenario.python, indexURL: "ftp://idx.example/simple/"))
            let lockFile = try Self.clitoolLock(scenario, sha256: String(repeating: "0", count: 64))
            let setup = await #expect(throws: LockError.self) { try await badIndex.lock(lockFile) }
            #expect(setup?.code == .setup, "\(String(describing: setup))")
            #expect(setup?.verificationProblem?.code == .usage)
            #expect(setup?.message == "the index URL is not an http(s) URL: ftp://idx.example/simple/")
        }
    }
}
