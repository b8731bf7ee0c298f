#!/usr/bin/env bash
# Installs the Debian 12 packages wiredesk needs, only those that are
# missing; runs `apt-get update` once, only if needed.
#   scripts/deps.sh          what building and running the worker needs
#                            (scripts/packages.txt)
#   scripts/deps.sh --test   and what the test suite needs on top
#                            (scripts/packages-test.txt: sanitizers, the
#                            browser, promtool, Redis, valgrind, Node.js)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lists=("$here/packages.txt")
[ "${1:-}" = --test ] && lists+=("$here/packages-test.txt")
missing=()
for list in "${lists[@]}"; do
    while read -r pkg; do
        [ -n "$pkg" ] || continue
        if [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" != *"ok installed"* ]]; then
            missing+=("$pkg")
        fi
    done < "$list"
done
# Node.js runs the browser test (playwright-core drives Debian's chromium).
# A machine may have its own node; Debian's is used only when none is there.
if [ "${1:-}" = --test ] &&
    { ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; }; then
    missing+=(nodejs npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
fi
