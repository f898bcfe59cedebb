import Foundation
import PythonPackaging

extension SARIFLog {
    /// Where wheeltrust's documentation says what the results mean (its README's section on
    /// machine-readable results). A URN until the project has a public home.
    public static let informationURI = "urn:wheeltrust:docs:README.md#machine-readable-results"

    /// The SARIF form of `report`: one run whose results are its findings.
    ///
    /// Results: for each package that failed or could not be checked (a package `verified`, or
    /// passed under a policy as `integrity-only` or `waived`, gives none), one result per failing
    /// (`level` `error`) or erroring (`level` `warning`, "could not check") check, located at the
    /// distribution; for `installed-files`, `unexpected-files`, `shadowing` and `bytecode` one
    /// result per file instead, located at the file and the distribution; and one `unowned-files`
    /// result per environment-wide finding.
    public init(report: Report, toolVersion: String) {
        let rules = SARIFRules.all
        let ruleIndex = Dictionary(uniqueKeysWithValues: rules.enumerated().map { ($1.id, $0) })
        var results: [Result] = []
        for package in report.packages where package.status == .failed || package.status == .error {
            results += SARIFFindings.results(of: package, ruleIndex: ruleIndex)
        }
        for finding in report.unexpected {
            results.append(
                SARIFFindings.result(
                    rule: SARIFRules.unownedFiles, ruleIndex: ruleIndex, level: "error",
                    message: "\(finding.path): \(finding.detail)", package: nil, path: finding.path))
        }
        let driver = Driver(
            name: "wheeltrust", version: toolVersion, informationUri: Self.informationURI,
            rules: rules.map {
                Rule(id: $0.id, shortDescription: Message(text: $0.text), defaultConfiguration: Configuration(level: "error"))
            })
        self.init(
            runs: [
                Run(
                    tool: Tool(driver: driver),
                    invocations: [Invocation(executionSuccessful: true, exitCode: Int(report.exitCode))],
                    results: results)
            ])
    }
}

/// Turns one package's report into SARIF results (see ``SARIFLog/init(report:toolVersion:)``).
enum SARIFFindings {
    /// The checks whose findings are files: their results are one per file.
    static let fileChecks: Set<CheckName> = [.installedFiles, .unexpectedFiles, .shadowing, .bytecode]

    static func results(of package: PackageReport, ruleIndex: [String: Int]) -> [SARIFLog.Result] {
        var results: [SARIFLog.Result] = []
        let failed = Set(package.checks.filter { $0.status == .fail }.map(\.name))
        let label = package.version.isEmpty ? package.name : "\(package.name) \(package.version)"
        func file(_ check: CheckName, _ path: String, _ what: String) {
            var message = "\(label): \(path) \(what)"
            if let note = package.files.notes[path] { message += " (\(note))" }
            results.append(
                result(rule: check.rawValue, ruleIndex: ruleIndex, level: "error", message: message, package: package, path: path))
        }
        // A .pyc the bytecode check found differing is listed as modified too; it is the
        // bytecode check's finding when that check failed.
        for path in package.files.modified {
            if failed.contains(.bytecode) && path.hasSuffix(".pyc") {
                file(.bytecode, path, "differs from its verified source")
            } else {
                file(.installedFiles, path, "differs from the verified RECORD")
            }
        }
        for path in package.files.missing { file(.installedFiles, path, "is in the verified RECORD but not installed") }
        for path in package.files.unexpected { file(.unexpectedFiles, path, "is in the package's directories but nothing accounts for it") }
        for path in package.files.shadowing {
            file(.shadowing, path, "is importable under a name this distribution provides but its verified RECORD does not list it")
        }
        let located = Set(results.map(\.ruleId))
        for check in package.checks where check.status == .fail || check.status == .error {
            // A failed file check whose files are results above is not repeated as a whole.
            if check.status == .fail && fileChecks.contains(check.name) && located.contains(check.name.rawValue) { continue }
            let failedCheck = check.status == .fail
            results.append(
                result(
                    rule: check.name.rawValue, ruleIndex: ruleIndex, level: failedCheck ? "error" : "warning",
                    message: "\(label): \(check.name) " + (failedCheck ? "failed: " : "could not check: ") + check.detail,
                    package: package, path: nil, checkStatus: check.status))
        }
        if results.isEmpty {
            results.append(
                result(
                    rule: SARIFRules.notVerified, ruleIndex: ruleIndex, level: package.status == .failed ? "error" : "warning",
                    message: "\(label) is \(package.status.rawValue) and no check says why", package: package, path: nil))
        }
        return results
    }

    static func result(
        rule: String, ruleIndex: [String: Int], level: String, message: String, package: PackageReport?, path: String?,
        checkStatus: CheckStatus = .fail
    ) -> SARIFLog.Result {
        var location = SARIFLog.Location()
        if let path { location.physicalLocation = SARIFLog.PhysicalLocation(artifactLocation: .init(uri: fileURI(path))) }
        var properties = ["checkStatus": checkStatus.rawValue]
        if let package {
            location.logicalLocations = [
                SARIFLog.LogicalLocation(
                    name: package.name,
                    fullyQualifiedName: package.wheel ?? (package.version.isEmpty ? package.name : "\(package.name)==\(package.version)"),
                    kind: "package")
            ]
            properties["package"] = package.name
            if !package.version.isEmpty { properties["version"] = package.version }
            if let wheel = package.wheel { properties["wheel"] = wheel }
            if let sha256 = package.sha256 { properties["sha256"] = sha256 }
        }
        return SARIFLog.Result(
            ruleId: rule, ruleIndex: ruleIndex[rule] ?? 0, level: level, message: SARIFLog.Message(text: message),
            locations: [location],
            partialFingerprints: ["wheeltrust/v1": fingerprint(rule: rule, package: package?.name, path: path)],
            properties: properties)
    }

    /// SHA-256 (hex) over the rule id, the PEP 503-normalised package name and the path, each
    /// ended by a NUL byte: the same finding gets the same fingerprint in every run and version.
    static func fingerprint(rule: String, package: String?, path: String?) -> String {
        var bytes: [UInt8] = Array("wheeltrust/v1".utf8) + [0]
        for part in [rule, package.map(ProjectName.normalize) ?? "", path ?? ""] { bytes += Array(part.utf8) + [0] }
        return FileDigest.compute(bytes, algorithm: .sha256).hex
    }

    /// `file://` and the absolute path, every byte outside the unreserved characters and `/`
    /// percent-encoded (spaces, `#`, `%`, non-ASCII), so any path is a valid URI.
    static func fileURI(_ path: String) -> String {
        var out = "file://"
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}
