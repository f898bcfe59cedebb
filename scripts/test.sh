#!/usr/bin/env bash
# The test command (README, .ci/run): the whole suite in one `swift test` run. Extra arguments go
# to it (e.g. `--filter Builds`).
#
# One run is enough because no test and no library code holds a thread of Swift's cooperative pool
# while a child process runs (the library awaits children on dedicated threads: DedicatedThread;
# the tests through Tests/Support/ChildProcess), so the in-process index servers always have the
# pool's threads to answer on, even on a 2-core machine.
set -uo pipefail
cd "$(dirname "$0")/.."
exec swift test "$@"
