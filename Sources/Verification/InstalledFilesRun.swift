import PythonPackaging

/// One run of ``InstalledFilesVerifier`` over one distribution, in named phases that share the
/// state below: map the verified RECORD to install paths, walk the package's directories, judge
/// the hashes, classify what the RECORD does not list, look for shadowing names, and sum up.
struct InstalledFilesRun {
    /// A verified RECORD entry whose installed file is still to be hashed.
    struct Pending {
        let entry: RecordEntry
        let path: String
        let destination: InstallLayout.Destination
        let digest: FileDigest
        /// The package's own top-level directory the file is inside (nil for a top-level module and
        /// for scripts/data/headers): such a file must also have been seen by the walk, which
        /// never follows links.
        let packageDirectory: PathKey?
        /// The most bytes the installed file can hold and still match: its size in the verified
        /// wheel (RECORD or, without a size there, the member), plus room for a longer `#!` line
        /// for a script; a larger file is `modified` without being read. Nil when unknown.
        let maxBytes: Int64?
    }

    let verifier: InstalledFilesVerifier
    let wheel: Wheel
    let installed: InstalledDistribution
    let claims: PathClaims
    var layout: InstallLayout { verifier.layout }

    var outcome = InstalledFilesVerifier.Outcome()
    var problems: [String] = []
    var rewritten = 0
    /// Install paths of the verified RECORD's entries.
    var expected = PathSet()
    /// Those whose bytes matched (sources whose `.pyc` may then be checked).
    var verifiedOK = PathSet()
    /// The package's top-level directories in purelib/platlib, and its `.dist-info`.
    var packageDirectories: Set<PathKey>
    /// Package directories walked with nothing left unseen.
    var cleanlyWalked = Set<PathKey>()
    /// Every file the walks found.
    var found = PathSet()
    /// The installed RECORD's paths, resolved: only a hint of what the installer wrote.
    let installedPaths: PathSet
    /// The installers' wrappers of the verified wheel's declared entry points.
    var wrappers: ConsoleScriptWrappers?
    /// Scripts-directory paths already judged, as bytes.
    var scriptsJudged: Set<[UInt8]> = []
    /// Why each wrapper failed, for the `installed-files` check's detail.
    var wrapperNotes: [String] = []

    init(verifier: InstalledFilesVerifier, wheel: Wheel, installed: InstalledDistribution, claims: PathClaims) {
        self.verifier = verifier
        self.wheel = wheel
        self.installed = installed
        self.claims = claims
        packageDirectories = [PathKey(installed.distInfoPath)]
        installedPaths = PathSet(resolvedInstalledRecordPaths(of: installed))
    }

    /// Records one file's verdict: its `-v` line (when lines are kept) and, for a finding, why
    /// (``FileFindings/notes``, in the JSON report too).
    mutating func line(_ path: String, _ state: InstalledFilesVerifier.FileLine.State, _ note: String? = nil) {
        if verifier.keepsFileLines { outcome.lines.append(.init(path: path, state: state, note: note)) }
        if let note, state == .modified || state == .missing || state == .unexpected { outcome.findings.notes[path] = note }
    }

    // MARK: map the verified RECORD

