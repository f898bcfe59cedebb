#!/usr/bin/env bash
# Issue #9, attack 7: memory and time of `wheeltrust verify` against a resource bomb, as ratios to a
# clean run measured in the same script (docs/THREAT-MODEL.md, "resource exhaustion").
#
#   bash bench/hostile.sh [--wheeltrust PATH] [--megabytes N]
#
# A venv gets the clitool fixture wheel from our own `wheeltrust serve` on 127.0.0.1; then the index
# serves a copy of that wheel whose entry_points.txt inflates to N MiB (default 1536, the 1.5 GiB of
# the issue; it compresses to a few MiB):
#   clean     the genuine signed wheel                          (the baseline)
#   unproven  the bomb under the old attestation: its provenance fails, so no member is inflated
#   proven    the bomb signed by the trusted key: every member is checked (streamed), entry_points.txt
#             is over its 1 MiB cap and is never read into memory
# Printed: peak RSS (MiB) and wall time of each, and each as a ratio to clean. Work lives in .bench/hostile.
set -euo pipefail

WT=""
MB=1536
while [ $# -gt 0 ]; do
  case "$1" in
    --wheeltrust) WT="$2"; shift 2 ;;
    --megabytes) MB="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "hostile.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$ROOT/.bench/hostile"
rm -rf "$WORK"; mkdir -p "$WORK/index" "$WORK/key"
PY="$(python3 -c 'import sys; print(sys.executable)')"
log() { printf '[hostile] %s\n' "$*" >&2; }
BENCH_NAME=hostile.sh
# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"
bench_clean_pip
bench_binary release

WHEEL=clitool-2.0-py3-none-any.whl
cp "$ROOT/Tests/VerificationTests/Fixtures/wheels/$WHEEL" "$WORK/index/"
"$WT" keygen --type p256 --out "$WORK/key/signer" >/dev/null
"$WT" attest "$WORK/index/$WHEEL" --key "$WORK/key/signer.pem" >/dev/null
cp "$WORK/index/$WHEEL" "$WORK/genuine.whl"
cp "$WORK/index/$WHEEL.slsa.attestation" "$WORK/genuine.attestation"

PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$WT" serve "$WORK/index" --port "$PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
INDEX="http://127.0.0.1:$PORT/pypi/wheeltrust/main/simple/"
for _ in $(seq 50); do curl -sf "$INDEX" >/dev/null && break; sleep 0.1; done

"$PY" -m venv --without-pip "$WORK/venv"
"$PY" -m pip --python "$WORK/venv/bin/python" install -q --no-cache-dir --index-url "$INDEX" clitool

log "building the bomb: entry_points.txt of $MB MiB"
"$PY" - "$WORK/bomb.whl" "$WORK/genuine.whl" "$MB" <<'EOF'
import base64, hashlib, sys, zipfile
out, src, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
members = {}
with zipfile.ZipFile(src) as z:
    for name in z.namelist():
        members[name] = z.read(name)
ep = "clitool-2.0.dist-info/entry_points.txt"
rec = "clitool-2.0.dist-info/RECORD"
line = b"#" * 1023 + b"\n"
digest = hashlib.sha256(members[ep])
size = len(members[ep])
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    rows = []
    for name, data in members.items():
        if name in (ep, rec):
            continue
        z.writestr(name, data)
        rows.append(f"{name},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},{len(data)}")
    with z.open(ep, "w", force_zip64=True) as handle:
        handle.write(members[ep])
        for _ in range(mb * 1024):
            handle.write(line)
            digest.update(line)
            size += len(line)
    rows.append(f"{ep},sha256={base64.urlsafe_b64encode(digest.digest()).rstrip(b'=').decode()},{size}")
    rows.append(f"{rec},,")
    z.writestr(rec, "\n".join(rows) + "\n")
EOF

measure() {  # name: runs verify once, prints "name rss_kib seconds exit"
  rm -rf "$WORK/cache"
  local start end status
  start=$(date +%s.%N)
  set +e
  /usr/bin/time -f '%M' -o "$WORK/$1.rss" "$WT" verify clitool --python "$WORK/venv/bin/python" --index-url "$INDEX" \
    --key "$WORK/key/signer.pub" --cache-dir "$WORK/cache" --timeout 120 --format json >"$WORK/$1.json" 2>"$WORK/$1.err"
  status=$?
  set -e
  end=$(date +%s.%N)
  echo "$1 $(tail -1 "$WORK/$1.rss") $(echo "$end - $start" | bc) $status"
}

results=()
cp "$WORK/genuine.whl" "$WORK/index/$WHEEL"; cp "$WORK/genuine.attestation" "$WORK/index/$WHEEL.slsa.attestation"
results+=("$(measure clean)")
cp "$WORK/bomb.whl" "$WORK/index/$WHEEL"
results+=("$(measure unproven)")
"$WT" attest "$WORK/index/$WHEEL" --key "$WORK/key/signer.pem" >/dev/null
results+=("$(measure proven)")

read -r _ base_rss base_time _ <<<"${results[0]}"
printf '%-9s %10s %8s %9s %8s %5s\n' run "peak MiB" "x clean" "seconds" "x clean" exit
for row in "${results[@]}"; do
  read -r name rss secs status <<<"$row"
  printf '%-9s %10.1f %8.2f %9.2f %8.2f %5s\n' "$name" "$(echo "$rss / 1024" | bc -l)" "$(echo "$rss / $base_rss" | bc -l)" \
    "$secs" "$(echo "$secs / $base_time" | bc -l)" "$status"
done
echo "(bomb: entry_points.txt of $MB MiB inflated; wheel $(du -k "$WORK/bomb.whl" | cut -f1) KiB on disk)"
