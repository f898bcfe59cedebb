import PythonPackaging

/// Checks the files of one installed distribution against the RECORD of its verified wheel.
///
/// Guarantees, for the distribution it is given:
/// - every entry of the verified RECORD is mapped to its install path from the scheme alone (the
///   installed RECORD never says where to look) and hashed with the algorithm RECORD names; a
///   differing file is `modified`, an absent one `missing`; an entry with no hash or an
///   unsupported algorithm, or a path that escapes its root, fails the check; a file of the
///   package's directories reached through a symbolic link is `modified`;
/// - a script that differs only by an installer's `#!python` rewrite to this environment's
///   interpreter is accepted (see ``ScriptShebang``), compared streamed;
/// - what the installed RECORD adds is accepted only for installer-generated kinds
///   (``GeneratedFiles``, console-script wrappers of entry points the verified wheel declares);
///   anything else it lists is `unexpected`;
/// - every file in the scripts directory named for a declared entry point, listed by the installed
///   RECORD or not, is `generated` only when it is exactly an installer's wrapper for it
///   (``ConsoleScriptWrappers``), else `modified`; so is a copy of such a wrapper under another
///   name (held as `unexpected` when another distribution's installed RECORD lists it, until that
///   distribution's proven wheel owns it);
/// - every file found in the distribution's own top-level directories and `.dist-info` that
///   none of the above explains is `unexpected`; one that another distribution's installed RECORD
///   claims is `unexpected` too and listed in ``Outcome/deferredClaims``: only that claimant's
///   *verified* wheel can take it back (``EnvironmentVerifier`` does);
/// - a walk that could not see everything fails closed: too deep or a name that is not UTF-8 is
///   `unexpected`, a directory that cannot be read makes `unexpected-files` an `error`;
/// - any other importable entry in the site-packages directories under a name this distribution
///   provides (a directory, module, extension, `.pyc`, or `.pth` of that name) is a `shadowing`
///   failure (see ``ShadowingCheck``);
/// - with ``BytecodeMode/check(cacheTag:)``, a `__pycache__/*.pyc` of a verified source is only
///   provisionally `generated`: when its source verified OK it is listed in
///   ``Outcome/bytecodeRequests`` for ``BytecodeChecker`` (run once for the whole environment);
///   one of another interpreter's cache tag, or with a name no interpreter loads, is `unexpected`.
///   Top-level modules' `site-packages/__pycache__/<mod>.*.pyc` are looked at too.
///
/// Paths are compared by their bytes (``PathSet``): a Unicode-equivalent twin of a verified file is
/// a different file.
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

    /// Listings of the shared directories, made once per run (nil: listed on each use).
    public let listings: ListingCache?

    /// The names in `directory`, from ``listings`` when there is one.
    func children(_ directory: String) -> [String] {
        listings?.children(directory) ?? FileSystem.children(directory)
    }

    /// Largest `entry_points.txt` read from a wheel (it only names scripts).
    public static let maxEntryPointsBytes: Int64 = 1 << 20

    public init(
        layout: InstallLayout, shebang: ScriptShebang, bytecode: BytecodeMode = .accept,
        hashPool: FileHashPool? = nil, keepingFileLines: Bool = true, listings: ListingCache? = nil
    ) {
        self.listings = listings
        self.layout = layout
        self.shebang = shebang
        self.bytecode = bytecode
        self.hashPool = hashPool
        self.keepsFileLines = keepingFileLines
    }

    /// A file in this distribution's directories that only other distributions' installed RECORDs
    /// claim. It stays `unexpected` unless one of `claimants` (their `.dist-info` paths) is shown
    /// to own it through its verified wheel's RECORD.
    public struct DeferredClaim: Sendable, Equatable {
        public var path: String
        public var claimants: [String]
    }

    /// What one distribution's files came to.
    public struct Outcome: Sendable {
        public var findings = FileFindings()
        public var checks: [CheckResult] = []
        /// Absolute paths this distribution accounts for (verified, generated or reported
        /// unexpected), except those below ``walkedDirectories``.
        public var owned = PathSet()
        /// The package's own directories (real directories, never links) that were walked whole
        /// with nothing left unseen: every file below them is accounted for by this outcome, so a
        /// scan of the environment need not look inside them again.
        public var walkedDirectories: [String] = []
        /// Every top-level directory of the package in purelib/platlib and its `.dist-info`,
        /// walked whole or not: no unverified distribution's installed RECORD vouches for
        /// anything below them.
        public var packageDirectories: [String] = []
        /// Per-file lines for `-v` (path and what was found), in path order; empty unless the
        /// verifier ``keepsFileLines``.
        public var lines: [FileLine] = []
        /// `.pyc` files (generated, of sources that verified OK) still to be checked by
        /// ``BytecodeChecker``; sorted by path. Empty in ``BytecodeMode/accept`` mode.
        public var bytecodeRequests: [BytecodeChecker.Request] = []
        /// Files held as `unexpected` because only other distributions claim them (sorted).
        public var deferredClaims: [DeferredClaim] = []
        /// How many package directories were walked (for the check's detail).
        var directoryCount = 0
        /// Why the walk could not finish somewhere (an `error`, not a finding).
        var walkErrors: [String] = []
        /// How many importable names the distribution provides (for the shadowing check's detail).
        var shadowingNames = 0
    }

    /// One file's verdict, rpm -V style.
    public struct FileLine: Sendable, Codable, Equatable {
        public enum State: String, Sendable, Codable { case ok, rewritten, modified, missing, unexpected, generated, unchecked }
        public var path: String
        public var state: State
        public var note: String?
    }

    public func verify(wheel: Wheel, installed: InstalledDistribution, claims: PathClaims = PathClaims()) async -> Outcome {
        var run = InstalledFilesRun(verifier: self, wheel: wheel, installed: installed, claims: claims)
        let pending = run.mapRecord()
        let hashed = await hash(pending)
        run.walkPackageDirectories()
        run.judgeHashes(pending, hashed)
        run.classifyExtras()
        run.checkShadowing()
        return run.finish()
    }

    /// Every file to hash at once: on the shared pool (spread over files, whatever package they
    /// belong to), or one after the other without one. Results come back in order.
    func hash(_ pending: [InstalledFilesRun.Pending]) async -> [FileHashPool.Outcome] {
        let requests = pending.map { FileHashPool.Request(path: $0.path, algorithm: $0.digest.algorithm, maxBytes: $0.maxBytes) }
        if let hashPool { return await hashPool.digests(requests) }
        return requests.map(FileHashPool.hashOnCallingThread)
    }

    /// The `installed-files` and `unexpected-files` checks of a distribution's findings.
    /// `problems` are failures that are not file findings (RECORD entries that cannot be checked);
    /// `walkErrors` are places the walk could not see (an `error` when nothing failed).
    static func checks(
        findings: FileFindings, problems: [String], rewritten: Int, directories: Int,
        walkErrors: [String] = [], deferred: [DeferredClaim] = []
    ) -> [CheckResult] {
        var failures = problems
        if !findings.modified.isEmpty { failures.append("\(findings.modified.count) modified: \(Self.preview(findings.modified))") }
        if !findings.missing.isEmpty { failures.append("\(findings.missing.count) missing: \(Self.preview(findings.missing))") }
        var checks: [CheckResult] = []
        if failures.isEmpty {
            var detail = "\(findings.verified) files match the verified RECORD"
            if rewritten > 0 { detail += " (\(rewritten) with the installer's #!python rewrite)" }
            if !findings.generated.isEmpty { detail += "; \(findings.generated.count) generated by the installer" }
            checks.append(CheckResult(.installedFiles, .pass, detail))
        } else {
            checks.append(CheckResult(.installedFiles, .fail, failures.joined(separator: "; ")))
        }
        checks.append(unexpectedFilesCheck(findings: findings, directories: directories, walkErrors: walkErrors, deferred: deferred))
        return checks
    }

    /// The `unexpected-files` check: a failure naming what is unexpected (and, for a file only
    /// another distribution claims, that claimant), else an `error` when the walk could not see
    /// everything, else a pass.
    static func unexpectedFilesCheck(
        findings: FileFindings, directories: Int, walkErrors: [String],
        deferred: [DeferredClaim]
    ) -> CheckResult {
        if !findings.unexpected.isEmpty {
            var detail = "\(findings.unexpected.count) unexpected: \(Self.preview(findings.unexpected))"
            let claimed = deferred.filter { item in findings.unexpected.contains { $0.utf8.elementsEqual(item.path.utf8) } }
            if !claimed.isEmpty {
                detail +=
                    "; claimed only by distributions whose verified wheel does not own them: "
                    + Self.preview(claimed.map { "\($0.path) (\($0.claimants.map(Self.distributionLabel).joined(separator: ", ")))" })
            }
            return CheckResult(.unexpectedFiles, .fail, detail)
        }
        if !walkErrors.isEmpty {
            return CheckResult(.unexpectedFiles, .error, "could not look at everything: " + Self.preview(walkErrors))
        }
        return CheckResult(.unexpectedFiles, .pass, "nothing unexpected in the package's \(directories) directories")
    }

    /// `zzfake-1.0` for `/…/site-packages/zzfake-1.0.dist-info`.
    static func distributionLabel(_ distInfo: String) -> String {
        let last = distInfo.split(separator: "/").last.map(String.init) ?? distInfo
        return last.hasSuffix(".dist-info") ? String(last.dropLast(".dist-info".count)) : last
    }

    static func preview(_ paths: [String], limit: Int = 3) -> String {
        let shown = paths.prefix(limit).joined(separator: ", ")
        return paths.count > limit ? shown + ", … and \(paths.count - limit) more" : shown
    }
}
