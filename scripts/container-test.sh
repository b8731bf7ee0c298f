#!/usr/bin/env bash
# The container test: checks docker/compose*.yaml and docker/prometheus*.yml,
# builds the image of docker/Dockerfile with Podman (its build stage runs the
# unit tests), and runs it: `wiredesk --help`, then a worker in a container
# that receives the sample pages, publishes articles, answers /stats,
# /metrics and its HEALTHCHECK, stops cleanly on SIGTERM and, restarted on
# the same state volume, remembers what it published.
#
# Podman, not Docker: these machines have no Docker engine and no registry
# (../shared/CONTAINERS.md), so the base image debian:bookworm-slim is made
# locally by ../shared/scripts/container-base.sh, the build runs with chroot
# isolation and the container with runc and explicit limits.
#
# Needs root (apt-get, podman). The last line is
# `container: 1 passed, 0 failed` or `container: 0 passed, 1 failed`.
# WD_IMAGE names the image (default wiredesk).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
image=${WD_IMAGE:-wiredesk}
base_script="$top/../shared/scripts/container-base.sh"
base_image=docker.io/library/debian:bookworm-slim
run_flags=(--runtime runc)
limits=(--ulimit nofile=20000:20000 --ulimit nproc=4096:4096)
t0=$(date +%s)
tmp=$(mktemp -d)
containers=()
volumes=()

cleanup() {
    local c v
    for c in "${containers[@]}"; do
        podman rm -f -t 0 "$c" >/dev/null 2>&1 || true
    done
    for v in "${volumes[@]}"; do
        podman volume rm -f "$v" >/dev/null 2>&1 || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# podman, with the lines it logs on machines without systemd (it cannot set
# up the healthcheck timer) left out of stderr.
pod() {
    local rc=0
    podman "$@" 2>"$tmp/podman.err" || rc=$?
    grep -v "unable to get systemd connection" "$tmp/podman.err" >&2
    return $rc
}

fail() {
    echo "container-test: FAIL: $*" >&2
    echo "container: 0 passed, 1 failed"
    exit 1
}
step() { echo "== $* ($(($(date +%s) - t0)) s)"; }

# ---------------------------------------------------------------- tools --
step "tools"
missing=()
for p in podman runc debootstrap; do
    command -v "$p" >/dev/null 2>&1 || missing+=("$p")
done
# A python3 that has PyYAML: the one on PATH, else Debian's with python3-yaml.
py=""
for cand in python3 /usr/bin/python3; do
    if "$cand" -c 'import yaml' >/dev/null 2>&1; then
        py=$cand
        break
    fi
done
[ -n "$py" ] || missing+=(python3-yaml)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; } \
        >"$tmp/apt.log" 2>&1 || { tail -20 "$tmp/apt.log" >&2; fail "apt-get install ${missing[*]}"; }
    [ -n "$py" ] || py=/usr/bin/python3
fi
"$py" -c 'import yaml' 2>/dev/null || fail "no python3 with PyYAML ($py)"

# -------------------------------------------------------- compose files --
step "compose files"
"$py" - "$top" <<'EOF' || fail "docker/compose*.yaml or docker/prometheus*.yml"
import json, os, re, sys
import yaml

top = sys.argv[1]
ddir = os.path.join(top, "docker")
errors = []


def load(name):
    path = os.path.join(ddir, name)
    try:
        with open(path) as fh:
            d = yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as e:
        errors.append(f"{name}: {e}")
        return None
    if not isinstance(d, dict):
        errors.append(f"{name}: not a mapping")
        return None
    return d


# Hosts a Prometheus configuration scrapes: workers on 9464, the proxy on 9465.
def prom_hosts_of(name):
    hosts = set()
    prom = load(name)
    if prom is None:
        return hosts
    jobs = prom.get("scrape_configs") or []
    if not jobs:
        errors.append(f"{name}: no scrape_configs")
    for job in jobs:
        if job.get("metrics_path", "/metrics") != "/metrics":
            errors.append(f"{name}: job {job.get('job_name')}: metrics_path")
        for sc in job.get("static_configs") or []:
            for t in sc.get("targets") or []:
                host, _, port = t.rpartition(":")
                if port != ("9465" if host == "proxy" else "9464"):
                    errors.append(f"{name}: target {t}: wrong port")
                hosts.add(host)
    if not hosts:
        errors.append(f"{name}: no targets")
    return hosts


expected = {
    "compose.yaml": (["worker"], ["scraper", "subscriber", "prometheus"]),
    "compose.scaled.yaml": (["worker-1", "worker-2", "worker-3"],
                            ["proxy", "scraper", "subscriber", "prometheus",
                             "redis"]),
}
# 5556 snapshot; the proxy's ports: 5559 (frontend, workers publish there), 5560 (backend).
ports_ok = ("5556", "5557", "5558", "5559", "5560")


