/// The Python program `build -r` resolves a tree with: it reads (never runs) every sdist in the
/// folders given (`os.pathsep`-separated) — PKG-INFO's `Requires-Dist` and pyproject's
/// `[build-system] requires` — and picks one sdist per project for the requirements file,
/// recursively.
///
/// With an index listing (a fourth argument: a JSON object of project → `[{version}]`, the sdists
/// the index offers), a project the listing does not name yet is reported in `unlisted` and a
/// chosen version that is not yet in a folder in `wanted` (its requirements are unknown until it
/// is fetched); the caller lists and fetches those and runs the resolver again, until neither is
/// left (``TreeIndexSources``).
///
/// Guarantees: no code of any package runs during resolution (tar members are read as bytes,
/// nothing is extracted or imported from an sdist); requirement parsing, marker evaluation and
/// version matching use the `packaging` library pip carries (`pip._vendor.packaging`) in the
/// interpreter given, so markers are judged for the interpreter that builds; a requirement with
/// no sdist satisfying it, an option line, a URL requirement or an unreadable sdist is reported
/// in `problems` (resolution goes on for the rest). One version per project: the highest that
/// satisfies every specifier seen for it (no backtracking). Extras asked for (`name[extra]`, by
/// the file or by another package) add the requirements their `extra == …` markers select. Written from PEP 508 / PEP 517 /
/// core metadata (no resolver code taken from elsewhere).
enum TreeResolverScript {
    static let source = #"""
        import json, os, sys, tarfile, email.parser
        try:
            import tomllib
        except ImportError:
            tomllib = None
        from pip._vendor.packaging.requirements import Requirement, InvalidRequirement
        from pip._vendor.packaging.utils import canonicalize_name
        from pip._vendor.packaging.version import Version, InvalidVersion

        req_file, folders, out = sys.argv[1], sys.argv[2].split(os.pathsep), sys.argv[3]
        remote = json.load(open(sys.argv[4], encoding="utf-8")) if len(sys.argv) > 4 else None
        problems = []
        wanted = []
        unlisted = set()

        def read_sdist(path):
            with tarfile.open(path, "r:gz") as tar:
                members = {m.name: m for m in tar.getmembers() if m.isfile()}
                tops = {n.split("/", 1)[0] for n in members}
                if len(tops) != 1:
                    raise ValueError("not exactly one top folder")
                top = tops.pop()
                def read(name):
                    m = members.get(top + "/" + name)
                    if m is None or m.size > (1 << 20):
                        return None
                    return tar.extractfile(m).read().decode("utf-8")
                pkg_info = read("PKG-INFO")
                if pkg_info is None:
                    raise ValueError("no PKG-INFO")
                headers = email.parser.Parser().parsestr(pkg_info, headersonly=True)
                requires = headers.get_all("Requires-Dist") or []
                pyproject = read("pyproject.toml")
                build = ["setuptools>=40.8.0", "wheel"]
                if pyproject is not None:
                    if tomllib is None:
                        raise ValueError("pyproject.toml needs Python 3.11's tomllib to be read")
                    table = tomllib.loads(pyproject).get("build-system")
                    if table is not None and "requires" in table:
                        build = list(table["requires"])
                return headers.get("Name"), headers.get("Version"), requires, build

        candidates = {}
        for folder in folders:
            for entry in sorted(os.listdir(folder)):
                if not entry.endswith(".tar.gz"):
                    continue
                path = os.path.join(folder, entry)
                try:
                    name, version, requires, build = read_sdist(path)
                    parsed = Version(version)
                except Exception as e:
                    problems.append({"name": entry, "problem": "cannot read %s: %s" % (entry, e)})
                    continue
                candidates.setdefault(canonicalize_name(name), []).append(
                    {"name": name, "version": version, "parsed": parsed, "path": path, "requires": requires, "build": build})
        for key, offered in (remote or {}).items():
            for entry in offered:
                try:
                    parsed = Version(entry["version"])
                except InvalidVersion:
                    continue
                if any(c["parsed"] == parsed for c in candidates.get(key, [])):
                    continue
                candidates.setdefault(key, []).append(
                    {"name": key, "version": entry["version"], "parsed": parsed, "path": None, "requires": [], "build": []})

        def parse(text, who, extras=()):
            try:
                r = Requirement(text)
            except InvalidRequirement as e:
                problems.append({"name": who, "problem": "requirement %r: %s" % (text, e)})
                return None
            if r.url:
                problems.append({"name": who, "problem": "requirement %r is a URL; only sdists in the folder are built" % text})
                return None
            if r.marker is not None and not any(r.marker.evaluate({"extra": e}) for e in ("",) + tuple(extras)):
                return None
            return r

        roots = []
        with open(req_file, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                line = line.split(" #", 1)[0].strip()
                if not line or line.startswith("#"):
                    continue
                if line.startswith("-"):
                    problems.append({"name": "line %d" % number, "problem": "option %r is not supported by build -r" % line})
                    continue
                r = parse(line, "%s line %d" % (req_file, number))
                if r is not None:
                    roots.append(r)

        specifiers = {}
        chosen = {}
        extras = {}
        pending = list(roots)
        while pending:
            r = pending.pop(0)
            key = canonicalize_name(r.name)
            specifiers.setdefault(key, []).append(r.specifier)
            fits = [c for c in candidates.get(key, []) if all(s.contains(c["parsed"], prereleases=True) for s in specifiers[key])]
            if not fits and remote is not None and key not in remote:
                unlisted.add(key)
                continue
            if not fits:
                where = "in the folder or on the index" if remote is not None else "in the folder"
                problems.append({"name": r.name, "problem": "no sdist %s satisfies %s" % (where, str(r))})
                continue
            best = max(fits, key=lambda c: c["parsed"])
            asked = {canonicalize_name(e) for e in r.extras}
            if chosen.get(key) is best and asked <= extras.get(key, set()):
                continue
            if chosen.get(key) is not best:
                extras[key] = set()
            extras[key] |= asked
            chosen[key] = best
            if best["path"] is None:
                if {"name": key, "version": best["version"]} not in wanted:
                    wanted.append({"name": key, "version": best["version"]})
                continue
            for text in best["requires"]:
                dep = parse(text, best["name"], sorted(extras[key]))
                if dep is not None:
                    pending.append(dep)
            for text in best["build"]:
                dep = parse(text, best["name"])
                if dep is not None:
                    pending.append(dep)

        def names(texts, who, active=()):
            result = []
            for text in texts:
                r = parse(text, who, active)
                if r is not None and canonicalize_name(r.name) not in result:
                    result.append(canonicalize_name(r.name))
            return result

        packages = []
        for key in sorted(chosen):
            c = chosen[key]
            if c["path"] is None:
                continue
            packages.append({"name": key, "version": c["version"], "sdist": c["path"],
                             "requires": names(c["requires"], c["name"], sorted(extras.get(key, ()))),
                             "buildRequires": names(c["build"], c["name"]), "extras": sorted(extras.get(key, ()))})
        seen = set()
        unique = []
        for p in problems:
            k = (p["name"], p["problem"])
            if k not in seen:
                seen.add(k); unique.append(p)
        with open(out, "w", encoding="utf-8") as f:
            json.dump({"roots": sorted({canonicalize_name(r.name) for r in roots}), "packages": packages, "problems": unique,
                       "wanted": wanted, "unlisted": sorted(unlisted)}, f)
        """#
}
