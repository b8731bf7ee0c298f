#!/usr/bin/env bash
# The compose test: brings docker/compose.yaml and docker/compose.scaled.yaml
# up for real with podman-compose (Debian 12's), pushes pages through them
# and checks what a user of each file would look at:
#
#   compose.yaml         the subscriber service prints the articles (the
#                        sample pages' too, caught up from the snapshot
#                        service), Prometheus scrapes the worker (target up,
#                        wiredesk_articles_published_total > 0) and has
#                        loaded the alert rules of deploy/prometheus;
#   compose.scaled.yaml  the subscriber service, on the proxy, prints an
#                        article from each of the three workers; one new
#                        page pushed to all three workers is published once
#                        (the shared Redis store), the other two drop it;
#                        Prometheus scrapes the three workers and the proxy.
#
# Each file runs as its own project (its own network and volumes, removed at
# the end) on a copy whose published host ports are free ports picked here,
# so a quick-start worker or anything else on the default ports is left
# alone. The images are built first (wiredesk's own unit tests run in its
# build stage; the layer cache makes this quick after container-test.sh).
#
# Needs root (apt-get, podman). The last line is
# `compose: N passed, M failed`. WD_COMPOSE_FILES limits the files run
# (default: "compose.yaml compose.scaled.yaml").
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
files=${WD_COMPOSE_FILES:-compose.yaml compose.scaled.yaml}
base_script="$top/../shared/scripts/container-base.sh"
base_image=docker.io/library/debian:bookworm-slim
t0=$(date +%s)
tmp=$(mktemp -d)
passed=0
failed=0
project=""
copy=""

# podman with the flags these machines need (../shared/CONTAINERS.md): runc,
# explicit limits, chroot builds; the image's HEALTHCHECK is not timed by
# systemd here (there is none), so the test runs it itself.
export BUILDAH_ISOLATION=chroot
pc_args=(--podman-args "--runtime runc"
         --podman-run-args "--ulimit nofile=20000:20000 --ulimit nproc=4096:4096 --health-interval=disable")

step() { echo "== $* ($(($(date +%s) - t0)) s)"; }

down() {
    [ -n "$project" ] || return 0
    if [ -n "$copy" ] && [ -f "$copy" ]; then
        podman-compose "${pc_args[@]}" -p "$project" -f "$copy" down -t 5 \
            >"$tmp/down.log" 2>&1 || true
    fi
    # What `down` leaves: the project's containers, volumes and network.
    podman ps -aq --filter "label=io.podman.compose.project=$project" |
        xargs -r podman rm -f -t 0 >/dev/null 2>&1 || true
    podman volume ls -q --filter "label=io.podman.compose.project=$project" |
        xargs -r podman volume rm -f >/dev/null 2>&1 || true
    podman network rm -f "${project}_default" >/dev/null 2>&1 || true
    [ -n "$copy" ] && rm -f "$copy"
    project=""
    copy=""
}
cleanup() { down; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- tools --
step "tools"
missing=()
for p in podman runc podman-compose; do
    command -v "$p" >/dev/null 2>&1 || missing+=("$p")
done
python3 -c 'import yaml' >/dev/null 2>&1 || missing+=(python3-yaml)
# Service names resolve between containers through the CNI dnsname plugin
# (Debian 12's podman uses CNI), or aardvark-dns with netavark.
backend=$(podman info --format '{{.Host.NetworkBackend}}' 2>/dev/null || echo cni)
if [ "$backend" = netavark ]; then
    [ -x /usr/lib/podman/aardvark-dns ] || missing+=(aardvark-dns)
else
    [ -x /usr/lib/cni/dnsname ] || missing+=(golang-github-containernetworking-plugin-dnsname)
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; } \
        >"$tmp/apt.log" 2>&1 || { tail -20 "$tmp/apt.log" >&2; echo "compose: 0 passed, 1 failed"; exit 1; }
fi
podman-compose version 2>/dev/null | grep -i "podman-compose version" || true

