import Foundation

/// What an interpreter's answer must satisfy before anything is built on it, and the checks on a
/// named interpreter that is not a virtual environment's.
///
/// Guarantees: every function here either returns what was checked or throws a one-line error
/// naming the interpreter and the fact that did not hold (`interpreterNotTrusted`, or
/// `interpreter` for a path the user has to change).
enum InterpreterChecks {
    /// A named interpreter that is no virtual environment's must not reach its binary through a
    /// link inside a virtual environment (such a link is a file the environment's owner controls,
    /// and Python run through it does not even use that environment: `interpreter`, a usage
    /// error). Nor may it be a file of what is evidently a Python environment rather than a Python
    /// installation (`interpreterNotTrusted`): beside a `bin/activate` with no standard library of
    /// its own (a virtual environment that lost its `pyvenv.cfg`), a binary with no standard library
    /// beside it (`lib*/pythonX.Y/os.py` or `lib*/pythonXY.zip` one directory up from where it
    /// resolves), or a script sitting in a directory whose parent holds site-packages (an
    /// environment's `bin/`). Scripts elsewhere (pyenv or asdf shims) are run as named.
    static func checkNamedInterpreter(_ named: String) throws(PackagingError) {
        let shown = PathResolution.shown(named)
        guard let resolution = PathResolution.resolve(named) else {
            throw PackagingError(.interpreter, "no executable Python interpreter at \(shown) (it does not resolve)")
        }
        for link in resolution.links {
            if let (prefix, _) = VirtualEnvironmentInterpreter.locate(interpreter: link) {
                throw PackagingError(
                    .interpreter,
                    "\(shown) is a link through \(PathResolution.shown(link)) in the virtual environment "
                        + "\(PathResolution.shown(prefix)), which Python run as \(shown) does not use: name "
                        + "\(PathResolution.shown(prefix))/bin/python to check that environment, or the base interpreter")
            }
        }
        let directory = PathResolution.parent(named)
        let prefix = PathResolution.parent(directory)
        if PathResolution.lastComponent(directory) == "bin", PathResolution.linkStatus(directory + "/activate") != nil,
            !hasStandardLibrary(prefix)
        {
            throw PackagingError(
                .interpreterNotTrusted,
                "\(PathResolution.shown(prefix)) looks like a virtual environment (bin/activate, no standard "
                    + "library of its own) but has no pyvenv.cfg; its interpreter \(shown) is not run")
        }
        let final = resolution.final
        let finalPrefix = PathResolution.parent(PathResolution.parent(final))
        let head = (try? BoundedFile.head(final, count: 4)) ?? []
        if VirtualEnvironmentInterpreter.isExecutableBinary(head) {
            guard hasStandardLibrary(finalPrefix) else {
                throw PackagingError(
                    .interpreterNotTrusted,
                    "\(shown) (\(PathResolution.shown(final))) has no standard library beside it and no pyvenv.cfg: "
                        + "not a Python installation's interpreter, so it is not run")
            }
        } else if let site = sitePackages(finalPrefix) {
            throw PackagingError(
                .interpreterNotTrusted,
                "\(shown) (\(PathResolution.shown(final))) is a script in a Python environment's bin/ "
                    + "(\(PathResolution.shown(site))) with no pyvenv.cfg; it is not run")
        }
    }

    /// `lib*/python*` directories of `prefix` (`lib`, `lib64`, …).
    private static func libraryDirectories(_ prefix: String) -> [String] {
        let fm = FileManager.default
        let libs = ((try? fm.contentsOfDirectory(atPath: prefix)) ?? []).filter { $0.hasPrefix("lib") }
        return libs.flatMap { lib in
            ((try? fm.contentsOfDirectory(atPath: prefix + "/" + lib)) ?? []).filter { $0.hasPrefix("python") }
                .map { prefix + "/" + lib + "/" + $0 }
        }
    }

    /// Whether `prefix` holds a standard library (`lib*/pythonX.Y/os.py` or `lib*/pythonXY.zip`).
    static func hasStandardLibrary(_ prefix: String) -> Bool {
        libraryDirectories(prefix).contains { path in
            path.hasSuffix(".zip") ? PathResolution.status(path) != nil : PathResolution.status(path + "/os.py") != nil
        }
    }

