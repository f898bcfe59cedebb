#!/usr/bin/env python3
"""The seed scripts' per-package flow, for the ">= 50x" target of issue #4.

The blog post the project started from verifies ONE installed package at a time, in five steps:
  [1/5] pip download --no-deps of the installed version's wheel from the index (a pip process)
  [2/5] sha256 of the downloaded wheel
  [3/5] the index's project page (published sha256) and the attestation from the Integrity API
  [4/5] the DSSE signature over the statement checked by an external tool (the seed runs cosign;
        here `openssl dgst -verify`, a smaller process), and the statement's subject against the wheel
  [5/5] every installed file against the RECORD of the downloaded wheel (zipfile + hashlib)
This script does exactly that for each named distribution, one after the other, with a fresh
temporary download folder each time (the seed keeps no cache of its own between packages).

usage: seed_flow.py PIP_PYTHON VENV INDEX_URL PUBLIC_KEY_PEM NAME...   (exit 0 when all verified)
"""
import base64, hashlib, json, os, re, subprocess, sys, tempfile, time, urllib.request

from seed_style import record_checks

PAYLOAD_TYPE = "application/vnd.in-toto+json"


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def site_packages(venv):
    for root in (os.path.join(venv, "lib"), os.path.join(venv, "lib64")):
        if os.path.isdir(root):
            for d in sorted(os.listdir(root)):
                cand = os.path.join(root, d, "site-packages")
                if d.startswith("python") and os.path.isdir(cand):
                    return cand, d
    sys.exit(f"no site-packages under {venv}")


def installed(sp):
    found = {}
    for entry in os.listdir(sp):
        if entry.endswith(".dist-info"):
            name, ver = entry[: -len(".dist-info")].rsplit("-", 1)
            found[norm(name)] = (name, ver)
    return found


def get(url, accept=None):
    req = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return resp.read()


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def pae(payload):
    t = PAYLOAD_TYPE.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def verify_one(pip_python, venv, sp, pyver, index_url, pubkey, name, ver):
    with tempfile.TemporaryDirectory(prefix="seed_flow_") as tmp:
        # [1/5] the wheel, downloaded by pip from the index
        subprocess.run([pip_python, "-m", "pip", "download", "-q", "--no-deps", "--no-cache-dir",
                        "--only-binary=:all:", "--index-url", index_url, "-d", tmp, f"{name}=={ver}"],
                       check=True, stdout=subprocess.DEVNULL)
        wheels = [f for f in os.listdir(tmp) if f.endswith(".whl")]
        if len(wheels) != 1:
            return f"expected one wheel, pip gave {wheels}"
        wheel = os.path.join(tmp, wheels[0])
        # [2/5] its sha256
        digest = sha256_file(wheel)
        # [3/5] the index's page and the attestation
        page = json.loads(get(index_url.rstrip("/") + "/" + norm(name) + "/",
                              accept="application/vnd.pypi.simple.v1+json"))
        entry = next((f for f in page["files"] if f["filename"] == wheels[0]), None)
        if entry is None or entry["hashes"].get("sha256") != digest:
            return "the index does not publish this wheel's sha256"
        if not entry.get("provenance"):
            return "no provenance URL on the index"
        provenance = json.loads(get(entry["provenance"]))
        att = provenance["attestation_bundles"][0]["attestations"][0]
        statement = base64.b64decode(att["envelope"]["statement"])
        signature = base64.b64decode(att["envelope"]["signature"])
        # [4/5] the signature (an external tool, as the seed runs cosign) and the subject
        with open(os.path.join(tmp, "pae"), "wb") as fh:
            fh.write(pae(statement))
        with open(os.path.join(tmp, "sig"), "wb") as fh:
            fh.write(signature)
        ok = subprocess.run(["openssl", "dgst", "-sha256", "-verify", pubkey, "-signature",
                             os.path.join(tmp, "sig"), os.path.join(tmp, "pae")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
        if not ok:
            return "signature does not verify"
        subjects = json.loads(statement)["subject"]
        if not any(s["name"] == wheels[0] and s["digest"].get("sha256") == digest for s in subjects):
            return "the statement's subject is not this wheel"
        # [5/5] installed files against the downloaded wheel's RECORD (the same check as seed_style.py)
        bad = sum(1 for _, is_script, outcome in record_checks(wheel, venv, sp, pyver, name)
                  if outcome != "match" and not (is_script and outcome == "differs"))
    return f"{bad} installed files differ from RECORD" if bad else None


def main():
    pip_python, venv, index_url, pubkey, names = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
    sp, pyver = site_packages(venv)
    have = installed(sp)
    problems = 0
    started = time.monotonic()
    for wanted in names:
        if norm(wanted) not in have:
            print(f"{wanted}: not installed", file=sys.stderr)
            problems += 1
            continue
        name, ver = have[norm(wanted)]
        error = verify_one(pip_python, venv, sp, pyver, index_url, pubkey, name, ver)
        if error:
            print(f"{name} {ver}: {error}", file=sys.stderr)
            problems += 1
    print(f"seed_flow: {len(names)} packages in {time.monotonic() - started:.2f} s, {problems} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
