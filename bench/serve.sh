#!/usr/bin/env bash
# Load benchmark of `wheeltrust serve --store` (issue 13), not a test: 200 concurrent downloads
# (wrk) and 20 concurrent uploads (bench/serve_load.py) on 127.0.0.1, the server's RSS sampled
# through the run; requests/s for the simple page, a provenance and a 10 MB file against
# `python3 -m http.server` serving the static export of the same store (wheeltrust export), same
# run, ratios printed. Results: bench/results-serve.txt.
# Needs: a built wheeltrust (swift build), wrk (/usr/bin/wrk), python3.
set -euo pipefail
cd "$(dirname "$0")/.."
WT=${WHEELTRUST:-.build/debug/wheeltrust}
DURATION=${DURATION:-10s}
UPLOADS=${UPLOADS:-100}
work=$(mktemp -d /tmp/wt-bench-serve-XXXXXX)
server_pid=""; static_pid=""; sampler_pid=""
cleanup() {
    for pid in $sampler_pid $static_pid $server_pid; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
export HOME=$work

"$WT" keygen --out "$work/release" >/dev/null
cat > "$work/policy.toml" <<'TOML'
version = 1

[keys.release]
file = "release.pub"

[[rule]]
packages = ["*"]
keys = ["release"]
TOML
mkdir -p "$work/dist"
python3 bench/serve_load.py make "$work/dist" "$UPLOADS" 10
"$WT" attest "$work"/dist/*.whl --key "$work/release.pem" >/dev/null
token=$("$WT" serve token add bench --store "$work/store" --upload | tail -1)
# The 10 MB wheel goes in through `serve import` (the same door check); the uploads below are new.
mkdir -p "$work/big" && cp "$work"/dist/benchbig-* "$work/big/"
"$WT" serve import "$work/big" --store "$work/store" --policy "$work/policy.toml" >/dev/null

"$WT" serve --store "$work/store" --policy "$work/policy.toml" --anonymous-read --port 0 >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do grep -q "^Uploads" "$work/serve.log" && break; sleep 0.1; done
index=$(sed -n 's/^Serving .* at \(http[^ ]*\)$/\1/p' "$work/serve.log")
upload=$(sed -n 's/^Uploads (twine, uv publish): \([^;]*\);.*/\1/p' "$work/serve.log")
origin=${index%/pypi/*}
big=benchbig-1.0-py3-none-any.whl
simple_path=/pypi/wheeltrust/main/simple/benchbig/
prov_path=/api/pypi/wheeltrust/main/integrity/benchbig/1.0/$big/provenance/
file_path=/api/pulp-content/wheeltrust/main/$big

(while kill -0 "$server_pid" 2>/dev/null; do awk '/VmRSS/ {print $2}' "/proc/$server_pid/status"; sleep 0.5; done) >"$work/rss.txt" &
sampler_pid=$!

run_wrk() { # URL -> "req/s errors"
    wrk -t2 -c200 -d"$DURATION" --latency "$1" 2>&1 | awk '
        /Requests\/sec/ {rps=$2}
        /Non-2xx|Socket errors/ {errors=errors" "$0}
        END {print rps "|" (errors == "" ? "0 errors" : errors)}'
}

python3 bench/serve_load.py upload "$upload" "$token" "$work/dist" >"$work/uploads.txt" &
uploader=$!
rss_now() { awk '/VmRSS/ {print $2}' "/proc/$server_pid/status"; }
rss_start=$(rss_now)
s_simple=$(run_wrk "$origin$simple_path")
wait $uploader
rss_simple=$(rss_now)
s_prov=$(run_wrk "$origin$prov_path")
rss_prov=$(rss_now)
s_file=$(run_wrk "$origin$file_path")
rss_file=$(rss_now)

"$WT" export --store "$work/store" --out "$work/site" >/dev/null
(cd "$work/site" && exec python3 -m http.server 0 --bind 127.0.0.1 >"$work/static.log" 2>&1) &
static_pid=$!
for _ in $(seq 50); do grep -q "Serving HTTP" "$work/static.log" && break; sleep 0.1; done
sport=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$work/static.log" | head -1)
sorigin=http://127.0.0.1:$sport
x_simple=$(run_wrk "$sorigin/simple/benchbig/")
x_prov=$(run_wrk "$sorigin/integrity/benchbig/1.0/$big/provenance")
x_file=$(run_wrk "$sorigin/files/$big")

kill "$sampler_pid" 2>/dev/null || true
rss=$(sort -n "$work/rss.txt" | awk 'NR==1{min=$1} {max=$1; n++} END {printf "%d samples, min %d KiB, max %d KiB", n, min, max}')
ratio() { python3 -c "import sys; a,b=float(sys.argv[1] or 0),float(sys.argv[2] or 0); print(f'{a/b:.2f}x' if b else 'n/a')" "$1" "$2"; }
{
    echo "wheeltrust serve --store vs python3 -m http.server on its static export ($(date -u +%F), $(nproc) cores, wrk -c200 -d$DURATION)"
    echo "$(cat "$work/uploads.txt") (20 at a time, during the simple-page run)"
    printf '%-12s %14s %14s %8s   %s\n' what "serve req/s" "static req/s" ratio "errors (serve | static)"
    row() { printf '%-12s %14s %14s %8s   %s | %s\n' "$1" "${2%%|*}" "${3%%|*}" "$(ratio "${2%%|*}" "${3%%|*}")" "${2#*|}" "${3#*|}"; }
    row simple "$s_simple" "$x_simple"
    row provenance "$s_prov" "$x_prov"
    row 10MB-file "$s_file" "$x_file"
    echo "server RSS: $rss; KiB at start $rss_start, after uploads + simple $rss_simple, after provenance $rss_prov, after the 10 MB file $rss_file"
} | tee bench/results-serve.txt
