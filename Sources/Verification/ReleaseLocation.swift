import PackageIndex
import PythonPackaging

extension Pipeline {
    /// Step 1 for a project that is not installed: the file(s) of the requested release on the
    /// index (``ReleaseSelection``), one report per file with its `index-file` check; when nothing
    /// can be chosen, one report whose `index-file` check says why (and no file).
    public func locate(
        _ request: ReleaseRequest, tags: [WheelTag], allFiles: Bool
    ) async -> [(report: PackageReport, file: IndexFile?)] {
        func failed(_ check: CheckResult) -> [(report: PackageReport, file: IndexFile?)] {
            [(PackageReport(name: request.name.raw, version: request.version?.description ?? "", checks: [check]), nil)]
        }
        let lookup: ProjectLookup
        switch await self.lookup(request.name, on: context.indexForProjects) {
        case .failure(let check): return failed(check)
        case .success(let found): lookup = found
        }
        switch ReleaseSelection.release(in: lookup.files, request: request) {
        case .failure(let failure):
            return failed(CheckResult(.indexFile, .fail, failure.message))
        case .success(let (version, offered)):
            // A file name two indexes offer with different digests: nobody can tell which is meant.
            let files: [IndexFile]
            switch ProjectLookup.resolveDuplicates(offered) {
            case .conflict(let message): return failed(CheckResult(.indexFile, .fail, message))
            case .distinct(let unique): files = unique
            }
            let chosen: [IndexFile]
            let why: String
            if allFiles {
                chosen = files.sorted { $0.filename < $1.filename }
                why = "every file of \(request.name.raw) \(version) (not installed here)"
            } else if let best = ReleaseSelection.bestFile(in: files, tags: tags) {
                chosen = [best]
                why = "the file of \(request.name.raw) \(version) an installer would take for this interpreter (not installed here)"
            } else {
                return failed(
                    CheckResult(
                        .indexFile, .fail,
                        "no file of \(request.name.raw) \(version) suits this interpreter: "
                            + files.map(\.filename).sorted().joined(separator: ", ")))
            }
            return chosen.map { file in
                let yanked = file.yanked ? " (yanked)" : ""
                let served = file.servedBy.map { " on \($0.absoluteString)" } ?? ""
                return (
                    PackageReport(
                        name: request.name.raw, version: version.description, wheel: file.filename,
                        checks: [CheckResult(.indexFile, .pass, "\(file.filename)\(yanked)\(served): \(why)")]),
                    file
                )
            }
        }
    }
}