# --------------------------------------------------------------- images --
step "images"
if [ -x "$base_script" ]; then
    "$base_script" || { echo "compose: 0 passed, 1 failed"; exit 1; }
elif ! podman image exists "$base_image"; then
    echo "compose-test: no $base_script and no $base_image" >&2
    echo "compose: 0 passed, 1 failed"
    exit 1
fi
build() { # TAG DOCKERFILE CONTEXT
    podman build --isolation=chroot --pull=never --format docker \
        -f "$2" -t "$1" "$3" >"$tmp/build-$1.log" 2>&1 ||
        { tail -30 "$tmp/build-$1.log" >&2; return 1; }
}
if ! build wiredesk docker/Dockerfile . ||
   ! build wiredesk-prometheus docker/prometheus.Dockerfile docker ||
   ! build wiredesk-redis docker/redis.Dockerfile docker; then
    echo "compose-test: FAIL: podman build" >&2
    echo "compose: 0 passed, 1 failed"
    exit 1
fi
echo "built wiredesk, wiredesk-prometheus, wiredesk-redis"

# ------------------------------------------------------------- helpers --
# A copy of docker/$1 beside it (relative paths hold) whose published host
# ports are free ones; prints "SERVICE:CONTAINERPORT=HOSTPORT" lines to
# $tmp/ports.
make_copy() {
    copy="$top/docker/.compose-test-$$-$1"
    python3 - "$top/docker/$1" "$copy" "$tmp/ports" <<'EOF'
import os, re, socket, sys
import yaml

src, dst, ports_out = sys.argv[1:]
text = open(src).read()
# Compose's ${VAR:-default}: the defaults, as podman-compose would read them.
text = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", text)
d = yaml.safe_load(text)
socks, lines = [], []
for name, svc in (d.get("services") or {}).items():
    new = []
    for p in svc.get("ports") or []:
        cport = str(p).rsplit(":", 1)[1]
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        hport = s.getsockname()[1]
        new.append(f"127.0.0.1:{hport}:{cport}")
        lines.append(f"{name}:{cport}={hport}")
    if new:
        svc["ports"] = new
for s in socks:
    s.close()
with open(dst, "w") as fh:
    yaml.safe_dump(d, fh, sort_keys=False)
with open(ports_out, "w") as fh:
    fh.write("\n".join(lines) + "\n")
EOF
}

# The host port published for SERVICE's container port PORT.
host_port() { sed -n "s/^$1:$2=//p" "$tmp/ports"; }

# The container of SERVICE in the running project.
ctr() { echo "${project}_$1_1"; }

# A news page no one has seen: its title carries $1.
page() {
    python3 - "$1" <<'EOF'
import random, sys
words = ("the council said on monday that new rules for water and power would "
         "take effect next year after a long debate among members who had asked "
         "for more time to study costs farmers traders and families in the "
         "region have waited months for a decision officials expect prices to "
         "fall while critics warn that supply could be short during the dry "
         "season the plan also covers roads schools and clinics built under an "
         "earlier programme funded by banks and local budgets").split()
r = random.Random(sys.argv[1])
def sentence():
    return " ".join(r.choice(words) for _ in range(r.randint(12, 22))).capitalize() + "."
title = f"Council vote {sys.argv[1]}: " + " ".join(r.choice(words) for _ in range(6))
body = "\n".join("<p>" + " ".join(sentence() for _ in range(4)) + "</p>" for _ in range(6))
print(f"<!doctype html><html><head><title>{title}</title></head><body>"
      f"<article><h1>{title}</h1>\n{body}\n</article></body></html>")
EOF
}

# Pushes the page with nonce $1 from the scraper container to the ingest
# endpoint $2.
push_page() {
    page "$1" | podman exec -i "$(ctr scraper)" wiredesk push --endpoint "$2" \
        --content-type text/html --url "http://compose-test.invalid/$1" - \
        >"$tmp/push.log" 2>&1 || { cat "$tmp/push.log" >&2; return 1; }
}

