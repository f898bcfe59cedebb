#!/usr/bin/env python3
"""Writes the seed inputs of every fuzz target into OUT/<target>/ (see Fuzz/SOURCES.md).

Seeds are real data taken from the test fixtures of this repository (wheels, attestations,
Sigstore bundles and trust roots, TUF metadata, keys), the parts inside them (RECORD, METADATA,
statements, Rekor bodies, log entries, checkpoints, timestamp tokens, certificates, SCT lists),
plus a few short hand-written inputs for the text formats that have no fixture file. scripts/fuzz.sh
merges them (libFuzzer -merge=1) into Fuzz/Corpus/<target>/, keeping only inputs that add coverage.
Usage: Fuzz/make_seeds.py OUT
"""
import base64, hashlib, io, json, os, re, struct, sys, zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "Tests")
OUT = sys.argv[1]


def fixture(*parts):
    return os.path.join(FIX, *parts)


def put(target, name, data):
    if isinstance(data, str):
        data = data.encode()
    directory = os.path.join(OUT, target)
    os.makedirs(directory, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:120]
    with open(os.path.join(directory, safe), "wb") as handle:
        handle.write(data)


def files(directory, pattern=r".*"):
    for base, _, names in sorted(os.walk(directory)):
        for name in sorted(names):
            if re.search(pattern, name):
                yield os.path.join(base, name)


def read(path):
    with open(path, "rb") as handle:
        return handle.read()


def der_certificates(pem_text):
    for match in re.finditer(rb"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", pem_text, re.S):
        yield base64.b64decode(b"".join(match.group(1).split()))


SCT_OID = bytes.fromhex("060a2b06010401d679020402")


def der_length(data, i):
    first = data[i]
    if first < 0x80:
        return first, i + 1
    count = first & 0x7F
    return int.from_bytes(data[i + 1:i + 1 + count], "big"), i + 1 + count


def sct_list(certificate):
    """The TLS-encoded SCT list inside the precertificate SCT extension, if any."""
    at = certificate.find(SCT_OID)
    if at < 0:
        return None
    i = at + len(SCT_OID)
    if certificate[i] == 0x01:  # critical BOOLEAN
        i += 3
    if certificate[i] != 0x04:
        return None
    _, i = der_length(certificate, i + 1)
    if certificate[i] != 0x04:
        return None
    length, i = der_length(certificate, i + 1)
    return certificate[i:i + length]


def attestation_parts(name, attestation):
    """Statement, certificate, log entries, bodies, checkpoints, timestamps of one PEP 740 attestation."""
    envelope = attestation.get("envelope", {})
    if "statement" in envelope:
        put("statement", name, base64.b64decode(envelope["statement"]))
    material = attestation.get("verification_material") or {}
    if material.get("certificate"):
        certificate = base64.b64decode(material["certificate"])
        put("certificate", name, certificate)
        sct = sct_list(certificate)
        if sct:
            put("sct", name, sct)
    for index, entry in enumerate(material.get("transparency_entries") or []):
        log_entry_parts(f"{name}.{index}", entry)
    for index, stamp in enumerate(material.get("timestamps") or []):
        put("timestamp", f"{name}.{index}", base64.b64decode(stamp))


def log_entry_parts(name, entry):
    put("log-entry", name, json.dumps(entry, sort_keys=True))
    put("canonical-json", name, json.dumps(entry))
    if entry.get("canonicalizedBody"):
        put("rekor-body", name, base64.b64decode(entry["canonicalizedBody"]))
    checkpoint = (entry.get("inclusionProof") or {}).get("checkpoint") or {}
    if checkpoint.get("envelope"):
        put("checkpoint", name, checkpoint["envelope"])


# Wheels: the archive, and RECORD / WHEEL / METADATA / entry_points.txt inside.
wheels = list(files(fixture("PythonPackagingTests", "Fixtures"), r"\.whl$")) + \
    list(files(fixture("VerificationTests", "Fixtures", "wheels"), r"\.whl$"))
for path in wheels:
    name = os.path.basename(path)
    data = read(path)
    if len(data) <= 4 << 10:
        put("wheel", name, data)
        # The same members rewritten by Python's zipfile: stored, and with zip64 records forced.
        for label, compression, zip64 in [("stored", zipfile.ZIP_STORED, False), ("zip64", zipfile.ZIP_DEFLATED, True)]:
            out = io.BytesIO()
            with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", compression) as target:
                for info in source.infolist():
                    with target.open(info.filename, "w", force_zip64=zip64) as member:
                        member.write(source.read(info))
            put("wheel", f"{name}.{label}", out.getvalue())
    put("filenames", name, name)
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            leaf = member.rsplit("/", 1)[-1]
            if ".dist-info/" not in member:
                continue
            body = archive.read(member)
            if leaf == "RECORD":
                put("record", name, body)
            elif leaf in ("WHEEL", "METADATA"):
                put("metadata", f"{name}.{leaf}", body[:4 << 10])
            elif leaf == "entry_points.txt":
                put("entry-points", name, body)
