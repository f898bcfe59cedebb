#!/usr/bin/env python3
"""Build small, real, spec-conformant wheels for wheeltrust's end-to-end tests.

Run from anywhere:  python3 make_wheels.py [OUTPUT_DIR]   (default: this script's folder)

The output is byte-for-byte reproducible (fixed timestamps, fixed member order, fixed modes), so
re-running the script yields the same sha256 for every wheel.

What the binary distribution format spec (packaging.python.org, "Binary distribution format",
originally PEP 427) requires, and what these wheels do:
- File name `{distribution}-{version}(-{build tag})?-{python tag}-{abi tag}-{platform tag}.whl`,
  with the distribution name normalised (runs of `-_.` → `_`, lowercase).
- `{distribution}-{version}.dist-info/` holds METADATA, WHEEL and RECORD (the same normalised
  name in the directory).
- WHEEL: `Wheel-Version: 1.0`, `Generator`, `Root-Is-Purelib`, one `Tag:` line per tag, and
  `Build:` — the spec says "Build is the build number and is omitted if there is no build
  number"; bdist_wheel writes `Build: <n>` whenever a build number is given, so we do too.
- RECORD: CSV `path,sha256=<urlsafe base64 without padding>,size`; RECORD itself has empty hash
  and size. RECORD is written last.
- `{distribution}-{version}.data/{scripts,headers,data,purelib,platlib}/` are installed into the
  matching scheme paths; scripts starting with `#!python` get their shebang rewritten.
- Members are deflate-compressed.
"""

import base64
import csv
import hashlib
import io
import os
import sys
import zipfile

# A fixed timestamp: zip cannot store dates before 1980; any fixed value keeps output reproducible.
FIXED_DATE = (2024, 1, 1, 0, 0, 0)
GENERATOR = "wheeltrust make_wheels.py 1.0"


def record_hash(data: bytes) -> str:
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def normalise(name: str) -> str:
    out, previous_sep = [], False
    for ch in name.lower():
        if ch in "-_.":
            if not previous_sep:
                out.append("_")
            previous_sep = True
        else:
            out.append(ch)
            previous_sep = False
    return "".join(out)


def metadata(name: str, version: str, summary: str) -> bytes:
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {name}\n"
        f"Version: {version}\n"
        f"Summary: {summary}\n"
        "License: Apache-2.0\n"
        "Requires-Python: >=3.8\n"
        "\n"
        f"{summary}\n"
    ).encode("utf-8")


def wheel_file(tag: str, build: "str | None", purelib: bool = True) -> bytes:
    lines = [
        "Wheel-Version: 1.0",
        f"Generator: {GENERATOR}",
        f"Root-Is-Purelib: {'true' if purelib else 'false'}",
        f"Tag: {tag}",
    ]
    if build is not None:
        lines.append(f"Build: {build}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def build_wheel(out_dir: str, name: str, version: str, members: "list[tuple[str, bytes, int]]",
                summary: str, build: "str | None" = None, tag: str = "py3-none-any",
                extra_dist_info: "list[tuple[str, bytes]]" = ()) -> str:
    """members: (path, bytes, mode). Returns the wheel's path."""
    dist = normalise(name)
    dist_info = f"{dist}-{version}.dist-info"
    parts = [dist, version] + ([build] if build is not None else []) + [tag]
    filename = "-".join(parts) + ".whl"
    path = os.path.join(out_dir, filename)

    entries = list(members)
    for extra_name, extra_bytes in extra_dist_info:
        entries.append((f"{dist_info}/{extra_name}", extra_bytes, 0o644))
    entries.append((f"{dist_info}/METADATA", metadata(name, version, summary), 0o644))
    entries.append((f"{dist_info}/WHEEL", wheel_file(tag, build), 0o644))

    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    for member_path, data, _ in entries:
        writer.writerow([member_path, record_hash(data), len(data)])
    writer.writerow([f"{dist_info}/RECORD", "", ""])
    entries.append((f"{dist_info}/RECORD", record.getvalue().encode("utf-8"), 0o644))

    temp = path + ".tmp"
    with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for member_path, data, mode in entries:
            info = zipfile.ZipInfo(member_path, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o100000 | mode) << 16  # regular file + permission bits
            info.create_system = 3  # Unix, so the mode is honoured
            zf.writestr(info, data)
    os.replace(temp, path)
    return path


