#!/usr/bin/env bash
# Issue #3 benchmark: time to verify ONE Sigstore keyless PEP 740 attestation offline,
# wheeltrust against pypi-attestations (the reference verifier), on the same real vector.
#
#   bash bench/keyless.sh [--runs N] [--wheeltrust PATH]
#
# --runs N       timed runs per measurement; the median is reported (default 15)
# --wheeltrust   use this binary (e.g. a release build); default: `swift build --product wheeltrust`
#                (debug) into .build
#
# Vector (bench/fixtures, see SOURCES.md): the pypi_attestations 0.0.19 sdist, its publish
# attestation (for pypi-attestations, found as FILE.publish.attestation) and the provenance object
# the index serves for it (same attestation plus its GitHub publisher, for wheeltrust).
# pypi-attestations is installed with pip (its default index) into .bench/keyless-venv (gitignored).
# Results: bench/results-keyless.txt
set -euo pipefail

ORIG_ARGS=("$@")
RUNS=15
WT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --runs=*) RUNS="${1#*=}"; shift ;;
    --wheeltrust) WT="$2"; shift 2 ;;
    --wheeltrust=*) WT="${1#*=}"; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "keyless.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$RUNS" in ''|*[!0-9]*|0) echo "keyless.sh: --runs needs a positive integer" >&2; exit 2 ;; esac

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
WORK="$ROOT/.bench"
VENV="$WORK/keyless-venv"
FIX="$BENCH_DIR/fixtures"
DIST="$FIX/pypi_attestations-0.0.19.tar.gz"
PROVENANCE="$DIST.provenance"
IDENTITY="https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19"
WRONG_IDENTITY="https://github.com/trailofbits/pypi-attestations/.github/workflows/other.yml@refs/tags/v0.0.19"
RESULTS="$BENCH_DIR/results-keyless.txt"
mkdir -p "$WORK"

log() { printf '[keyless] %s\n' "$*" >&2; }
BENCH_NAME=keyless.sh
# shellcheck source=bench/common.sh
. "$BENCH_DIR/common.sh"
bench_clean_pip

# --- the binaries ------------------------------------------------------------------------
bench_binary debug
WT_SOURCE="$WT"
# A private copy: a concurrent `swift build` may relink the original while we time it.
cp "$WT" "$WORK/wheeltrust-keyless"
WT="$WORK/wheeltrust-keyless"

PY="$(python3 -c 'import sys; print(sys.executable)')"
if [ ! -x "$VENV/bin/pypi-attestations" ]; then
  log "creating $VENV and installing pypi-attestations"
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q pypi-attestations
fi
PA="$VENV/bin/pypi-attestations"

# --- both must verify the vector, and refuse it for another identity ----------------------
"$PA" verify attestation --offline --identity "$IDENTITY" "$DIST" >/dev/null 2>&1 \
  || { echo "keyless.sh: pypi-attestations does not verify the vector" >&2; exit 1; }
if "$PA" verify attestation --offline --identity "$WRONG_IDENTITY" "$DIST" >/dev/null 2>&1; then
  echo "keyless.sh: pypi-attestations accepted a wrong identity" >&2; exit 1
fi
"$WT" verify-signature "$DIST" --provenance "$PROVENANCE" --quiet >/dev/null \
  || { echo "keyless.sh: wheeltrust does not verify the vector" >&2; exit 1; }
if "$WT" verify-signature "$DIST" --provenance "$PROVENANCE" --workflow other.yml --quiet >/dev/null 2>&1; then
  echo "keyless.sh: wheeltrust accepted a wrong workflow pin" >&2; exit 1
fi

# --- timing: one process per run, median of RUNS (alternating, after one warm-up each) ----
log "timing, median of $RUNS runs each"
TIMES="$("$VENV/bin/python" - "$RUNS" "$WT" "$PA" "$DIST" "$PROVENANCE" "$IDENTITY" <<'PY'
import statistics, subprocess, sys, time
runs, wt, pa, dist, provenance, identity = int(sys.argv[1]), *sys.argv[2:]
commands = {
    "wt": [wt, "verify-signature", dist, "--provenance", provenance, "--quiet"],
    "pa": [pa, "verify", "attestation", "--offline", "--identity", identity, dist],
}
def once(argv):
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start
samples = {name: [] for name in commands}
for name, argv in commands.items():
    once(argv)
