import PythonPackaging

/// Checks the files of one installed distribution against the RECORD of its verified wheel.
///
/// Guarantees, for the distribution it is given:
/// - every entry of the verified RECORD is mapped to its install path and hashed with the
///   algorithm RECORD names; a differing file is `modified`, an absent one `missing`; an entry
///   with no hash or an unsupported algorithm, or a path that escapes its root, fails the check;
/// - a script differs only by an installer's `#!python` rewrite to this environment's interpreter
///   is accepted (see ``ScriptShebang``);
/// - what the installed RECORD adds is accepted only for installer-generated kinds
///   (``GeneratedFiles``, console-script wrappers of entry points the verified wheel declares);
///   anything else it lists is `unexpected`;
/// - every file in the scripts directory named for a declared entry point, listed by the installed
///   RECORD or not, is `generated` only when it is exactly an installer's wrapper for it
///   (``ConsoleScriptWrappers``), else `modified`; so is a copy of such a wrapper under another
///   name that no other distribution's installed RECORD lists;
/// - every file found in the distribution's own top-level directories and `.dist-info` that
///   none of the above explains is `unexpected`, unless another distribution's installed RECORD
///   lists it (shared namespace directories);
/// - with ``BytecodeMode/check(cacheTag:)``, a `__pycache__/*.pyc` of a verified source is only
///   provisionally `generated`: when its source verified OK it is listed in
///   ``Outcome/bytecodeRequests`` for ``BytecodeChecker`` (run once for the whole environment);
///   one of another interpreter's cache tag, or with a name no interpreter loads, is `unexpected`.
///   Top-level modules' `site-packages/__pycache__/<mod>.*.pyc` are looked at too.
public struct InstalledFilesVerifier: Sendable {
    public let layout: InstallLayout
    public let shebang: ScriptShebang
    public let bytecode: BytecodeMode

    /// How `.pyc` files of verified sources are treated.
    public enum BytecodeMode: Sendable, Equatable {
        /// Accepted as installer-generated without a look at their content.
        case accept
        /// Collected for a content check; `cacheTag` is the environment interpreter's
        /// `sys.implementation.cache_tag` (nil: it writes no bytecode, so every `.pyc` is foreign).
        case check(cacheTag: String?)
    }

    /// Where installed files are hashed: a pool shared by all packages of a run (about 8 reads
    /// in flight), or nil to hash them one after the other on the calling thread.
    public let hashPool: FileHashPool?
    /// Whether ``Outcome/lines`` is filled (the per-file lines of `-v`); without them a run of
    /// tens of thousands of files allocates and sorts nothing it will not show.
    public let keepsFileLines: Bool

    public init(layout: InstallLayout, shebang: ScriptShebang, bytecode: BytecodeMode = .accept,
                hashPool: FileHashPool? = nil, keepingFileLines: Bool = true) {
        self.layout = layout
        self.shebang = shebang
        self.bytecode = bytecode
        self.hashPool = hashPool
        self.keepsFileLines = keepingFileLines
    }

    /// A verified RECORD entry whose installed file is still to be hashed.
    struct Pending {
        let entry: RecordEntry
        let path: String
        let destination: InstallLayout.Destination
        let digest: FileDigest
    }

    /// What one distribution's files came to.
    public struct Outcome: Sendable {
        public var findings = FileFindings()
        public var checks: [CheckResult] = []
        /// Absolute paths this distribution accounts for (verified, generated or reported
        /// unexpected), except those below ``walkedDirectories``.
        public var owned: Set<String> = []
        /// The package's own directories (real directories, never links) that were walked whole:
        /// every file below them is accounted for by this outcome or by another distribution's
        /// installed RECORD, so a scan of the environment need not look inside them again.
        public var walkedDirectories: [String] = []
        /// Per-file lines for `-v` (path and what was found), in path order; empty unless the
        /// verifier ``keepsFileLines``.
        public var lines: [FileLine] = []
        /// `.pyc` files (generated, of sources that verified OK) still to be checked by
        /// ``BytecodeChecker``; sorted by path. Empty in ``BytecodeMode/accept`` mode.
        public var bytecodeRequests: [BytecodeChecker.Request] = []
    }