def endpoints(svc):
    text = json.dumps([svc.get("entrypoint"), svc.get("command")])
    return re.findall(r"tcp://([A-Za-z0-9_.-]+):(\d+)", text)


for fname, (workers, others) in expected.items():
    d = load(fname)
    if d is None:
        continue
    services = d.get("services") or {}
    prom_hosts = set()
    # Nothing from a registry: every image is built here.
    for name, svc in services.items():
        if "build" not in svc:
            errors.append(f"{fname}: {name}: no build (would pull {svc.get('image')})")
    # A service nothing uses: only the ones named above.
    for name in services:
        if name not in workers + others:
            errors.append(f"{fname}: unexpected service {name}")
    declared = set((d.get("volumes") or {}).keys())
    used = set()
    for need in workers + others:
        if need not in services:
            errors.append(f"{fname}: no service {need}")
    hosts = set(services)
    for svc in services.values():
        nets = svc.get("networks")
        if isinstance(nets, dict):
            for n in nets.values():
                hosts.update((n or {}).get("aliases") or [])
    host_ports = {}
    for name, svc in services.items():
        where = f"{fname}: {name}"
        if "image" not in svc and "build" not in svc:
            errors.append(f"{where}: neither image nor build")
        b = svc.get("build")
        if b is not None:
            ctx = b if isinstance(b, str) else b.get("context", ".")
            ctx = os.path.normpath(os.path.join(ddir, ctx))
            df = "Dockerfile" if isinstance(b, str) else b.get("dockerfile", "Dockerfile")
            if not os.path.isfile(os.path.join(ctx, df)):
                errors.append(f"{where}: build: no {df} in {ctx}")
        deps = svc.get("depends_on") or []
        for dep in deps if isinstance(deps, list) else deps.keys():
            if dep not in services or dep == name:
                errors.append(f"{where}: depends_on unknown service {dep}")
        for v in svc.get("volumes") or []:
            src = v.split(":")[0] if isinstance(v, str) else v.get("source", "")
            if src.startswith("./prometheus") and src.endswith(".yml"):
                prom_hosts = prom_hosts_of(src[2:])
            if src.startswith((".", "/", "~")):
                if not os.path.exists(os.path.join(ddir, src)):
                    errors.append(f"{where}: bind mount {src} does not exist")
            elif src not in declared:
                errors.append(f"{where}: volume {src} is not declared")
            else:
                used.add(src)
        for p in svc.get("ports") or []:
            hp = str(p).rsplit(":", 1)[0] if ":" in str(p) else None
            if hp:
                if hp in host_ports:
                    errors.append(f"{where}: host port {hp} also used by {host_ports[hp]}")
                host_ports[hp] = name
        for host, port in endpoints(svc):
            if host not in hosts and host != "0.0.0.0":  # 0.0.0.0: a bind
                errors.append(f"{where}: endpoint host {host} is no service")
            if port not in ports_ok:
                errors.append(f"{where}: endpoint port {port}")
    for v in declared - used:
        errors.append(f"{fname}: volume {v} declared but not used")
    # Each worker: its own state volume at /var/lib/wiredesk.
    states = []
    for w in workers:
        vols = [v for v in (services.get(w) or {}).get("volumes") or []
                if isinstance(v, str) and v.split(":")[1:2] == ["/var/lib/wiredesk"]]
        if len(vols) != 1:
            errors.append(f"{fname}: {w}: no state volume at /var/lib/wiredesk")
        states += [v.split(":")[0] for v in vols]
    if len(set(states)) != len(states):
        errors.append(f"{fname}: workers share a state volume")
    # The scraper pushes to every worker's ingest, the subscriber tails every
    # worker's publish socket, Prometheus scrapes every worker.
    scr = set(endpoints(services.get("scraper") or {}))
    sub = set(endpoints(services.get("subscriber") or {}))
    for w in workers:
        if (w, "5557") not in scr:
            errors.append(f"{fname}: scraper does not push to {w}:5557")
        via_proxy = ("proxy", "5560") in sub and \
            ("proxy", "5559") in set(endpoints(services.get(w) or {}))
        if (w, "5558") not in sub and not via_proxy:
            errors.append(f"{fname}: subscriber reads {w} neither directly nor via the proxy")
        wsvc = services.get(w) or {}
        names = {w}
        if isinstance(wsvc.get("networks"), dict):
            for n in wsvc["networks"].values():
                names.update((n or {}).get("aliases") or [])
        if not names & prom_hosts:
            errors.append(f"{fname}: prometheus does not scrape {w}")
    if not prom_hosts:
        errors.append(f"{fname}: prometheus mounts no ./prometheus*.yml")
    for h in prom_hosts:
        if h not in hosts:
            errors.append(f"{fname}: prometheus target {h} is no service")
    print(f"{fname}: {len(services)} services, {len(declared)} volumes")