    /// The first `lib*/python*/site-packages` (or `dist-packages`) directory of `prefix`, if any.
    static func sitePackages(_ prefix: String) -> String? {
        for path in libraryDirectories(prefix) {
            for name in ["site-packages", "dist-packages"] {
                if let info = PathResolution.status(path + "/" + name), PathResolution.isDirectory(info) { return path + "/" + name }
            }
        }
        return nil
    }

    /// The answer of a virtual environment's base interpreter about the environment's prefix.
    static func virtualEnvironment(
        _ answer: InterpreterQuery.Answer,
        venv: VirtualEnvironmentInterpreter
    ) throws(PackagingError) -> PythonEnvironment.SchemePaths {
        let shownBase = PathResolution.shown(venv.base)
        func refuse(_ message: String) -> PackagingError {
            PackagingError(.interpreterNotTrusted, "virtual environment \(PathResolution.shown(venv.prefix)): \(message)")
        }
        try isolation(answer, interpreter: venv.base)
        // It is the binary that was run…
        guard answer.executable.hasPrefix("/"), PathResolution.real(answer.executable) == venv.baseBinary else {
            throw refuse("the base interpreter \(shownBase) reports itself as \(PathResolution.shown(answer.executable))")
        }
        // …of the version pyvenv.cfg states (major.minor decides the layout and the bytecode; a
        // micro release upgraded in place keeps the environment working and is only reported).
        if let stated = venv.config.statedVersion {
            let actual = answer.versionInfo.split(separator: ".").map(String.init)
            guard Array(stated.prefix(2)) == Array(actual.prefix(2)) else {
                throw refuse(
                    "pyvenv.cfg states Python \(ProjectName.excerpt(stated.joined(separator: "."))) but its base "
                        + "interpreter \(shownBase) is Python \(answer.version)")
            }
        }
        // …not itself inside the environment…
        for own in [answer.prefix, answer.basePrefix]
        where PathResolution.isWithin(PathResolution.absolute(own), venv.prefix)
            || PathResolution.isWithin(PathResolution.real(own) ?? own, venv.realPrefix)
        {
            throw refuse("the base interpreter \(shownBase) reports its prefix \(PathResolution.shown(own)) inside the environment")
        }
        let scheme = try schemePaths(answer, interpreter: venv.base)
        // …and the environment's paths lie inside the environment, none on the base's own path.
        for (name, path) in [("purelib", scheme.purelib), ("platlib", scheme.platlib), ("scripts", scheme.scripts), ("data", scheme.data)] {
            guard PathResolution.isWithin(PathResolution.absolute(path), venv.prefix) else {
                throw refuse("\(name) \(PathResolution.shown(path)) (from \(shownBase)'s sysconfig) is not under the environment")
            }
        }
        try searchPathExcludes([scheme.purelib, scheme.platlib, venv.prefix, venv.realPrefix], answer: answer, interpreter: venv.base)
        return scheme
    }

    /// The answer of a named interpreter that is not a virtual environment's.
    static func system(_ answer: InterpreterQuery.Answer, named: String) throws(PackagingError) -> PythonEnvironment.SchemePaths {
        let shown = PathResolution.shown(named)
        try isolation(answer, interpreter: named)
        guard answer.prefix == answer.basePrefix else {
            throw PackagingError(
                .interpreterNotTrusted,
                "\(shown) reports sys.prefix \(PathResolution.shown(answer.prefix)) and sys.base_prefix "
                    + "\(PathResolution.shown(answer.basePrefix)): a virtual environment without a pyvenv.cfg beside it")
        }
        let scheme = try schemePaths(answer, interpreter: named)
        for (name, path) in [("purelib", scheme.purelib), ("platlib", scheme.platlib)] {
            let absolute = PathResolution.absolute(path)
            guard
                PathResolution.isWithin(absolute, PathResolution.absolute(answer.prefix))
                    || PathResolution.isWithin(absolute, PathResolution.absolute(answer.execPrefix))
            else {
                throw PackagingError(
                    .interpreterNotTrusted,
                    "\(shown) reports \(name) \(PathResolution.shown(path)) outside its sys.prefix \(PathResolution.shown(answer.prefix))")
            }
        }
        try searchPathExcludes([scheme.purelib, scheme.platlib], answer: answer, interpreter: named)
        return scheme
    }

