#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan+UBSan) and runs each on its
# corpus. New inputs go to build-fuzz/corpus-<name>, not into the repository.
#   WD_FUZZ_SECONDS=N  run each target for N seconds (default 60)
#   WD_FUZZ_RUNS=N     run each target for N inputs with a fixed seed instead:
#                      the same inputs on every run, so CI is repeatable
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
CC=clang CXX=clang++ "$top/scripts/build.sh" "$top/build-fuzz" -DCMAKE_BUILD_TYPE=Debug \
    -DWD_FUZZ=ON -DWD_SANITIZER=address,undefined
if [ -n "${WD_FUZZ_RUNS:-}" ]; then
    budget=(-runs="$WD_FUZZ_RUNS" -seed="${WD_FUZZ_SEED:-1}")
else
    budget=(-max_total_time="${WD_FUZZ_SECONDS:-60}")
fi
for src in "$top"/tests/fuzz/fuzz_*.c; do
    name=$(basename "$src" .c)
    corpus=${name#fuzz_}
    work=$(mktemp -d)
    echo "== $name ${budget[*]}"
    # A fresh work directory: with a fixed seed, the same inputs every time.
    "$top/build-fuzz/$name" "${budget[@]}" -max_len=65536 \
        -print_final_stats=0 "$work" "$top/tests/fuzz/corpus/$corpus" 2>&1 | tail -n 3
    rm -rf "$work"
done
