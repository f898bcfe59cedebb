import Foundation

/// The install locations of one Python environment (a virtual environment or a system Python).
///
/// Guarantees: produced by running ONE interpreter exactly once, the ``trustedInterpreter``: for a
/// virtual environment its base interpreter, established from the checked `pyvenv.cfg` without
/// running anything of the environment (see ``VirtualEnvironmentInterpreter``), asked about the
/// environment's prefix; otherwise the interpreter named. It runs with `-I -S -B`, an empty
/// environment and `/` as working directory (no `site`, no `.pth`, no `sitecustomize`, no
/// `PYTHON*` variable, no current directory on `sys.path`), under a time limit and an output cap
/// (see ``InterpreterQuery``). Its answer is checked, not believed: the isolation flags must be
/// set and `site` not loaded, the version must be the one `pyvenv.cfg` states, the interpreter
/// must report itself as the binary that was run, site-packages must lie under the environment's
/// prefix and nowhere on the interpreter's own `sys.path`. pip's default index is read as text from
/// pip's source (``PipDefaultIndex``), never by importing pip. This file and
/// ``TrustedInterpreter`` are the only places in the module that start an interpreter.
public struct PythonEnvironment: Sendable, Hashable {
    /// `sysconfig.get_paths()` for the environment's install scheme.
    public struct SchemePaths: Sendable, Hashable {
        public let purelib: String
        public let platlib: String
        public let scripts: String
        public let data: String
        public let include: String

        public init(purelib: String, platlib: String, scripts: String, data: String, include: String) {
            self.purelib = purelib
            self.platlib = platlib
            self.scripts = scripts
            self.data = data
            self.include = include
        }
    }

    /// The interpreter path named (absolute; a bare name as found on `PATH`). For a virtual
    /// environment it is never run.
    public let interpreter: String
    /// The environment's `sys.executable` as its users see it: the named path for a virtual
    /// environment, the interpreter's own answer otherwise.
    public let executable: String
    /// `sys.prefix` (a virtual environment's own directory for one).
    public let prefix: String
    /// `sys.base_prefix` (differs from `prefix` inside a virtual environment).
    public let basePrefix: String
    /// The interpreter's version, `major.minor.micro`, e.g. `3.12.3`.
    public let version: String
    /// `sys.implementation.cache_tag`, e.g. `cpython-312` (names `__pycache__` files), if any.
    public let cacheTag: String?
    public let schemePaths: SchemePaths
    /// `purelib` and `platlib`, deduplicated, in that order.
    public let sitePackages: [String]
    /// pip's built-in default index URL, read from pip's source in this environment (nil without pip).
    public let pipDefaultIndexURL: String?
    /// The interpreter that was run to learn all this, and why it is trusted.
    public let trustedInterpreter: TrustedInterpreter
    /// The base's site-packages that a virtual environment with `include-system-site-packages =
    /// true` also imports (empty otherwise); they are not part of ``sitePackages``.
    public let systemSitePackages: [String]
    /// What the interpreter's supported wheel tags follow from (nil when the environment was not
    /// inspected through its interpreter); see ``CompatibleTags``.
    public let tagFacts: InterpreterTagFacts?

    /// Whether this is a virtual environment (`sys.prefix != sys.base_prefix`).
    public var isVirtualEnvironment: Bool { prefix != basePrefix }

    /// Longest time the interpreter may run.
    public static let timeoutSeconds = 60
    /// Largest output accepted from the interpreter.
    public static let maxOutputBytes = 1 << 20
    /// Most `.dist-info` directories listed per site-packages directory.
    public static let maxDistributionsPerDirectory = 100_000

    public init(
        interpreter: String, executable: String, prefix: String, basePrefix: String, version: String,
        cacheTag: String?, schemePaths: SchemePaths, sitePackages: [String], pipDefaultIndexURL: String? = nil,
        trustedInterpreter: TrustedInterpreter? = nil, systemSitePackages: [String] = [],
        tagFacts: InterpreterTagFacts? = nil
    ) {
        self.tagFacts = tagFacts
        self.interpreter = interpreter
        self.executable = executable
        self.prefix = prefix
        self.basePrefix = basePrefix
        self.version = version
        self.cacheTag = cacheTag
        self.schemePaths = schemePaths
        self.sitePackages = sitePackages
        self.pipDefaultIndexURL = pipDefaultIndexURL
        self.trustedInterpreter =
            trustedInterpreter
            ?? TrustedInterpreter(path: interpreter, basis: .named, reason: "given by the caller")
        self.systemSitePackages = systemSitePackages
    }