# The subscriber's articles (channel "all") whose title has $1: a count.
seen() {
    podman logs "$(ctr subscriber)" 2>/dev/null |
        python3 -c '
import json, sys
n = 0
for line in sys.stdin:
    try:
        a = json.loads(line)
    except ValueError:
        continue
    if a.get("channel") == "all" and sys.argv[1] in (a.get("title") or ""):
        n += 1
print(n)' "$1"
}

# GET http://127.0.0.1:$1$2 (JSON) and evaluate the Python expression $3 on
# it (as d); prints the value, fails when it is false or the GET fails.
get_json() {
    python3 - "$@" <<'EOF'
import json, sys, urllib.request
port, path, expr = sys.argv[1:]
try:
    d = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5))
    v = eval(expr, {"d": d})
except Exception as e:
    print(f"error: {e}")
    sys.exit(1)
print(v)
sys.exit(0 if v else 1)
EOF
}

# Retries "$@" until it succeeds, $1 seconds at most.
within() {
    local secs=$1
    shift
    local deadline=$(($(date +%s) + secs))
    until "$@" >"$tmp/within.out" 2>&1; do
        if [ "$(date +%s)" -ge "$deadline" ]; then
            cat "$tmp/within.out" >&2
            return 1
        fi
        sleep 1
    done
    cat "$tmp/within.out"
}

at_least() { [ "$($1 "$2")" -ge "$3" ]; }

fail_file() {
    echo "compose-test: FAIL: $1: $2" >&2
    local s
    for s in $(podman ps -a --filter "label=io.podman.compose.project=$project" --format '{{.Names}}'); do
        echo "--- $s ($(podman inspect "$s" --format '{{.State.Status}} {{.State.ExitCode}}'))" >&2
        podman logs --tail 15 "$s" >&2 2>&1
    done
    failed=$((failed + 1))
    down
}

# The worker's /stats counter $2 on host port $1.
counter() {
    get_json "$1" /stats "d['counters'].get('$2', d.get('dedup', {}).get('$2', 0))" 2>/dev/null || true
}

# ------------------------------------------------------------ the files --
run_single() {
    local f=compose.yaml http prom n
    http=$(host_port worker 9464)
    prom=$(host_port prometheus 9090)
    within 60 get_json "$http" /healthz "True" >/dev/null 2>&1 ||
        within 60 python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$http/healthz', timeout=5)" ||
        { fail_file $f "the worker's /healthz did not answer within 60 s"; return; }
    echo "worker healthy (host port $http)"
    podman healthcheck run "$(ctr worker)" >/dev/null 2>&1 ||
        { fail_file $f "the image's HEALTHCHECK failed"; return; }
    # The scraper's sample pages, caught up by the subscriber.
    n=$(within 90 sh -c "n=\$(podman logs $(ctr subscriber) 2>/dev/null | grep -c '\"channel\":\"all\"'); echo \$n; [ \$n -ge 3 ]") ||
        { fail_file $f "the subscriber printed fewer than 3 articles of the sample pages within 90 s"; return; }
    echo "subscriber: $n articles of the sample pages"
    local nonce="single$$x$RANDOM"
    push_page "$nonce" tcp://worker:5557 || { fail_file $f "push"; return; }
    within 30 at_least seen "$nonce" 1 >/dev/null ||
        { fail_file $f "the subscriber did not print the new page's article within 30 s"; return; }
    echo "subscriber: the new page's article"
    within 90 get_json "$prom" /api/v1/targets \
        "[t['health'] for t in d['data']['activeTargets']] == ['up']" >/dev/null ||
        { fail_file $f "Prometheus: the worker's target is not up within 90 s"; return; }
    within 60 get_json "$prom" "/api/v1/query?query=wiredesk_articles_published_total" \
        "float(d['data']['result'][0]['value'][1]) > 0" >/dev/null ||
        { fail_file $f "Prometheus: no wiredesk_articles_published_total > 0 within 60 s"; return; }
    n=$(get_json "$prom" /api/v1/rules "sum(len(g['rules']) for g in d['data']['groups'])") ||
        { fail_file $f "Prometheus loaded no alert rules"; return; }
    echo "Prometheus: target up, wiredesk_articles_published_total > 0, $n alert rules loaded"
    passed=$((passed + 1))
}

