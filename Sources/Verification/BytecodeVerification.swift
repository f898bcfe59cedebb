/// Folds the one bytecode batch of a run into the packages' reports.
///
/// Guarantees: every report that reached the installed-files step gets exactly one `bytecode`
/// check; with no checker it is `skip` (remedy ``Remedy/checkBytecode``), never `pass`; when the interpreter
/// cannot be run every such report gets an `error` check; a `.pyc` the interpreter would load whose
/// code differs moves from `generated` to `modified` (file line "bytecode differs from its verified
/// source"); a stale one (its header rejected by the loader, so never executed) stays `generated`
/// and is counted as stale, not as tampering.
/// Reports keep their order; lists stay sorted.
public enum BytecodeVerification {
    public static let checkName = CheckName.bytecode

    /// Checks every pending `.pyc` of `outcomes` (aligned with `reports`) in one interpreter run.
    public static func apply(
        checker: BytecodeChecker?, to reports: inout [PackageReport],
        outcomes: [InstalledFilesVerifier.Outcome?]
    ) async {
        guard let checker else {
            for index in reports.indices where index < outcomes.count && outcomes[index] != nil {
                reports[index].checks.append(CheckResult(checkName, .skip, "bytecode not checked", remedy: .checkBytecode))
            }
            return
        }
        let requests = outcomes.flatMap { $0?.bytecodeRequests ?? [] }
        var verdicts: [String: BytecodeChecker.Verdict] = [:]
        var failure: String?
        do {
            let answers = try await checker.check(requests)
            for (request, verdict) in zip(requests, answers) { verdicts[request.pyc] = verdict }
        } catch {
            failure = error.message
        }
        for index in reports.indices where index < outcomes.count {
            guard let outcome = outcomes[index] else { continue }
            fold(outcome.bytecodeRequests, verdicts: verdicts, failure: failure, into: &reports[index])
        }
    }

    /// One package's verdicts into its report.
    static func fold(
        _ requests: [BytecodeChecker.Request], verdicts: [String: BytecodeChecker.Verdict],
        failure: String?, into report: inout PackageReport
    ) {
        if let failure, !requests.isEmpty {
            report.checks.append(CheckResult(checkName, .error, "\(requests.count) .pyc file(s) not checked: \(failure)"))
            return
        }
        var matched = 0
        var stale = 0
        var differing: [String] = []
        var unchecked: [String] = []
        let lineIndex = Dictionary(
            report.fileLines.indices.map { (report.fileLines[$0].path, $0) },
            uniquingKeysWith: { first, _ in first })
        for request in requests {
            let line = lineIndex[request.pyc]
            switch verdicts[request.pyc] ?? .error("no verdict") {
            case .matches:
                matched += 1
                if let line { report.fileLines[line].note = "bytecode matches its verified source" }
            case .stale(let reason):
                stale += 1
                if let line { report.fileLines[line].note = "stale bytecode, \(reason)" }
            case .differs(let reason):
                differing.append(request.pyc)
                report.files.generated.removeAll { $0 == request.pyc }
                report.files.modified.append(request.pyc)
                report.files.notes[request.pyc] = "bytecode differs from its verified source: \(reason)"
                if let line {
                    report.fileLines[line].state = .modified
                    report.fileLines[line].note = "bytecode differs from its verified source: \(reason)"
                }
            case .error(let reason):
                unchecked.append(request.pyc)
                if let line {
                    report.fileLines[line].state = .unchecked
                    report.fileLines[line].note = "bytecode not checked: \(reason)"
                }
            }
        }
        report.files.normalize()
        if !differing.isEmpty {
            report.checks.append(
                CheckResult(
                    checkName, .fail,
                    "\(differing.count) .pyc file(s) differ from their verified sources: \(InstalledFilesVerifier.preview(differing))"))
        } else if !unchecked.isEmpty {
            report.checks.append(
                CheckResult(
                    checkName, .error,
                    "\(unchecked.count) .pyc file(s) could not be checked: \(InstalledFilesVerifier.preview(unchecked))"))
        } else if requests.isEmpty {
            report.checks.append(CheckResult(checkName, .pass, "no .pyc files of verified sources to check"))
        } else {
            let staleNote = stale == 0 ? "" : "; \(stale) stale (never loaded: Python compiles the verified source instead)"
            report.checks.append(CheckResult(checkName, .pass, "\(matched) .pyc files match their verified sources" + staleNote))
        }
    }
}
