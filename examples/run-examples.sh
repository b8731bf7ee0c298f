#!/usr/bin/env bash
# Runs every example subscriber against a real worker:
#
#   examples/run-examples.sh [python] [c] [node]     (default: all three)
#
# Starts ./build/wiredesk run on free loopback ports with a temporary
# --state, starts each example on channel "all" with --count 3, pushes the
# seed pages, and checks that each example exits 0 having printed 3
# articles, and that all of them printed the same 3 lines. Then each example
# is run on a channel that gets nothing (country.ZZ) with a short --timeout
# and must exit 1. Installs the Debian packages (and the node example's npm
# packages) it needs when they are missing. Ends with
# "examples: N passed, M failed"; exits 1 when any failed.
#
# Environment: WIREDESK (the binary, default build/wiredesk, built with
# scripts/build.sh when missing), EXAMPLES_DEADLINE (seconds per wait, 30).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
here=$top/examples
wiredesk=${WIREDESK:-$top/build/wiredesk}
deadline_s=${EXAMPLES_DEADLINE:-30}
which=("$@")
[ ${#which[@]} -gt 0 ] || which=(python c node)
for w in "${which[@]}"; do
    case $w in
    python | c | node) ;;
    *)
        echo "run-examples.sh: unknown example '$w' (python, c, node)" >&2
        exit 2
        ;;
    esac
