import PythonPackaging

/// Decides the files that a package's walk found in its own directories and that only another
/// distribution's installed RECORD claims (``InstalledFilesVerifier/DeferredClaim``).
///
/// Ownership comes only from verified RECORDs: such a file is taken back from `unexpected` only
/// when one of its claimants has a proven wheel (found on the index, provenance verified, members
/// consistent with its RECORD), that wheel's RECORD maps an entry to exactly this path (compared by
/// bytes), and the file's bytes match that entry (read no further than its size), or it is the
/// `__pycache__` bytecode of a source that entry lists and that matches it. Such bytecode is
/// judged as a package's own is: with bytecode checks on, it is owned only as this interpreter
/// loads it (its cache tag, a name the loader uses) and goes to the ``BytecodeChecker`` with the
/// package's own (a forged `.pyc` of a neighbour's module in a shared directory runs on import
/// like any other). An excluded, unverifiable or fake claimant explains nothing; the file stays
/// `unexpected` and the `unexpected-files` check names the claimant.
struct ClaimResolution {
    let pipeline: Pipeline
    let layout: InstallLayout
    /// `.dist-info` paths of distributions the user excluded: never consulted.
    let excluded: Set<PathKey>
    /// Whether released bytecode is checked (and this interpreter's cache tag), as the packages'
    /// own is.
    var bytecode: InstalledFilesVerifier.BytecodeMode = .accept

    /// How a claimant's proven wheel owns a file.
    enum Ownership {
        /// The file is an entry of its RECORD, byte for byte.
        case file(claimant: String)
        /// The file is `__pycache__` bytecode of a source its RECORD lists and that matches it;
        /// the request is set when the bytecode is to be checked.
        case bytecode(claimant: String, request: BytecodeChecker.Request?)

        var claimant: String {
            switch self {
            case .file(let claimant), .bytecode(let claimant, _): claimant
            }
        }
    }

    /// What a claimant's proven wheel maps its RECORD to: install path → entry.
    typealias Owned = [PathKey: RecordEntry]

    /// Resolves the deferred claims of every outcome, updating the reports in place (files,
    /// lines, the `unexpected-files` check). `installed` are all the environment's distributions;
    /// `proven` maps the `.dist-info` of distributions whose wheel was proven in this run to that
    /// wheel's cache path, index filename and sha256, so they are not fetched again.
    func resolve(
        reports: inout [PackageReport], outcomes: inout [InstalledFilesVerifier.Outcome?],
        installed: [InstalledDistribution],
        proven: [PathKey: (path: String, filename: String, sha256: SHA256Hex)]
    ) async {
        let claimants = Set(outcomes.flatMap { $0?.deferredClaims.flatMap(\.claimants) ?? [] }.map(PathKey.init))
        if claimants.isEmpty { return }
        let byDistInfo = Dictionary(installed.map { (PathKey($0.distInfoPath), $0) }, uniquingKeysWith: { first, _ in first })
        var ownership: [PathKey: Owned] = [:]
        for claimant in claimants.sorted() where !excluded.contains(claimant) {
            if let known = proven[claimant], let distribution = byDistInfo[claimant] {
                let (wheel, check) = Pipeline.openWheel(
                    at: known.path, filename: known.filename, sha256: known.sha256,
                    memo: pipeline.contentsMemo)
                if let wheel, check.status == .pass { ownership[claimant] = map(wheel, for: distribution) }
            } else if let distribution = byDistInfo[claimant] {
                let (wheel, _) = await pipeline.provenWheel(of: distribution)
                if let wheel { ownership[claimant] = map(wheel, for: distribution) }
            }
        }
        for index in reports.indices where index < outcomes.count {
            guard let outcome = outcomes[index], !outcome.deferredClaims.isEmpty else { continue }
            var remaining: [InstalledFilesVerifier.DeferredClaim] = []
            for claim in outcome.deferredClaims {
                if let owner = owner(of: claim, ownership: ownership) {
                    release(claim.path, ownedBy: owner.claimant, in: &reports[index])
                    if case .bytecode(_, let request?) = owner {
                        // Checked with the package's own bytecode (one interpreter run for all).
                        outcomes[index]?.bytecodeRequests.append(request)
                        reports[index].files.generated.append(claim.path)
                    }
                } else {
                    remaining.append(claim)
                }
            }
            reports[index].files.normalize()
            if let position = reports[index].checks.firstIndex(where: { $0.name == .unexpectedFiles }) {
                reports[index].checks[position] = InstalledFilesVerifier.unexpectedFilesCheck(
                    findings: reports[index].files, directories: outcome.directoryCount,
                    walkErrors: outcome.walkErrors, deferred: remaining)
            }
        }
    }

    /// Install path → RECORD entry of a proven wheel.
    func map(_ wheel: Wheel, for distribution: InstalledDistribution) -> Owned {
        var result: Owned = [:]
        for entry in wheel.record.entries {
            guard
                let (path, _) = layout.installPath(
                    forRecordPath: entry.path, dataDirectory: wheel.dataDirectory,
                    rootIsPurelib: wheel.metadata.rootIsPurelib,
                    distributionName: distribution.name.raw)
            else { continue }
            result[PathKey(path)] = entry
        }
        return result
    }

    /// The first claimant whose proven RECORD owns the file as it is, and how.
    func owner(of claim: InstalledFilesVerifier.DeferredClaim, ownership: [PathKey: Owned]) -> Ownership? {
        for claimant in claim.claimants {
            guard let owned = ownership[PathKey(claimant)] else { continue }
            if let entry = owned[PathKey(claim.path)], Self.matches(claim.path, entry) {
                return .file(claimant: claimant)
            }
            guard let source = GeneratedFiles.bytecodeSource(of: claim.path), let sourceEntry = owned[PathKey(source)],
                FileSystem.kind(claim.path) == .file
            else { continue }
            switch bytecode {
            case .accept:
                return .bytecode(claimant: claimant, request: nil)
            case .check(let cacheTag):
                // As the package's own: only bytecode this interpreter loads, of a source that is
                // the verified one, and then its code is checked.
                guard let name = BytecodeName(path: claim.path), name.tag == cacheTag, let optimize = name.optimize,
                    Self.matches(source, sourceEntry)
                else { continue }
                return .bytecode(claimant: claimant, request: BytecodeChecker.Request(pyc: claim.path, source: source, optimize: optimize))
            }
        }
        return nil
    }

    /// True when the regular file at `path` holds exactly what `entry` records, read no further
    /// than the entry's size.
    static func matches(_ path: String, _ entry: RecordEntry) -> Bool {
        guard case .digest(let digest) = entry.hash else { return false }
        let request = FileHashPool.Request(path: path, algorithm: digest.algorithm, maxBytes: entry.size)
        guard case .digest(let actual, let size) = FileHashPool.hashOnCallingThread(request) else { return false }
        return actual == digest && (entry.size == nil || entry.size == size)
    }

    /// Moves `path` out of the report's unexpected files: another distribution's verified RECORD owns it.
    func release(_ path: String, ownedBy claimant: String, in report: inout PackageReport) {
        report.files.unexpected.removeAll { $0.utf8.elementsEqual(path.utf8) }
        report.files.notes[path] = nil
        for index in report.fileLines.indices where report.fileLines[index].path.utf8.elementsEqual(path.utf8) {
            report.fileLines[index].state = .ok
            report.fileLines[index].note = "owned by the verified \(InstalledFilesVerifier.distributionLabel(claimant))"
        }
    }
}