for e in errors:
    print("  " + e, file=sys.stderr)
sys.exit(1 if errors else 0)
EOF
if command -v promtool >/dev/null 2>&1; then
    for f in docker/prometheus.yml docker/prometheus.scaled.yml; do
        promtool check config "$f" >"$tmp/promtool.log" 2>&1 ||
            { cat "$tmp/promtool.log" >&2; fail "promtool check config $f"; }
    done
    echo "docker/prometheus*.yml: promtool check config passed"
fi
# A Compose implementation, where there is one, checks the files fully.
if docker compose version >/dev/null 2>&1; then
    for f in docker/compose.yaml docker/compose.scaled.yaml; do
        docker compose -f "$f" config -q || fail "docker compose config $f"
    done
    echo "docker compose config: passed"
fi

# ---------------------------------------------------------- base image --
step "base image $base_image"
if [ -x "$base_script" ]; then
    "$base_script" || fail "$base_script failed"
elif podman image exists "$base_image"; then
    echo "no $base_script; using the $base_image already present"
else
    fail "$base_script is missing (the shared scripts are expected beside the repository, in ../shared) and $base_image is not present"
fi

# --------------------------------------------------------------- build --
step "build $image"
tb=$(date +%s)
# --format docker: the OCI image format has no HEALTHCHECK.
podman build --isolation=chroot --pull=never --format docker \
    -f docker/Dockerfile -t "$image" . >"$tmp/build.log" 2>&1 ||
    { tail -40 "$tmp/build.log" >&2; fail "podman build"; }
grep -E "tests passed|tests failed" "$tmp/build.log" | tail -1 | sed 's/^/unit tests in the build stage: /'
size=$(podman image inspect "$image" --format '{{.Size}}')
echo "built in $(($(date +%s) - tb)) s, image $((size / 1000000)) MB"

# ------------------------------------------------------------ the image --
step "wiredesk --help"
podman "${run_flags[@]}" run --rm --network=host "${limits[@]}" "$image" --help \
    >"$tmp/help.out" 2>&1 || { cat "$tmp/help.out" >&2; fail "wiredesk --help"; }
grep -q "^usage: wiredesk COMMAND" "$tmp/help.out" || { cat "$tmp/help.out" >&2; fail "wiredesk --help: no usage"; }
uid=$(podman "${run_flags[@]}" run --rm --network=host "${limits[@]}" \
    --entrypoint id "$image" -u 2>/dev/null)
[ "$uid" = 10001 ] || fail "the image runs as uid '$uid', not the wiredesk user (10001)"
echo "help ok; runs as uid $uid"

# ------------------------------------------------------------ smoke run --
# Free loopback ports: the container shares the host's network.
read -r p_in p_pub p_http < <("$py" -c '
import socket
ss = [socket.socket() for _ in range(3)]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])
for s in ss:
    s.close()') || fail "no free ports"
name=wd-smoke-$$
vol=wd-smoke-state-$$
podman volume create "$vol" >/dev/null || fail "podman volume create"
volumes+=("$vol")

start_worker() {
    podman rm -f -t 0 "$name" >/dev/null 2>&1 || true
    containers+=("$name")
    # --health-interval=disable: no systemd timer here; the test runs the
    # image's HEALTHCHECK itself with `podman healthcheck run`.
    pod "${run_flags[@]}" run -d --name "$name" --network=host "${limits[@]}" \
        --health-interval=disable -e WIREDESK_HEALTH_PORT="$p_http" \
        -v "$vol:/var/lib/wiredesk" "$image" \
        run --ingest "tcp://127.0.0.1:$p_in" --publish "tcp://127.0.0.1:$p_pub" \
        --http "127.0.0.1:$p_http" --state /var/lib/wiredesk >/dev/null ||
        fail "podman run (worker)"
    local deadline=$(($(date +%s) + 30))
    until podman exec "$name" wiredesk stats --http "127.0.0.1:$p_http" >/dev/null 2>&1; do
        if [ "$(podman inspect "$name" --format '{{.State.Running}}' 2>/dev/null)" != true ]; then
            podman logs "$name" >&2
            fail "the worker container exited"
        fi
        [ "$(date +%s)" -lt "$deadline" ] || { podman logs "$name" >&2; fail "the worker did not answer within 30 s"; }
        sleep 0.5
    done
}