done
wants() { [[ " ${which[*]} " == *" $1 "* ]]; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/wiredesk-examples.XXXXXX")
pids=()
worker_pid=
cleanup() {
    local p
    for p in "${pids[@]}" $worker_pid; do
        kill "$p" 2>/dev/null || true
    done
    for p in "${pids[@]}" $worker_pid; do
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say() { printf 'run-examples: %s\n' "$*" >&2; }

# --- what the examples need -----------------------------------------------
debs=()
wants python && debs+=(python3-zmq python3-protobuf protobuf-compiler)
wants c && debs+=(build-essential cmake pkg-config libzmq3-dev
    libprotobuf-c-dev protobuf-c-compiler)
if wants node && ! { command -v node && command -v npm; } >/dev/null 2>&1; then
    debs+=(nodejs npm)
fi
missing=()
for d in "${debs[@]}"; do
    dpkg-query -W -f='${Status}' "$d" 2>/dev/null | grep -q "ok installed" ||
        missing+=("$d")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        say "missing Debian packages: ${missing[*]} (run as root to install them)"
        exit 1
    fi
    say "installing ${missing[*]}"
    apt-get update -qq >"$tmp/apt.log" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" \
        >>"$tmp/apt.log" 2>&1 || {
        cat "$tmp/apt.log" >&2
        exit 1
    }
fi

if [ ! -x "$wiredesk" ]; then
    say "building $wiredesk"
    "$top/scripts/build.sh" "$top/build" >"$tmp/build.log" 2>&1 || {
        tail -30 "$tmp/build.log" >&2
        exit 1
    }
fi

# Each example: a name and the command that runs it (arguments follow).
declare -A cmd
if wants python; then
    # Debian's interpreter: python3-zmq and python3-protobuf are its modules.
    cmd[python]="/usr/bin/python3 $here/python/subscribe.py"
fi
if wants c; then
    say "building the C example"
    if cmake -S "$here/c" -B "$tmp/c-build" >"$tmp/c-build.log" 2>&1 &&
        cmake --build "$tmp/c-build" >>"$tmp/c-build.log" 2>&1; then
        cmd[c]="$tmp/c-build/subscribe"
    else
        cat "$tmp/c-build.log" >&2
        cmd[c]="false" # counted as failed below
    fi
fi
if wants node; then
    if [ ! -d "$here/node/node_modules/zeromq" ] ||
        [ ! -d "$here/node/node_modules/protobufjs" ]; then
        say "npm ci in examples/node"
        (cd "$here/node" && npm ci --no-audit --no-fund) >"$tmp/npm.log" 2>&1 ||
            cat "$tmp/npm.log" >&2
    fi
    cmd[node]="node $here/node/subscribe.js"
fi

# --- the worker -----------------------------------------------------------
read -r ingest_port pub_port http_port < <(
    /usr/bin/python3 - <<'EOF'
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
EOF
)
ingest=tcp://127.0.0.1:$ingest_port
publish=tcp://127.0.0.1:$pub_port
http=127.0.0.1:$http_port

# WIREDESK_* variables of the caller's environment would configure the
# worker too (a flag beats them, but not every setting is given here).
worker_env=(env)
while IFS= read -r v; do
    worker_env+=(-u "$v")
done < <(compgen -e | grep '^WIREDESK_' || true)
"${worker_env[@]}" "$wiredesk" run --ingest "$ingest" --publish "$publish" \
    --http "$http" --state "$tmp/state" --data-dir "$top/data" \
    --store-map-mb 64 --log-level warn 2>"$tmp/worker.log" &
worker_pid=$!

t_end=$((SECONDS + deadline_s))
until "$wiredesk" stats --http "$http" >/dev/null 2>&1; do
    if ! kill -0 "$worker_pid" 2>/dev/null || [ $SECONDS -ge $t_end ]; then
        say "the worker did not start:"
        cat "$tmp/worker.log" >&2
        exit 1
    fi
    sleep 0.1
done
say "worker $worker_pid: ingest $ingest, publish $publish, http $http"

# --- 1. channel "all", --count 3 -------------------------------------------
passed=0
failed=0
pass() {
    passed=$((passed + 1))
    printf 'ok   %s\n' "$1"
}
fail() {
    failed=$((failed + 1))
    printf 'FAIL %s: %s\n' "$1" "$2"
}

declare -A pid
for name in "${which[@]}"; do
    # shellcheck disable=SC2086 # the command is words on purpose
    ${cmd[$name]} --endpoint "$publish" --count 3 --timeout $((deadline_s * 1000)) \
        all >"$tmp/$name.out" 2>"$tmp/$name.err" &
    pid[$name]=$!
    pids+=("$!")
    # shellcheck disable=SC2086
    ${cmd[$name]} --endpoint "$publish" --count 3 --timeout $((deadline_s * 1000)) \
        '$events' >"$tmp/$name.ev.out" 2>"$tmp/$name.ev.err" &
    pid[$name.ev]=$!
    pids+=("$!")
done

# Every example says "subscribed to all on EP" on stderr once its
# connection's handshake is done; pages pushed before that would be lost
# to it (a PUB socket sends only to the subscribers it has).
t_end=$((SECONDS + deadline_s))
for name in "${which[@]}"; do
    until grep -q '^subscribed to all' "$tmp/$name.err" 2>/dev/null; do
        if ! kill -0 "${pid[$name]}" 2>/dev/null || [ $SECONDS -ge $t_end ]; then
            break
        fi
        sleep 0.05
    done
    until grep -q '^subscribed to \$events' "$tmp/$name.ev.err" 2>/dev/null; do
        if ! kill -0 "${pid[$name.ev]}" 2>/dev/null || [ $SECONDS -ge $t_end ]; then
            break
        fi
        sleep 0.05
    done
done
sleep 0.3 # the subscription itself follows the handshake

"$wiredesk" push --endpoint "$ingest" "$top"/tests/fixtures/seeds/*.txt \
    2>"$tmp/push.log" || {
    say "push failed:"
    cat "$tmp/push.log" >&2
}

# Waits for a background pid until the deadline; sets wait_rc to its exit
# status (124 when it was still running and had to be killed).
wait_for() {
    local p=$1 end=$2
    while kill -0 "$p" 2>/dev/null && [ $SECONDS -lt "$end" ]; do
        sleep 0.05
    done
    if kill -0 "$p" 2>/dev/null; then
        kill "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
        wait_rc=124
    else
        wait_rc=0
        wait "$p" 2>/dev/null || wait_rc=$?
    fi
    # Reaped: its number may be reused, so the clean-up must not kill it.
    local keep=() q
    for q in "${pids[@]}"; do
        [ "$q" = "$p" ] || keep+=("$q")
    done
    pids=("${keep[@]}")
}

# Checks every example's 3 lines of one run (suffix: its files and pids,
# "" for "all", ".ev" for "$events") against a pattern, and that all the
# examples printed the same lines: one stream, one order.
check_three() {
    local suffix=$1 what=$2 pattern=$3 name rc lines good reference=
    for name in "${which[@]}"; do
        wait_for "${pid[$name$suffix]}" "$t_end"
        rc=$wait_rc
        lines=$(wc -l <"$tmp/$name$suffix.out")
        good=$(grep -cP "$pattern" "$tmp/$name$suffix.out" || true)
        if [ "$rc" != 0 ] || [ "$lines" != 3 ] || [ "$good" != 3 ]; then
            fail "$name $what" "exit $rc, $lines lines ($good well-formed)"
            sed 's/^/    stdout: /' "$tmp/$name$suffix.out"
            sed 's/^/    stderr: /' "$tmp/$name$suffix.err"
            continue
        fi
        if [ -z "$reference" ]; then
            reference=$name
        elif ! cmp -s "$tmp/$reference$suffix.out" "$tmp/$name$suffix.out"; then
            fail "$name $what" "its lines differ from the $reference example's"
            diff "$tmp/$reference$suffix.out" "$tmp/$name$suffix.out" |
                sed 's/^/    /'
            continue
        fi
        pass "$name $what: 3 lines"
        sed 's/^/    /' "$tmp/$name$suffix.out"
    done
}

t_end=$((SECONDS + deadline_s))
# channel TAB id (32 hex digits) TAB countries TAB themes TAB title
check_three "" "count on all" '^all\t[0-9a-f]{32}\t[^\t]+\t[^\t]+\t[^\t]+$'
# --- 1b. the same pages' events on "$events" --------------------------------
# channel TAB event id TAB change TAB articles=N TAB sources=N TAB title
check_three .ev "events on \$events" \
    '^\$events\t[0-9a-f]{16}\t(created|updated)\tarticles=[0-9]+\tsources=[0-9]+\t[^\t]+$'

# --- 2. a channel that gets nothing: --timeout, exit 1 ---------------------
for name in "${which[@]}"; do
    # shellcheck disable=SC2086
    ${cmd[$name]} --endpoint "$publish" --count 3 --timeout 1000 \
        country.ZZ >"$tmp/$name.t.out" 2>"$tmp/$name.t.err" &
    pid[$name]=$!
    pids+=("$!")
done
t_end=$((SECONDS + deadline_s))
for name in "${which[@]}"; do
    wait_for "${pid[$name]}" "$t_end"
    rc=$wait_rc
    if [ "$rc" = 1 ] && [ ! -s "$tmp/$name.t.out" ]; then
        pass "$name timeout: exit 1 after 1000 ms with nothing received"
    else
        fail "$name timeout" "exit $rc, want 1 with no output"
        sed 's/^/    stdout: /' "$tmp/$name.t.out"
        sed 's/^/    stderr: /' "$tmp/$name.t.err"
    fi
done

# --- the worker stops cleanly ----------------------------------------------
kill -TERM "$worker_pid"
pids+=("$worker_pid")
wait_for "$worker_pid" $((SECONDS + deadline_s))
rc=$wait_rc
worker_pid=
if [ "$rc" = 0 ]; then
    pass "worker: exit 0 on SIGTERM"
else
    fail "worker" "exit $rc on SIGTERM"
    sed 's/^/    /' "$tmp/worker.log"
fi

echo "examples: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