    /// Reads the install locations of the environment of `python`. A bare name (no `/`) is looked
    /// up on this process's `PATH`; a relative path is taken from the current directory.
    ///
    /// A virtual environment (a `pyvenv.cfg` beside the interpreter or one directory up, as Python
    /// itself looks) is asked about through its checked base interpreter; anything else is run
    /// itself. Throws `interpreter` (naming the path) when the named interpreter does not exist,
    /// cannot be run, fails or prints nonsense; `interpreterNotTrusted` when the environment's
    /// interpreter, its `pyvenv.cfg` or the answer does not check out (the message names the file).
    /// `withPipDefaultIndex` reads pip's default index (``pipDefaultIndexURL``); without it that
    /// field is nil.
    public static func inspect(python: String, withPipDefaultIndex: Bool = true) async throws(PackagingError) -> PythonEnvironment {
        let named: String
        if python.contains("/") {
            named = PathResolution.absolute(python)
        } else if let found = resolveOnPath(python, path: ProcessInfo.processInfo.environment["PATH"]) {
            named = PathResolution.absolute(found)
        } else {
            throw PackagingError(.interpreter, "Python interpreter '\(PathResolution.shown(python))' not found on PATH")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: named, isDirectory: &isDirectory), !isDirectory.boolValue,
            FileManager.default.isExecutableFile(atPath: named)
        else {
            throw PackagingError(.interpreter, "no executable Python interpreter at \(PathResolution.shown(named))")
        }
        if let (prefix, configPath) = VirtualEnvironmentInterpreter.locate(interpreter: named) {
            let venv = try VirtualEnvironmentInterpreter.establish(named: named, prefix: prefix, configPath: configPath)
            try PathConfigurationFiles.refuse(
                interpreters: [named, venv.base], scriptsDirectories: [prefix + "/bin", PathResolution.parent(named)])
            return try await inspect(virtualEnvironment: venv, named: named, withPipDefaultIndex: withPipDefaultIndex)
        }
        try InterpreterChecks.checkNamedInterpreter(named)
        try PathConfigurationFiles.refuse(
            interpreters: [named], scriptsDirectories: [PathResolution.parent(named)], buildTreeInterpreter: named)
        return try await inspect(named: named, withPipDefaultIndex: withPipDefaultIndex)
    }

    /// A virtual environment: its base interpreter asked about its prefix, the answer checked.
    private static func inspect(
        virtualEnvironment venv: VirtualEnvironmentInterpreter, named: String,
        withPipDefaultIndex: Bool
    ) async throws(PackagingError) -> PythonEnvironment {
        let answer = try await query(venv.base, arguments: [venv.prefix])
        let scheme = try InterpreterChecks.virtualEnvironment(answer, venv: venv)
        let sitePackages = scheme.purelib == scheme.platlib ? [scheme.purelib] : [scheme.purelib, scheme.platlib]
        let system = venv.config.includesSystemSitePackages ? answer.systemSitePackages : []
        let trusted = TrustedInterpreter(
            path: venv.base, basis: .virtualEnvironmentBase,
            reason: InterpreterChecks.reason(venv, answer: answer, system: system))
        return PythonEnvironment(
            interpreter: named, executable: named, prefix: venv.prefix, basePrefix: answer.basePrefix,
            version: answer.version, cacheTag: answer.cacheTag, schemePaths: scheme, sitePackages: sitePackages,
            pipDefaultIndexURL: withPipDefaultIndex ? PipDefaultIndex.find(in: sitePackages + system) : nil,
            trustedInterpreter: trusted, systemSitePackages: system, tagFacts: answer.tagFacts)
    }

    /// Not a virtual environment: the interpreter named is run (isolated), its answer checked.
    private static func inspect(named: String, withPipDefaultIndex: Bool) async throws(PackagingError) -> PythonEnvironment {
        let answer = try await query(named, arguments: [])
        let scheme = try InterpreterChecks.system(answer, named: named)
        let sitePackages = scheme.purelib == scheme.platlib ? [scheme.purelib] : [scheme.purelib, scheme.platlib]
        let trusted = TrustedInterpreter(
            path: named, basis: .named,
            reason: "the interpreter named (not a virtual environment: no pyvenv.cfg beside it or one directory up), "
                + "run isolated (-I -S -B, empty environment)")
        return PythonEnvironment(
            interpreter: named, executable: answer.executable, prefix: answer.prefix, basePrefix: answer.basePrefix,
            version: answer.version, cacheTag: answer.cacheTag, schemePaths: scheme, sitePackages: sitePackages,
            pipDefaultIndexURL: withPipDefaultIndex ? PipDefaultIndex.find(in: sitePackages) : nil,
            trustedInterpreter: trusted, tagFacts: answer.tagFacts)
    }