    /// One file's verdict, rpm -V style.
    public struct FileLine: Sendable, Codable, Equatable {
        public enum State: String, Sendable, Codable { case ok, rewritten, modified, missing, unexpected, generated, unchecked }
        public var path: String
        public var state: State
        public var note: String?
    }

    public func verify(wheel: Wheel, installed: InstalledDistribution, claims: PathClaims = PathClaims()) async -> Outcome {
        var outcome = Outcome()
        var problems: [String] = []
        var rewritten = 0

        // The installed RECORD, resolved to absolute paths: only a hint.
        let installedPaths = resolvedInstalledRecordPaths(of: installed)
        // Sorted only if a header needs a hint (rare), so the first match is always the same one.
        var sortedInstalled: [String]?
        let headerHint: (String) -> String? = { relative in
            let sorted = sortedInstalled ?? installedPaths.sorted()
            sortedInstalled = sorted
            return sorted.first { $0.hasSuffix("/" + relative) && $0.contains("/include/") }
        }
        // Per-file lines only when they are shown (`-v`); verifiedOK only for the bytecode check.
        let keepLines = keepsFileLines
        func line(_ path: String, _ state: FileLine.State, _ note: String? = nil) {
            if keepLines { outcome.lines.append(FileLine(path: path, state: state, note: note)) }
        }
        let checkingBytecode = bytecode != .accept

        var expected: Set<String> = []
        var verifiedOK: Set<String> = []
        var packageDirectories: Set<String> = [installed.distInfoPath]
        var lastTopDirectory: Substring = ""
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
            guard let (path, destination) = layout.installPath(
                forRecordPath: entry.path, dataDirectory: wheel.dataDirectory,
                rootIsPurelib: wheel.metadata.rootIsPurelib, distributionName: installed.name.raw,
                installedHint: headerHint)
            else {
                problems.append("RECORD path \(entry.path) escapes its install root")
                continue
            }
            expected.insert(path)
            if destination == .purelib || destination == .platlib {
                // `root/<first>/…`: the top directory, found on the bytes; consecutive entries
                // mostly share it, so the set is touched once per run of them.
                let root = destination == .purelib ? layout.scheme.purelib : layout.scheme.platlib
                let utf8 = path.utf8
                let start = utf8.index(utf8.startIndex, offsetBy: root.utf8.count + 1)
                if let slash = utf8[start...].firstIndex(of: UInt8(ascii: "/")) {
                    let top = path[..<slash]
                    if top != lastTopDirectory {
                        packageDirectories.insert(String(top))
                        lastTopDirectory = top
                    }
                }
            }
            switch entry.hash {
            case .none:
                problems.append("\(entry.path) has no hash in the verified RECORD")
                line(path, .unchecked, "no hash in RECORD")
            case .unsupported(let algorithm):
                problems.append("\(entry.path) uses \(algorithm), which is not accepted")
                line(path, .unchecked, "\(algorithm) not accepted")
            case .digest(let value):
                pending.append(Pending(entry: entry, path: path, destination: destination, digest: value))
            }
        }

