import Attestations
import Foundation
import PackageIndex
import PythonPackaging
import Testing

@testable import Verification

/// Library results state the fact and carry the remedy as a value (``Remedy``); no library text
/// names a command-line option, and a reader's ``RemedyWording`` puts the remedy in its words.
@Suite("remedies as values")
struct RemedyTests {
    /// Words a caller might use: the remedy's identifier after `--`, so a test sees whose words
    /// reached the text.
    struct OptionWording: RemedyWording {
        func hint(_ remedy: Remedy) -> String { "use --\(remedy.rawValue)" }
    }

    static let provenanceFile = "pypi_attestations-0.0.19.tar.gz.provenance"

    static func provenancePath() throws -> String {
        try #require(Bundle.module.url(forResource: provenanceFile, withExtension: nil, subdirectory: "Fixtures/sigstore")).path
    }

    /// A setup that reads no configuration of the machine running the test.
    static func setup() -> VerificationSetup {
        VerificationSetup(environment: ["HOME": "/nonexistent-wheeltrust-home", "PIP_CONFIG_FILE": "/dev/null"])
    }

    @Test("the library's words for every remedy name no option")
    func libraryWordsNameNoOption() {
        for remedy in Remedy.allCases {
            #expect(!remedy.description.contains("--"), "\(remedy): \(remedy.description)")
            #expect(!remedy.description.contains("wheeltrust"), "no command named: \(remedy.description)")
            #expect(LibraryWording().hint(remedy) == remedy.description)
        }
        let check = CheckResult(.bytecode, .skip, "bytecode not checked", remedy: .checkBytecode)
        #expect(check.worded(by: LibraryWording()) == CheckResult(.bytecode, .skip, "bytecode not checked (\(Remedy.checkBytecode))"))
        #expect(check.worded(by: OptionWording()).detail == "bytecode not checked (use --check-bytecode)")
        #expect(check.worded(by: OptionWording()).remedy == nil, "worded once")
        #expect(CheckResult(.bytecode, .pass, "ok").worded(by: OptionWording()) == CheckResult(.bytecode, .pass, "ok"))
    }

    @Test("named keys refuse a keyless attestation in the signature check, with the remedy allow-keyless; allowed, it verifies")
    func keylessRefusalCarriesItsRemedy() async throws {
        var setup = Self.setup()
        setup.noDefaultKeys = true
        let filename = "pypi_attestations-0.0.19.tar.gz"
        let refused = try await LocalVerification.signature(
            of: filename, sha256: nil, provenanceFile: try Self.provenancePath(), setup: setup)
        let signature = try #require(refused.checks.first { $0.name == .signature }, "\(refused.checks)")
        #expect(signature.status == .fail)
        #expect(signature.detail == "attestation 1.1: \(KeylessRefusal.reason)", "\(signature)")
        #expect(signature.remedy == .allowKeyless)
        // No file and no digest: the download check says so, with its own remedy.
        let download = try #require(refused.checks.first { $0.name == .download })
        #expect(download == CheckResult(.download, .skip, "no file given: \(filename)'s sha256 is not checked", remedy: .giveFileDigest))
        #expect(refused.status == .failed)

        setup.allowKeyless = true
        let allowed = try await LocalVerification.signature(
            of: filename, sha256: nil, provenanceFile: try Self.provenancePath(), setup: setup)
        let verified = try #require(allowed.checks.first { $0.name == .signature })
        #expect(verified.status == .pass && verified.remedy == nil, "\(verified)")
    }

    @Test("the JSON document carries the detail only: the remedy is worded into it first, never a field of its own")
    func jsonCarriesTheWordedDetail() throws {
        let package = PackageReport(
            name: "p", version: "1", checks: [CheckResult(.bytecode, .skip, "bytecode not checked", remedy: .checkBytecode)])
        let report = Report(packages: [package])
        func checks(_ data: Data) throws -> [[String: Any]] {
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let packages = try #require(object["packages"] as? [[String: Any]])
            return try #require(packages.first?["checks"] as? [[String: Any]])
        }
        let plain = try checks(try report.jsonData())
        #expect(plain.first.map { Set($0.keys) } == ["name", "status", "detail"])
        #expect(plain.first?["detail"] as? String == "bytecode not checked")
        let worded = try report.worded(by: OptionWording()).jsonData()
        #expect(try checks(worded).first?["detail"] as? String == "bytecode not checked (use --check-bytecode)")
        let decoded = try JSONDecoder().decode(Report.self, from: worded)
        #expect(decoded.packages[0].checks == [CheckResult(.bytecode, .skip, "bytecode not checked (use --check-bytecode)")])
    }

