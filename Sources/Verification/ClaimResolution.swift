import PythonPackaging

/// Decides the files that a package's walk found in its own directories and that only another
/// distribution's installed RECORD claims (``InstalledFilesVerifier/DeferredClaim``).
///
/// Ownership comes only from verified RECORDs: such a file is taken back from `unexpected` only
/// when one of its claimants has a proven wheel (found on the index, provenance verified, members
/// consistent with its RECORD), that wheel's RECORD maps an entry to exactly this path (compared by
/// bytes), and the file's bytes match that entry (or it is the bytecode of a source the RECORD
/// lists). An excluded, unverifiable or fake claimant explains nothing; the file stays
/// `unexpected` and the `unexpected-files` check names the claimant.
struct ClaimResolution {
    let pipeline: Pipeline
    let layout: InstallLayout
    /// `.dist-info` paths of distributions the user excluded: never consulted.
    let excluded: Set<PathKey>

    /// What a claimant's proven wheel maps its RECORD to: install path → entry.
    typealias Ownership = [PathKey: RecordEntry]

    /// Resolves the deferred claims of every outcome, updating the reports in place (files,
    /// lines, the `unexpected-files` check). `installed` are all the environment's distributions;
    /// `proven` maps the `.dist-info` of distributions whose wheel was proven in this run to that
    /// wheel's cache path, index filename and sha256, so they are not fetched again.
    func resolve(
        reports: inout [PackageReport], outcomes: [InstalledFilesVerifier.Outcome?],
        installed: [InstalledDistribution],
        proven: [PathKey: (path: String, filename: String, sha256: SHA256Hex)]
    ) async {
        let claimants = Set(outcomes.flatMap { $0?.deferredClaims.flatMap(\.claimants) ?? [] }.map(PathKey.init))
        if claimants.isEmpty { return }
        let byDistInfo = Dictionary(installed.map { (PathKey($0.distInfoPath), $0) }, uniquingKeysWith: { first, _ in first })
        var ownership: [PathKey: Ownership] = [:]
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
                    release(claim.path, ownedBy: owner, in: &reports[index])
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
    func map(_ wheel: Wheel, for distribution: InstalledDistribution) -> Ownership {
        var result: Ownership = [:]
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

    /// The first claimant whose proven RECORD owns the file as it is, by label.
    func owner(of claim: InstalledFilesVerifier.DeferredClaim, ownership: [PathKey: Ownership]) -> String? {
        for claimant in claim.claimants {
            guard let owned = ownership[PathKey(claimant)] else { continue }
            if let entry = owned[PathKey(claim.path)], case .digest(let digest) = entry.hash,
                let actual = try? FileHashing.digest(ofFileAt: claim.path, algorithm: digest.algorithm),
                FileSystem.kind(claim.path) == .file,
                actual.digest == digest, entry.size == nil || entry.size == actual.size
            {
                return claimant
            }
            if let source = GeneratedFiles.bytecodeSource(of: claim.path), owned[PathKey(source)] != nil,
                FileSystem.kind(claim.path) == .file
            {
                return claimant
            }
        }
        return nil
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