for path in files(fixture("PythonPackagingTests", "Fixtures"), r"\.(WHEEL|METADATA)$"):
    put("metadata", os.path.basename(path), read(path)[:4 << 10])

# Distribution filenames and versions from the Red Hat index listing.
rows = read(fixture("PythonPackagingTests", "Fixtures", "redhat-distribution-filenames.csv")).decode().splitlines()[1:]
for row in rows[:40]:
    _, filename, version = row.split(",")
    put("filenames", filename, filename)
versions = sorted({row.split(",")[2] for row in rows})
for a, b in zip(versions[:30], versions[1:31]):
    put("version", f"{a}_{b}", f"{a}\0{b}")
for text in ["1.0\x001.0.0", "1!2.0rc1.post3.dev4+local.7\x001!2.0rc1.post3.dev4+LOCAL.07", "v1.0-1\x001.0.post1",
             "1.0a1\x001.0.dev0", "2024.10.3\x002024.10.03"]:
    put("version", text, text)

# PEP 740 provenance and attestations, and everything inside them.
attestation_files = list(files(fixture("AttestationsTests", "Fixtures"), r"(\.provenance|\.attestation.*)$")) + \
    list(files(fixture("SigstoreTests", "Fixtures"), r"(\.provenance|\.attestation.*)$")) + \
    list(files(fixture("VerificationTests", "Fixtures"), r"\.provenance$"))
seen = set()
for path in attestation_files:
    data = read(path)
    digest = hashlib.sha256(data).hexdigest()
    if digest in seen:
        continue
    seen.add(digest)
    name = os.path.basename(path)
    put("provenance", name, data)
    document = json.loads(data)
    if "attestation_bundles" in document:
        for b, bundle in enumerate(document["attestation_bundles"]):
            for a, attestation in enumerate(bundle.get("attestations", [])):
                attestation_parts(f"{name}.{b}.{a}", attestation)
                put("canonical-json", f"{name}.publisher.{b}", json.dumps(bundle.get("publisher")))
    else:
        attestation_parts(name, document)

# DSSE envelopes (cosign's key-signed tests) and their statements.
for path in files(fixture("AttestationsTests", "Fixtures"), r"\.dsse\.json$"):
    data = read(path)
    put("dsse", os.path.basename(path), data)
    put("statement", os.path.basename(path), base64.b64decode(json.loads(data)["payload"]))

# Sigstore bundles and the parts inside them.
conformance = fixture("SigstoreTests", "Fixtures", "sigstore-conformance")
bundle_files = [(os.path.basename(path), path) for path in files(fixture("SigstoreTests", "Fixtures", "sigstore"), r"\.sigstore(\.json)?$")]
bundle_files += [("conformance-" + os.path.basename(os.path.dirname(path)), path) for path in files(conformance, r"^bundle\.sigstore\.json$")]
for name, path in bundle_files:
    data = read(path)
    put("bundle", name, data)
    try:
        document = json.loads(data)
    except ValueError:
        continue
    material = document.get("verificationMaterial", {})
    for index, entry in enumerate(material.get("tlogEntries", [])):
        log_entry_parts(f"{name}.{index}", entry)
    for index, stamp in enumerate((material.get("timestampVerificationData") or {}).get("rfc3161Timestamps", [])):
        put("timestamp", f"{name}.{index}", base64.b64decode(stamp["signedTimestamp"]))
    raw = (material.get("certificate") or {}).get("rawBytes")
    if raw:
        certificate = base64.b64decode(raw)
        put("certificate", name, certificate)
        sct = sct_list(certificate)
        if sct:
            put("sct", name, sct)
    if "dsseEnvelope" in document:
        envelope = document["dsseEnvelope"]
        put("dsse", name, json.dumps({"payloadType": envelope["payloadType"], "payload": envelope["payload"],
                                      "signatures": [{"keyid": "", "sig": s["sig"]} for s in envelope["signatures"]]}))
        put("statement", name, base64.b64decode(envelope["payload"]))

# Trust roots and the certificates in them.
for path in files(fixture("SigstoreTests", "Fixtures", "sigstore"), r"(trusted_root|trustedroot|certificate_authority|ca)\S*\.json$"):
    data = read(path)
    put("trusted-root", os.path.basename(path), data)
    put("canonical-json", os.path.basename(path), data)
    for match in re.finditer(rb'"rawBytes"\s*:\s*"([^"]+)"', data):
        der = base64.b64decode(match.group(1))
        if der[:1] == b"\x30" and len(der) > 300:
            put("certificate", hashlib.sha256(der).hexdigest()[:16], der)

