#!/usr/bin/env bash
# Fuzzes every parser of untrusted input with libFuzzer (see README "Fuzzing").
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET…]      (default: 60 seconds, every target)
#
# Builds .build-fuzz/release/WheeltrustFuzz (WHEELTRUST_FUZZ=1, -sanitize=fuzzer, its own scratch
# path: the first build compiles every dependency again), seeds each target from Fuzz/make_seeds.py
# and the committed corpus Fuzz/Corpus/<target>.tar.xz, fuzzes it for the given time, merges what
# it found back (libFuzzer -merge=1: only inputs that add coverage) into that archive (one
# deterministic tar.xz per target: the inputs are near-copies of each other, which xz stores in a
# few percent of their size), and prints a table. Crashing, hanging and memory-hungry inputs (and
# broken invariants, which trap) are written to Fuzz/Findings/<target>/; the script exits 1 when
# there is any.
# Environment: FUZZ_RSS_MB (default 2048), FUZZ_TIMEOUT (seconds per input, default 10),
# FUZZ_NO_BUILD=1 (reuse the binary), FUZZ_NO_MERGE=1 (leave Fuzz/Corpus as it is).
# Look at a corpus: mkdir /tmp/c && tar -xJf Fuzz/Corpus/<target>.tar.xz -C /tmp/c
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

seconds=${1:-60}
[[ $seconds =~ ^[0-9]+$ ]] || { echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET…]" >&2; exit 2; }
shift || true
rss_mb=${FUZZ_RSS_MB:-2048}
timeout=${FUZZ_TIMEOUT:-10}
scratch=.build-fuzz
binary=$scratch/release/WheeltrustFuzz

# Longest input per target: a little above the largest real seed of that format.
max_len() {
    case $1 in
        provenance|bundle|trusted-root|log-entry|tuf) echo 12288 ;;
        wheel|record|statement|rekor-body|timestamp|canonical-json|simple-json|simple-html) echo 8192 ;;
        metadata|entry-points|dsse|certificate|keys|pip-config|netrc|interpreter-answer|pip-source|wrapper) echo 4096 ;;
        checkpoint|sct|pyvenv-cfg) echo 2048 ;;
        url|server-headers|terminal) echo 1024 ;;
        filenames) echo 512 ;;
        version) echo 256 ;;
        *) echo 4096 ;;
    esac
}

dictionary() {
    case $1 in
        provenance|dsse|statement|bundle|trusted-root|rekor-body|log-entry|canonical-json|tuf|simple-json)
            echo Fuzz/Dictionaries/json.dict ;;
        simple-html) echo Fuzz/Dictionaries/html.dict ;;
        *) echo "" ;;
    esac
}

if [[ ${FUZZ_NO_BUILD:-0} != 1 ]]; then
    # A new scratch path would resolve the dependencies again; reuse the normal build's checkouts.
    if [[ ! -d $scratch/checkouts && -d .build/checkouts ]]; then
        mkdir -p $scratch
        cp -a .build/checkouts .build/repositories .build/workspace-state.json $scratch/ 2>/dev/null || true
    fi
    echo "building $binary (the first build compiles every dependency with the sanitizer: minutes)" >&2
    WHEELTRUST_FUZZ=1 swift build -c release --sanitize=fuzzer -Xswiftc -enable-testing \
        --scratch-path "$scratch" --product WheeltrustFuzz >&2
fi
[[ -x $binary ]] || { echo "no fuzzer at $binary" >&2; exit 2; }