for _ in range(runs):
    for name, argv in commands.items():
        samples[name].append(once(argv))
# In-process, import excluded: what pypi-attestations spends verifying once it is loaded.
import logging
logging.disable(logging.WARNING)
from pathlib import Path
from pypi_attestations import Attestation, Distribution
from sigstore.verify import policy
attestation = Attestation.model_validate_json(Path(dist + ".publish.attestation").read_bytes())
distribution = Distribution.from_file(Path(dist))
pol = policy.Identity(identity=identity)
attestation.verify(pol, distribution, offline=True)
api = []
for _ in range(runs):
    start = time.perf_counter()
    attestation.verify(pol, distribution, offline=True)
    api.append(time.perf_counter() - start)
print(f"{statistics.median(samples['wt']):.4f} {statistics.median(samples['pa']):.4f} {statistics.median(api):.4f}"
      f" {min(samples['wt']):.4f} {min(samples['pa']):.4f}")
PY
)"
read -r WT_MED PA_MED API_MED WT_MIN PA_MIN <<<"$TIMES"
HELP_MED="$("$VENV/bin/python" - "$RUNS" "$WT" <<'PY'
import statistics, subprocess, sys, time
runs, wt = int(sys.argv[1]), sys.argv[2]
out = []
for _ in range(runs):
    start = time.perf_counter()
    subprocess.run([wt, "--help"], stdout=subprocess.DEVNULL, check=True)
    out.append(time.perf_counter() - start)
print(f"{statistics.median(out):.4f}")
PY
)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }

PA_VERSION="$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("pypi-attestations"), "(sigstore", m.version("sigstore") + ")")')"
WT_VERSION="$("$WT" --version 2>/dev/null || echo '?')"
{
  echo "wheeltrust keyless benchmark (issue #3): verify one Sigstore keyless PEP 740 attestation offline"
  echo "date:        $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "machine:     $(uname -sm), nproc $(nproc)"
  echo "command:     bash bench/keyless.sh ${ORIG_ARGS[*]:-}"
  echo "wheeltrust:  $WT_SOURCE ($WT_KIND, $WT_VERSION)"
  echo "reference:   pypi-attestations $PA_VERSION on $("$VENV/bin/python" -c 'import sys; print(sys.version.split()[0])')"
  echo "vector:      pypi_attestations-0.0.19.tar.gz + publish attestation (prod, GitHub trailofbits/pypi-attestations release.yml)"
  echo "runs:        median of $RUNS, one process per run, alternating; each tool first refuses a wrong identity"
  echo
  printf '%-62s %9s %9s\n' "measurement" "median s" "vs wt"
  printf '%-62s %9s %9s\n' "wheeltrust verify-signature DIST --provenance P" "$WT_MED" "1.00x"
  printf '%-62s %9s %9s\n' "pypi-attestations verify attestation --offline --identity I" "$PA_MED" "$(ratio "$PA_MED" "$WT_MED")"
  printf '%-62s %9s %9s\n' "  (in-process Attestation.verify, imports excluded)" "$API_MED" "$(ratio "$API_MED" "$WT_MED")"
  printf '%-62s %9s\n' "wheeltrust --help (process start-up floor)" "$HELP_MED"
  echo
  echo "fastest run: wheeltrust $WT_MIN s, pypi-attestations $PA_MIN s; wheeltrust's own work is roughly its median"
  echo "minus its start-up floor, to compare with the in-process line (which excludes Python's imports)."
  echo "ratio = tool median / wheeltrust median (above 1.00x = slower than wheeltrust). Both verify the same"
  echo "attestation against the embedded production trusted root without network: certificate chain,"
  echo "SCT, Rekor SET/inclusion proof/checkpoint, DSSE signature, identity, and the dist's sha256."
} | tee "$RESULTS"
log "wrote $RESULTS"
