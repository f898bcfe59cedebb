/// The one script wheeltrust runs to learn an environment's layout, and its answer.
///
/// The script runs in a ``TrustedInterpreter`` (`-I -S -B`, empty environment): it imports only
/// the interpreter's own standard library (`os`, `sys`, `sysconfig`, and `site` without running
/// it). With a virtual environment's prefix as its argument it computes that environment's
/// install paths from the base interpreter's `sysconfig` (the `venv` scheme, `posix_prefix` before
/// Python 3.11, with the prefix as `base` and `platbase`), which is what the environment's own
/// interpreter would report: with `-S` an interpreter does not read a `pyvenv.cfg` at all (and on
/// some versions reports the base's prefix as its own), so the venv's paths never come from
/// asking the venv. It prints NUL-separated fields, paths exactly as the file system has them
/// (`os.fsencode`), so nothing needs quoting.
enum InterpreterQuery {
    static let script = """
        import sys
        loaded = "1" if "site" in sys.modules else "0"
        import os, sysconfig
        venv = sys.argv[1] if len(sys.argv) > 1 else ""
        if venv:
            scheme = "venv" if "venv" in sysconfig.get_scheme_names() else "posix_prefix"
            paths = sysconfig.get_paths(scheme, vars={"base": venv, "platbase": venv})
            import site
            system = site.getsitepackages([sys.base_prefix])
        else:
            scheme = (getattr(sysconfig, "get_default_scheme", None) or sysconfig._get_default_scheme)()
            paths = sysconfig.get_paths(scheme)
            system = []
        try:
            libc = os.confstr("CS_GNU_LIBC_VERSION") or ""
        except (AttributeError, OSError, ValueError):
            libc = ""
        cv = sysconfig.get_config_var
        u = os.uname() if hasattr(os, "uname") else ("", "", "", "", "")
        iv = sys.implementation.version
        ivs = "%d.%d.%d" % tuple(iv[:3]) + ("" if iv.releaselevel == "final" else iv.releaselevel[0] + str(iv.serial))
        tags = [sysconfig.get_platform(), cv("SOABI") or "", libc, "64" if sys.maxsize > 2**32 else "32",
                str(cv("Py_GIL_DISABLED") or 0), cv("EXT_SUFFIX") or "",
                os.name, sys.platform, u[0], u[2], u[3], u[4], sys.version.split()[0], ivs]
        f = sys.flags
        out = [sys.executable, sys.prefix, sys.base_prefix, sys.exec_prefix,
               "%d.%d.%d" % tuple(sys.version_info[:3]), "%d.%d.%d.%s.%d" % tuple(sys.version_info),
               getattr(sys.implementation, "cache_tag", None) or "", sys.implementation.name, scheme,
               "%d%d%d%d" % (f.isolated, f.no_site, f.ignore_environment, f.no_user_site),
               loaded,
               str(len(sys.path))] + sys.path + [str(len(system))] + system + [str(len(tags))] + tags
        for name, path in paths.items():
            out += [name, path]
        sys.stdout.buffer.write(b"\\0".join(os.fsencode(x) for x in out))
        """

    /// What the script printed, parsed strictly; nil when the output is not that.
    struct Answer: Equatable {
        let executable: String
        let prefix: String
        let basePrefix: String
        let execPrefix: String
        /// `major.minor.micro`.
        let version: String
        /// `major.minor.micro.releaselevel.serial`.
        let versionInfo: String
        let cacheTag: String?
        let implementation: String
        let scheme: String
        /// `sys.flags`: isolated, no_site, ignore_environment, no_user_site, as four digits.
        let flags: String
        /// Whether the `site` module was imported at start-up (it must not be).
        let siteImported: Bool
        let searchPath: [String]
        /// The base's site-packages (with a venv's prefix only).
        let systemSitePackages: [String]
        /// What wheel tags the interpreter supports follows from (``InterpreterTagFacts``).
        let tagFacts: InterpreterTagFacts
        let paths: [String: String]

        init?(_ output: [UInt8]) {
            var fields = output.split(separator: 0, omittingEmptySubsequences: false)
                .map { String(decoding: $0, as: UTF8.self) }[...]
            func next() -> String? { fields.popFirst() }
            func list() -> [String]? {
                guard let text = next(), let count = Int(text), count >= 0, count <= fields.count else { return nil }
                defer { fields = fields.dropFirst(count) }
                return Array(fields.prefix(count))
            }
            guard let executable = next(), let prefix = next(), let basePrefix = next(), let execPrefix = next(),
                let version = next(), let versionInfo = next(), let cacheTag = next(), let implementation = next(),
                let scheme = next(), let flags = next(), let site = next(), let searchPath = list(),
                let system = list(), let facts = list(), facts.count == 14
            else { return nil }
            guard !executable.isEmpty, prefix.hasPrefix("/"), basePrefix.hasPrefix("/"),
                version.split(separator: ".").count == 3, version.split(separator: ".").allSatisfy({ Int($0) != nil }),
                versionInfo.hasPrefix(version + "."), flags.count == 4, flags.allSatisfy({ $0 == "0" || $0 == "1" }),
                site == "0" || site == "1", fields.count % 2 == 0
            else { return nil }
            var paths: [String: String] = [:]
            while let name = next(), let path = next() {
                guard paths[name] == nil else { return nil }
                paths[name] = path
            }
            self.executable = executable
            self.prefix = prefix
            self.basePrefix = basePrefix
            self.execPrefix = execPrefix
            self.version = version
            self.versionInfo = versionInfo
            self.cacheTag = cacheTag.isEmpty ? nil : cacheTag
            self.implementation = implementation
            self.scheme = scheme
            self.flags = flags
            self.siteImported = site == "1"
            self.searchPath = searchPath
            self.systemSitePackages = system
            self.tagFacts = InterpreterTagFacts(
                implementation: implementation, version: version, platform: facts[0], soabi: facts[1],
                libc: facts[2], pointerBits: facts[3] == "32" ? 32 : 64, freeThreaded: facts[4] == "1",
                extensionSuffix: facts[5],
                markers: InterpreterMarkerFacts(
                    osName: facts[6], sysPlatform: facts[7], system: facts[8], release: facts[9], systemVersion: facts[10],
                    machine: facts[11], fullVersion: facts[12], implementationVersion: facts[13]))
            self.paths = paths
        }
    }
}
