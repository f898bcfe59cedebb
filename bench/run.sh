#!/usr/bin/env bash
# Issue #4 benchmark: `wheeltrust verify --all` against the seed's approach and the read floor.
#
#   bash bench/run.sh [--quick] [--runs N] [--wheeltrust PATH] [--keep-venv]
#
# --quick        three small packages (bench/requirements-quick.txt) instead of bench/requirements.txt
# --runs N       timed runs per measurement, the median is reported (default 5); the measurements of
#                one block run round-robin (A B C, A B C, ...) so that load changes hit all alike
# --wheeltrust   use this binary; default: `swift build -c release --product wheeltrust` into .build
# --keep-venv    reuse .bench/venv and the downloaded wheels of an earlier run (no pip download/install)
#
# Everything it downloads or builds lives in .bench/ (gitignored). Results: bench/results-<mode>.txt
set -euo pipefail

ORIG_ARGS=("$@")
MODE=full
RUNS=5
WT=""
KEEP_VENV=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) MODE=quick; shift ;;
    --runs) RUNS="$2"; shift 2 ;;
    --runs=*) RUNS="${1#*=}"; shift ;;
    --wheeltrust) WT="$2"; shift 2 ;;
    --wheeltrust=*) WT="${1#*=}"; shift ;;
    --keep-venv) KEEP_VENV=yes; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
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

BENCH_NAME=run.sh
# shellcheck source=bench/common.sh
. "$BENCH_DIR/common.sh"
bench_clean_pip

# The real interpreter, not a pyenv shim.
PY="$(python3 -c 'import sys; print(sys.executable)')"

log() { printf '[bench] %s\n' "$*" >&2; }

# --- the binary --------------------------------------------------------------------------
bench_binary release