    /// The interpreter obeyed `-I -S`: isolated, no site, no environment, no user site, and
    /// `site` was not imported at start-up.
    static func isolation(_ answer: InterpreterQuery.Answer, interpreter: String) throws(PackagingError) {
        guard answer.flags == "1111", !answer.siteImported else {
            throw PackagingError(
                .interpreterNotTrusted,
                "\(PathResolution.shown(interpreter)) did not run isolated (sys.flags isolated/no_site/"
                    + "ignore_environment/no_user_site = \(answer.flags), site imported: \(answer.siteImported))")
        }
    }

    /// purelib and platlib present and absolute; scripts, data and include taken as reported.
    private static func schemePaths(
        _ answer: InterpreterQuery.Answer,
        interpreter: String
    ) throws(PackagingError) -> PythonEnvironment.SchemePaths {
        guard let purelib = answer.paths["purelib"], let platlib = answer.paths["platlib"],
            purelib.hasPrefix("/"), platlib.hasPrefix("/")
        else {
            throw PackagingError(.interpreter, "\(PathResolution.shown(interpreter)): sysconfig.get_paths() lacks absolute purelib/platlib")
        }
        return PythonEnvironment.SchemePaths(
            purelib: purelib, platlib: platlib, scripts: answer.paths["scripts"] ?? "",
            data: answer.paths["data"] ?? "", include: answer.paths["include"] ?? "")
    }

    /// No entry of the interpreter's own `sys.path` lies in the environment's site-packages (or,
    /// for a venv, anywhere in it): with `-S` none may, so one that does means something added it.
    private static func searchPathExcludes(
        _ directories: [String], answer: InterpreterQuery.Answer,
        interpreter: String
    ) throws(PackagingError) {
        for entry in answer.searchPath where !entry.isEmpty {
            let absolute = PathResolution.absolute(entry)
            if let directory = directories.first(where: { PathResolution.isWithin(absolute, PathResolution.absolute($0)) }) {
                throw PackagingError(
                    .interpreterNotTrusted,
                    "\(PathResolution.shown(interpreter)) has \(PathResolution.shown(entry)) on sys.path, inside "
                        + "\(PathResolution.shown(directory)), although it runs without site")
            }
        }
        if answer.searchPath.contains("") {
            throw PackagingError(.interpreterNotTrusted, "\(PathResolution.shown(interpreter)) has the current directory on sys.path")
        }
    }

    /// Why a virtual environment's base interpreter is trusted, in one line.
    static func reason(_ venv: VirtualEnvironmentInterpreter, answer: InterpreterQuery.Answer, system: [String]) -> String {
        let stated = venv.config.statedVersion?.joined(separator: ".") ?? "?"
        var text =
            "base interpreter of the virtual environment per its pyvenv.cfg (home = \(PathResolution.shown(venv.config.home))): "
            + "outside the environment, an executable binary, Python \(answer.version)"
            + (stated == answer.version || stated == answer.versionInfo
                ? " as pyvenv.cfg states" : " (pyvenv.cfg states \(ProjectName.excerpt(stated)))")
        let groups = Dictionary(grouping: venv.checkedFiles, by: \.match)
        for match in [VirtualEnvironmentInterpreter.Match.link, .hardLink, .copy] {
            guard let files = groups[match], !files.isEmpty else { continue }
            let names = files.map {
                PathResolution.shown(
                    PathResolution.isWithin($0.path, venv.prefix)
                        ? String($0.path.dropFirst(venv.prefix.count + 1)) : $0.path)
            }
            let phrase: String
            switch match {
            case .link: phrase = files.count == 1 ? "is a link to it" : "are links to it"
            case .hardLink: phrase = files.count == 1 ? "is a hard link to it" : "are hard links to it"
            case .copy: phrase = files.count == 1 ? "is a byte-identical copy of it" : "are byte-identical copies of it"
            }
            text += "; \(names.joined(separator: ", ")) \(phrase)"
        }
        if !system.isEmpty {
            text +=
                "; include-system-site-packages = true: the environment also imports "
                + system.map(PathResolution.shown).joined(separator: ", ") + " (not verified here)"
        }
        return text
    }
}