        // Every file to hash at once: on the shared pool (spread over files, whatever package
        // they belong to), or one after the other without one. Results come back in order.
        let requests = pending.map { FileHashPool.Request(path: $0.path, algorithm: $0.digest.algorithm) }
        let hashed: [FileHashPool.Outcome]
        if let hashPool { hashed = await hashPool.digests(requests) } else { hashed = requests.map(FileHashPool.hashOnCallingThread) }
        for (item, result) in zip(pending, hashed) {
            let path = item.path
            let entry = item.entry
            let digest = item.digest
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
            }
            if let actual, actual.digest == digest, entry.size == nil || entry.size == actual.size {
                outcome.findings.verified += 1
                if checkingBytecode { verifiedOK.insert(path) }
                line(path, .ok)
            } else if item.destination == .scripts, let member = wheel.archive.entry(named: entry.path),
                      let wheelBytes = try? wheel.archive.data(of: member),
                      let installedBytes = FileSystem.readSmallFile(path),
                      FileDigest.compute(wheelBytes, algorithm: digest.algorithm) == digest,
                      shebang.matchesRewrite(wheel: wheelBytes, installed: installedBytes) {
                outcome.findings.verified += 1
                rewritten += 1
                line(path, .rewritten, "#!python rewritten to this interpreter")
            } else {
                outcome.findings.modified.append(path)
                line(path, .modified, actual == nil ? "unreadable" : "digest differs")
            }
        }

        let entryPoints = wheel.archive.entry(named: wheel.distInfoDirectory + "/entry_points.txt")
            .flatMap { try? wheel.archive.data(of: $0) }
            .map { EntryPoints(parsing: String(decoding: $0, as: UTF8.self)) } ?? EntryPoints()

        let wrappers = ConsoleScriptWrappers(
            entryPoints: entryPoints,
            interpreters: ConsoleScriptWrappers.interpreters(from: shebang.interpreters, prefix: layout.prefix,
                                                             scriptsDirectory: layout.scheme.scripts,
                                                             pythonVersion: layout.pythonVersion),
            scriptsDirectory: layout.scheme.scripts, pythonVersion: layout.pythonVersion)
        var wrapperNotes: [String] = []
        // Scripts-directory paths already judged, as bytes: names that differ only by Unicode
        // normalisation are different files, never one judged for the other.
        var scriptsJudged: Set<[UInt8]> = []

        // Classifies a file that the verified RECORD does not list.
        func classifyExtra(_ path: String, listedByInstaller: Bool) {
            if outcome.owned.contains(path) { return }
            if case .check(let cacheTag) = bytecode, let name = BytecodeName(path: path), expected.contains(name.source) {
                classifyBytecode(path, name: name, cacheTag: cacheTag)
                return
            }
            if GeneratedFiles.isInstallerMetadata(path, distInfo: installed.distInfoPath)
                || GeneratedFiles.bytecodeSource(of: path).map(expected.contains) == true {
                outcome.findings.generated.append(path)
                outcome.owned.insert(path)
                line(path, .generated)
                return
            }
            let parent = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
            if parent == layout.scheme.scripts, classifyScript(path) { return }
            if !listedByInstaller, claims.isClaimed(path, byOtherThan: installed.distInfoPath) { return }
            outcome.findings.unexpected.append(path)
            outcome.owned.insert(path)
            line(path, .unexpected, listedByInstaller ? "listed only by the installed RECORD" : "not in the verified RECORD")
        }

        // A file in the scripts directory that the verified RECORD does not list: the wrapper of a
        // declared entry point (exactly an installer's, or `modified`), or a copy of one under
        // another name (`modified`); false for anything else.
        func classifyScript(_ path: String) -> Bool {
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

        // A `.pyc` of a verified source: checked later, or foreign to this interpreter.
        func classifyBytecode(_ path: String, name: BytecodeName, cacheTag: String?) {
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

        // The package's own directories are walked first: what the walk found needs no `lstat`
        // to know it exists when the installed RECORD lists it too.
        var walks: [(directory: String, files: [String])] = []
        for directory in packageDirectories.sorted() {
            // Only a real directory counts as walked whole (a link's target is not ours to vouch for).
            if FileSystem.kind(directory) == .directory { outcome.walkedDirectories.append(directory) }
            walks.append((directory, FileSystem.walk(directory)))
        }
        let found = Set(walks.lazy.flatMap(\.files))
        for path in installedPaths where !expected.contains(path) && (found.contains(path) || FileSystem.kind(path) != .missing) {
            classifyExtra(path, listedByInstaller: true)
        }
        for walk in walks {
            for path in walk.files where !expected.contains(path) {
                classifyExtra(path, listedByInstaller: false)
            }
        }
        // Top-level modules keep their bytecode in the shared `site-packages/__pycache__`.
        for root in Set([layout.scheme.purelib, layout.scheme.platlib]).sorted() {
            let stems = Set(expected.compactMap { path -> String? in
                guard path.hasPrefix(root + "/"), path.hasSuffix(".py") else { return nil }
                let relative = path.dropFirst(root.count + 1)
                return relative.firstIndex(of: "/") != nil ? nil : String(relative.dropLast(3))
            })
            if stems.isEmpty { continue }
            let cache = root + "/__pycache__"
            for name in FileSystem.children(cache).sorted() where name.hasSuffix(".pyc") {
                guard let dot = name.firstIndex(of: "."), stems.contains(String(name[..<dot])) else { continue }
                classifyExtra(cache + "/" + name, listedByInstaller: false)
            }
        }

        // Every name installers write for the declared entry points is judged when something is
        // there, whether or not the installed RECORD lists it (a dropped row or a deleted RECORD
        // must not make the check go away); then every other file of the scripts directory that
        // copies one of these wrappers under another name (left to another distribution whose
        // installed RECORD lists it).
        let scripts = layout.scheme.scripts
        if !entryPoints.references.isEmpty {
            let scriptsPrefix = Array((scripts + "/").utf8)
            let listedScripts = Set(expected.lazy.filter { $0.utf8.starts(with: scriptsPrefix) }.map { Array($0.utf8) })
            for name in entryPoints.scriptFileNames(pythonVersion: layout.pythonVersion) {
                let path = scripts + "/" + name
                let bytes = Array(path.utf8)
                guard !scriptsJudged.contains(bytes), !listedScripts.contains(bytes), FileSystem.kind(path) != .missing else { continue }
                _ = classifyScript(path)
            }
            for name in FileSystem.childNameBytes(scripts).sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                let bytes = scriptsPrefix + name
                let path = String(decoding: bytes, as: UTF8.self)
                guard !scriptsJudged.contains(bytes), !listedScripts.contains(bytes),
                      !claims.isClaimed(path, byOtherThan: installed.distInfoPath),
                      let note = wrappers.aliasNote(pathBytes: bytes) else { continue }
                scriptsJudged.insert(bytes)
                outcome.owned.insert(path)
                outcome.findings.modified.append(path)
                line(path, .modified, note)
                wrapperNotes.append("\(path): \(note)")
            }
        }
        // The installed-files check says why each wrapper failed (the first few).
        if !wrapperNotes.isEmpty {
            problems.append(Self.preview(wrapperNotes.sorted(), limit: 2))
        }

        // What is below a walked directory is accounted for already; only the rest (scripts,
        // data, headers, top-level modules) is kept for the environment's scan.
        let walked = Set(outcome.walkedDirectories)
        outcome.owned = outcome.owned.filter { !layout.isInside(walked, path: $0) }
        for path in expected where !layout.isInside(walked, path: path) { outcome.owned.insert(path) }
        outcome.findings.normalize()
        outcome.lines.sort { $0.path < $1.path }
        outcome.bytecodeRequests.sort { $0.pyc < $1.pyc }
        outcome.checks = Self.checks(findings: outcome.findings, problems: problems, rewritten: rewritten,
                                     directories: packageDirectories.count)
        return outcome
    }

    static func checks(findings: FileFindings, problems: [String], rewritten: Int, directories: Int) -> [CheckResult] {
        var checks: [CheckResult] = []
        var failures = problems
        if !findings.modified.isEmpty { failures.append("\(findings.modified.count) modified: \(Self.preview(findings.modified))") }
        if !findings.missing.isEmpty { failures.append("\(findings.missing.count) missing: \(Self.preview(findings.missing))") }
        if failures.isEmpty {
            var detail = "\(findings.verified) files match the verified RECORD"
            if rewritten > 0 { detail += " (\(rewritten) with the installer's #!python rewrite)" }
            if !findings.generated.isEmpty { detail += "; \(findings.generated.count) generated by the installer" }
            checks.append(CheckResult("installed-files", .pass, detail))
        } else {
            checks.append(CheckResult("installed-files", .fail, failures.joined(separator: "; ")))
        }
        if findings.unexpected.isEmpty {
            checks.append(CheckResult("unexpected-files", .pass, "nothing unexpected in the package's \(directories) directories"))
        } else {
            checks.append(CheckResult("unexpected-files", .fail,
                                      "\(findings.unexpected.count) unexpected: \(Self.preview(findings.unexpected))"))
        }
        return checks
    }

    static func preview(_ paths: [String], limit: Int = 3) -> String {
        let shown = paths.prefix(limit).joined(separator: ", ")
        return paths.count > limit ? shown + ", … and \(paths.count - limit) more" : shown
    }
}

extension FileDigest {
    /// The digest of bytes in memory (small members only).
    static func compute(_ bytes: [UInt8], algorithm: HashAlgorithm) -> FileDigest {
        var hasher = StreamingHasher(algorithm: algorithm)
        bytes.withUnsafeBytes { hasher.update($0) }
        return hasher.finalize()
    }
}
