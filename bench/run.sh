#!/usr/bin/env bash
# Issue #4 benchmark: `wheeltrust verify --all` against the seed's approach and the read floor.
#
#   bash bench/run.sh [--quick] [--runs N] [--wheeltrust PATH]
#
# --quick        three small packages (bench/requirements-quick.txt) instead of bench/requirements.txt
# --runs N       timed runs per measurement, the median is reported (default 5)
# --wheeltrust   use this binary; default: `swift build -c release --product wheeltrust` into .build
#
# Everything it downloads or builds lives in .bench/ (gitignored). Results: bench/results-<mode>.txt
set -euo pipefail

ORIG_ARGS=("$@")
MODE=full
RUNS=5
WT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) MODE=quick; shift ;;
    --runs) RUNS="$2"; shift 2 ;;
    --runs=*) RUNS="${1#*=}"; shift ;;
    --wheeltrust) WT="$2"; shift 2 ;;
    --wheeltrust=*) WT="${1#*=}"; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$RUNS" in ''|*[!0-9]*|0) echo "run.sh: --runs needs a positive integer" >&2; exit 2 ;; esac

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
WORK="$ROOT/.bench"
WHEELS="$WORK/wheels"
VENV="$WORK/venv"
CACHE="$WORK/cache"
KEYDIR="$WORK/key"
mkdir -p "$WORK" "$WHEELS" "$KEYDIR"
if [ "$MODE" = quick ]; then REQS="$BENCH_DIR/requirements-quick.txt"; else REQS="$BENCH_DIR/requirements.txt"; fi
RESULTS="$BENCH_DIR/results-$MODE.txt"

