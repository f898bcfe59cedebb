#!/usr/bin/env bash
# Issue #12 benchmark: `wheeltrust verify-lock` on the corpus lock against `pip download` of the
# same set from the same server, both with a cold cache, in the same run.
#
#   bash bench/lock.sh [--quick] [--runs N] [--wheeltrust PATH] [--jobs N]
#
# --quick        three small packages (bench/requirements-quick.txt) instead of bench/requirements.txt
# --runs N       timed runs per measurement, the median is reported (default 5); the measurements
#                run round-robin (A B C, A B C, ...) so that load changes hit all alike
# --wheeltrust   use this binary; default: `swift build -c release --product wheeltrust` into .build
# --jobs N       verify-lock --jobs (default: wheeltrust's own default)
#
# The corpus is the requirements resolved to wheels with their dependencies (pip download once
# from the package registry into .bench/wheels, shared with bench/run.sh), attested by
# `wheeltrust attest` with a key generated here and served by `wheeltrust serve` on 127.0.0.1.
# The lock is written by `uv pip compile --format pylock.toml` against that server (uv from
# $WHEELTRUST_TEST_UV, .ci/tools-venv or PATH); without uv it is generated from the served
# files. Each timed run starts cold: verify-lock with a fresh wheeltrust cache directory, pip
# download with --no-cache-dir into a fresh folder. Results: bench/results-lock[-quick].txt
set -euo pipefail

ORIG_ARGS=("$@")
MODE=full
RUNS=5
WT=""
JOBS=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) MODE=quick; shift ;;
    --runs) RUNS="$2"; shift 2 ;;
    --runs=*) RUNS="${1#*=}"; shift ;;
    --wheeltrust) WT="$2"; shift 2 ;;
    --wheeltrust=*) WT="${1#*=}"; shift ;;
    --jobs) JOBS="$2"; shift 2 ;;
    --jobs=*) JOBS="${1#*=}"; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "lock.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$RUNS" in ''|*[!0-9]*|0) echo "lock.sh: --runs needs a positive integer" >&2; exit 2 ;; esac
case "$JOBS" in *[!0-9]*) echo "lock.sh: --jobs needs a positive integer" >&2; exit 2 ;; esac

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
WORK="$ROOT/.bench"
WHEELS="$WORK/wheels"
KEYDIR="$WORK/key"
LOCKDIR="$WORK/lock-$MODE"
mkdir -p "$WORK" "$WHEELS" "$KEYDIR" "$LOCKDIR"
if [ "$MODE" = quick ]; then REQS="$BENCH_DIR/requirements-quick.txt"; RESULTS="$BENCH_DIR/results-lock-quick.txt"
else REQS="$BENCH_DIR/requirements.txt"; RESULTS="$BENCH_DIR/results-lock.txt"; fi

# The real interpreter, not a pyenv shim.
PY="$(python3 -c 'import sys; print(sys.executable)')"

log() { printf '[bench] %s\n' "$*" >&2; }
BENCH_NAME=lock.sh
# shellcheck source=bench/common.sh
. "$BENCH_DIR/common.sh"

# --- the binary -----------------------------------------------------------------------------
bench_binary release

# --- 1. wheels (once, from the package registry, with this machine's pip settings) ------------
log "pip download ($MODE corpus) into $WHEELS (files already there are kept)"
"$PY" -m pip download -q --disable-pip-version-check --only-binary=:all: -d "$WHEELS" -r "$REQS"

# From here on pip must see neither this machine's find-links nor its config files.
bench_clean_pip

