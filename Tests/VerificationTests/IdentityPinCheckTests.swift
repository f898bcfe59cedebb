import Attestations
import Foundation
import PythonPackaging
import Testing

@testable import Verification

/// ``IdentityPinCheck`` and ``PinRecording/record(_:existing:accepting:now:)`` on reports made
/// here: which status and detail the `identity-pin` check gets for each way a package can stand
/// against its pin, and which pins `pin` keeps, records or replaces.
@Suite("identity-pin check")
struct IdentityPinCheckTests {
    static let keyA = "sha256:" + String(repeating: "a", count: 64)
    static let keyB = "sha256:" + String(repeating: "b", count: 64)
    static let orgA = PinnedIdentity.publisher(kind: "GitHub", fields: ["repository": "org/a", "workflow": "release.yml"])

    static func pin(_ identity: PinnedIdentity) -> PinsFile.Pin {
        PinsFile.Pin(identity: identity, recorded: "2026-05-01T12:00:00Z", recordedVersion: "1.0")
    }

    static func gitHubSigner(_ repository: String) -> SignerIdentity {
        .keyless(
            publisher: Publisher(kind: "GitHub", fields: ["repository": .string(repository), "workflow": .string("release.yml")]),
            certificateIdentity: "https://github.com/\(repository)/.github/workflows/release.yml@refs/tags/v1")
    }

    /// A report of a package that went through every step; `signer` nil means no attestation verified.
    static func report(
        _ name: String = "Sample_Pkg", signer: SignerIdentity?, provenance: CheckStatus = .pass, signature: CheckStatus = .pass
    ) -> PackageReport {
        var report = PackageReport(
            name: name, version: "1.0", wheel: "\(name)-1.0-py3-none-any.whl", sha256: String(repeating: "0", count: 64))
        report.checks = [
            CheckResult(.installed, .pass, "/venv/site-packages/\(name)-1.0.dist-info"),
            CheckResult(.indexFile, .pass, "found"),
            CheckResult(.download, .pass, "downloaded"),
            CheckResult(.indexHash, .pass, "equal"),
            CheckResult(.provenance, provenance, provenance == .pass ? "1 attestation" : "no provenance on the index"),
        ]
        if provenance == .pass {
            report.checks.append(CheckResult(.signature, signature, signature == .pass ? "signed" : "signature does not verify"))
            if signature == .pass { report.checks.append(CheckResult(.statement, .pass, "subject matches")) }
        }
        if signer != nil { report.checks.append(CheckResult(.installedFiles, .pass, "3 files")) }
        report.signer = signer
        return report
    }

    @Test("the pinned signer passes, naming it and when it was pinned")
    func samePasses() {
        let result = IdentityPinCheck.check(Self.report(signer: Self.gitHubSigner("Org/A")), pin: Self.pin(Self.orgA))
        #expect(result == CheckResult(.identityPin, .pass, "signed by GitHub Org/A release.yml, as pinned on 2026-05-01T12:00:00Z"))
    }

