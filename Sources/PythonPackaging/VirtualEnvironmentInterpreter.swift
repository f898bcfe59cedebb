import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The base interpreter of a virtual environment, established without running anything of the
/// environment: its `pyvenv.cfg` is read as text and every claim in it is checked.
///
/// Guarantees, each a thrown `interpreterNotTrusted` naming the file when it does not hold:
/// - `home` is an absolute path to a directory that lies outside the environment both as written
///   and once resolved, and is not itself a virtual environment's (no `pyvenv.cfg` there or one up);
/// - the base interpreter is found in `home` under a Python's name; the way to it passes no
///   symbolic link inside the environment; it ends at an executable *binary* (ELF or Mach-O: a
///   script is refused before it is ever run) outside the environment;
/// - every interpreter file of the environment (`bin/python`, `bin/python3`, `bin/python3.N`…, and
///   the path the user named) is that same binary: a link that resolves to it (or to another name
///   of it), a hard link, or (`--copies`) a regular file byte-identical to it. Anything else is
///   refused, so what the user runs as the environment's Python is what answers here.
/// The version the file states is checked against the interpreter's own answer by the caller
/// (``PythonEnvironment/inspect(python:withPipDefaultIndex:)``), after the one run.
struct VirtualEnvironmentInterpreter {
    /// The environment's prefix (as Python computes it: the parent of the interpreter's directory).
    let prefix: String
    /// `realpath` of the prefix.
    let realPrefix: String
    let configPath: String
    let config: VirtualEnvironmentConfig
    /// The base interpreter as it is run: `home` joined with the name found there.
    let base: String
    /// The binary it resolves to.
    let baseBinary: String
    /// The environment's interpreter files checked against it, and how each matched.
    let checkedFiles: [(path: String, match: Match)]

    enum Match: Hashable { case link, hardLink, copy }

