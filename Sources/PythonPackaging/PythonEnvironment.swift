import Foundation

/// The install locations of one Python interpreter (a virtual environment or a system Python).
///
/// Guarantees: produced by running the interpreter exactly once (`python -I -c <script>`,
/// isolated mode: no `PYTHON*` variables, no user site, no current directory on `sys.path`),
/// with a time limit and a cap on its output; every path field is what that interpreter
/// reported. This file is the only place in the module that spawns a process.
public struct PythonEnvironment: Sendable, Hashable {
    /// `sysconfig.get_paths()` for the interpreter's default install scheme.
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

    /// The interpreter path that was run.
    public let interpreter: String
    /// `sys.executable`.
    public let executable: String
    /// `sys.prefix`.
    public let prefix: String
    /// `sys.base_prefix` (differs from `prefix` inside a virtual environment).
    public let basePrefix: String
    /// `platform.python_version()`, e.g. `3.12.3`.
    public let version: String
    /// `sys.implementation.cache_tag`, e.g. `cpython-312` (names `__pycache__` files), if any.
    public let cacheTag: String?
    public let schemePaths: SchemePaths
    /// `purelib` and `platlib`, deduplicated, in that order.
    public let sitePackages: [String]
    /// pip's built-in default index URL as the interpreter's pip reports it (nil without pip).
    public let pipDefaultIndexURL: String?

    /// Whether this is a virtual environment (`sys.prefix != sys.base_prefix`).
    public var isVirtualEnvironment: Bool { prefix != basePrefix }

    /// Longest time the interpreter may run.
    public static let timeoutSeconds = 60
    /// Largest output accepted from the interpreter.
    public static let maxOutputBytes = 1 << 20
    /// Most `.dist-info` directories listed per site-packages directory.
    public static let maxDistributionsPerDirectory = 100_000

    public init(interpreter: String, executable: String, prefix: String, basePrefix: String, version: String,
                cacheTag: String?, schemePaths: SchemePaths, sitePackages: [String], pipDefaultIndexURL: String? = nil) {
        self.interpreter = interpreter
        self.executable = executable
        self.prefix = prefix
        self.basePrefix = basePrefix
        self.version = version
        self.cacheTag = cacheTag
        self.schemePaths = schemePaths
        self.sitePackages = sitePackages
        self.pipDefaultIndexURL = pipDefaultIndexURL
    }

    /// The one script run in the interpreter: NUL-separated fields (the paths exactly as the
    /// file system has them, via `os.fsencode`), in this order: executable, prefix, base prefix,
    /// version, cache tag, pip's default index, then name/path pairs of `sysconfig.get_paths()`.
    /// pip's default index is read from pip itself (so that no index address is hard-coded
    /// here) only when asked: importing pip is most of the script's time.
    static func script(withPipDefaultIndex: Bool) -> String {
        let pip = withPipDefaultIndex ? """
            try:
                from pip._internal.models.index import PyPI
                pip_index = PyPI.simple_url or ""
            except Exception:
                pip_index = ""
            """ : "pip_index = \"\""
        return """
            import os, sys, sysconfig
            \(pip)
            out = [sys.executable, sys.prefix, sys.base_prefix, sys.version.split()[0],
                   getattr(sys.implementation, "cache_tag", None) or "", pip_index]
            for name, path in sysconfig.get_paths().items():
                out += [name, path]
            sys.stdout.buffer.write(b"\\0".join(os.fsencode(x) for x in out))
            """
    }

    /// The fields the script prints, or nil when the output is not that.
    struct Report {
        let executable: String
        let prefix: String
        let basePrefix: String
        let version: String
        let cacheTag: String?
        let pipIndex: String?
        let paths: [String: String]

        init?(_ output: [UInt8]) {
            let fields = output.split(separator: 0, omittingEmptySubsequences: false)
                .map { String(decoding: $0, as: UTF8.self) }
            guard fields.count >= 6, (fields.count - 6) % 2 == 0, !fields[0].isEmpty, !fields[1].isEmpty,
                  fields[3].first?.isNumber == true else { return nil }
            executable = fields[0]
            prefix = fields[1]
            basePrefix = fields[2]
            version = fields[3]
            cacheTag = fields[4].isEmpty ? nil : fields[4]
            pipIndex = fields[5].isEmpty ? nil : fields[5]
            var paths: [String: String] = [:]
            var index = 6
            while index + 1 < fields.count {
                paths[fields[index]] = fields[index + 1]
                index += 2
            }
            self.paths = paths
        }
    }

    /// Runs `python` once and reads its install locations.
    /// A bare name (no `/`) is looked up on this process's `PATH`.
    /// Throws `interpreter` (naming the path) when it cannot be run, fails, or prints nonsense.
    /// `withPipDefaultIndex` asks pip for its default index (``pipDefaultIndexURL``); without
    /// it the interpreter starts faster and that field is nil.
    public static func inspect(python: String, withPipDefaultIndex: Bool = true) throws(PackagingError) -> PythonEnvironment {
        let path: String
        if python.contains("/") {
            path = python
        } else if let found = resolveOnPath(python, path: ProcessInfo.processInfo.environment["PATH"]) {
            path = found
        } else {
            throw PackagingError(.interpreter, "Python interpreter '\(python)' not found on PATH")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              FileManager.default.isExecutableFile(atPath: path) else {
            throw PackagingError(.interpreter, "no executable Python interpreter at \(path)")
        }

        let result = try run(path, arguments: ["-I", "-c", script(withPipDefaultIndex: withPipDefaultIndex)])
        guard result.status == 0 else {
            let lastLine = String(decoding: result.stderr, as: UTF8.self)
                .split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
            throw PackagingError(.interpreter, "\(path) exited with status \(result.status): \(ProjectName.excerpt(lastLine))")
        }
        guard let report = Report(result.stdout) else {
            throw PackagingError(.interpreter, "\(path) did not print the expected report (is it a Python 3 interpreter?)")
        }
        guard let purelib = report.paths["purelib"], let platlib = report.paths["platlib"] else {
            throw PackagingError(.interpreter, "\(path): sysconfig.get_paths() lacks purelib/platlib")
        }
        let scheme = SchemePaths(purelib: purelib, platlib: platlib, scripts: report.paths["scripts"] ?? "",
                                 data: report.paths["data"] ?? "", include: report.paths["include"] ?? "")
        return PythonEnvironment(
            interpreter: path, executable: report.executable, prefix: report.prefix, basePrefix: report.basePrefix,
            version: report.version, cacheTag: report.cacheTag, schemePaths: scheme,
            sitePackages: purelib == platlib ? [purelib] : [purelib, platlib],
            pipDefaultIndexURL: report.pipIndex)
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
               FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        return nil
    }

    /// Runs `executable` with `arguments` through the one process runner, stdin from /dev/null.
    private static func run(_ executable: String, arguments: [String]) throws(PackagingError)
        -> (status: Int32, stdout: [UInt8], stderr: [UInt8]) {
        let output = try InterpreterProcess.run(executable, arguments: arguments,
                                                timeoutSeconds: timeoutSeconds, maxOutputBytes: maxOutputBytes)
        return (output.status, output.stdout, output.stderr)
    }
}