    /// Every verified RECORD entry's install path; the ones with a digest are returned to hash.
    mutating func mapRecord() -> [Pending] {
        var lastTopDirectory: Substring = ""
        var lastTopKey: PathKey?
        let wheelRecordPath = wheel.distInfoDirectory + "/RECORD"
        var pending: [Pending] = []
        for entry in wheel.record.entries {
            if entry.path == wheelRecordPath {
                let path = installed.distInfoPath + "/RECORD"
                outcome.findings.generated.append(path)
                outcome.owned.insert(path)
                line(path, .generated, "rewritten by the installer")
                continue
            }
            guard
                let (mapped, destination) = layout.installPath(
                    forRecordPath: entry.path, dataDirectory: wheel.dataDirectory,
                    rootIsPurelib: wheel.metadata.rootIsPurelib, distributionName: installed.name.raw)
            else {
                problems.append("RECORD path \(entry.path) escapes its install root")
                continue
            }
            var packageDirectory: PathKey?
            if destination == .purelib || destination == .platlib {
                // `root/<first>/…`: the top directory, found on the bytes; consecutive entries
                // mostly share it, so the set is touched once per run of them.
                let root = destination == .purelib ? layout.scheme.purelib : layout.scheme.platlib
                let utf8 = mapped.utf8
                let start = utf8.index(utf8.startIndex, offsetBy: root.utf8.count + 1)
                if let slash = utf8[start...].firstIndex(of: UInt8(ascii: "/")) {
                    let top = mapped[..<slash]
                    if lastTopKey == nil || !top.utf8.elementsEqual(lastTopDirectory.utf8) {
                        lastTopKey = PathKey(String(top))
                        packageDirectories.insert(lastTopKey!)
                        lastTopDirectory = top
                    }
                    packageDirectory = lastTopKey
                }
            }
            let paths =
                destination == .headers
                ? layout.headerCandidates(
                    for: mapped, distributionName: installed.name.raw,
                    exists: { FileSystem.kind($0) != .missing }, children: verifier.children)
                : [mapped]
            for path in paths {
                expected.insert(path)
                switch entry.hash {
                case .none:
                    problems.append("\(entry.path) has no hash in the verified RECORD")
                    line(path, .unchecked, "no hash in RECORD")
                case .unsupported(let algorithm):
                    problems.append("\(entry.path) uses \(algorithm), which is not accepted")
                    line(path, .unchecked, "\(algorithm) not accepted")
                case .digest(let value):
                    let size = entry.size ?? wheel.archive.entry(named: entry.path)?.uncompressedSize
                    pending.append(
                        Pending(
                            entry: entry, path: path, destination: destination, digest: value,
                            packageDirectory: packageDirectory,
                            maxBytes: size.map { destination == .scripts ? $0 + Int64(ScriptShebang.maxHeadBytes) : $0 }))
                }
            }
        }
        return pending
    }

    // MARK: walk the package's directories

    /// Walks each package directory (never through a link). A link in place of one is a
    /// modification; what a walk could not see is a finding (too deep, a name that is not UTF-8)
    /// or an error (unreadable).
    mutating func walkPackageDirectories() {
        for key in packageDirectories.sorted() {
            let directory = key.path
            switch FileSystem.kind(directory) {
            case .directory:
                let walk = FileSystem.walk(directory)
                found.formUnion(walk.files)
                for problem in walk.problems {
                    if problem.isFinding {
                        outcome.findings.unexpected.append(problem.path)
                        outcome.owned.insert(problem.path)
                        line(problem.path, .unexpected, problem.reason)
                    } else {
                        outcome.walkErrors.append("\(problem.path): \(problem.reason)")
                    }
                }
                if walk.problems.isEmpty {
                    cleanlyWalked.insert(key)
                    outcome.walkedDirectories.append(directory)
                }
            case .missing:
                continue
            case .symlink, .file, .other:
                outcome.findings.modified.append(directory)
                outcome.owned.insert(directory)
                line(directory, .modified, "not the package's directory: a link or another kind of file")
            }
        }
        outcome.directoryCount = packageDirectories.count
        outcome.packageDirectories = packageDirectories.sorted().map(\.path)
    }

    // MARK: judge the hashes

    mutating func judgeHashes(_ pending: [Pending], _ hashed: [FileHashPool.Outcome]) {
        for (item, result) in zip(pending, hashed) {
            let path = item.path
            let actual: (digest: FileDigest, size: Int64)?
            switch result {
            case .missing:
                outcome.findings.missing.append(path)
                line(path, .missing)
                continue
            case .notRegularFile:
                outcome.findings.modified.append(path)
                line(path, .modified, "not a regular file")
                continue
            case .digest(let value, let size):
                actual = (value, size)
            case .unreadable:
                actual = nil
            case .larger(let size):
                outcome.findings.modified.append(path)
                line(path, .modified, "\(size) bytes: larger than the verified file (not read)")
                continue
            }
            if let top = item.packageDirectory, cleanlyWalked.contains(top), !found.contains(path) {
                // Hashed, yet the walk (which never follows a link) did not see it: a directory on
                // its way is a link to somewhere else.
                outcome.findings.modified.append(path)
                line(path, .modified, "reached through a symbolic link")
                continue
            }
            if let actual, actual.digest == item.digest, item.entry.size == nil || item.entry.size == actual.size {
                outcome.findings.verified += 1
                if verifier.bytecode != .accept { verifiedOK.insert(path) }
                line(path, .ok)
            } else if item.destination == .scripts, matchesRewrittenScript(item) {
                outcome.findings.verified += 1
                rewritten += 1
                line(path, .rewritten, "#!python rewritten to this interpreter")
            } else {
                outcome.findings.modified.append(path)
                line(path, .modified, actual == nil ? "unreadable" : "digest differs")
            }
        }
    }

