import PythonPackaging

/// Renders a ``Report`` for people, in the seed scripts' `[1/5]…[5/5]` shape.
///
/// Output is a pure function of the report (no clocks, no colours), so it is the same for any
/// `--jobs` and testable as text. Every line is a ``TerminalText``: names, versions, paths and
/// details (which come from the environment, the index and attestations) are escaped, so nothing
/// in a report can end a line, move the cursor or forge a result line.
public struct TextReport: Sendable {
    public enum Detail: Sendable { case quiet, normal, verbose }

    public var detail: Detail
    /// The step titles shown (``steps`` for installed packages, ``fileSteps`` for files that are
    /// not installed: a lock's, a wheelhouse's).
    public var stepTitles: [String] = TextReport.steps
    /// The words for the remedies checks carry and for the summary's hint (the library's own by
    /// default; the command line's name its options).
    public var wording: any RemedyWording = LibraryWording()

    public init(detail: Detail = .normal) {
        self.detail = detail
    }

    /// The titles of the steps for files verified before anything is installed.
    public static let fileSteps: [String] = [
        "Locating the file on the index",
        "Downloading it and checking its hashes",
        "Fetching its provenance",
        "Verifying the attestation signature and statement",
        "Checking the wheel's members against its RECORD (an sdist: whether it may be built)",
    ]

    /// The titles of the steps; which checks belong to each is ``CheckName/step``.
    public static let steps: [String] = [
        "Locating the installed wheel on the index",
        "Downloading it and checking the index's hash",
        "Fetching its provenance",
        "Verifying the attestation signature and statement",
        "Verifying installed files against the verified wheel's RECORD",
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
        renderText(report).rendered
    }

    /// The report as terminal-safe text.
    public func renderText(_ report: Report) -> TerminalText {
        let report = report.worded(by: wording)
        var out: [TerminalText] = []
        if detail != .quiet, let python = report.python, let interpreter = report.interpreter {
            out += ["Python: \(python)", "  answered by \(interpreter.path): \(interpreter.reason)", ""]
        }
        for package in report.packages {
            let title: TerminalText = package.version.isEmpty ? "\(package.name)" : "\(package.name) \(package.version)"
            if detail == .normal, package.failedOnlyForMissingProvenance {
                // One line, not five steps: most packages of a public index look like this.
                let wheel: TerminalText = package.wheel.map { " for \($0)" } ?? ""
                out += ["  ✗ FAILED \(title): its index publishes no provenance\(wheel)", ""]
                continue
            }
            if detail != .quiet {
                let wheel: TerminalText = package.wheel.map { "  (\($0))" } ?? ""
                out.append(title + wheel)
                if let rule = package.rule {
                    let requirement = package.requirement?.rawValue ?? "?"
                    let proof: TerminalText = package.proof.map { ": \($0.detail)" } ?? ""
                    out.append("  rule \(rule) (require \(requirement))" + proof)
                }
                for (number, title) in stepTitles.enumerated() {
                    let checks = package.checks.filter { $0.name.step == number + 1 }
                    if checks.isEmpty { continue }
                    out.append("  [\(number + 1)/\(stepTitles.count)] \(title)")
                    for check in checks {
                        out.append("      \(Self.mark(check.status)) \(check.name): \(check.detail)")
                    }
                }
                if detail == .verbose {
                    if let build = package.build { out += SourceBuildText.lines(build, indent: "  ") }
                    for line in package.fileLines {
                        let note: TerminalText = line.note.map { "  (\($0))" } ?? ""
                        out.append("        \(Self.flag(line.state)) \(line.path)\(note)")
                    }
                }
            }
            switch package.status {
            case .verified: out.append("  ✓ VERIFIED \(title)" + Self.ruleSuffix(package))
            case .integrityOnly: out.append("  ✓ INTEGRITY ONLY \(title)" + Self.ruleSuffix(package))
            case .waived: out.append("  - WAIVED \(title)" + Self.ruleSuffix(package))
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
        var line: TerminalText = "\(summary.verified) verified"
        if summary.integrityOnly > 0 { line += ", \(summary.integrityOnly) integrity-only" }
        if summary.waived > 0 { line += ", \(summary.waived) waived" }
        line += ", \(summary.failed) failed, \(summary.errors) not checked"
        if summary.unexpectedFiles > 0 { line += ", \(summary.unexpectedFiles) unowned files" }
        out.append((report.exitCode == 0 ? "✓ " : "✗ ") + line)
        if summary.withoutProvenance > 0 {
            out.append(
                "  \(summary.withoutProvenance) of the \(summary.failed) failed only because their index publishes no provenance "
                    + "(\(summary.failed - summary.withoutProvenance) failed otherwise); \(wording.hint(.writePolicy))")
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// The end-of-run table: how many verified, which failed with their first finding, which could
    /// not be checked with the reason.
    static func summaryTable(_ report: Report) -> [TerminalText] {
        let summary = report.summary
        var lines: [TerminalText] = [
            "Summary of \(summary.total) packages:",
            "  verified     \(summary.verified)",
        ]
        if summary.integrityOnly > 0 { lines.append("  integrity-only \(summary.integrityOnly)") }
        if summary.waived > 0 {
            lines.append("  waived       \(summary.waived)")
            for package in report.packages where package.status == .waived {
                lines.append("    - \(package.name) \(package.version): \(package.proof?.detail ?? "waived")")
            }
        }
        func firstFinding(_ package: PackageReport, _ status: CheckStatus) -> TerminalText {
            guard let check = package.checks.first(where: { $0.status == status }) else {
                return package.files.isClean
                    ? ""
                    : "files: \(package.files.modified.count) modified, "
                        + "\(package.files.missing.count) missing, \(package.files.unexpected.count) unexpected"
            }
            let detail: TerminalText = check.detail.count > 100 ? "\(check.detail.prefix(100))…" : "\(check.detail)"
            return "\(check.name): \(detail)"
        }
        let failed = report.packages.filter { $0.status == .failed }
        lines.append("  failed       \(failed.count)")
        let unattested = failed.filter(\.failedOnlyForMissingProvenance)
        if !unattested.isEmpty {
            let shown = unattested.prefix(8).map { "\($0.name)" }.joined(separator: ", ")
            let more = unattested.count > 8 ? " and \(unattested.count - 8) more" : ""
            lines.append("    ✗ \(unattested.count) with no provenance on their index: \(shown)\(more)")
        }
        for package in failed where !package.failedOnlyForMissingProvenance {
            lines.append("    ✗ \(package.name) \(package.version): \(firstFinding(package, .fail))")
        }
        let errors = report.packages.filter { $0.status == .error }
        lines.append("  not checked  \(errors.count)")
        for package in errors { lines.append("    ! \(package.name) \(package.version): \(firstFinding(package, .error))") }
        if summary.unexpectedFiles > 0 { lines.append("  unowned files \(summary.unexpectedFiles)") }
        lines.append("")
        return lines
    }

    /// ` (rule N: proof)` after a result line, when a policy rule decided the package.
    static func ruleSuffix(_ package: PackageReport) -> TerminalText {
        guard let rule = package.rule else { return "" }
        guard let proof = package.proof else { return "  (rule \(rule))" }
        return "  (rule \(rule): \(proof.detail))"
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