# --- 1. wheels ---------------------------------------------------------------------------
if [ -n "$KEEP_VENV" ] && [ -x "$VENV/bin/python" ] && ls "$WHEELS"/*.whl >/dev/null 2>&1; then
  log "--keep-venv: reusing $WHEELS and $VENV"
else
  KEEP_VENV=""
  log "pip download ($MODE corpus) into $WHEELS"
  "$PY" -m pip download -q --only-binary=:all: -d "$WHEELS" -r "$REQS"
fi

# --- 2. key, attestations, server --------------------------------------------------------
bench_attest "$WHEELS" "$KEYDIR"
trap bench_stop_server EXIT
trap 'exit 130' INT TERM
bench_serve "$WHEELS" "$WORK/serve.log"

# --- 3. the venv ---------------------------------------------------------------------------
if [ -z "$KEEP_VENV" ]; then
  log "fresh venv $VENV, pip install from our index"
  rm -rf "$VENV"
  "$PY" -m venv --without-pip "$VENV"
  "$PY" -m pip --python "$VENV/bin/python" install -q --index-url "$INDEX_URL" -r "$REQS"
fi

SITE="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')"
LIST="$WORK/files-$MODE.list0"
find "$SITE" "$VENV/bin" -type f -print0 >"$LIST"
NFILES="$(tr -cd '\0' <"$LIST" | wc -c)"
NBYTES="$(xargs -0 -r cat <"$LIST" | wc -c)"
NDISTS="$(find "$SITE" -maxdepth 1 -name '*.dist-info' | wc -l)"

# Subsets of the installed distributions for time vs environment size: 10 and 40 names spread
# evenly over the sorted list (so big and small packages mix), verified by name in the same venv.
# subset_stats prints "NAMES<TAB>FILES<TAB>BYTES" of what their installed RECORDs list.
subset_stats() {
  "$PY" - "$SITE" "$1" <<'PYEOF'
import csv, os, sys
site, k = sys.argv[1], int(sys.argv[2])
dists = sorted(d for d in os.listdir(site) if d.endswith(".dist-info"))
pick = [dists[(i * len(dists)) // k] for i in range(k)] if k < len(dists) else dists
names, files, size = [], 0, 0
for d in pick:
    names.append(d[: -len(".dist-info")].rsplit("-", 1)[0])
    with open(os.path.join(site, d, "RECORD"), newline="") as fh:
        for row in csv.reader(fh):
            if not row:
                continue
            p = os.path.normpath(os.path.join(site, row[0]))
            if os.path.isfile(p):
                files += 1
                size += os.path.getsize(p)
print(" ".join(names), files, size, sep="\t")
PYEOF
}
IFS=$'\t' read -r NAMES10 FILES10 BYTES10 < <(subset_stats 10)
IFS=$'\t' read -r NAMES40 FILES40 BYTES40 < <(subset_stats 40)
IFS=$'\t' read -r NAMESALL FILESALL BYTESALL < <(subset_stats 100000)
read -r -a SUB10 <<<"$NAMES10"
read -r -a SUB40 <<<"$NAMES40"
read -r -a SUBALL <<<"$NAMESALL"

# --- 4. measurements ------------------------------------------------------------------------
VERIFY=("$WT" verify --all -q --python "$VENV/bin/python" --key "$KEYDIR/signer.pub"
        --index-url "$INDEX_URL" --cache-dir "$CACHE")
SEED=("$PY" "$BENCH_DIR/seed_style.py" "$VENV" "$WHEELS")
run_verify()  { "${VERIFY[@]}" --check-bytecode >/dev/null 2>&1; }
run_verify_nobc() { "${VERIFY[@]}" --no-check-bytecode >/dev/null 2>&1; }
run_seed()    { "${SEED[@]}" >/dev/null 2>&1; }
run_openssl() { xargs -0 -r -n 256 -P2 openssl dgst -sha256 <"$LIST" >/dev/null; }
run_cat2()    { xargs -0 -r -n 256 -P2 cat <"$LIST" >/dev/null; }
run_cat8()    { xargs -0 -r -n 256 -P8 cat <"$LIST" >/dev/null; }
run_help()    { "$WT" --help >/dev/null 2>&1; }
# By name (no --all, so no scan for unowned files): the environment-size series.
NAMED=("$WT" verify -q --python "$VENV/bin/python" --key "$KEYDIR/signer.pub"
       --index-url "$INDEX_URL" --cache-dir "$CACHE")
run_named10()  { "${NAMED[@]}" "${SUB10[@]}" >/dev/null 2>&1; }
run_named40()  { "${NAMED[@]}" "${SUB40[@]}" >/dev/null 2>&1; }
run_namedall() { "${NAMED[@]}" "${SUBALL[@]}" >/dev/null 2>&1; }
run_named10_nobc()  { "${NAMED[@]}" --no-check-bytecode "${SUB10[@]}" >/dev/null 2>&1; }
run_named40_nobc()  { "${NAMED[@]}" --no-check-bytecode "${SUB40[@]}" >/dev/null 2>&1; }
run_namedall_nobc() { "${NAMED[@]}" --no-check-bytecode "${SUBALL[@]}" >/dev/null 2>&1; }
# The seed's per-package flow (pip download --no-deps + attestation + openssl + RECORD), 10 packages.
FLOW=("$PY" "$BENCH_DIR/seed_flow.py" "$PY" "$VENV" "$INDEX_URL" "$KEYDIR/signer.pub")
run_flow10()  { "${FLOW[@]}" "${SUB10[@]}" >/dev/null 2>&1; }

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

# time_set N DROP FN...: runs the functions round-robin N times (DROP non-empty: drop the page
# cache before each); med_of FN then prints one function's median wall time in seconds.
declare -A TIMES=()
time_set() {
  local n="$1" drop="$2" i fn t0 t1
  shift 2
  for i in $(seq 1 "$n"); do
    for fn in "$@"; do
      if [ -n "$drop" ]; then sync; echo 3 >/proc/sys/vm/drop_caches; fi
      t0=$(now_ns); "$fn"; t1=$(now_ns)
      TIMES[$fn$drop]="${TIMES[$fn$drop]:-} $(( t1 - t0 ))"
    done
  done
}
med_of() { printf '%s\n' ${TIMES[$1${2:-}]} | median | awk '{printf "%.4f\n", $1/1e9}'; }

log "warm-up (fills wheeltrust's cache and the page cache)"
set +e
"${VERIFY[@]}" >"$WORK/verify-$MODE.out" 2>&1; VRC=$?
"${SEED[@]}" >"$WORK/seed-$MODE.out" 2>&1; SRC=$?
set -e
if [ "$VRC" -ne 0 ]; then cat "$WORK/verify-$MODE.out" >&2; echo "run.sh: wheeltrust verify exited $VRC" >&2; exit 1; fi
if [ "$SRC" -ne 0 ]; then cat "$WORK/seed-$MODE.out" >&2; echo "run.sh: seed_style.py exited $SRC" >&2; exit 1; fi
set +e
"${FLOW[@]}" "${SUB10[@]}" >"$WORK/flow-$MODE.out" 2>&1; FRC=$?
set -e
if [ "$FRC" -ne 0 ]; then cat "$WORK/flow-$MODE.out" >&2; echo "run.sh: seed_flow.py exited $FRC" >&2; exit 1; fi
run_openssl; run_cat2; run_cat8

LOAD_START="$(cat /proc/loadavg)"
log "warm: $RUNS runs each (load: $LOAD_START)"
time_set "$RUNS" "" run_verify_nobc run_openssl run_cat2 run_cat8 run_seed run_verify
W_WT=$(med_of run_verify)
W_WTNB=$(med_of run_verify_nobc)
W_SEED=$(med_of run_seed)
W_SSL=$(med_of run_openssl)
W_CAT2=$(med_of run_cat2)
W_CAT8=$(med_of run_cat8)

log "environment size: ${#SUB10[@]}, ${#SUB40[@]}, ${#SUBALL[@]} distributions by name, $RUNS runs each"
time_set "$RUNS" "" run_named10_nobc run_named40_nobc run_namedall_nobc run_named10 run_named40 run_namedall
S_10=$(med_of run_named10)
S_40=$(med_of run_named40)
S_ALL=$(med_of run_namedall)
S_10NB=$(med_of run_named10_nobc)
S_40NB=$(med_of run_named40_nobc)
S_ALLNB=$(med_of run_namedall_nobc)

log "seed per-package flow on ${#SUB10[@]} packages: $RUNS runs"
F_10=$(time_it "$RUNS" run_flow10)
F_SCALED=$(awk -v t="$F_10" -v k="${#SUB10[@]}" -v n="$NDISTS" 'BEGIN{printf "%.4f", t / k * n}')

COLD=""
if [ -w /proc/sys/vm/drop_caches ] && (sync; echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null; then
  log "cold (drop_caches before every run): $RUNS runs each"
  time_set "$RUNS" drop run_verify_nobc run_openssl run_cat2 run_cat8 run_seed run_verify
  C_WT=$(med_of run_verify drop)
  C_WTNB=$(med_of run_verify_nobc drop)
  C_SEED=$(med_of run_seed drop)
  C_SSL=$(med_of run_openssl drop)
  C_CAT2=$(med_of run_cat2 drop)
  C_CAT8=$(med_of run_cat8 drop)
  COLD=yes
else
  COLD_MSG="cold cache: skipped (/proc/sys/vm/drop_caches is not writable)"
fi

RSS_MSG=""
if [ -x /usr/bin/time ]; then
  /usr/bin/time -v "${VERIFY[@]}" --check-bytecode >/dev/null 2>"$WORK/time-$MODE.out" || true
  RSS_KB="$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): *//p' "$WORK/time-$MODE.out")"
  RSS_MSG="peak RSS of wheeltrust verify --all --check-bytecode: ${RSS_KB:-?} KiB ($(awk -v k="${RSS_KB:-0}" 'BEGIN{printf "%.1f", k/1024}') MiB; the largest of wheeltrust and the python it runs)"
  # The peak varies by a few MiB from run to run (which packages are in flight together, how
  # the allocator's free space falls): the median of 5 runs, with the range.
  RSS_NB_ALL=""
  for _ in 1 2 3 4 5; do
    /usr/bin/time -v "${VERIFY[@]}" --no-check-bytecode >/dev/null 2>"$WORK/time-nobc-$MODE.out" || true
    RSS_NB_ALL="$RSS_NB_ALL $(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): *//p' "$WORK/time-nobc-$MODE.out")"
  done
  read -r RSS_NB_KB RSS_NB_MIN RSS_NB_MAX < <(echo $RSS_NB_ALL | tr ' ' '\n' | sort -n | awk '{v[NR]=$1} END{print v[int((NR+1)/2)], v[1], v[NR]}')
  RSS_MSG="$RSS_MSG
