#!/usr/bin/env python3
"""The seed scripts' approach, for comparison with `wheeltrust verify` (issue #4).

For each installed distribution of a venv: find its wheel in a local folder, open it
with zipfile, read RECORD, and hash every listed installed file with hashlib sha256,
single-threaded, mapping `<name>-<ver>.data/<scheme>/...` to the install scheme paths.
No signature, no index: this is only the hashing/IO work the seed did per file.

usage: seed_style.py VENV WHEEL_DIR   (exit 0 when every file matched)
"""
import base64, csv, hashlib, io, os, re, sys, sysconfig, zipfile

def norm(name):
    return re.sub(r"[-_.]+", "_", name).lower()

def record_checks(wheel, venv, sp, pyver, name):
    """The seed's per-file check: for each RECORD row of `wheel` with a hash, yield
    (installed path, whether it is a `.data/scripts` file, "match" | "differs" | OSError),
    mapping `<name>-<ver>.data/<scheme>/...` to the install scheme paths. One thread, hashlib."""
    with zipfile.ZipFile(wheel) as zf:
        rec_name = next(n for n in zf.namelist() if n.endswith(".dist-info/RECORD") and n.count("/") == 1)
        record = zf.read(rec_name).decode("utf-8")
    schemes = {
        "purelib": sp, "platlib": sp, "scripts": os.path.join(venv, "bin"),
        "headers": os.path.join(venv, "include", "site", pyver, name), "data": venv,
    }
    for row in csv.reader(io.StringIO(record)):
        if not row or not row[1]:
            continue
        path, hspec = row[0], row[1]
        algo, _, digest = hspec.partition("=")
        first, _, rest = path.partition("/")
        is_script = first.endswith(".data") and rest.startswith("scripts/")
        if first.endswith(".data") and rest:
            scheme, _, sub = rest.partition("/")
            target = os.path.join(schemes[scheme], sub)
        else:
            target = os.path.join(sp, path)
        h = hashlib.new(algo)
        try:
            with open(target, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
        except OSError as e:
            yield target, is_script, e
            continue
        got = base64.urlsafe_b64encode(h.digest()).rstrip(b"=").decode()
        yield target, is_script, "match" if got == digest else "differs"

def main():
    venv, wheel_dir = sys.argv[1], sys.argv[2]
    sp = None
    for root in (os.path.join(venv, "lib"), os.path.join(venv, "lib64")):
        if os.path.isdir(root):
            for d in sorted(os.listdir(root)):
                cand = os.path.join(root, d, "site-packages")
                if d.startswith("python") and os.path.isdir(cand):
                    sp, pyver = cand, d
                    break
        if sp:
            break
    if not sp:
        sys.exit(f"no site-packages under {venv}")
    wheels = {}
    for f in os.listdir(wheel_dir):
        if f.endswith(".whl"):
            parts = f[:-4].split("-")
            wheels.setdefault((norm(parts[0]), parts[1]), []).append(os.path.join(wheel_dir, f))
    dists = files = ok = rewritten = bad = 0
    for entry in sorted(os.listdir(sp)):
        if not entry.endswith(".dist-info"):
            continue
        name, ver = entry[: -len(".dist-info")].rsplit("-", 1)
        cands = wheels.get((norm(name), ver))
        if not cands:
            print(f"{name} {ver}: no wheel in {wheel_dir}", file=sys.stderr)
            bad += 1
            continue
        dists += 1
        for target, is_script, outcome in record_checks(cands[0], venv, sp, pyver, name):
            files += 1
            if isinstance(outcome, OSError):
                print(f"{target}: {outcome}", file=sys.stderr)
                bad += 1
            elif outcome == "match":
                ok += 1
            elif is_script:
                rewritten += 1  # the installer rewrites #!python shebangs
            else:
                print(f"{target}: sha256 mismatch", file=sys.stderr)
                bad += 1
    print(f"seed_style: {dists} dists, {files} files hashed, {ok} match, {rewritten} rewritten scripts, {bad} problems")
    sys.exit(1 if bad else 0)

if __name__ == "__main__":
    main()