    /// A script whose only change is the installer's `#!python` rewrite: the wheel's first line
    /// (bounded) and the installed head are compared, then the wheel's first line followed by the
    /// installed file after its head is hashed, streamed, against the RECORD digest.
    func matchesRewrittenScript(_ item: Pending) -> Bool {
        guard let member = wheel.archive.entry(named: item.entry.path),
            let wheelFirstLine = Self.firstLine(of: member, in: wheel.archive),
            let head = FileSystem.readHead(item.path, maxBytes: ScriptShebang.maxHeadBytes),
            let headLength = verifier.shebang.rewrittenHeadLength(wheelFirstLine: wheelFirstLine[...], installedHead: head),
            let restored = try? FileHashing.digest(
                ofFileAt: item.path, algorithm: item.digest.algorithm,
                replacingFirst: headLength, with: wheelFirstLine + [UInt8(ascii: "\n")])
        else { return false }
        return restored.digest == item.digest && (item.entry.size == nil || item.entry.size == restored.size)
    }

    /// A member's first line without its newline, read no further than ``ScriptShebang/maxHeadBytes``;
    /// nil when it has no newline that early.
    static func firstLine(of member: ZipEntry, in archive: ZipArchive) -> [UInt8]? {
        struct Enough: Error {}
        var bytes: [UInt8] = []
        do {
            try archive.read(member) { chunk in
                bytes.append(contentsOf: chunk.prefix(ScriptShebang.maxHeadBytes - bytes.count))
                if bytes.contains(UInt8(ascii: "\n")) || bytes.count >= ScriptShebang.maxHeadBytes { throw Enough() }
            }
        } catch {
            // `Enough` stops the inflation early; any other error leaves too few bytes below.
        }
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        return Array(bytes[..<newline])
    }

    // MARK: classify what the verified RECORD does not list

    mutating func classifyExtras() {
        let entryPoints = readEntryPoints()
        wrappers = ConsoleScriptWrappers(
            entryPoints: entryPoints,
            interpreters: ConsoleScriptWrappers.interpreters(
                from: verifier.shebang.interpreters, prefix: layout.prefix,
                scriptsDirectory: layout.scheme.scripts,
                pythonVersion: layout.pythonVersion),
            scriptsDirectory: layout.scheme.scripts, pythonVersion: layout.pythonVersion)
        // Only the few paths the verified RECORD does not list are sorted (classifying them changes
        // neither set, so filtering first keeps the order and the outcome).
        let listedExtras = installedPaths.filter { !expected.contains($0) }
        for path in listedExtras.sorted where found.contains(path) || FileSystem.kind(path) != .missing {
            classifyExtra(path, listedByInstaller: true, entryPoints: entryPoints)
        }
        for path in found.filter({ !expected.contains($0) }).sorted {
            classifyExtra(path, listedByInstaller: false, entryPoints: entryPoints)
        }
        // Top-level modules keep their bytecode in the shared `site-packages/__pycache__`.
        for root in Set([layout.scheme.purelib, layout.scheme.platlib]).sorted() {
            var stems = Set<PathKey>()
            for path in expected where path.hasPrefix(root + "/") && path.hasSuffix(".py") {
                let relative = path.dropFirst(root.count + 1)
                if relative.firstIndex(of: "/") == nil { stems.insert(PathKey(String(relative.dropLast(3)))) }
            }
            if stems.isEmpty { continue }
            let cache = root + "/__pycache__"
            for name in verifier.children(cache).sorted() where name.hasSuffix(".pyc") {
                guard let dot = name.firstIndex(of: "."), stems.contains(PathKey(String(name[..<dot]))) else { continue }
                classifyExtra(cache + "/" + name, listedByInstaller: false, entryPoints: entryPoints)
            }
        }
        judgeDeclaredScripts(entryPoints)
    }