peak RSS of wheeltrust verify --all --no-check-bytecode: ${RSS_NB_KB:-?} KiB ($(awk -v k="${RSS_NB_KB:-0}" 'BEGIN{printf "%.1f", k/1024}') MiB; median of 5, range $(awk -v a="${RSS_NB_MIN:-0}" -v b="${RSS_NB_MAX:-0}" 'BEGIN{printf "%.1f-%.1f", a/1024, b/1024}') MiB)"
  /usr/bin/time -v "$WT" --help >/dev/null 2>"$WORK/time-help-$MODE.out" || true
  RSS_HELP_KB="$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): *//p' "$WORK/time-help-$MODE.out")"
  RSS_MSG="$RSS_MSG
peak RSS of wheeltrust --help (the binary and its libraries alone): ${RSS_HELP_KB:-?} KiB"
else
  RSS_MSG="peak RSS: skipped (/usr/bin/time is missing)"
fi

# Where the CPU of one warm run goes: wheeltrust itself and the local index server (both on
# the same cores; a real index would be another machine).
srv_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
S0=$(srv_ticks)
/usr/bin/time -f "%e %U %S" -o "$WORK/cpu-$MODE.out" "${VERIFY[@]}" --no-check-bytecode >/dev/null 2>&1 || true
S1=$(srv_ticks)
read -r CPU_WALL CPU_USER CPU_SYS <"$WORK/cpu-$MODE.out" || true
CPU_MSG="$(awk -v w="$CPU_WALL" -v u="$CPU_USER" -v s="$CPU_SYS" -v t=$((S1 - S0)) -v hz="$(getconf CLK_TCK)" \
  'BEGIN{printf "one warm verify --all --no-check-bytecode: %.2f s wall; wheeltrust %.2f s user + %.2f s sys; index server %.2f s CPU", w, u, s, t/hz}')"
