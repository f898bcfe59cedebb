import Foundation
import Testing
import Verification

/// `--format sarif`: real failing runs (real venv, real pip, our index on 127.0.0.1, the real
/// binary) validated against the official SARIF 2.1.0 schema with a real JSON-schema validator,
/// and the mapping from a report to results.
@Suite("SARIF output")
struct SARIFTests {
    static let dotted = "dotted_pkg-1.2.0-0-py3-none-any.whl"
    static let clitool = "clitool-2.0-py3-none-any.whl"

    @Test("under CI, the JSON-schema validator is there", .enabled(if: JSONSchemaValidator.underCI))
    func validatorIsThereUnderCI() {
        #expect(
            JSONSchemaValidator.isAvailable,
            "\(JSONSchemaValidator.python) must import jsonschema (.ci/run installs it and exports WHEELTRUST_TEST_JSONSCHEMA_PYTHON)")
    }

    @Test(
        "a real failing run's SARIF is schema-valid: one result per modified, unexpected and unowned file, one per failed check, none for a verified package",
        .enabled(if: JSONSchemaValidator.shouldRun))
    func failingRun() async throws {
        try await Scenario.with(packages: ["dotted.pkg", "clitool", "datatool"]) { scenario in
            let core = scenario.sitePackages + "/dotted_pkg/core.py"
            try scenario.tamper(core)
            let added = scenario.sitePackages + "/dotted_pkg/back door#1.py"
            try "import os\n".write(toFile: added, atomically: true, encoding: .utf8)
            let pth = scenario.sitePackages + "/zz-evil.pth"
            try "import os; os.system('true')\n".write(toFile: pth, atomically: true, encoding: .utf8)
            try FileManager.default.removeItem(atPath: scenario.indexDirectory + "/" + Self.clitool + ".slsa.attestation")

            let run = try await scenario.wheeltrust(["verify", "--all", "--format", "sarif"])
            #expect(run.status == 1, "\(run.output)")
            let (valid, output) = try await JSONSchemaValidator.validate(run.stdoutBytes, schema: JSONSchemaValidator.sarifSchema)
            #expect(valid, "not valid SARIF 2.1.0: \(output)")
            #expect(output.contains("Draft4Validator errors: 0"), "the schema's own draft validated it: \(output)")

            let log = try JSONDecoder().decode(SARIFLog.self, from: run.stdoutBytes)
            #expect(log.version == "2.1.0" && log.runs.count == 1)
            let run0 = try #require(log.runs.first)
            #expect(run0.tool.driver.name == "wheeltrust")
            #expect(!run0.tool.driver.informationUri.contains("pypi"))
            #expect(Set(run0.tool.driver.rules.map(\.id)).isSuperset(of: CheckName.allCases.map(\.rawValue)))
            #expect(run0.invocations.first?.exitCode == 1)
            let results = run0.results
            for result in results {
                #expect(run0.tool.driver.rules[result.ruleIndex].id == result.ruleId, "ruleIndex points at its rule")
            }

            // The modified file: installed-files, at the file and at dotted.pkg's wheel.
            let modified = try #require(results.first { $0.ruleId == "installed-files" }, "\(results)")
            #expect(modified.level == "error")
            #expect(modified.locations.first?.physicalLocation?.artifactLocation.uri == "file://" + core)
            #expect(modified.locations.first?.logicalLocations?.first?.fullyQualifiedName == Self.dotted)
            #expect(modified.locations.first?.logicalLocations?.first?.name == "Dotted.Pkg")
            #expect(modified.message.text.contains(core) && modified.message.text.contains("differs from the verified RECORD"))
            #expect(results.filter { $0.ruleId == "installed-files" }.count == 1, "one result per file, the check is not repeated")

            // The added module: unexpected-files, its path percent-encoded in the URI.
            let unexpected = try #require(results.first { $0.ruleId == "unexpected-files" }, "\(results)")
            #expect(
                unexpected.locations.first?.physicalLocation?.artifactLocation.uri
                    == "file://" + scenario.sitePackages + "/dotted_pkg/back%20door%231.py")
            #expect(results.filter { $0.ruleId == "unexpected-files" }.count == 1)

            // The dropped .pth: an environment-wide finding, at the file, with no distribution.
            let unowned = try #require(results.first { $0.ruleId == SARIFRules.unownedFiles }, "\(results)")
            #expect(unowned.locations.first?.physicalLocation?.artifactLocation.uri == "file://" + pth)
            #expect(unowned.locations.first?.logicalLocations == nil)
            #expect(unowned.message.text.contains("start-up hook"))

            // clitool's missing provenance: the failed check, at the distribution (no file).
            let provenance = try #require(results.first { $0.ruleId == "provenance" }, "\(results)")
            #expect(provenance.level == "error")
            #expect(provenance.locations.first?.physicalLocation == nil)
            #expect(provenance.locations.first?.logicalLocations?.first?.fullyQualifiedName == Self.clitool)
            #expect(provenance.message.text.contains("no provenance on the index for \(Self.clitool)"))
            #expect(provenance.properties["package"] == "clitool" && provenance.properties["wheel"] == Self.clitool)

            // datatool verified: nothing about it.
            #expect(!results.contains { $0.properties["package"] == "datatool" }, "\(results)")
            #expect(results.count == 4, "\(results.map { "\($0.ruleId) \($0.message.text)" })")

            // Fingerprints: distinct per finding, and the same bytes on a second run.
            let fingerprints = results.compactMap { $0.partialFingerprints["wheeltrust/v1"] }
            #expect(fingerprints.count == results.count && Set(fingerprints).count == results.count)
            let again = try await scenario.wheeltrust(["verify", "--all", "--format", "sarif"])
            #expect(again.stdoutBytes == run.stdoutBytes, "the same findings give the same document")

            // A single-step command takes --format sarif too.
            let step = try await scenario.wheeltrust(["verify-wheel", "clitool", "--format", "sarif"])
            #expect(step.status == 1, "\(step.output)")
            let stepLog = try JSONDecoder().decode(SARIFLog.self, from: step.stdoutBytes)
            #expect(stepLog.runs.first?.results.map(\.ruleId) == ["provenance"])
            let stepValidation = try await JSONSchemaValidator.validate(step.stdoutBytes, schema: JSONSchemaValidator.sarifSchema)
            #expect(stepValidation.valid, "\(stepValidation.output)")
        }
    }

    @Test("the validator refuses a SARIF log that breaks the schema, naming where", .enabled(if: JSONSchemaValidator.shouldRun))
    func validatorCanFail() async throws {
        let report = Report(packages: [Self.failedPackage()])
        var log = SARIFLog(report: report, toolVersion: "0.1.0")
        let good = try await JSONSchemaValidator.validate(try log.jsonData(), schema: JSONSchemaValidator.sarifSchema)
        #expect(good.valid, "\(good.output)")
        log.runs[0].results[0].level = "fatal"
        let bad = try await JSONSchemaValidator.validate(try log.jsonData(), schema: JSONSchemaValidator.sarifSchema)
        #expect(!bad.valid)
        #expect(bad.output.contains("/runs/0/results/0/level"), "\(bad.output)")
    }

    @Test("a verified package gives no result; a check that could not run is a warning that says so")
    func levels() throws {
        let verified = PackageReport(
            name: "ok", version: "1", wheel: "ok-1-py3-none-any.whl", sha256: String(repeating: "a", count: 64),
            checks: [CheckResult(.indexFile, .pass, "found"), CheckResult(.signature, .pass, "signed")])
        let unchecked = PackageReport(
            name: "flaky", version: "2", checks: [CheckResult(.indexFile, .error, "connection refused")])
        let log = SARIFLog(report: Report(packages: [verified, unchecked]), toolVersion: "0.1.0")
        let results = try #require(log.runs.first?.results)
        #expect(results.count == 1)
        #expect(results.first?.ruleId == "index-file")
        #expect(results.first?.level == "warning")
        #expect(results.first?.message.text == "flaky 2: index-file could not check: connection refused")
        #expect(results.first?.locations.first?.logicalLocations?.first?.fullyQualifiedName == "flaky==2")
        #expect(log.runs.first?.invocations.first?.exitCode == 3)
    }

    @Test("fingerprints hash rule, package and path: not the message, not the version")
    func fingerprints() throws {
        var first = Self.failedPackage()
        var second = Self.failedPackage()
        second.version = "9.9"
        second.checks = [CheckResult(.installedFiles, .fail, "another wording entirely")]
        second.files.notes[first.files.modified[0]] = "a note"
        let a = try #require(SARIFLog(report: Report(packages: [first]), toolVersion: "1").runs.first?.results.first)
        let b = try #require(SARIFLog(report: Report(packages: [second]), toolVersion: "2").runs.first?.results.first)
        #expect(a.message != b.message)
        #expect(a.partialFingerprints == b.partialFingerprints)
        first.files.modified = ["/site/pkg/other.py"]
        let c = try #require(SARIFLog(report: Report(packages: [first]), toolVersion: "1").runs.first?.results.first)
        #expect(c.partialFingerprints != a.partialFingerprints, "another path is another finding")
    }

    @Test("every check has a rule description")
    func everyCheckDescribed() {
        for check in CheckName.allCases {
            #expect(SARIFRules.description(of: check) != nil, "\(check) has no SARIF rule description")
        }
    }

    static func failedPackage() -> PackageReport {
        var files = FileFindings()
        files.modified = ["/site/pkg/core.py"]
        return PackageReport(
            name: "Pkg", version: "1.0", wheel: "pkg-1.0-py3-none-any.whl", sha256: String(repeating: "b", count: 64),
            checks: [CheckResult(.signature, .pass, "signed"), CheckResult(.installedFiles, .fail, "1 modified: /site/pkg/core.py")],
            files: files)
    }
}
