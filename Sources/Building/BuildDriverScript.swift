/// The small Python program wheeltrust writes into each build's work folder and runs with the
/// build environment's interpreter: it calls the PEP 517 hooks of the source tree's own backend,
/// unpacks the sdist and gives a wheel its build tag. Written from PEP 517 / PEP 427 / PEP 376
/// (no code taken from pyproject-hooks or `build`).
///
/// Guarantees: every mode writes its one result as JSON to the file named last on its command
/// line and nothing else there (the backend's own prints go to the build log); a hook that raises
/// exits with status 1 and its traceback in the log; `extract` refuses members that would leave
/// the destination or are links/devices (tarfile's `data` filter), and a tree with not exactly
/// one top folder.
enum BuildDriverScript {
    static let filename = "wheeltrust_build_driver.py"

    static let source = #"""
        # Written by wheeltrust for one build; calls PEP 517 hooks. Not a library.
        import hashlib, importlib, json, os, sys, tarfile, traceback, zipfile, base64, csv, io

        def write_result(path, value):
            with open(path, "w", encoding="utf-8") as f:
                json.dump(value, f)

        def load_backend(backend, backend_path):
            # PEP 517: "module.path:object"; backend-path entries (relative to the source tree)
            # go first on sys.path, and an in-tree backend must be loaded from them.
            paths = [os.path.abspath(p) for p in backend_path]
            sys.path[:0] = paths
            module_name, _, attribute = backend.partition(":")
            obj = importlib.import_module(module_name)
            if paths:
                origin = os.path.abspath(getattr(obj, "__file__", "") or "")
                if not any(origin == p or origin.startswith(p + os.sep) for p in paths):
                    raise SystemExit("backend %s was not loaded from backend-path" % backend)
            for part in attribute.split(".") if attribute else []:
                obj = getattr(obj, part)
            return obj

        def main():
            mode = sys.argv[1]
            out = sys.argv[-1]
            if mode == "info":
                import platform, sysconfig
                write_result(out, {
                    "executable": sys.executable,
                    "version": platform.python_version(),
                    "implementation": sys.implementation.name,
                    "platform": sysconfig.get_platform(),
                    "machine": platform.machine(),
                })
            elif mode == "extract":
                sdist, dest = sys.argv[2], sys.argv[3]
                with tarfile.open(sdist, "r:gz") as archive:
                    members = archive.getmembers()
                    archive.extractall(dest, filter="data")
                tops = sorted({m.name.split("/", 1)[0] for m in members if m.name not in ("", ".")})
                if len(tops) != 1 or not os.path.isdir(os.path.join(dest, tops[0])):
                    raise SystemExit("the sdist does not hold exactly one top folder: %s" % ", ".join(tops[:5]))
                top = tops[0]
                pkg_info = [m for m in members if m.name == top + "/PKG-INFO" and m.isfile()]
                if pkg_info:
                    epoch, source = int(pkg_info[0].mtime), "PKG-INFO"
                else:
                    epoch, source = max(int(m.mtime) for m in members), "newest member"
                write_result(out, {"root": top, "epoch": epoch, "epochSource": source})
            elif mode in ("requires", "build"):
                backend = sys.argv[2]
                backend_path = json.loads(sys.argv[3])
                hooks = load_backend(backend, backend_path)
                if mode == "requires":
                    hook = getattr(hooks, "get_requires_for_build_wheel", None)
                    result = list(hook({})) if hook is not None else []
                    if not all(isinstance(r, str) for r in result):
                        raise SystemExit("get_requires_for_build_wheel returned a non-string")
                    write_result(out, result)
                else:
                    wheel_dir = sys.argv[4]
                    name = hooks.build_wheel(wheel_dir, {}, None)
                    if not isinstance(name, str) or "/" in name or not os.path.isfile(os.path.join(wheel_dir, name)):
                        raise SystemExit("build_wheel returned %r, which is not a wheel in %s" % (name, wheel_dir))
                    write_result(out, name)
            elif mode == "retag":
                retag(sys.argv[2], sys.argv[3], sys.argv[4])
                write_result(out, os.path.basename(sys.argv[4]))
            else:
                raise SystemExit("unknown mode " + mode)

        def record_hash(data):
            digest = hashlib.sha256(data).digest()
            return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

        def retag(source, build_tag, target):
            # PEP 427: the build tag is in the filename and in WHEEL's `Build:`; WHEEL changes, so
            # its RECORD line does too. Member order, times, modes and compression are kept.
            with zipfile.ZipFile(source) as zin:
                infos = zin.infolist()
                dist_infos = {i.filename.split("/", 1)[0] for i in infos if i.filename.split("/", 1)[0].endswith(".dist-info")}
                if len(dist_infos) != 1:
                    raise SystemExit("the wheel has %d .dist-info folders" % len(dist_infos))
                dist_info = dist_infos.pop()
                wheel_name, record_name = dist_info + "/WHEEL", dist_info + "/RECORD"
                lines = zin.read(wheel_name).decode("utf-8").splitlines()
                # Headers end at the first blank line; `Build:` goes among them.
                if "" in lines:
                    lines = lines[:lines.index("")]
                lines = [l for l in lines if not l.lower().startswith("build:")]
                lines.append("Build: " + build_tag)
                new_wheel = ("\n".join(lines) + "\n").encode("utf-8")
                rows = list(csv.reader(io.StringIO(zin.read(record_name).decode("utf-8"))))
                for row in rows:
                    if row and row[0] == wheel_name:
                        row[1:3] = [record_hash(new_wheel), str(len(new_wheel))]
                buffer = io.StringIO()
                csv.writer(buffer, lineterminator="\n").writerows(rows)
                new_record = buffer.getvalue().encode("utf-8")
                with zipfile.ZipFile(target, "w") as zout:
                    for info in infos:
                        data = zin.read(info)
                        if info.filename == wheel_name:
                            data = new_wheel
                        elif info.filename == record_name:
                            data = new_record
                        zout.writestr(info, data, compress_type=info.compress_type)

        try:
            main()
        except SystemExit:
            raise
        except BaseException:
            traceback.print_exc()
            sys.exit(1)
        """#
}