/usr/bin/time -f "%e %U %S" -o "$WORK/cpu-bc-$MODE.out" "${VERIFY[@]}" --check-bytecode >/dev/null 2>&1 || true
read -r BC_WALL BC_USER BC_SYS <"$WORK/cpu-bc-$MODE.out" || true
CPU_BC_MSG="$(awk -v w="$BC_WALL" -v u="$BC_USER" -v s="$BC_SYS" \
  'BEGIN{printf "one warm verify --all (bytecode on): %.2f s wall; wheeltrust + its python %.2f s user + %.2f s sys", w, u, s}')"

log "start-up: wheeltrust --help, 20 runs"
T_HELP=$(time_it 20 run_help)
LOAD_END="$(cat /proc/loadavg)"

# --- 5. the table ---------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.3gx", a/b; else print "n/a" }'; }
row() { printf '%-52s %10s %9s %9s\n' "$1" "$2" "$3" "${4:-}"; }
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
  echo "runs:       median of $RUNS, each block round-robin (warm: wheels cached by wheeltrust, page cache warm)"
  echo "loadavg:    start $LOAD_START; end $LOAD_END"
  echo
  row "measurement (warm)" "median s" "vs wt" "vs wt-nb"
  row "wheeltrust verify --all --check-bytecode" "$W_WT" "1.00x" "$(ratio "$W_WT" "$W_WTNB")"
  row "wheeltrust verify --all --no-check-bytecode (wt-nb)" "$W_WTNB" "$(ratio "$W_WTNB" "$W_WT")" "1.00x"
  row "seed_style.py (zipfile RECORD + hashlib, 1 thread)" "$W_SEED" "$(ratio "$W_SEED" "$W_WT")" "$(ratio "$W_SEED" "$W_WTNB")"
  row "xargs -0 -P2 openssl dgst -sha256" "$W_SSL" "$(ratio "$W_SSL" "$W_WT")" "$(ratio "$W_SSL" "$W_WTNB")"
  row "xargs -0 -P2 cat > /dev/null (read floor)" "$W_CAT2" "$(ratio "$W_CAT2" "$W_WT")" "$(ratio "$W_CAT2" "$W_WTNB")"
  row "xargs -0 -P8 cat > /dev/null (read floor)" "$W_CAT8" "$(ratio "$W_CAT8" "$W_WT")" "$(ratio "$W_CAT8" "$W_WTNB")"
  if [ -n "$COLD" ]; then
    echo
    row "measurement (cold: drop_caches before each run)" "median s" "vs wt" "vs wt-nb"
    row "wheeltrust verify --all --check-bytecode" "$C_WT" "1.00x" "$(ratio "$C_WT" "$C_WTNB")"
    row "wheeltrust verify --all --no-check-bytecode (wt-nb)" "$C_WTNB" "$(ratio "$C_WTNB" "$C_WT")" "1.00x"
    row "seed_style.py" "$C_SEED" "$(ratio "$C_SEED" "$C_WT")" "$(ratio "$C_SEED" "$C_WTNB")"
    row "xargs -0 -P2 openssl dgst -sha256" "$C_SSL" "$(ratio "$C_SSL" "$C_WT")" "$(ratio "$C_SSL" "$C_WTNB")"
    row "xargs -0 -P2 cat > /dev/null" "$C_CAT2" "$(ratio "$C_CAT2" "$C_WT")" "$(ratio "$C_CAT2" "$C_WTNB")"
    row "xargs -0 -P8 cat > /dev/null" "$C_CAT8" "$(ratio "$C_CAT8" "$C_WT")" "$(ratio "$C_CAT8" "$C_WTNB")"
  else
    echo
    echo "$COLD_MSG"
  fi
  echo
  row "environment size (warm, verify NAME..., no --all)" "median s" "per MiB"
  sizerow() { row "$1 dists, $2 files, $(awk -v b="$3" 'BEGIN{printf "%.1f MiB", b/1048576}')$4" "$5" \
    "$(awk -v t="$5" -v b="$3" 'BEGIN{ if (b > 0) printf "%.1f ms", t*1000/(b/1048576); else print "n/a" }')"; }
  sizerow "${#SUB10[@]}" "$FILES10" "$BYTES10" "" "$S_10"
  sizerow "${#SUB40[@]}" "$FILES40" "$BYTES40" "" "$S_40"
  sizerow "${#SUBALL[@]}" "$FILESALL" "$BYTESALL" "" "$S_ALL"
  sizerow "${#SUB10[@]}" "$FILES10" "$BYTES10" ", no bytecode" "$S_10NB"
  sizerow "${#SUB40[@]}" "$FILES40" "$BYTES40" ", no bytecode" "$S_40NB"
  sizerow "${#SUBALL[@]}" "$FILESALL" "$BYTESALL" ", no bytecode" "$S_ALLNB"
  echo "  the ${#SUB10[@]}: ${SUB10[*]}"
  echo
  row "seed per-package flow (pip download --no-deps ...)" "median s" "vs wt" "vs wt-nb"
  row "seed_flow.py on the ${#SUB10[@]} packages above (vs verify NAME...)" "$F_10" "$(ratio "$F_10" "$S_10")" "$(ratio "$F_10" "$S_10NB")"
  row "  scaled to $NDISTS packages (x $NDISTS/${#SUB10[@]}) vs verify --all" "$F_SCALED" "$(ratio "$F_SCALED" "$W_WT")" "$(ratio "$F_SCALED" "$W_WTNB")"
  echo
  echo "targets of issue #4 (wheeltrust time / reference time; met when <= the bound):"
  tgt() { awk -v a="$2" -v b="$3" -v lim="$4" -v label="$1" \
    'BEGIN{ r = (b > 0) ? a / b : 0; printf "  %-58s %6.2fx  (<= %s: %s)\n", label, r, lim, (r <= lim) ? "met" : "missed" }'; }
  tgt "warm, --no-check-bytecode / openssl -P2" "$W_WTNB" "$W_SSL" 1.0
  tgt "warm, --no-check-bytecode / cat -P2" "$W_WTNB" "$W_CAT2" 1.3
  tgt "warm, bytecode on / openssl -P2" "$W_WT" "$W_SSL" 1.0
  if [ -n "$COLD" ]; then
    tgt "cold, --no-check-bytecode / cat -P8" "$C_WTNB" "$C_CAT8" 1.2
    tgt "cold, bytecode on / cat -P8" "$C_WT" "$C_CAT8" 1.2
  fi
  awk -v f="$F_SCALED" -v w="$W_WTNB" -v b="$W_WT" 'BEGIN{
    printf "  %-58s %6.1fx  (>= 50: %s)\n", "seed per-package flow (scaled) / --no-check-bytecode", f/w, (f/w >= 50) ? "met" : "missed";
    printf "  %-58s %6.1fx  (>= 50: %s)\n", "seed per-package flow (scaled) / bytecode on", f/b, (f/b >= 50) ? "met" : "missed" }'
  awk -v w="$W_WT" -v n="$W_WTNB" 'BEGIN{ printf "  %-58s %+5.0f %%   (< 30 %%: default on, else off)\n", "bytecode check cost, warm", (w/n - 1) * 100 }'
  if [ -n "$COLD" ]; then
    awk -v w="$C_WT" -v n="$C_WTNB" 'BEGIN{ printf "  %-58s %+5.0f %%\n", "bytecode check cost, cold", (w/n - 1) * 100 }'
  fi
  awk -v k="${RSS_KB:-0}" -v nk="${RSS_NB_KB:-0}" -v h="$T_HELP" 'BEGIN{
    printf "  %-58s %6.1f MiB (<= 64: %s)\n", "peak RSS, bytecode on", k/1024, (k/1024 <= 64) ? "met" : "missed";
    printf "  %-58s %6.1f MiB (<= 64: %s)\n", "peak RSS, --no-check-bytecode", nk/1024, (nk/1024 <= 64) ? "met" : "missed";
    printf "  %-58s %6.1f ms  (<= 20: %s)\n", "wheeltrust --help", h*1000, (h*1000 <= 20) ? "met" : "missed" }'
  echo
  echo "$RSS_MSG"
  echo "cpu:      $CPU_MSG"
  echo "cpu:      $CPU_BC_MSG"
  echo "start-up: wheeltrust --help median of 20: $T_HELP s"
  echo
  echo "notes: ratio = tool median / wheeltrust median (below 1.00x = faster than wheeltrust); vs wt: with"
  echo "       the bytecode check (--check-bytecode), vs wt-nb: without it (the default for --all)."
  echo "       wheeltrust also fetches the project page and provenance from the local index and verifies"
  echo "       signatures; the others only read/hash the same files. xargs uses -n 256 per process."
  echo "       wheeltrust: $(tail -n1 "$WORK/verify-$MODE.out")"
  echo "       $(tail -n1 "$WORK/seed-$MODE.out")"
  echo "       $(tail -n1 "$WORK/flow-$MODE.out") (first run); signature by openssl dgst where the seed runs cosign"
} | tee "$RESULTS"
log "written: $RESULTS"
