#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan+UBSan) and runs each for
# WD_FUZZ_SECONDS (default 60) on its corpus. New inputs that libFuzzer
# finds go to build-fuzz/corpus-<name>, not into the repository.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${WD_FUZZ_SECONDS:-60}
CC=clang "$top/scripts/build.sh" "$top/build-fuzz" -DCMAKE_BUILD_TYPE=Debug \
    -DWD_FUZZ=ON -DWD_SANITIZER=address,undefined
for src in "$top"/tests/fuzz/fuzz_*.c; do
    name=$(basename "$src" .c)
    corpus=${name#fuzz_}
    work="$top/build-fuzz/corpus-$corpus"
    mkdir -p "$work"
    echo "== $name for ${secs}s"
    "$top/build-fuzz/$name" -max_total_time="$secs" -max_len=65536 \
        -print_final_stats=0 "$work" "$top/tests/fuzz/corpus/$corpus" 2>&1 | tail -n 3
done