    /// Every name installers write for the declared entry points is judged when something is
    /// there, whether or not the installed RECORD lists it (a dropped row or a deleted RECORD must
    /// not make the check go away); then every other file of the scripts directory that copies one
    /// of these wrappers under another name.
    mutating func judgeDeclaredScripts(_ entryPoints: EntryPoints) {
        let scripts = layout.scheme.scripts
        if let wrappers, !entryPoints.references.isEmpty {
            let scriptsPrefix = Array((scripts + "/").utf8)
            let listedScripts = Set(expected.lazy.filter { $0.utf8.starts(with: scriptsPrefix) }.map { Array($0.utf8) })
            for name in entryPoints.scriptFileNames(pythonVersion: layout.pythonVersion) {
                let path = scripts + "/" + name
                let bytes = Array(path.utf8)
                guard !scriptsJudged.contains(bytes), !listedScripts.contains(bytes), FileSystem.kind(path) != .missing else { continue }
                _ = classifyScript(path, entryPoints: entryPoints)
            }
            for name in FileSystem.childNameBytes(scripts).sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                let bytes = scriptsPrefix + name
                guard !scriptsJudged.contains(bytes), !listedScripts.contains(bytes),
                    let note = wrappers.aliasNote(pathBytes: bytes)
                else { continue }
                scriptsJudged.insert(bytes)
                let path = String(decoding: bytes, as: UTF8.self)
                let claimants = claims.claimants(of: path, otherThan: installed.distInfoPath)
                outcome.owned.insert(path)
                if claimants.isEmpty {
                    outcome.findings.modified.append(path)
                    line(path, .modified, note)
                    wrapperNotes.append("\(path): \(note)")
                } else {
                    // Another distribution's installed RECORD lists it: unexpected here unless that
                    // distribution's proven wheel owns it.
                    outcome.findings.unexpected.append(path)
                    outcome.deferredClaims.append(InstalledFilesVerifier.DeferredClaim(path: path, claimants: claimants))
                    line(path, .unexpected, note)
                }
            }
        }
        // The installed-files check says why each wrapper failed (the first few).
        if !wrapperNotes.isEmpty {
            problems.append(InstalledFilesVerifier.preview(wrapperNotes.sorted(), limit: 2))
        }
    }

    /// A file in the scripts directory that the verified RECORD does not list: the wrapper of a
    /// declared entry point (exactly an installer's, or `modified`), or a copy of one under another
    /// name (`modified`); false for anything else.
    mutating func classifyScript(_ path: String, entryPoints: EntryPoints) -> Bool {
        guard let wrappers else { return false }
        scriptsJudged.insert(Array(path.utf8))
        let name = String(path[path.index(after: path.lastIndex(of: "/")!)...])
        let verdict: ConsoleScriptWrappers.Verdict
        if let declared = entryPoints.declaredName(forScript: name, pythonVersion: layout.pythonVersion) {
            verdict = wrappers.judge(path: path, declared: declared)
        } else if let alias = wrappers.aliasNote(path: path) {
            verdict = .modified(alias)
        } else {
            return false
        }
        outcome.owned.insert(path)
        switch verdict {
        case .generated(let template):
            outcome.findings.generated.append(path)
            line(path, .generated, "console-script wrapper (\(template.installers))")
        case .modified(let note):
            outcome.findings.modified.append(path)
            line(path, .modified, note)
            wrapperNotes.append("\(path): \(note)")
        }
        return true
    }

    /// The verified wheel's declared scripts; an `entry_points.txt` over the cap is a problem
    /// (its wrappers then count as unexplained), never read whole.
    mutating func readEntryPoints() -> EntryPoints {
        guard let member = wheel.archive.entry(named: wheel.distInfoDirectory + "/entry_points.txt") else { return EntryPoints() }
        guard member.uncompressedSize <= InstalledFilesVerifier.maxEntryPointsBytes,
            let bytes = try? wheel.archive.data(of: member, maxSize: InstalledFilesVerifier.maxEntryPointsBytes)
        else {
            problems.append(
                "\(member.name) is larger than \(InstalledFilesVerifier.maxEntryPointsBytes) bytes or unreadable: its scripts are not recognised"
            )
            return EntryPoints()
        }
        return EntryPoints(parsing: String(decoding: bytes, as: UTF8.self))
    }

    /// Classifies a file that the verified RECORD does not list.
    mutating func classifyExtra(_ path: String, listedByInstaller: Bool, entryPoints: EntryPoints) {
        if outcome.owned.contains(path) { return }
        if case .check(let cacheTag) = verifier.bytecode, let name = BytecodeName(path: path), expected.contains(name.source) {
            classifyBytecode(path, name: name, cacheTag: cacheTag)
            return
        }
        if GeneratedFiles.isInstallerMetadata(path, distInfo: installed.distInfoPath)
            || GeneratedFiles.bytecodeSource(of: path).map(expected.contains) == true
        {
            outcome.findings.generated.append(path)
            outcome.owned.insert(path)
            line(path, .generated)
            return
        }
        let parent = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        if parent == layout.scheme.scripts, classifyScript(path, entryPoints: entryPoints) { return }
        outcome.findings.unexpected.append(path)
        outcome.owned.insert(path)
        if !listedByInstaller {
            let claimants = claims.claimants(of: path, otherThan: installed.distInfoPath)
            if !claimants.isEmpty {
                // Only another distribution's installed RECORD claims it: unexpected until that
                // distribution's verified wheel is shown to own it.
                outcome.deferredClaims.append(InstalledFilesVerifier.DeferredClaim(path: path, claimants: claimants))
                line(
                    path, .unexpected,
                    "claimed only by the installed RECORD of "
                        + claimants.map(InstalledFilesVerifier.distributionLabel).joined(separator: ", "))
                return
            }
        }
        line(path, .unexpected, listedByInstaller ? "listed only by the installed RECORD" : "not in the verified RECORD")
    }

    /// A `.pyc` of a verified source: checked later, or foreign to this interpreter.
    mutating func classifyBytecode(_ path: String, name: BytecodeName, cacheTag: String?) {
        outcome.owned.insert(path)
        var unexpectedNote: String?
        if name.tag != cacheTag {
            unexpectedNote = "bytecode for another interpreter (\(name.tag))"
        } else if name.optimize == nil {
            unexpectedNote = "bytecode name this interpreter never loads"
        }
        if let unexpectedNote {
            outcome.findings.unexpected.append(path)
            line(path, .unexpected, unexpectedNote)
        } else if FileSystem.kind(path) != .file {
            outcome.findings.modified.append(path)
            line(path, .modified, "not a regular file")
        } else if !verifiedOK.contains(name.source) {
            outcome.findings.generated.append(path)
            line(path, .generated, "bytecode not checked: its source did not verify")
        } else {
            outcome.findings.generated.append(path)
            line(path, .generated)
            outcome.bytecodeRequests.append(BytecodeChecker.Request(pyc: path, source: name.source, optimize: name.optimize ?? 0))
        }
    }

    // MARK: shadowing names

    mutating func checkShadowing() {
        let roots = Array(Set([layout.scheme.purelib, layout.scheme.platlib])).sorted()
        let found = ShadowingCheck.find(
            roots: roots, expected: expected, claims: claims, distInfo: installed.distInfoPath,
            children: verifier.children)
        for finding in found {
            outcome.findings.shadowing.append(finding.path)
            outcome.owned.insert(finding.path)
            line(finding.path, .unexpected, finding.note)
        }
        outcome.shadowingNames = ShadowingCheck.providedNames(roots: roots, expected: expected).count
    }

    // MARK: sum up

    mutating func finish() -> InstalledFilesVerifier.Outcome {
        // What is below a walked directory is accounted for already; only the rest (scripts,
        // data, headers, top-level modules) is kept for the environment's scan.
        let walked = Set(outcome.walkedDirectories.map(PathKey.init))
        outcome.owned = outcome.owned.filter { !layout.isInside(walked, path: $0) }
        for path in expected where !layout.isInside(walked, path: path) { outcome.owned.insert(path) }
        outcome.findings.normalize()
        outcome.lines.sort { PathKey($0.path) < PathKey($1.path) }
        outcome.bytecodeRequests.sort { $0.pyc < $1.pyc }
        outcome.deferredClaims.sort { PathKey($0.path) < PathKey($1.path) }
        outcome.checks = InstalledFilesVerifier.checks(
            findings: outcome.findings, problems: problems, rewritten: rewritten, directories: outcome.directoryCount,
            walkErrors: outcome.walkErrors, deferred: outcome.deferredClaims)
        outcome.checks.append(ShadowingCheck.check(findings: outcome.findings, names: outcome.shadowingNames))
        return outcome
    }
}
