import Foundation

/// `._pth` files: the path configuration files CPython's start-up (`getpath`) reads on every
/// platform, before any `-I`, `-S` or `pyvenv.cfg` has a say.
///
/// Python looks for `<library>._pth` (its shared library), `<executable>._pth` (the interpreter as
/// it was run) and `<real executable>._pth` (the binary that resolves to). When one exists its
/// lines *replace* `sys.path` (any directory, the environment's included, ahead of site-packages),
/// it makes the run isolated, and an `import site` line turns `site` back on even under `-S`, so
/// that `.pth` files and `sitecustomize` run. One beside a venv's `bin/python` makes `import pkg`
/// load another file than the verified one; one beside an interpreter wheeltrust runs would run
/// the environment's code inside wheeltrust. No installer or `venv` writes one on Linux or macOS.
///
/// The same start-up takes an interpreter whose binary has a `pybuilddir.txt` beside it (when no
/// `pyvenv.cfg` names a home) for one run from a CPython build tree: its standard library is then
/// the `Lib/` directory there, imported under `-I -S` as well. A stand-alone installation's `bin/`
/// is the environment's; a build tree is no installation to verify.
///
/// Guarantees: ``refuse(interpreters:scriptsDirectories:buildTreeInterpreter:)`` throws
/// `interpreterNotTrusted` naming
/// the first such file (any kind of entry, a link included: looked at with `lstat`) found where
/// Python would read it for any of the interpreters given (as named, every link on the way, and the
/// binary), beside the shared library of that binary's installation (`lib*/libpython*._pth`), and
/// anywhere in the scripts directories given (every name there may be run as the environment's
/// Python), or a `pybuilddir.txt` beside `buildTreeInterpreter` or the binary it resolves to.
/// Nothing is run.
enum PathConfigurationFiles {
    /// The `._pth` files Python would read when started as `interpreter` (absolute), apart from the
    /// scripts directories: the interpreter, each link it passes and its binary, each with `._pth`
    /// appended, and `libpython*._pth` in its installation's `lib` and `lib64`.
    static func candidates(forInterpreter interpreter: String) -> [String] {
        var paths = [interpreter]
        var binary = interpreter
        if let resolution = PathResolution.resolve(interpreter) {
            paths += resolution.links + [resolution.final]
            binary = resolution.final
        } else if let real = PathResolution.real(interpreter) {
            paths.append(real)
            binary = real
        }
        var candidates = paths.map { $0 + "._pth" }
        let installation = PathResolution.parent(PathResolution.parent(binary))
        for lib in ["lib", "lib64"] {
            let directory = installation == "/" ? "/" + lib : installation + "/" + lib
            for name in pthNames(in: directory) where name.hasPrefix("libpython") {
                candidates.append(directory + "/" + name)
            }
        }
        var seen = Set<String>()
        return candidates.filter { seen.insert($0).inserted }
    }

    /// Throws when a `._pth` file exists where Python would read it for one of `interpreters`, or
    /// anywhere in one of `scriptsDirectories`.
    static func refuse(interpreters: [String], scriptsDirectories: [String], buildTreeInterpreter: String? = nil) throws(PackagingError) {
        if let named = buildTreeInterpreter {
            var directories = [PathResolution.parent(named)]
            if let resolution = PathResolution.resolve(named) { directories += (resolution.links + [resolution.final]).map(PathResolution.parent) }
            for directory in directories {
                let marker = directory == "/" ? "/pybuilddir.txt" : directory + "/pybuilddir.txt"
                guard PathResolution.linkStatus(marker) != nil else { continue }
                throw PackagingError(
                    .interpreterNotTrusted,
                    "\(PathResolution.shown(marker)): a build tree's marker beside the interpreter: Python would take "
                        + "\(PathResolution.shown(PathResolution.parent(marker)))/Lib for its standard library (under -I -S too); it is not run")
            }
        }
        var found: String?
        for interpreter in interpreters where found == nil {
            found = candidates(forInterpreter: interpreter).first { PathResolution.linkStatus($0) != nil }
        }
        for directory in scriptsDirectories where found == nil {
            found = pthNames(in: directory).sorted().first.map { directory + "/" + $0 }
        }
        guard let found else { return }
        throw PackagingError(
            .interpreterNotTrusted,
            "\(PathResolution.shown(found)): a ._pth file replaces the interpreter's sys.path at start-up "
                + "(and can turn site back on under -S); no interpreter is run and nothing is verified while it is there")
    }

    /// Names in `directory` (not followed into) that end in `._pth`; empty when it cannot be listed.
    static func pthNames(in directory: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return names.filter { $0.hasSuffix("._pth") }
    }
}