    /// Runs ``InterpreterQuery`` once in `interpreter`, isolated; the parsed answer.
    static func query(_ interpreter: String, arguments: [String]) async throws(PackagingError) -> InterpreterQuery.Answer {
        let shown = PathResolution.shown(interpreter)
        let result = try await TrustedInterpreter.run(
            interpreter, script: InterpreterQuery.script, arguments: arguments,
            timeoutSeconds: timeoutSeconds, maxOutputBytes: maxOutputBytes)
        guard result.status == 0 else {
            let lastLine =
                String(decoding: result.stderr, as: UTF8.self)
                .split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
            throw PackagingError(.interpreter, "\(shown) exited with status \(result.status): \(ProjectName.excerpt(lastLine))")
        }
        guard let answer = InterpreterQuery.Answer(result.stdout) else {
            throw PackagingError(.interpreter, "\(shown) did not print the expected report (is it a Python 3 interpreter?)")
        }
        return answer
    }

    /// `$VIRTUAL_ENV/bin/python` when `VIRTUAL_ENV` is set and non-empty, else `python3` resolved
    /// on `environment["PATH"]` (or the bare name `python3` when it is not found there).
    public static func defaultInterpreter(environment: [String: String]) -> String {
        if let venv = environment["VIRTUAL_ENV"], !venv.isEmpty {
            return (venv as NSString).appendingPathComponent("bin/python")
        }
        return resolveOnPath("python3", path: environment["PATH"]) ?? "python3"
    }

    /// Lists every `*.dist-info` directory directly inside the site-packages directories
    /// (not `.egg-info`), sorted by normalized name, then version, then path. A directory that
    /// is reachable twice (e.g. `lib64` → `lib` symlink) is listed once. A dist-info that cannot
    /// be read is still listed, with nil fields and `problems` filled in (see
    /// `InstalledDistribution`); only an unreadable site-packages directory throws `io`.
    ///
    /// With `keepingInstalledRecords` false each distribution's parsed installed RECORD is let go
    /// as soon as it is loaded (``InstalledDistribution/releasingInstalledRecord()``), so memory
    /// holds at most one parsed RECORD per core, whatever the number and size of the RECORDs.
    public func distributions(keepingInstalledRecords: Bool = true) throws(PackagingError) -> [InstalledDistribution] {
        let fm = FileManager.default
        var seenRoots = Set<String>()
        var found: [(distInfoPath: String, root: String)] = []
        for root in sitePackages {
            let real = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
            guard seenRoots.insert(real).inserted else { continue }
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            let names: [String]
            do { names = try fm.contentsOfDirectory(atPath: root) } catch {
                throw PackagingError(.io, "cannot list \(root): \(error.localizedDescription)")
            }
            var count = 0
            for name in names.sorted() where name.hasSuffix(".dist-info") {
                let path = (root as NSString).appendingPathComponent(name)
                var isDir: ObjCBool = false
                guard fm.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else { continue }
                count += 1
                guard count <= Self.maxDistributionsPerDirectory else {
                    throw PackagingError(.limitExceeded, "\(root): more than \(Self.maxDistributionsPerDirectory) .dist-info directories")
                }
                found.append((path, root))
            }
        }
        // Reading and parsing METADATA and RECORD is independent per distribution: on all cores.
        let result = found.parallelMap { entry -> InstalledDistribution in
            let loaded = InstalledDistribution.load(distInfoPath: entry.distInfoPath, root: entry.root)
            return keepingInstalledRecords ? loaded : loaded.releasingInstalledRecord()
        }
        return result.sorted { a, b in
            if a.name != b.name { return a.name < b.name }
            if a.version != b.version { return a.version < b.version }
            return a.distInfoPath < b.distInfoPath
        }
    }

    /// The first executable file named `name` in the `:`-separated `path` list.
    static func resolveOnPath(_ name: String, path: String?) -> String? {
        guard let path else { return nil }
        for dir in path.split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = (String(dir) as NSString).appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                FileManager.default.isExecutableFile(atPath: candidate)
            {
                return candidate
            }
        }
        return nil
    }
}
