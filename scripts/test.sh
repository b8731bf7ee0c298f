#!/usr/bin/env bash
# The whole test suite: installs what is missing, then builds and runs every
# ctest test twice, in a normal build and in an ASan+UBSan build, and the
# threaded ones (label tsan) a third time under ThreadSanitizer.
# WD_TEST_QUICK=1 skips the sanitizer builds.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh" --test
# The browser test's one npm package, pinned by package-lock.json.
if [ ! -d "$top/tests/browser/node_modules/playwright-core" ]; then
    (cd "$top/tests/browser" && npm ci --no-audit --no-fund)
fi
# The Node.js example subscriber's packages, pinned by its package-lock.json.
if [ ! -d "$top/examples/node/node_modules/zeromq" ]; then
    (cd "$top/examples/node" && npm ci --no-audit --no-fund)
fi

echo "== build (RelWithDebInfo)"
"$top/scripts/build.sh" "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWD_WERROR=ON
echo "== tests"
(cd "$top/build" && ctest --output-on-failure -j2)

if [ "${WD_TEST_QUICK:-0}" != 1 ]; then
    echo "== build (ASan+UBSan)"
    "$top/scripts/build.sh" "$top/build-asan" -DCMAKE_BUILD_TYPE=Debug \
        -DWD_SANITIZER=address,undefined -DWD_WERROR=ON
    echo "== tests under ASan+UBSan"
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    (cd "$top/build-asan" && ctest --output-on-failure -j2)

    echo "== build (TSan: the threaded tests)"
    cmake -S "$top" -B "$top/build-tsan" -DCMAKE_BUILD_TYPE=Debug \
        -DWD_SANITIZER=thread >/dev/null
    tsan=$(ctest --test-dir "$top/build-tsan" -N -L tsan |
        sed -n 's/^ *Test *#[0-9]*: *//p')
    cmake --build "$top/build-tsan" -j"$(nproc)" --target wiredesk $tsan
    echo "== threaded tests under TSan"
    # A race is reported and the process goes on; it exits 66 at the end,
    # which fails the test (a worker that exits 66 fails its test too).
    export TSAN_OPTIONS="suppressions=$top/tests/tsan.supp"
    (cd "$top/build-tsan" && ctest --output-on-failure -j2 -L tsan)
fi
