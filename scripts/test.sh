#!/usr/bin/env bash
# The test command (README, .ci/run): the whole suite in one `swift test` run. Extra arguments go
# to it (e.g. `--filter Builds`).
#
# One run is enough: nothing waits for a child process on a thread of Swift's cooperative pool
# (the library waits on a DedicatedThread; the tests through Tests/Support/ChildProcess, which
# also lets at most 2×cores children run at once), and an embedded index server answers on
# threads of its own (ServerExecutor), so CPU-heavy tests cannot starve it either.
set -uo pipefail
cd "$(dirname "$0")/.."
exec swift test "$@"