def dotted_pkg(out_dir: str) -> str:
    # Project `Dotted.Pkg`: the filename and dist-info use the normalised `dotted_pkg`, METADATA
    # keeps the raw name; build tag `0` as Red Hat's wheels carry.
    return build_wheel(
        out_dir, "Dotted.Pkg", "1.2.0", [
            ("dotted_pkg/__init__.py",
             b'"""Dotted.Pkg fixture for wheeltrust."""\nfrom .core import answer\n\n__version__ = "1.2.0"\n', 0o644),
            ("dotted_pkg/core.py",
             b'import json\nimport os\n\n\ndef answer():\n    return 42\n\n\n'
             b'def table():\n    here = os.path.dirname(__file__)\n'
             b'    with open(os.path.join(here, "data", "table.json")) as f:\n        return json.load(f)\n', 0o644),
            ("dotted_pkg/data/table.json", b'{"rows": [[1, "one"], [2, "two"]]}\n', 0o644),
        ],
        summary="A package whose name has a dot, with a build tag.",
        build="0",
        extra_dist_info=[("top_level.txt", b"dotted_pkg\n")],
    )


def datatool(out_dir: str) -> str:
    # `.data/` members: a script with `#!python` (installers rewrite it), a data file and a header.
    data_dir = "datatool-0.3.data"
    return build_wheel(
        out_dir, "datatool", "0.3", [
            ("datatool.py", b'"""datatool fixture."""\n\n\ndef run():\n    return "datatool ran"\n', 0o644),
            (f"{data_dir}/scripts/datatool-run",
             b"#!python\nimport datatool\nprint(datatool.run())\n", 0o755),
            (f"{data_dir}/data/share/datatool/config.txt", b"mode = strict\n", 0o644),
            (f"{data_dir}/headers/datatool.h",
             b"#ifndef DATATOOL_H\n#define DATATOOL_H\nint datatool_version(void);\n#endif\n", 0o644),
        ],
        summary="A module with scripts, data and headers in its .data directory.",
        extra_dist_info=[("top_level.txt", b"datatool\n")],
    )


def clitool(out_dir: str) -> str:
    # A console script: installers generate `bin/clitool` from entry_points.txt (not in RECORD of
    # the wheel; the installed RECORD lists it).
    return build_wheel(
        out_dir, "clitool", "2.0", [
            ("clitool/__init__.py",
             b'import sys\n\n\ndef main():\n    print("clitool 2.0")\n    return 0\n\n\n'
             b'if __name__ == "__main__":\n    sys.exit(main())\n', 0o644),
        ],
        summary="A package with a console script entry point.",
        extra_dist_info=[
            ("entry_points.txt", b"[console_scripts]\nclitool = clitool:main\n"),
            ("top_level.txt", b"clitool\n"),
        ],
    )


def unicode_pkg(out_dir: str) -> str:
    # A module whose file name is not ASCII, written in NFC (as a wheel's RECORD lists it): its
    # NFD spelling is a different file to the kernel and to import, and must not pass for it.
    return build_wheel(
        out_dir, "unicode-pkg", "1.0", [
            ("unicode_pkg/__init__.py", b'"""unicode-pkg fixture."""\n', 0o644),
            ("unicode_pkg/caf\u00e9.py", b'VALUE = "verified"\n', 0o644),
        ],
        summary="A package with a non-ASCII module name (NFC).",
        extra_dist_info=[("top_level.txt", b"unicode_pkg\n")],
    )


def dotted_plugin(out_dir: str) -> str:
    # A second distribution installing into `dotted_pkg/` (a shared directory, as namespace
    # packages and plugins do): its file there is owned by its own verified RECORD.
    return build_wheel(
        out_dir, "dotted-plugin", "0.1", [
            ("dotted_pkg/plugin.py", b'"""A plugin that installs into dotted_pkg/."""\nNAME = "plugin"\n', 0o644),
        ],
        summary="A distribution sharing the dotted_pkg/ directory.",
        extra_dist_info=[("top_level.txt", b"dotted_pkg\n")],
    )


def main() -> int:
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    os.makedirs(out_dir, exist_ok=True)
    for builder in (dotted_pkg, datatool, clitool, unicode_pkg, dotted_plugin):
        path = builder(out_dir)
        with open(path, "rb") as f:
            print(f"{hashlib.sha256(f.read()).hexdigest()}  {os.path.basename(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