    @Test("the text report words check remedies and the summary's hint with its wording")
    func textReportWordsRemedies() {
        var noProvenance = PackageReport(name: "a", version: "1", wheel: "a-1-py3-none-any.whl")
        noProvenance.checks = [
            CheckResult(.indexFile, .pass, "found"),
            CheckResult(.provenance, .fail, CheckResult.noProvenancePrefix + "a-1-py3-none-any.whl"),
        ]
        let skipped = PackageReport(
            name: "b", version: "1",
            checks: [
                CheckResult(.indexFile, .pass, "found"), CheckResult(.bytecode, .skip, "bytecode not checked", remedy: .checkBytecode),
            ])
        let report = Report(packages: [noProvenance, skipped])
        #expect(report.summary.withoutProvenance == 1)
        let library = TextReport().render(report)
        #expect(library.contains("- bytecode: bytecode not checked (\(Remedy.checkBytecode))\n"), "\(library)")
        #expect(library.contains("(0 failed otherwise); \(Remedy.writePolicy)\n"), "\(library)")
        #expect(!library.contains("--"), "\(library)")
        var text = TextReport()
        text.wording = OptionWording()
        let worded = text.render(report)
        #expect(worded.contains("- bytecode: bytecode not checked (use --check-bytecode)\n"), "\(worded)")
        #expect(worded.contains("(0 failed otherwise); use --write-policy\n"), "\(worded)")
    }

    @Test("a check quoting another carries its remedy: identity-pin downgrade, and pin's reason")
    func quotedChecksKeepTheRemedy() {
        var package = PackageReport(name: "p", version: "1.0", wheel: "p-1.0-py3-none-any.whl")
        package.checks = [
            CheckResult(.indexFile, .pass, "found"),
            CheckResult(.provenance, .pass, "1 attestation"),
            CheckResult(.signature, .fail, "attestation 1.1: \(KeylessRefusal.reason)", remedy: .allowKeyless),
        ]
        let pin = PinsFile.Pin(identity: .key(fingerprint: "sha256:" + String(repeating: "a", count: 64)), recorded: "2026-05-01T12:00:00Z")
        let check = IdentityPinCheck.check(package, pin: pin)
        #expect(check.status == .fail && check.detail.hasPrefix("downgrade: "), "\(check)")
        #expect(check.remedy == .allowKeyless)

        let (outcomes, _) = PinRecording.record(Report(packages: [package]), existing: PinsFile(), accepting: [], now: Date())
        #expect(outcomes[0].action == .notPinned && outcomes[0].remedy == .allowKeyless)
        #expect(outcomes[0].reason == "signature: attestation 1.1: \(KeylessRefusal.reason)")
        let run = PinRun(report: Report(packages: [package]), outcomes: outcomes, pins: PinsFile(), changed: false).worded(
            by: OptionWording())
        #expect(run.outcomes[0].reason == "signature: attestation 1.1: \(KeylessRefusal.reason) (use --allow-keyless)")
        #expect(run.outcomes[0].remedy == nil)
        #expect(run.report.packages[0].checks[2].detail.hasSuffix("(use --allow-keyless)"))
    }

    @Test("policy init's header advice is worded by the caller")
    func policyInitAdvice() {
        let date = Date(timeIntervalSince1970: 1_800_000_000)
        let library = PolicyInit.policyText(for: Report(packages: []), date: date)
        #expect(library.contains("review every rule, then \(Remedy.usePolicy).\n"), "\(library)")
        #expect(!library.contains("--"), "\(library)")
        let worded = PolicyInit.policyText(for: Report(packages: []), date: date, wording: OptionWording())
        #expect(worded.contains("review every rule, then use --use-policy.\n"), "\(worded)")
    }

    @Test("no index at all is a setup problem the caller can name its option for; the message names none")
    func noIndexIsASetupProblem() throws {
        var setup = Self.setup()
        let pip = #expect(throws: VerificationError.self) { _ = try setup.indexConfigurations(for: nil) }
        #expect(pip?.setupProblem == .noIndex(.pipNamesNone), "\(String(describing: pip))")
        #expect(pip?.code == .usage && pip?.message == IndexError(noIndex: .pipNamesNone).message)
        setup.environment["UV_NO_INDEX"] = "1"
        let uv = #expect(throws: VerificationError.self) { _ = try setup.indexConfigurations(for: nil) }
        #expect(uv?.setupProblem == .noIndex(.uvSetsNoIndex(origin: "UV_NO_INDEX")), "\(String(describing: uv))")
        for noIndex in [IndexError.NoIndex.pipNamesNone, .uvSetsNoIndex(origin: "uv.toml"), .uvNamesNoDefault] {
            let message = VerificationError(setupProblem: .noIndex(noIndex)).message
            #expect(!message.contains("--") && message == IndexError(noIndex: noIndex).message, "\(message)")
        }
        // The caller names where its own index URL came from; the library's default names no option.
        setup.indexURL = "https://idx.example/simple/"
        #expect(try setup.indexConfiguration(for: nil).source == PipConfiguration.defaultOverrideOrigin)
        setup.indexURLOrigin = "the caller's option"
        #expect(try setup.indexConfiguration(for: nil).summary == "pip: https://idx.example/simple/ [from the caller's option]")
    }
}