# --- 2. key, attestations, server -------------------------------------------------------------
bench_attest "$WHEELS" "$KEYDIR"
SCRATCH="$(mktemp -d "$LOCKDIR/run.XXXXXX")"
cleanup() {
  bench_stop_server
  rm -rf "$SCRATCH"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
bench_serve "$WHEELS" "$LOCKDIR/serve.log"

# --- 3. the lock ------------------------------------------------------------------------------
LOCK="$LOCKDIR/pylock.toml"
UV="${WHEELTRUST_TEST_UV:-}"
[ -n "$UV" ] || { [ -x "$ROOT/.ci/tools-venv/bin/uv" ] && UV="$ROOT/.ci/tools-venv/bin/uv"; } || true
[ -n "$UV" ] || UV="$(command -v uv || true)"
if [ -n "$UV" ]; then
  log "uv pip compile --format pylock.toml against our server"
  "$UV" pip compile "$REQS" --format pylock.toml -o "$LOCK" --index-url "$INDEX_URL" --python "$PY" \
    --only-binary :all: --cache-dir "$SCRATCH/uv-cache" --quiet --no-header
  LOCK_BY="uv pip compile ($("$UV" --version))"
else
  log "no uv: the lock is generated from the served wheels"
  "$PY" - "$WHEELS" "$INDEX_URL" "$LOCK" <<'PYEOF'
import hashlib, os, sys
folder, index, out = sys.argv[1:4]
lines = ['lock-version = "1.0"', 'created-by = "bench/lock.sh"', ""]
for name in sorted(os.listdir(folder)):
    if not name.endswith(".whl"):
        continue
    digest = hashlib.sha256(open(os.path.join(folder, name), "rb").read()).hexdigest()
    project, version = name.split("-")[:2]
    lines += ["[[packages]]", f'name = "{project}"', f'version = "{version}"', f'index = "{index}"',
              f'wheels = [{{ url = "{index}../files/{name}", hashes = {{ sha256 = "{digest}" }} }}]', ""]
open(out, "w").write("\n".join(lines))
PYEOF
  LOCK_BY="generated from the served wheels (no uv found)"
fi
# The same set as pins for pip: name==version of every locked package.
PINS="$LOCKDIR/pins.txt"
"$PY" - "$LOCK" "$PINS" <<'PYEOF'
import sys, tomllib
lock = tomllib.load(open(sys.argv[1], "rb"))
with open(sys.argv[2], "w") as out:
    for package in lock["packages"]:
        out.write(f'{package["name"]}=={package["version"]}\n')
PYEOF
NPKG="$(wc -l <"$PINS")"
NBYTES="$("$PY" - "$LOCK" "$WHEELS" <<'PYEOF'
import os, sys, tomllib
lock = tomllib.load(open(sys.argv[1], "rb"))
total = 0
for package in lock["packages"]:
    for wheel in package.get("wheels", []):
        name = wheel.get("name") or wheel["url"].rsplit("/", 1)[-1]
        path = os.path.join(sys.argv[2], name)
        total += os.path.getsize(path) if os.path.exists(path) else 0
print(total)
PYEOF
)"
log "locked $NPKG packages, $(awk -v b="$NBYTES" 'BEGIN{printf "%.1f MiB", b/1048576}') of wheels"

# --- 4. measurements --------------------------------------------------------------------------
VERIFY=("$WT" verify-lock "$LOCK" -q --python "$PY" --index-url "$INDEX_URL" --key "$KEYDIR/signer.pub")
[ -n "$JOBS" ] && VERIFY+=(--jobs "$JOBS")
fresh() { local d; d="$(mktemp -d "$SCRATCH/cold.XXXXXX")"; echo "$d"; }
run_verify_lock() { local d; d="$(fresh)"; "${VERIFY[@]}" --cache-dir "$d" >/dev/null 2>&1; local rc=$?; rm -rf "$d"; return $rc; }
# The same with --check-wheel-contents: every wheel's members also read against its RECORD (off
# by default: the verified sha256 fixes the bytes, and `verify` after install checks the files).
run_verify_lock_contents() {
  local d; d="$(fresh)"
  "${VERIFY[@]}" --check-wheel-contents --cache-dir "$d" >/dev/null 2>&1; local rc=$?; rm -rf "$d"; return $rc
}
run_pip_pinned() {
  local d; d="$(fresh)"
  "$PY" -m pip download -q --no-cache-dir --no-deps --only-binary=:all: -d "$d" --index-url "$INDEX_URL" -r "$PINS" >/dev/null 2>&1
  local rc=$?; rm -rf "$d"; return $rc
}
run_pip_resolve() {
  local d; d="$(fresh)"
  "$PY" -m pip download -q --no-cache-dir --only-binary=:all: -d "$d" --index-url "$INDEX_URL" -r "$REQS" >/dev/null 2>&1
  local rc=$?; rm -rf "$d"; return $rc
}

log "check runs (each must succeed)"
PRIMED="$(fresh)"
set +e
"${VERIFY[@]}" --cache-dir "$PRIMED" >"$LOCKDIR/verify-lock.out" 2>&1; VRC=$?
set -e
run_verify_lock_contents || { echo "lock.sh: verify-lock --check-wheel-contents failed" >&2; exit 1; }
if [ "$VRC" -ne 0 ]; then cat "$LOCKDIR/verify-lock.out" >&2; echo "lock.sh: wheeltrust verify-lock exited $VRC" >&2; exit 1; fi
run_pip_pinned || { echo "lock.sh: pip download of the pinned set failed" >&2; exit 1; }
run_pip_resolve || { echo "lock.sh: pip download of the requirements failed" >&2; exit 1; }