for path in files(conformance, r"^trusted_root\.json$"):
    put("trusted-root", "conformance-" + os.path.basename(os.path.dirname(path)), read(path))

# Certificates and keys given as PEM.
for path in list(files(fixture("AttestationsTests", "Fixtures"), r"\.(pem|pub)$")) + \
        list(files(fixture("SigstoreTests", "Fixtures"), r"\.(pem|pub)$")):
    data = read(path)
    put("keys", os.path.basename(path), data)
    for index, der in enumerate(der_certificates(data)):
        put("certificate", f"{os.path.basename(path)}.{index}", der)

# TUF metadata of every role (the good repository and the attack repositories).
for path in files(fixture("TUFTests", "Fixtures", "tuf"), r"\.json$"):
    if "/targets/" in path:
        continue
    data = read(path)
    relative = os.path.relpath(path, fixture("TUFTests", "Fixtures", "tuf"))
    put("tuf", relative, data)
for path in list(files(os.path.join(ROOT, "Sources", "TUF", "Resources"), r"root\.json$")) + \
        list(files(os.path.join(ROOT, "Sources", "Sigstore", "Resources"), r"root\.json$")):
    put("tuf", "bootstrap." + os.path.relpath(path, ROOT), read(path))

# Canonical JSON: numbers whose ECMAScript form is subtle, as JSON and as 8-byte doubles.
for number in [0.0, -0.0, 1e21, 1e-7, 123456789012345680000.0, 5e-324, 1.7976931348623157e308, 0.1, 1 / 3]:
    put("canonical-json", f"double-{number!r}", struct.pack(">d", number))
put("canonical-json", "numbers.json", "[1e21,1e-7,-0,0.000001,123.456,1E400,\"\\u00e9\\ud83d\\ude00\",{\"b\":1,\"a\":[true,false,null]}]")

# Hand-written inputs for the text formats without a fixture file (written for this corpus).
put("entry-points", "hand", "[console_scripts]\nclitool = cli_pkg:main\ntool-x=cli_pkg.sub:run [extra]\n\n[gui_scripts]\ngui = cli_pkg.gui:main\n")
put("simple-json", "hand", json.dumps({"meta": {"api-version": "1.1"}, "name": "pkg", "files": [
    {"filename": "pkg-1.0-py3-none-any.whl", "url": "../../files/pkg-1.0-py3-none-any.whl#sha256=" + "a" * 64,
     "hashes": {"sha256": "a" * 64}, "provenance": "https://index.example.invalid/integrity/pkg/1.0/pkg-1.0-py3-none-any.whl/provenance",
     "core-metadata": {"sha256": "b" * 64}, "yanked": "broken"},
    {"filename": "pkg-1.0.tar.gz", "url": "https://files.example.invalid/pkg-1.0.tar.gz", "hashes": {}, "dist-info-metadata": True,
     "yanked": False}], "versions": ["1.0"]}))
put("simple-html", "hand", "<!DOCTYPE html><html><head><base href=\"https://files.example.invalid/base/\"></head><body>\n"
    "<!-- comment <a href=x> -->\n"
    "<a href=\"../pkg-1.0-py3-none-any.whl#sha256=" + "a" * 64 + "\" data-provenance=\"https://index.example.invalid/p\" "
    "data-core-metadata=\"sha256=" + "b" * 64 + "\" data-yanked=\"bad &amp; old\">pkg-1.0-py3-none-any.whl</a><br/>\n"
    "<A HREF='pkg-1.0.tar.gz' data-dist-info-metadata=false>pkg&#45;1.0.tar.gz</A>\n</body></html>\n")
put("pip-config", "hand", "[global]\nindex-url = https://user:secret-token@index.example.invalid/simple/\n"
    "extra-index-url =\n    https://extra.example.invalid/simple/\n\n    https://other.example.invalid/simple/\ncert = ~/ca.pem\n"
    "; comment\n[install]\nindex_url: https://install.example.invalid/simple/\n[download]\n--index-url=http://d.example.invalid/\n")
put("netrc", "hand", "machine index.example.invalid login user password secret-token\n# comment\n"
    "machine \"quoted host\" login \"a b\" password \"p\\\"w\"\nmacdef init\ncd /\n\ndefault login anonymous password guest-pass\n")