# Every target the binary knows (it lists them when none is chosen).
all_targets=$( (WHEELTRUST_FUZZ_TARGET= "$binary" -runs=0 2>&1 || true) | sed -n 's/^  \([a-z0-9-]*\): .*/\1/p')
[[ -n $all_targets ]] || { echo "$binary listed no targets" >&2; exit 2; }
if [[ $# -gt 0 ]]; then targets="$*"; else targets=$all_targets; fi
for target in $targets; do
    grep -qx -- "$target" <<<"$all_targets" || { echo "unknown target $target; known: $(echo $all_targets)" >&2; exit 2; }
done

work=$scratch/fuzz-run
rm -rf "$work"
mkdir -p "$work"
if command -v python3 >/dev/null; then python3 Fuzz/make_seeds.py "$work/seeds"; fi

export SWIFT_BACKTRACE=enable=no
summary=$work/summary.tsv
: >"$summary"
failed=0
for target in $targets; do
    archive=Fuzz/Corpus/$target.tar.xz
    corpus=$work/$target.corpus
    findings=Fuzz/Findings/$target
    new=$work/$target.new
    log=$work/$target.log
    mkdir -p "$corpus" "$findings" "$new" "$work/seeds/$target"
    [[ -f $archive ]] && tar -xJf "$archive" -C "$corpus"
    before=$(find "$findings" -type f | wc -l)
    dict=$(dictionary "$target")
    echo "== $target: ${seconds}s, max_len $(max_len "$target")" >&2
    # Fork mode keeps fuzzing after a crash, hang or OOM (each is written to Fuzz/Findings) and
    # prints the totals on its status lines.
    set +e
    WHEELTRUST_FUZZ_TARGET=$target "$binary" "$new" "$corpus" "$work/seeds/$target" \
        -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        -max_total_time="$seconds" -max_len="$(max_len "$target")" -rss_limit_mb="$rss_mb" -timeout="$timeout" \
        -artifact_prefix="$findings/" ${dict:+-dict=$dict} -print_final_stats=1 >"$log" 2>&1
    status=$?
    set -e
    # The last status line: "#N: cov: … corp: C/… exec/s: E oom/timeout/crash: O/T/C time: Ss …".
    line=$(grep -E '^#[0-9]+: cov:' "$log" | tail -1 || true)
    execs=$(sed -n 's/^#\([0-9]*\):.*/\1/p' <<<"$line")
    rate=$(sed -n 's/.* exec\/s: \([0-9]*\).*/\1/p' <<<"$line")
    counts=$(sed -n 's/.* oom\/timeout\/crash: \([0-9]*\/[0-9]*\/[0-9]*\).*/\1/p' <<<"$line")
    ooms=${counts%%/*}; rest=${counts#*/}; timeouts=${rest%%/*}; crashes=${rest#*/}
    found=$(( $(find "$findings" -type f | wc -l) - before ))
    merged=$work/$target.merged
    mkdir -p "$merged"
    WHEELTRUST_FUZZ_TARGET=$target "$binary" -merge=1 -max_len="$(max_len "$target")" -rss_limit_mb="$rss_mb" \
        -timeout="$timeout" "$merged" "$corpus" "$new" "$work/seeds/$target" >"$work/$target.merge.log" 2>&1 \
        || { echo "merge of $target failed (see $work/$target.merge.log)" >&2; failed=1; }
    if [[ ${FUZZ_NO_MERGE:-0} != 1 && -n $(ls -A "$merged") ]]; then
        mkdir -p Fuzz/Corpus
        # Deterministic: the same inputs always give the same bytes (no spurious diffs).
        (cd "$merged" && find . -type f -printf '%P\n' | LC_ALL=C sort \
            | tar --owner=0 --group=0 --numeric-owner --mtime=@0 --mode=0644 -cf - -T - | xz -9e -T1) >"$archive.tmp"
        mv "$archive.tmp" "$archive"
    fi
    files=$(find "$merged" -type f | wc -l)
    kib=$(find "$merged" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%d", (s + 1023) / 1024 }')
    packed=$(( ($(stat -c %s "$archive" 2>/dev/null || echo 0) + 1023) / 1024 ))
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "${execs:-?}" "${rate:-?}" "$files" "$kib" "$packed" \
        "${crashes:-?}" "${timeouts:-?}" "${ooms:-?}" "$found" >>"$summary"
    if [[ $found -gt 0 || ${crashes:-0} != 0 || ${timeouts:-0} != 0 || ${ooms:-0} != 0 || -z $line ]]; then
        failed=1
        [[ -z $line ]] && echo "$target: no status line (exit $status), see $log" >&2
    fi
    [[ -z $(ls -A "$findings") ]] && rmdir "$findings"
done
rmdir Fuzz/Findings 2>/dev/null || true

echo
echo "Fuzzing, $(date -u +%Y-%m-%d), ${seconds} s per target ($(nproc) cores, libFuzzer fork mode, -rss_limit_mb=$rss_mb, -timeout=$timeout):"
echo
echo "| target | executions | exec/s | corpus files | corpus KiB | committed KiB (xz) | crashes | timeouts | OOMs |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
total=0
while IFS=$'\t' read -r target execs rate files kib packed crashes timeouts ooms found; do
    echo "| $target | $execs | $rate | $files | $kib | $packed | $crashes | $timeouts | $ooms |"
    [[ $execs =~ ^[0-9]+$ ]] && total=$((total + execs))
done <"$summary"
echo
echo "total executions: $total"
if [[ $failed != 0 ]]; then
    echo "FINDINGS: inputs are in Fuzz/Findings/<target>/ (replay one: WHEELTRUST_FUZZ_TARGET=<target> $binary <file>)" >&2
    exit 1
fi
