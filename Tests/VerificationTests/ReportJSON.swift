import Foundation
import Testing
import Verification

/// A `wheeltrust … --format json` run's report, decoded with the library's own `Report` type, so a
/// negative test can say which check failed and how (never only an exit code or a word every
/// report contains).
struct ReportJSON {
    let report: Report
    let result: ProcessResult

    init(_ result: ProcessResult, sourceLocation: SourceLocation = #_sourceLocation) throws {
        self.result = result
        do {
            report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        } catch {
            Issue.record("not a JSON report (\(error)): \(result.output)", sourceLocation: sourceLocation)
            throw error
        }
    }

    func package(_ name: String) -> PackageReport? {
        report.packages.first { $0.name.lowercased() == name.lowercased() }
    }

    func check(_ name: CheckName, of package: String) -> CheckResult? {
        self.package(package)?.checks.first { $0.name == name }
    }

    /// The checks of `package` that did not pass or skip.
    func failing(_ package: String) -> [CheckResult] {
        self.package(package)?.checks.filter { $0.status == .fail || $0.status == .error } ?? []
    }

    /// Expects `package`'s `check` to have `status` with every one of `fragments` in its detail,
    /// and, for a failure, the package to be `failed` and the exit code 1; for an error, the
    /// package not verified and the exit code not 0 (exactly `error` and 3 when nothing in the
    /// report failed).
    func expect(
        _ package: String, _ check: CheckName, _ status: CheckStatus, _ fragments: String...,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard let found = self.check(check, of: package) else {
            Issue.record("\(package) has no \(check) check: \(result.output)", sourceLocation: sourceLocation)
            return
        }
        #expect(found.status == status, "\(package) \(check): \(found.detail)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(
                found.detail.contains(fragment), "\(package) \(check) detail lacks '\(fragment)': \(found.detail)",
                sourceLocation: sourceLocation)
        }
        switch status {
        case .fail:
            #expect(self.package(package)?.status == .failed, sourceLocation: sourceLocation)
            #expect(result.status == 1, "exit \(result.status): \(result.stderr)", sourceLocation: sourceLocation)
        case .error:
            #expect(self.package(package)?.status != .verified, sourceLocation: sourceLocation)
            #expect(result.status != 0, "exit \(result.status)", sourceLocation: sourceLocation)
            if report.summary.failed == 0 && report.unexpected.isEmpty {
                #expect(self.package(package)?.status == .error, sourceLocation: sourceLocation)
                #expect(result.status == 3, "exit \(result.status): \(result.stderr)", sourceLocation: sourceLocation)
            }
        case .pass, .skip:
            break
        }
    }
}