for index, text in enumerate(["https://user:secret-token@index.example.invalid:8443/simple/?q#f", "user:pass@host/path",
                              "http://tok@h/", "https://a:b@c@d/e", "localhost:3128", "Wed, 21 Oct 2015 07:28:00 GMT", "120",
                              "wheeltrust-hashed-v1 " + "0" * 64 + " 2049 1234 19282 1700000000 5 1700000000 7\n",
                              "https://index.example.invalid/api/pypi/dom/dist/integrity/pkg/1.0/pkg-1.0-py3-none-any.whl/provenance/"]):
    put("url", f"hand-{index}", text)
for index, text in enumerate(["Basic " + base64.b64encode(b"fuzz:fuzz-password").decode(), "user:pass:word",
                              "application/vnd.pypi.simple.v1+json, text/html;q=0.5",
                              "text/html, application/vnd.pypi.simple.latest+json;q=0.9, */*;q=0.1", "<img src=x onerror=alert(1)>"]):
    put("server-headers", f"hand-{index}", text)
for index, text in enumerate([b"plain text", b"\x1b[1A\x1b[2K \xe2\x9c\x93 VERIFIED\x00other", "e\u0301\u202eabc\u200b\ufeff".encode(),
                              b"\xff\xfe\xc3\x28 invalid", b"back\\slash\x00back\\slash\\"]):
    put("terminal", f"hand-{index}", text)

# The environment wheeltrust reads before trusting it, made here by the real tools (python3 is
# needed anyway by scripts/fuzz.sh): a venv's pyvenv.cfg (the standard library's `venv`), the
# trusted interpreter's answer to wheeltrust's own query script, pip's source naming its default
# index, and a console-script wrapper written by pip itself for a fixture wheel's entry point.
import subprocess, tempfile
with tempfile.TemporaryDirectory() as scratch:
    venv = os.path.join(scratch, "venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    put("pyvenv-cfg", "venv", read(os.path.join(venv, "pyvenv.cfg")))
    for name, text in [("virtualenv", "home = /usr/bin\nimplementation = CPython\nversion_info = 3.11.7.final.0\n"
                                      "virtualenv = 20.25.0\ninclude-system-site-packages = false\nbase-prefix = /usr\n"),
                       ("uv", "home = /opt/python/bin\nimplementation = CPython\nuv = 0.5.1\nversion_info = 3.12.1\n"
                              "include-system-site-packages = False\nprompt = project\n")]:
        put("pyvenv-cfg", name, text)  # written by hand after the shapes virtualenv and uv write
    query = re.search(r'static let script = """\n(.*?)\n\s*"""', read(os.path.join(ROOT, "Sources", "PythonPackaging",
                                                                                     "InterpreterQuery.swift")).decode(), re.S)
    if query:
        script = "\n".join(line[8:] for line in query.group(1).split("\n")).replace("\\\\", "\\")
        for label, arguments in [("system", []), ("venv", [venv])]:
            answer = subprocess.run([sys.executable, "-I", "-S", "-B", "-c", script] + arguments, capture_output=True,
                                    env={}, check=True).stdout
            # This machine's paths made neutral: the venv at /v, the base installation at /usr/local.
            answer = answer.replace(venv.encode(), b"/v").replace(sys.base_prefix.encode(), b"/usr/local")
            put("interpreter-answer", label, answer)
    import pip
    source = read(os.path.join(os.path.dirname(pip.__file__), "_internal", "models", "index.py"))
    # The index hosts pip names are kept out of this repository: every quoted URL and host name
    # becomes an example one, the code around them stays pip's.
    source = re.sub(rb'"https?://[^"]*"', b'"https://index.example.invalid/"', source)
    source = re.sub(rb'"[a-z0-9-]+(\.[a-z0-9-]+)+"', b'"files.example.invalid"', source)
    put("pip-source", "pip-" + pip.__version__, source)
    put("pip-source", "old-pip", "PyPI = Index('https://index.example.invalid/')\n")  # the older pips' shape, by hand
    wheel = fixture("VerificationTests", "Fixtures", "wheels", "clitool-2.0-py3-none-any.whl")
    target = os.path.join(scratch, "target")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps", "--no-compile",
                    "--disable-pip-version-check", "--target", target, wheel], check=True, stderr=subprocess.DEVNULL)
    with zipfile.ZipFile(wheel) as archive:
        declaration = archive.read("clitool-2.0.dist-info/entry_points.txt")
    for script_name in sorted(os.listdir(os.path.join(target, "bin"))):
        body = read(os.path.join(target, "bin", script_name))
        # pip wrote this environment's interpreter on the first line; the fuzz target's is /v/bin/python.
        body = b"#!/v/bin/python\n" + body.split(b"\n", 1)[1]
        put("wrapper", "pip-" + script_name, declaration + b"\0" + body)
