#!/usr/bin/env bash
# The test command (README, .ci/run): the whole suite, in two runs of one build.
#
# Suites that wait for child processes synchronously (builds from source, openssl, python) hold a
# thread of Swift's cooperative pool while they wait — two threads on a 2-core machine — and the
# in-process index servers of every other suite answer on those threads. They run in a second run
# of their own, so they can never starve those servers (seen: every in-process server test timing
# out after 180 s when both threads were held). Extra arguments go to both runs.
set -uo pipefail
cd "$(dirname "$0")/.."
BLOCKING=(BuildingTests AttestationsTests Blake2bTests AttestCommandTests)
skip=()
only=()
for suite in "${BLOCKING[@]}"; do
    skip+=(--skip "$suite")
    only+=(--filter "$suite")
done
swift test "${skip[@]}" "$@"
first=$?
swift test --skip-build "${only[@]}" "$@"
second=$?
if [ "$first" -ne 0 ]; then
    echo "✘ the first run (every suite but ${BLOCKING[*]}) failed: exit $first"
    exit "$first"
fi
exit "$second"
