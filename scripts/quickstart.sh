#!/usr/bin/env bash
# Quickstart: install what is missing, build, and start the worker on its
# embedded defaults (ingest tcp://127.0.0.1:5557, publish
# tcp://127.0.0.1:5558, state ./wiredesk-state). Extra arguments go to
# `wiredesk run`. Stop it with Ctrl-C.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh" # what building and running needs, no test tools
# The worker alone (the tests and benchmarks are built by scripts/test.sh).
cmake -S "$top" -B "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$top/build" -j"$(nproc)" --target wiredesk
exec "$top/build/wiredesk" run "$@"