# The worker's /stats figure $1 (a counter), read from inside the container.
figure() {
    podman exec "$name" wiredesk stats --json --http "127.0.0.1:$p_http" 2>/dev/null |
        "$py" -c 'import json, sys; d = json.load(sys.stdin); print(d["counters"]["'"$1"'"] if "'"$1"'" in d["counters"] else d["dedup"]["'"$1"'"])' 2>/dev/null
}

# Waits until figure $1 reaches $2 (15 s at most); prints the value.
wait_stat() {
    local v deadline=$(($(date +%s) + 15))
    while :; do
        v=$(figure "$1")
        if [ -n "$v" ] && [ "$v" -ge "$2" ]; then
            echo "$v"
            return 0
        fi
        [ "$(date +%s)" -lt "$deadline" ] || { echo "${v:-none}"; return 1; }
        sleep 0.5
    done
}

push_seeds() {
    podman exec "$name" sh -c "wiredesk push --endpoint tcp://127.0.0.1:$p_in /usr/share/wiredesk/samples/seeds/*.txt" \
        || fail "wiredesk push"
}

stop_worker() {
    pod stop -t 15 "$name" >/dev/null || fail "podman stop"
    local rc
    rc=$(podman inspect "$name" --format '{{.State.ExitCode}}')
    [ "$rc" = 0 ] || { podman logs "$name" >&2; fail "the worker exited $rc on SIGTERM, not 0"; }
    # Logs go to a variable first: under pipefail, `podman logs | grep -q`
    # fails when grep exits at the first match and podman gets SIGPIPE.
    local log
    log=$(podman logs "$name" 2>&1)
    grep -q "stopped:" <<<"$log" || fail "no clean stop in the worker's log"
}

step "smoke run: worker on 127.0.0.1 ports $p_in $p_pub $p_http"
start_worker
log=$(podman logs "$name" 2>&1)
grep -q "data /opt/wiredesk/share/wiredesk" <<<"$log" ||
    { podman logs "$name" >&2; fail "the worker does not use the installed data (/opt/wiredesk/share/wiredesk)"; }
podman healthcheck run "$name" >"$tmp/health.out" 2>&1 ||
    { cat "$tmp/health.out" >&2; fail "the image's HEALTHCHECK (GET /healthz) failed"; }
echo "answering; data from /opt/wiredesk/share/wiredesk; HEALTHCHECK (GET /healthz) healthy"

# A subscriber on channel "all" in the same container, then the pages. It
# follows "$stats" too: its first $stats line (one every 5 s) proves it is
# subscribed before anything is pushed (a fixed sleep lost the race).
podman exec "$name" wiredesk tail --endpoint "tcp://127.0.0.1:$p_pub" --count 2 \
    --timeout 30000 all '$stats' >"$tmp/tail.out" 2>"$tmp/tail.err" &
tail_pid=$!
sub_deadline=$(($(date +%s) + 30))
until grep -q '"channel":"\$stats"' "$tmp/tail.out" 2>/dev/null; do
    [ "$(date +%s)" -lt "$sub_deadline" ] ||
        { cat "$tmp/tail.err" >&2; fail "tail did not subscribe within 30 s"; }
    sleep 0.2
done
push_seeds
published=$(wait_stat articles_published 1) || fail "no article published (articles_published $published)"
echo "/stats: articles_published $published"
"$py" - "$p_http" <<'EOF' || fail "/metrics"
import re, sys, urllib.request
text = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics", timeout=5).read().decode()
m = re.search(r"^wiredesk_articles_published_total (\d+)", text, re.M)
if not m or int(m.group(1)) < 1:
    sys.exit("wiredesk_articles_published_total is missing or 0")
print(f"/metrics (from the host): wiredesk_articles_published_total {m.group(1)}")
EOF
wait "$tail_pid" || { cat "$tmp/tail.err" >&2; fail "wiredesk tail"; }
"$py" -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
arts = [a for a in lines if a.get("channel") == "all"]
assert arts and arts[0]["id"] and arts[0]["title"], lines
print("tail: received", repr(arts[0]["title"][:60]))' "$tmp/tail.out" ||
    { cat "$tmp/tail.out" "$tmp/tail.err" >&2; fail "tail received no article"; }
stop_worker
echo "stopped on SIGTERM, exit status 0"

step "smoke run: restart on the same state volume"
start_worker
push_seeds
dropped=$(wait_stat page 5) || fail "the restarted worker did not drop the 5 pages it had seen (dedup page $dropped)"
again=$(figure articles_published)
[ "$again" = 0 ] || fail "the restarted worker published $again articles again"
echo "after restart: 5 pages dropped as seen, 0 articles published again"
stop_worker

echo "total $(($(date +%s) - t0)) s"
echo "container: 1 passed, 0 failed"