# pip must see neither this machine's find-links nor its config files.
for v in $(env | sed -n 's/^\(PIP_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1

# The real interpreter, not a pyenv shim.
PY="$(python3 -c 'import sys; print(sys.executable)')"

log() { printf '[bench] %s\n' "$*" >&2; }

# --- the binary --------------------------------------------------------------------------
if [ -z "$WT" ]; then
  log "building: swift build -c release --product wheeltrust"
  (cd "$ROOT" && swift build -c release --product wheeltrust)
  WT="$ROOT/.build/release/wheeltrust"
fi
[ -x "$WT" ] || { echo "run.sh: not executable: $WT" >&2; exit 2; }
WT="$(cd "$(dirname "$WT")" && pwd)/$(basename "$WT")"
case "$WT" in */debug/*) WT_KIND="debug build" ;; */release/*) WT_KIND="release build" ;; *) WT_KIND="unknown build" ;; esac

# --- 1. wheels ---------------------------------------------------------------------------
log "pip download ($MODE corpus) into $WHEELS"
"$PY" -m pip download -q --only-binary=:all: -d "$WHEELS" -r "$REQS"

# --- 2. key, attestations, server --------------------------------------------------------
if [ ! -f "$KEYDIR/signer.pem" ] || [ ! -f "$KEYDIR/signer.pub" ]; then
  log "wheeltrust keygen"
  rm -f "$WHEELS"/*.attestation
  "$WT" keygen --type p256 --out "$KEYDIR/signer" >/dev/null
fi
to_attest=()
for w in "$WHEELS"/*.whl; do [ -f "$w.slsa.attestation" ] || to_attest+=("$w"); done
if [ ${#to_attest[@]} -gt 0 ]; then
  log "wheeltrust attest (${#to_attest[@]} wheels)"
  "$WT" attest "${to_attest[@]}" --key "$KEYDIR/signer.pem" >/dev/null
fi

SERVER_PID=""
SERVER_LOG="$WORK/serve.log"
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"$WT" serve "$WHEELS" --host 127.0.0.1 --port 0 >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!
INDEX_URL=""
for _ in $(seq 1 100); do
  INDEX_URL="$(grep -o 'http://127\.0\.0\.1:[0-9]*/[^ ]*/simple/' "$SERVER_LOG" | head -n1 || true)"
  [ -n "$INDEX_URL" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$SERVER_LOG" >&2; echo "run.sh: wheeltrust serve exited" >&2; exit 3; }
  sleep 0.1
done
[ -n "$INDEX_URL" ] || { cat "$SERVER_LOG" >&2; echo "run.sh: no index URL from wheeltrust serve" >&2; exit 3; }
log "serving $WHEELS at $INDEX_URL (pid $SERVER_PID)"

# --- 3. the venv ---------------------------------------------------------------------------
log "fresh venv $VENV, pip install from our index"
rm -rf "$VENV"
"$PY" -m venv --without-pip "$VENV"
"$PY" -m pip --python "$VENV/bin/python" install -q --index-url "$INDEX_URL" -r "$REQS"

SITE="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')"
LIST="$WORK/files-$MODE.list0"
find "$SITE" "$VENV/bin" -type f -print0 >"$LIST"
NFILES="$(tr -cd '\0' <"$LIST" | wc -c)"
NBYTES="$(xargs -0 -r cat <"$LIST" | wc -c)"
NDISTS="$(find "$SITE" -maxdepth 1 -name '*.dist-info' | wc -l)"

# --- 4. measurements ------------------------------------------------------------------------
VERIFY=("$WT" verify --all -q --python "$VENV/bin/python" --key "$KEYDIR/signer.pub"
        --index-url "$INDEX_URL" --cache-dir "$CACHE")
SEED=("$PY" "$BENCH_DIR/seed_style.py" "$VENV" "$WHEELS")
run_verify()  { "${VERIFY[@]}" >/dev/null 2>&1; }
run_verify_nobc() { "${VERIFY[@]}" --no-check-bytecode >/dev/null 2>&1; }
run_seed()    { "${SEED[@]}" >/dev/null 2>&1; }
run_openssl() { xargs -0 -r -n 256 -P2 openssl dgst -sha256 <"$LIST" >/dev/null; }
run_cat2()    { xargs -0 -r -n 256 -P2 cat <"$LIST" >/dev/null; }
run_cat8()    { xargs -0 -r -n 256 -P8 cat <"$LIST" >/dev/null; }
run_help()    { "$WT" --help >/dev/null 2>&1; }

now_ns() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
# time_it N FUNC [drop]: prints the median wall time in seconds
time_it() {
  local n="$1" fn="$2" drop="${3:-}" i t0 t1
  for i in $(seq 1 "$n"); do
    if [ -n "$drop" ]; then sync; echo 3 >/proc/sys/vm/drop_caches; fi
    t0=$(now_ns); "$fn"; t1=$(now_ns)
    echo $(( t1 - t0 ))
  done | median | awk '{printf "%.4f\n", $1/1e9}'
}

log "warm-up (fills wheeltrust's cache and the page cache)"
set +e
"${VERIFY[@]}" >"$WORK/verify-$MODE.out" 2>&1; VRC=$?
"${SEED[@]}" >"$WORK/seed-$MODE.out" 2>&1; SRC=$?
set -e
if [ "$VRC" -ne 0 ]; then cat "$WORK/verify-$MODE.out" >&2; echo "run.sh: wheeltrust verify exited $VRC" >&2; exit 1; fi
if [ "$SRC" -ne 0 ]; then cat "$WORK/seed-$MODE.out" >&2; echo "run.sh: seed_style.py exited $SRC" >&2; exit 1; fi
run_openssl; run_cat2; run_cat8

log "warm: $RUNS runs each"
W_WT=$(time_it "$RUNS" run_verify)
W_WTNB=$(time_it "$RUNS" run_verify_nobc)
W_SEED=$(time_it "$RUNS" run_seed)
W_SSL=$(time_it "$RUNS" run_openssl)
W_CAT2=$(time_it "$RUNS" run_cat2)
W_CAT8=$(time_it "$RUNS" run_cat8)

COLD=""
if [ -w /proc/sys/vm/drop_caches ] && (sync; echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null; then
  log "cold (drop_caches before every run): $RUNS runs each"
  C_WT=$(time_it "$RUNS" run_verify drop)
  C_SEED=$(time_it "$RUNS" run_seed drop)
  C_SSL=$(time_it "$RUNS" run_openssl drop)
  C_CAT2=$(time_it "$RUNS" run_cat2 drop)
  C_CAT8=$(time_it "$RUNS" run_cat8 drop)
  COLD=yes
else
  COLD_MSG="cold cache: skipped (/proc/sys/vm/drop_caches is not writable)"
fi

RSS_MSG=""
if [ -x /usr/bin/time ]; then
  /usr/bin/time -v "${VERIFY[@]}" >/dev/null 2>"$WORK/time-$MODE.out" || true
  RSS_KB="$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): *//p' "$WORK/time-$MODE.out")"
  RSS_MSG="peak RSS of wheeltrust verify --all: ${RSS_KB:-?} KiB ($(awk -v k="${RSS_KB:-0}" 'BEGIN{printf "%.1f", k/1024}') MiB)"
else
  RSS_MSG="peak RSS: skipped (/usr/bin/time is missing)"
fi

log "start-up: wheeltrust --help, 20 runs"
T_HELP=$(time_it 20 run_help)

# --- 5. the table ---------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.3gx", a/b; else print "n/a" }'; }
row() { printf '%-52s %10s %9s\n' "$1" "$2" "$3"; }
CMD="bash bench/run.sh$(printf ' %q' "${ORIG_ARGS[@]}")"
MEM_KB="$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)"
{
  echo "wheeltrust benchmark (issue #4), $MODE corpus"
  echo "date:       $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "machine:    $(uname -sm), nproc $(nproc), memory $(awk -v k="$MEM_KB" 'BEGIN{printf "%.1f GiB", k/1048576}')"
  echo "command:    $CMD"
  echo "wheeltrust: $WT ($WT_KIND, $("$WT" --version 2>/dev/null || echo '?'))"
  echo "python:     $PY ($("$PY" -c 'import platform; print(platform.python_version())')); $(openssl version)"
  echo "corpus:     $(grep -cv '^\s*\(#\|$\)' "$REQS") requirements -> $NDISTS installed dists, $NFILES files, $(awk -v b="$NBYTES" 'BEGIN{printf "%.1f MiB", b/1048576}') (site-packages + bin)"
  echo "runs:       median of $RUNS (warm: wheels cached by wheeltrust, page cache warm)"
  echo
  row "measurement (warm)" "median s" "vs wt"
  row "wheeltrust verify --all (--jobs 4 default)" "$W_WT" "1.00x"
  row "wheeltrust verify --all --no-check-bytecode" "$W_WTNB" "$(ratio "$W_WTNB" "$W_WT")"
  row "seed_style.py (zipfile RECORD + hashlib, 1 thread)" "$W_SEED" "$(ratio "$W_SEED" "$W_WT")"
  row "xargs -0 -P2 openssl dgst -sha256" "$W_SSL" "$(ratio "$W_SSL" "$W_WT")"
  row "xargs -0 -P2 cat > /dev/null (read floor)" "$W_CAT2" "$(ratio "$W_CAT2" "$W_WT")"
  row "xargs -0 -P8 cat > /dev/null (read floor)" "$W_CAT8" "$(ratio "$W_CAT8" "$W_WT")"
  if [ -n "$COLD" ]; then
    echo
    row "measurement (cold: drop_caches before each run)" "median s" "vs wt"
    row "wheeltrust verify --all" "$C_WT" "1.00x"
    row "seed_style.py" "$C_SEED" "$(ratio "$C_SEED" "$C_WT")"
    row "xargs -0 -P2 openssl dgst -sha256" "$C_SSL" "$(ratio "$C_SSL" "$C_WT")"
    row "xargs -0 -P2 cat > /dev/null" "$C_CAT2" "$(ratio "$C_CAT2" "$C_WT")"
    row "xargs -0 -P8 cat > /dev/null" "$C_CAT8" "$(ratio "$C_CAT8" "$C_WT")"
  else
    echo
    echo "$COLD_MSG"
  fi
  echo
  echo "$RSS_MSG"
  echo "start-up: wheeltrust --help median of 20: $T_HELP s"
  echo
  echo "notes: ratio = tool median / wheeltrust median (below 1.00x = faster than wheeltrust)."
  echo "       wheeltrust also fetches the project page and provenance from the local index and verifies"
  echo "       signatures; the others only read/hash the same files. xargs uses -n 256 per process."
  echo "       wheeltrust: $(tail -n1 "$WORK/verify-$MODE.out")"
  echo "       $(tail -n1 "$WORK/seed-$MODE.out")"
} | tee "$RESULTS"
log "written: $RESULTS"