    @Test("another trusted signer fails with was/now: another publisher, a key instead of a publisher, another key")
    func changedFails() {
        let publisher = IdentityPinCheck.check(Self.report(signer: Self.gitHubSigner("org/b")), pin: Self.pin(Self.orgA))
        #expect(
            publisher == CheckResult(.identityPin, .fail, "identity changed: was GitHub org/a release.yml, now GitHub org/b release.yml"))
        let kind = IdentityPinCheck.check(Self.report(signer: .key(name: "corp", fingerprint: Self.keyB)), pin: Self.pin(Self.orgA))
        #expect(kind == CheckResult(.identityPin, .fail, "identity changed: was GitHub org/a release.yml, now key \(Self.keyB)"))
        let key = IdentityPinCheck.check(
            Self.report(signer: .key(name: "corp", fingerprint: Self.keyB)), pin: Self.pin(.key(fingerprint: Self.keyA)))
        #expect(key == CheckResult(.identityPin, .fail, "identity changed: was key \(Self.keyA), now key \(Self.keyB)"))
    }

    @Test("no verified attestation while a pin exists is a downgrade: none published, one that does not verify, none examined")
    func downgradeFails() {
        let vanished = IdentityPinCheck.check(Self.report(signer: nil, provenance: .fail), pin: Self.pin(Self.orgA))
        #expect(
            vanished
                == CheckResult(
                    .identityPin, .fail,
                    "downgrade: pinned to GitHub org/a release.yml, but no attestation verifies now (provenance: no provenance on the index)"
                ))
        let unverified = IdentityPinCheck.check(Self.report(signer: nil, signature: .fail), pin: Self.pin(Self.orgA))
        #expect(unverified.status == .fail && unverified.detail.hasSuffix("(signature: signature does not verify)"), "\(unverified.detail)")
        var bare = PackageReport(name: "sample-pkg", version: "1.0")
        bare.checks = [CheckResult(.installed, .pass, "/venv"), CheckResult(.indexHash, .pass, "equal")]
        let unexamined = IdentityPinCheck.check(bare, pin: Self.pin(.key(fingerprint: Self.keyA)))
        #expect(
            unexamined == CheckResult(.identityPin, .fail, "downgrade: pinned to key \(Self.keyA), but no attestation was verified now"))
    }

    @Test("an earlier step that could not be checked (and nothing failed) is an error: could not compare, never a pass")
    func uncheckedIsError() {
        let result = IdentityPinCheck.check(Self.report(signer: nil, provenance: .error), pin: Self.pin(Self.orgA))
        #expect(result.status == .error)
        #expect(result.detail.hasPrefix("cannot compare with the pin GitHub org/a release.yml: provenance could not be checked"))
    }

    @Test("without a pin the check is a skip that names the project; apply puts it after step 4, by normalised name")
    func applyAndSkip() {
        var pins = PinsFile()
        pins[ProjectName("sample-pkg")] = Self.pin(Self.orgA)
        pins[ProjectName("not-installed")] = Self.pin(Self.orgA)
        var reports = [Self.report(signer: Self.gitHubSigner("org/a")), Self.report("other", signer: Self.gitHubSigner("org/a"))]
        IdentityPinCheck.apply(pins, to: &reports)
        #expect(
            reports[0].checks.map(\.name) == [
                .installed, .indexFile, .download, .indexHash, .provenance, .signature, .statement, .identityPin, .installedFiles,
            ])
        #expect(reports[0].checks.first { $0.name == .identityPin }?.status == .pass)
        #expect(reports[0].status == .verified)
        #expect(
            reports[1].checks.first { $0.name == .identityPin } == CheckResult(.identityPin, .skip, "no pin for other in the pins file"))
        #expect(reports[1].status == .verified, "a package without a pin is judged as without pins")
        #expect(reports.count == 2, "a pin of a project that is not installed adds nothing")
    }

    @Test("a changed identity makes the package fail (exit 1) even though every other check passed")
    func changedFailsThePackage() {
        var pins = PinsFile()
        pins[ProjectName("sample-pkg")] = Self.pin(Self.orgA)
        var reports = [Self.report(signer: Self.gitHubSigner("org/b"))]
        IdentityPinCheck.apply(pins, to: &reports)
        #expect(reports[0].status == .failed)
        #expect(Report(packages: reports).exitCode == 1)
    }

    // MARK: - pin

    @Test("pin records a verified package's signer, keeps an equal pin as it was, and never pins what did not verify")
    func record() {
        var existing = PinsFile()
        existing[ProjectName("kept")] = Self.pin(Self.orgA)
        existing[ProjectName("broken")] = Self.pin(.key(fingerprint: Self.keyA))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var failed = Self.report("broken", signer: nil, provenance: .fail)
        failed.checks.append(CheckResult(.identityPin, .fail, "downgrade"))
        let report = Report(packages: [
            Self.report("New.Pkg", signer: .key(name: "corp.pub", fingerprint: Self.keyB)),
            Self.report("kept", signer: Self.gitHubSigner("ORG/a")),
            failed,
        ])
        let (outcomes, pins) = PinRecording.record(report, existing: existing, accepting: [], now: now)
        #expect(
            pins[ProjectName("new-pkg")]
                == PinsFile.Pin(identity: .key(fingerprint: Self.keyB), recorded: "2027-01-15T08:00:00Z", recordedVersion: "1.0"))
        #expect(pins[ProjectName("kept")] == existing[ProjectName("kept")], "an equal pin keeps its first record")
        #expect(pins[ProjectName("broken")] == existing[ProjectName("broken")], "a package that did not verify keeps its pin")
        #expect(outcomes.map(\.action) == [.notPinned, .unchanged, .recorded])
        #expect(outcomes[0].reason == "provenance: no provenance on the index; identity-pin: downgrade")
        #expect(outcomes[0].previous == "key \(Self.keyA)")
    }

    @Test("an accepted package's new identity replaces its pin; without accepting, a different identity is never written")
    func accept() {
        var existing = PinsFile()
        existing[ProjectName("sample-pkg")] = Self.pin(Self.orgA)
        let report = Report(packages: [Self.report(signer: Self.gitHubSigner("org/b"))])
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let (refused, unchanged) = PinRecording.record(report, existing: existing, accepting: [], now: now)
        #expect(unchanged == existing)
        #expect(
            refused[0].action == .notPinned
                && refused[0].reason == "identity changed: was GitHub org/a release.yml, now GitHub org/b release.yml")
        let (accepted, replaced) = PinRecording.record(report, existing: existing, accepting: [ProjectName("Sample.Pkg")], now: now)
        #expect(
            accepted[0].action == .replaced && accepted[0].previous == "GitHub org/a release.yml"
                && accepted[0].identity == "GitHub org/b release.yml")
        #expect(replaced[ProjectName("sample-pkg")]?.identity == PinnedIdentity(Self.gitHubSigner("org/b")))
    }
}
