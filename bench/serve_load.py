#!/usr/bin/env python3
"""Load driver for bench/serve.sh: 20 concurrent uploads (threads, the legacy upload API as twine
speaks it) into a running `wheeltrust serve --store`, while the caller runs wrk; and a wheel maker.

usage: serve_load.py make FOLDER COUNT BIG_MB
       serve_load.py upload UPLOAD_URL TOKEN FOLDER   (prints "uploads: N ok, M errors, S s")
"""
import base64, hashlib, http.client, os, sys, threading, time, urllib.parse, zipfile


def make(folder, count, big_mb):
    def digest(data):
        return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()

    def wheel(name, version, payload):
        info = f"{name}-{version}.dist-info"
        members = {
            f"{name}/__init__.py": b"VALUE = 1\n",
            f"{name}/blob.bin": payload,
            f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
            f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        }
        record = "".join(f"{n},{digest(d)},{len(d)}\n" for n, d in members.items()) + f"{info}/RECORD,,\n"
        with zipfile.ZipFile(os.path.join(folder, f"{name}-{version}-py3-none-any.whl"), "w", zipfile.ZIP_STORED) as z:
            for n, d in members.items():
                z.writestr(n, d)
            z.writestr(f"{info}/RECORD", record)

    wheel("benchbig", "1.0", os.urandom(big_mb << 20))
    for n in range(count):
        wheel("benchup", f"1.0.{n}", os.urandom(64 * 1024))


def upload(url, token, folder):
    parts = urllib.parse.urlsplit(url)
    wheels = sorted(f for f in os.listdir(folder) if f.startswith("benchup-") and f.endswith(".whl"))
    results = []
    lock = threading.Lock()

    def one(name):
        data = open(os.path.join(folder, name), "rb").read()
        attestation = open(os.path.join(folder, name + ".slsa.attestation")).read()
        fields = [(":action", "file_upload"), ("protocol_version", "1"), ("name", "benchup"),
                  ("version", name.split("-")[1]), ("filetype", "bdist_wheel"), ("pyversion", "py3"),
                  ("metadata_version", "2.1"), ("sha256_digest", hashlib.sha256(data).hexdigest()),
                  ("attestations", "[" + attestation + "]")]
        boundary = "bench" + os.urandom(8).hex()
        body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields)
        body += (f'--{boundary}\r\nContent-Disposition: form-data; name="content"; filename="{name}"\r\n\r\n').encode()
        body += data + f"\r\n--{boundary}--\r\n".encode()
        try:
            c = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            c.request("POST", parts.path, body, {
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Authorization": "Basic " + base64.b64encode(f"__token__:{token}".encode()).decode()})
            r = c.getresponse()
            r.read()
            ok = r.status == 200
        except Exception:
            ok = False
        with lock:
            results.append(ok)

    start = time.monotonic()
    for offset in range(0, len(wheels), 20):
        threads = [threading.Thread(target=one, args=(w,)) for w in wheels[offset:offset + 20]]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    print(f"uploads: {sum(results)} ok, {len(results) - sum(results)} errors, {time.monotonic() - start:.1f} s")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        upload(sys.argv[2], sys.argv[3], sys.argv[4])