now_ns() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
declare -A TIMES=()
time_set() {
  local n="$1" i fn t0 t1
  shift
  for i in $(seq 1 "$n"); do
    for fn in "$@"; do
      t0=$(now_ns); "$fn" || { echo "lock.sh: $fn failed" >&2; exit 1; }; t1=$(now_ns)
      TIMES[$fn]="${TIMES[$fn]:-} $(( t1 - t0 ))"
    done
  done
}
med_of() { printf '%s\n' ${TIMES[$1]} | median | awk '{printf "%.4f\n", $1/1e9}'; }
range_of() { printf '%s\n' ${TIMES[$1]} | sort -n | awk '{a[NR]=$1} END {printf "%.2f-%.2f", a[1]/1e9, a[NR]/1e9}'; }

LOAD_START="$(cat /proc/loadavg)"
log "cold caches, $RUNS runs each, round-robin (load: $LOAD_START)"
time_set "$RUNS" run_verify_lock run_pip_pinned run_pip_resolve run_verify_lock_contents
T_WT=$(med_of run_verify_lock)
T_CONTENTS=$(med_of run_verify_lock_contents)
T_PIN=$(med_of run_pip_pinned)
T_RES=$(med_of run_pip_resolve)
LOAD_END="$(cat /proc/loadavg)"

# --- 5. the table -----------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.3gx", a/b; else print "n/a" }'; }
row() { printf '%-60s %10s %12s %10s\n' "$1" "$2" "$3" "${4:-}"; }
CMD="bash bench/lock.sh$(printf ' %q' "${ORIG_ARGS[@]}")"
MEM_KB="$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)"
{
  echo "wheeltrust benchmark (issue #12: verify before install), $MODE corpus"
  echo "date:       $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "machine:    $(uname -sm), nproc $(nproc), memory $(awk -v k="$MEM_KB" 'BEGIN{printf "%.1f GiB", k/1048576}')"
  echo "command:    $CMD"
  echo "wheeltrust: $WT ($WT_KIND, $("$WT" --version 2>/dev/null || echo '?'))"
  echo "python:     $PY ($("$PY" -c 'import platform; print(platform.python_version())')), pip $("$PY" -m pip --version | cut -d' ' -f2)"
  echo "corpus:     $(grep -cv '^\s*\(#\|$\)' "$REQS") requirements -> $NPKG locked packages, $(awk -v b="$NBYTES" 'BEGIN{printf "%.1f MiB", b/1048576}') of wheels, served by wheeltrust serve on 127.0.0.1"
  echo "lock:       $LOCK_BY"
  echo "runs:       median of $RUNS (range), round-robin; every run cold: a fresh wheeltrust cache dir, pip --no-cache-dir into a fresh folder"
  echo "loadavg:    start $LOAD_START; end $LOAD_END"
  echo
  row "measurement (cold caches)" "median s" "range s" "vs wt"
  row "wheeltrust verify-lock (download, hashes, provenance)" "$T_WT" "$(range_of run_verify_lock)" "1.00x"
  row "pip download --no-deps of the locked name==version set" "$T_PIN" "$(range_of run_pip_pinned)" "$(ratio "$T_PIN" "$T_WT")"
  row "pip download -r requirements (pip resolves the same set)" "$T_RES" "$(range_of run_pip_resolve)" "$(ratio "$T_RES" "$T_WT")"
  row "verify-lock --check-wheel-contents (also every member)" "$T_CONTENTS" "$(range_of run_verify_lock_contents)" "$(ratio "$T_CONTENTS" "$T_WT")"
  echo
  echo "target of issue #12 (wheeltrust time / pip download time; met when <= the bound):"
  awk -v a="$T_WT" -v b="$T_PIN" 'BEGIN{ r = a / b; printf "  %-58s %6.2fx  (<= 0.5: %s)\n", "verify-lock / pip download --no-deps of the same set", r, (r <= 0.5) ? "met" : "missed" }'
  awk -v a="$T_WT" -v b="$T_RES" 'BEGIN{ r = a / b; printf "  %-58s %6.2fx  (<= 0.5: %s)\n", "verify-lock / pip download -r requirements", r, (r <= 0.5) ? "met" : "missed" }'
  awk -v a="$T_CONTENTS" -v b="$T_PIN" 'BEGIN{ r = a / b; printf "  %-58s %6.2fx  (for reference)\n", "  with --check-wheel-contents / pip download --no-deps", r }'
  echo
  echo "notes: both fetch every file of the set from the same local server; verify-lock also fetches"
  echo "       each file's provenance and verifies its signature and statement (and with"
  echo "       --check-wheel-contents inflates and hashes every member of $(awk -v b="$NBYTES" 'BEGIN{printf "%.0f MiB", b/1048576}') of wheels against"
  echo "       RECORD); pip download only downloads and hashes. The index server runs on the same cores"
  echo "       as the client in every row."
  echo "       wheeltrust: $(tail -n1 "$LOCKDIR/verify-lock.out")"
} | tee "$RESULTS"
log "written: $RESULTS"
