import Foundation
import PackageIndex
import PythonPackaging
import Testing

@testable import Lock
@testable import Verification

@Suite("sdists are built only after they verified, and only when allowed")
struct SdistBuildGateTests {
    static func report(_ filename: String, verified: Bool) -> PackageReport {
        PackageReport(
            name: "demo", version: "1.0", wheel: filename, sha256: String(repeating: "0", count: 64),
            checks: [CheckResult(.signature, verified ? .pass : .fail, "test")])
    }

    @Test(
        "a verified sdist: pass when building is allowed, fail (the package fails) when not; an unverified one is never built; wheels get no check"
    )
    func gate() {
        var reports = [
            Self.report("demo-1.0.tar.gz", verified: true), Self.report("demo-1.0.tar.gz", verified: false),
            Self.report("demo-1.0-py3-none-any.whl", verified: true),
        ]
        var allowed = reports
        SdistBuildGate.apply(to: &allowed, allowBuild: true)
        #expect(allowed[0].checks.last?.name == .sdistBuild && allowed[0].checks.last?.status == .pass)
        #expect(allowed[0].status == .verified)
        #expect(allowed[1].checks.last?.name == .sdistBuild && allowed[1].checks.last?.status == .skip)
        #expect(allowed[1].checks.last?.detail.contains("not built: its provenance did not verify") == true)
        #expect(!allowed[2].checks.contains { $0.name == .sdistBuild })
        SdistBuildGate.apply(to: &reports, allowBuild: false)
        #expect(reports[0].checks.last?.name == .sdistBuild && reports[0].checks.last?.status == .fail)
        #expect(reports[0].status == .failed)
        #expect(SdistBuildGate.refused(reports) == ["demo"])
    }

    @Test("staging takes an sdist only with building allowed and its sdist-build check passed")
    func staging() async throws {
        let bytes = Array("an sdist".utf8)
        let sha = FileDigest.compute(bytes, algorithm: .sha256).hex
        let cache = try VerifiedInstallTests.cacheWith(bytes, storedAs: sha)
        defer { try? FileManager.default.removeItem(atPath: cache.root) }
        var report = VerifiedInstallTests.verified("demo-1.0.tar.gz", sha256: sha)
        #expect(throws: LockError.self) { try VerifiedInstall.stage([report], cache: cache, buildSdists: true) }
        var gated = [report]
        SdistBuildGate.apply(to: &gated, allowBuild: true)
        report = gated[0]
        #expect(throws: LockError.self) { try VerifiedInstall.stage([report], cache: cache, buildSdists: false) }
        let (folder, files) = try VerifiedInstall.stage([report], cache: cache, buildSdists: true)
        defer { VerifiedInstall.remove(folder) }
        #expect(files == [folder + "/demo-1.0.tar.gz"])
        await #expect(throws: LockError.self) {
            try await VerifiedInstall.install(files, python: "/nonexistent/python", installer: .pip, environment: [:], buildSdists: false)
        }
    }
}
