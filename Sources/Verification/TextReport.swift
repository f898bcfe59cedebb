import PythonPackaging

/// Renders a ``Report`` for people, in the seed scripts' `[1/5]…[5/5]` shape.
///
/// Output is a pure function of the report (no clocks, no colours), so it is the same for any
/// `--jobs` and testable as text.
public struct TextReport: Sendable {
    public enum Detail: Sendable { case quiet, normal, verbose }

    public var detail: Detail

    public init(detail: Detail = .normal) {
        self.detail = detail
    }

    /// The steps and which checks belong to each.
    static let steps: [(title: String, checks: [String])] = [
        ("Locating the installed wheel on the index", ["installed", "index-file"]),
        ("Downloading it and checking the index's hash", ["download", "index-hash"]),
        ("Fetching its provenance", ["provenance"]),
        ("Verifying the attestation signature and statement", ["signature", "statement"]),
        ("Verifying installed files against the verified wheel's RECORD", ["wheel-contents", "installed-files", "unexpected-files", "bytecode"]),
    ]

    static func mark(_ status: CheckStatus) -> String {
        switch status {
        case .pass: "✓"
        case .fail: "✗"
        case .skip: "-"
        case .error: "!"
        }
    }

    public func render(_ report: Report) -> String {
        var out: [String] = []
        if detail != .quiet, let python = report.python, let interpreter = report.interpreter {
            out += ["Python: \(TrustedInterpreter.shown(python))",
                    "  answered by \(TrustedInterpreter.shown(interpreter.path)): \(TrustedInterpreter.shown(interpreter.reason))", ""]
        }
        for package in report.packages {
            let title = package.version.isEmpty ? package.name : "\(package.name) \(package.version)"
            if detail != .quiet {
                out.append(title + (package.wheel.map { "  (\($0))" } ?? ""))
                for (number, step) in Self.steps.enumerated() {
                    let checks = package.checks.filter { step.checks.contains($0.name) }
                    if checks.isEmpty { continue }
                    out.append("  [\(number + 1)/\(Self.steps.count)] \(step.title)")
                    for check in checks {
                        out.append("      \(Self.mark(check.status)) \(check.name): \(check.detail)")
                    }
                }
                if detail == .verbose {
                    for line in package.fileLines {
                        out.append("        " + Self.flag(line.state) + " " + line.path + (line.note.map { "  (\($0))" } ?? ""))
                    }
                }
            }
            switch package.status {
            case .verified: out.append("  ✓ VERIFIED \(title)")
            case .failed: out.append("  ✗ FAILED \(title)")
            case .error: out.append("  ! NOT CHECKED \(title): could not complete")
            }
            if detail != .quiet { out.append("") }
        }
        if !report.unexpected.isEmpty {
            out.append("Files in site-packages that no distribution owns:")
            for finding in report.unexpected {
                out.append("  ✗ \(finding.path)  (\(finding.detail))")
            }
            out.append("")
        }
        let summary = report.summary
        if report.packages.count > 1 && detail != .quiet {
            out.append(contentsOf: Self.summaryTable(report))
        }
        var line = "\(summary.verified) verified, \(summary.failed) failed, \(summary.errors) not checked"
        if summary.unexpectedFiles > 0 { line += ", \(summary.unexpectedFiles) unowned files" }
        out.append((report.exitCode == 0 ? "✓ " : "✗ ") + line)
        return out.joined(separator: "\n") + "\n"
    }

    /// The end-of-run table: how many verified, which failed with their first finding, which could
    /// not be checked with the reason.
    static func summaryTable(_ report: Report) -> [String] {
        let summary = report.summary
        var lines = ["Summary of \(summary.total) packages:",
                     "  verified     \(summary.verified)"]
        func firstFinding(_ package: PackageReport, _ status: CheckStatus) -> String {
            guard let check = package.checks.first(where: { $0.status == status }) else {
                return package.files.isClean ? "" : "files: \(package.files.modified.count) modified, "
                    + "\(package.files.missing.count) missing, \(package.files.unexpected.count) unexpected"
            }
            let detail = check.detail.count > 100 ? String(check.detail.prefix(100)) + "…" : check.detail
            return "\(check.name): \(detail)"
        }
        let failed = report.packages.filter { $0.status == .failed }
        lines.append("  failed       \(failed.count)")
        for package in failed { lines.append("    ✗ \(package.name) \(package.version): \(firstFinding(package, .fail))") }
        let errors = report.packages.filter { $0.status == .error }
        lines.append("  not checked  \(errors.count)")
        for package in errors { lines.append("    ! \(package.name) \(package.version): \(firstFinding(package, .error))") }
        if summary.unexpectedFiles > 0 { lines.append("  unowned files \(summary.unexpectedFiles)") }
        lines.append("")
        return lines
    }

    /// rpm -V style flag for one file.
    static func flag(_ state: InstalledFilesVerifier.FileLine.State) -> String {
        switch state {
        case .ok: "........"
        case .rewritten: ".....S.."
        case .modified: "5......."
        case .missing: "missing "
        case .unexpected: "extra   "
        case .generated: "gen     "
        case .unchecked: "????????"
        }
    }
}