run_scaled() {
    local f=compose.scaled.yaml w p prom n nonce
    local -a https=()
    for w in 1 2 3; do
        p=$(host_port "worker-$w" 9464)
        within 90 python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$p/healthz', timeout=5)" >/dev/null ||
            { fail_file $f "worker-$w's /healthz did not answer within 90 s"; return; }
        https+=("$p")
    done
    echo "three workers healthy"
    # One new page per worker, again until the subscriber (on the proxy,
    # which has no catch-up) prints one: it may have subscribed after the
    # first ones went by.
    local deadline=$(($(date +%s) + 90)) round=0 all_seen=0
    while [ "$(date +%s)" -lt "$deadline" ]; do
        round=$((round + 1))
        all_seen=1
        for w in 1 2 3; do
            nonce="scaled$$w${w}r$round"
            push_page "$nonce" "tcp://worker-$w:5557" || { fail_file $f "push"; return; }
        done
        sleep 2
        for w in 1 2 3; do
            [ "$(seen "scaled$$w${w}r$round")" -ge 1 ] || all_seen=0
        done
        [ $all_seen = 1 ] && break
    done
    [ $all_seen = 1 ] ||
        { fail_file $f "the subscriber did not print one article from each worker within 90 s"; return; }
    echo "subscriber (via the proxy): an article from each of the three workers (round $round)"
    # The same new page to all three workers: published once.
    local before=0 after=0
    for p in "${https[@]}"; do
        before=$((before + $(counter "$p" pages_received)))
    done
    nonce="shared$$x$RANDOM"
    for w in 1 2 3; do
        push_page "$nonce" "tcp://worker-$w:5557" || { fail_file $f "push"; return; }
    done
    deadline=$(($(date +%s) + 30))
    while :; do
        after=0
        for p in "${https[@]}"; do
            after=$((after + $(counter "$p" pages_received)))
        done
        [ "$after" -ge $((before + 3)) ] && break
        [ "$(date +%s)" -lt "$deadline" ] ||
            { fail_file $f "the workers received $((after - before)) of the 3 copies within 30 s"; return; }
        sleep 0.5
    done
    within 30 at_least seen "$nonce" 1 >/dev/null ||
        { fail_file $f "the page sent to all three workers was never published"; return; }
    # Every copy is decided (received) and one is published; a second one
    # would follow within the same second.
    sleep 2
    n=$(seen "$nonce")
    [ "$n" = 1 ] || { fail_file $f "the page sent to all three workers was published $n times"; return; }
    echo "one page sent to all three workers: published once (shared Redis store)"
    prom=$(host_port prometheus 9090)
    within 90 get_json "$prom" /api/v1/targets \
        "sorted(t['health'] for t in d['data']['activeTargets']) == ['up'] * 4" >/dev/null ||
        { fail_file $f "Prometheus: not all four targets (three workers, proxy) up within 90 s"; return; }
    echo "Prometheus: the three workers and the proxy up"
    passed=$((passed + 1))
}

for f in $files; do
    step "$f: up"
    project="wdci$$$(echo "$f" | tr -dc 'a-z')"
    make_copy "$f" || { fail_file "$f" "no copy with free ports"; continue; }
    if ! podman-compose "${pc_args[@]}" -p "$project" -f "$copy" up -d >"$tmp/up.log" 2>&1; then
        tail -30 "$tmp/up.log" >&2
        fail_file "$f" "podman-compose up"
        continue
    fi
    case $f in
        compose.yaml) run_single ;;
        compose.scaled.yaml) run_scaled ;;
        *) fail_file "$f" "no checks for this file" ;;
    esac
    step "$f: down"
    down
done

echo "total $(($(date +%s) - t0)) s"
echo "compose: $passed passed, $failed failed"
[ "$failed" = 0 ]