    /// File names a Python interpreter goes by (`python`, `python3`, `python3.12`, `python3.13t`,
    /// `pypy3.10`…): only such a file in `home` is taken for the base, only such files in `bin/`
    /// are checked as the environment's interpreters.
    static func isInterpreterName(_ name: String) -> Bool {
        var rest = Substring(name)
        if rest.hasPrefix("python") {
            rest = rest.dropFirst(6)
        } else if rest.hasPrefix("pypy") {
            rest = rest.dropFirst(4)
        } else {
            return false
        }
        if rest.hasSuffix("t") { rest = rest.dropLast() }
        if rest.isEmpty { return true }
        let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count <= 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }
    }

    /// Where Python itself looks for a `pyvenv.cfg` when run as `interpreter` (absolute,
    /// normalised): beside it, then one directory up; the prefix is the parent of its directory
    /// either way (as `site.py` sets it). Nil when neither exists.
    static func locate(interpreter: String) -> (prefix: String, configPath: String)? {
        let directory = PathResolution.parent(interpreter)
        let prefix = PathResolution.parent(directory)
        for candidate in [directory, prefix] {
            let path = candidate == "/" ? "/pyvenv.cfg" : candidate + "/pyvenv.cfg"
            if let info = PathResolution.status(path), PathResolution.isRegularFile(info) { return (prefix, path) }
            if PathResolution.linkStatus(path) != nil { return (prefix, path) }  // present but odd: read and refused there
        }
        return nil
    }

    static func establish(named: String, prefix: String, configPath: String) throws(PackagingError) -> VirtualEnvironmentInterpreter {
        let shownPrefix = PathResolution.shown(prefix)
        func refuse(_ message: String) -> PackagingError {
            PackagingError(.interpreterNotTrusted, "virtual environment \(shownPrefix): \(message)")
        }
        let bytes: [UInt8]
        do { bytes = try BoundedFile.read(configPath, cap: VirtualEnvironmentConfig.maxBytes) } catch {
            throw refuse("cannot read \(PathResolution.shown(configPath)): \(error.message)")
        }
        let config = try VirtualEnvironmentConfig(parsing: bytes, file: configPath)
        guard let realPrefix = PathResolution.real(prefix) else { throw refuse("its directory does not resolve") }
        func inside(_ path: String) -> Bool {
            PathResolution.isWithin(path, prefix) || PathResolution.isWithin(path, realPrefix)
        }

        // home: absolute, a directory, outside the environment as written and as resolved.
        let shownHome = PathResolution.shown(config.home)
        guard config.home.hasPrefix("/") else {
            throw refuse("pyvenv.cfg: home = \(shownHome) is not an absolute path")
        }
        let home = PathResolution.absolute(config.home)
        guard !inside(home) else { throw refuse("pyvenv.cfg: home = \(shownHome) lies inside the environment") }
        guard let homeResolution = PathResolution.resolve(home),
            let homeInfo = PathResolution.status(homeResolution.final), PathResolution.isDirectory(homeInfo)
        else {
            throw refuse("pyvenv.cfg: home = \(shownHome) is not a directory")
        }
        let realHome = homeResolution.final
        if let link = homeResolution.links.first(where: inside) {
            throw refuse("pyvenv.cfg: home = \(shownHome) passes through \(PathResolution.shown(link)) inside the environment")
        }
        guard !inside(realHome) else {
            throw refuse("pyvenv.cfg: home = \(shownHome) resolves into the environment (\(PathResolution.shown(realHome)))")
        }
        for directory in [home, PathResolution.parent(home), realHome, PathResolution.parent(realHome)] {
            if PathResolution.linkStatus(directory == "/" ? "/pyvenv.cfg" : directory + "/pyvenv.cfg") != nil {
                throw refuse(
                    "pyvenv.cfg: home = \(shownHome) is itself a virtual environment's (\(PathResolution.shown(directory))/pyvenv.cfg)")
            }
        }

        // The base: a Python's name in home, as the environment's own interpreter links to it if
        // it does, else as pyvenv.cfg's `executable` names it, else python3.N, python3, python.
        var names: [String] = []
        if let resolution = PathResolution.resolve(named) {
            for hop in resolution.links + [resolution.final] where PathResolution.parent(hop) == realHome {
                names.append(PathResolution.lastComponent(hop))
            }
        }
        if let executable = config.executable, executable.hasPrefix("/") {
            let absolute = PathResolution.absolute(executable)
            let directory = PathResolution.parent(absolute)
            if directory == home || PathResolution.real(directory) == realHome { names.append(PathResolution.lastComponent(absolute)) }
        }
        if let stated = config.statedVersion {
            names += ["python\(stated[0]).\(stated[1])", "python\(stated[0])"]
        }
        names.append("python")
        var chosen: (path: String, binary: String)?
        for name in names where isInterpreterName(name) {
            let path = home == "/" ? "/" + name : home + "/" + name
            guard PathResolution.linkStatus(path) != nil else { continue }
            guard let resolution = PathResolution.resolve(path) else {
                throw refuse("the base interpreter \(PathResolution.shown(path)) does not resolve")
            }
            if let link = resolution.links.first(where: inside) {
                throw refuse(
                    "the base interpreter \(PathResolution.shown(path)) is a link through \(PathResolution.shown(link)) inside the environment"
                )
            }
            guard !inside(resolution.final) else {
                throw refuse(
                    "the base interpreter \(PathResolution.shown(path)) resolves into the environment (\(PathResolution.shown(resolution.final)))"
                )
            }
            chosen = (path, resolution.final)
            break
        }
        guard let (base, baseBinary) = chosen else {
            let tried = names.filter(isInterpreterName).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            throw refuse("pyvenv.cfg: no Python interpreter (\(tried.joined(separator: ", "))) in home = \(shownHome)")
        }
        let shownBase = PathResolution.shown(base)
        guard let baseInfo = PathResolution.status(baseBinary), PathResolution.isRegularFile(baseInfo),
            access(baseBinary, X_OK) == 0
        else {
            throw refuse("the base interpreter \(shownBase) is not an executable file")
        }
        let head = (try? BoundedFile.head(baseBinary, count: 4)) ?? []
        guard isExecutableBinary(head) else {
            throw refuse(
                "the base interpreter \(shownBase) (\(PathResolution.shown(baseBinary))) is not an executable binary"
                    + (head.starts(with: Array("#!".utf8)) ? " but a script" : "") + "; it is not run")
        }

        // Every interpreter file of the environment must be that binary.
        var files: [String] = []
        let scripts = prefix + "/bin"
        if let names = try? FileManager.default.contentsOfDirectory(atPath: scripts) {
            files = names.filter(isInterpreterName).sorted().map { scripts + "/" + $0 }
        }
        if inside(named) || (PathResolution.real(PathResolution.parent(named)).map(inside) ?? false), !files.contains(named) {
            files.insert(named, at: 0)
        }
        var checked: [(String, Match)] = []
        for file in files {
            checked.append(
                (
                    file,
                    try match(
                        file, base: base, baseBinary: baseBinary, baseInfo: baseInfo, inside: inside,
                        refuse: refuse)
                ))
        }
        return VirtualEnvironmentInterpreter(
            prefix: prefix, realPrefix: realPrefix, configPath: configPath, config: config,
            base: base, baseBinary: baseBinary, checkedFiles: checked)
    }

    /// How `file` is the base binary, or the refusal naming it.
    private static func match(
        _ file: String, base: String, baseBinary: String, baseInfo: stat, inside: (String) -> Bool,
        refuse: (String) -> PackagingError
    ) throws(PackagingError) -> Match {
        let shownFile = PathResolution.shown(file)
        let shownBase = PathResolution.shown(base)
        guard let linkInfo = PathResolution.linkStatus(file), let resolution = PathResolution.resolve(file),
            let info = PathResolution.status(resolution.final)
        else {
            throw refuse("\(shownFile) does not resolve to a file")
        }
        if resolution.final == baseBinary || PathResolution.sameFile(info, baseInfo) {
            return PathResolution.isSymbolicLink(linkInfo) ? .link : .hardLink
        }
        guard PathResolution.isRegularFile(info), inside(resolution.final) else {
            throw refuse(
                "\(shownFile) leads to \(PathResolution.shown(resolution.final)), not to the base interpreter \(shownBase) "
                    + "that pyvenv.cfg names; it is not run")
        }
        let same: Bool
        do { same = try BoundedFile.sameContents(resolution.final, baseBinary) } catch {
            throw refuse("cannot compare \(shownFile) with the base interpreter \(shownBase): \(error.message)")
        }
        guard same else {
            let through = resolution.final == file ? "" : " (reached through \(shownFile))"
            throw refuse(
                "\(PathResolution.shown(resolution.final)) is not the base interpreter \(shownBase) that pyvenv.cfg names "
                    + "(a file whose bytes differ from it)\(through); it is not run")
        }
        return .copy
    }

    /// ELF (`\u{7F}ELF`) or Mach-O (thin 32/64-bit either byte order, or universal).
    static func isExecutableBinary(_ head: [UInt8]) -> Bool {
        guard head.count == 4 else { return false }
        let magics: [[UInt8]] = [
            [0x7F, 0x45, 0x4C, 0x46], [0xFE, 0xED, 0xFA, 0xCE], [0xFE, 0xED, 0xFA, 0xCF],
            [0xCE, 0xFA, 0xED, 0xFE], [0xCF, 0xFA, 0xED, 0xFE], [0xCA, 0xFE, 0xBA, 0xBE],
        ]
        return magics.contains(head)
    }
}
