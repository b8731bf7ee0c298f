/* Scale-out benchmark: 1, 2 and 3 workers sharing one Redis store behind
 * one `wiredesk proxy`, on the same page stream.
 *
 *   scale_bench [PAGES] [WIREDESK]   (default 20000 pages, build/wiredesk)
 *
 * For each set-up: a fresh redis-server (fresh directory, no persistence),
 * the proxy, N workers (`run --store redis://... --publish '>FRONTEND'`),
 * one subscriber on the proxy's backend ("all" and "$stats"), and one PUSH
 * socket connected to every worker's ingest (ZeroMQ deals the pages out in
 * turn). The stream is bench/streamgen's, as in pipeline_bench (listings,
 * articles, re-fetches, copies; ~40% duplicates), rendered once and pushed
 * identically every time. A run ends when the workers' $stats
 * pages_received add up to the pages pushed and no article came for a
 * second. Reference: one worker on its own LMDB store (no --store), through
 * the same proxy.
 *
 * Figures per run:
 * - pages/s: pages pushed / (first push to the last article out). Pages
 *   after the last article that publish nothing end within one $stats
 *   interval (100 ms) of it.
 * - articles on "all"; "(id,rev) dup": articles whose (Article.id,
 *   revision) was already published — must be 0. An upgrade (the full text
 *   of a story first seen as a teaser) is the same id with revision 2, a
 *   legitimate second article, so duplicates are counted by (id,revision).
 * - per story: first publications (revision 1) per distinct story of the
 *   generator's truth (article title -> story) — must be 1.00; a story
 *   published as new by two workers under two ids (two near copies decided
 *   at the same moment on two workers) shows here, not as an id duplicate;
 *   "twice" counts those stories. "upgr": articles of revision 2 or more,
 *   against the truth's count of upgrades (printed above the table); fewer
 *   is not a loss by itself when workers take a full text before its
 *   teaser (the full text is then revision 1). "nofull": stories whose full
 *   text is in the stream but no full-text Article (kind FULL) came out —
 *   must be 0.
 * - CPU seconds from /proc/PID/stat (utime+stime, all threads) over the
 *   run, in microseconds per page: the workers together, redis-server, the
 *   proxy, and this process (pusher and subscriber); "cores" is all of it
 *   divided by the wall time of the run (the machine has nproc of them).
 * - redis commands per page, from INFO stats total_commands_processed
 *   (and INFO commandstats by command, printed per run).
 * The exit status is 1 when a run failed, published a story twice, never
 * published a full text, or dropped a message.
 *
 * WD_SCALE_ONLY=lmdb1,redis1,redis2,redis3 (any of them) runs only those.
 *
 * What limits scaling here: the machine has 2 cores, and every process of
 * the set-up shares them — the pusher and the subscriber (this process),
 * the proxy (every article passes through it), redis-server (one thread,
 * serving every worker's commands) and the N workers. And each page costs
 * a worker about 32 blocking Redis round trips (an HGET per key looked up:
 * the page key, then per story the story, content and URL keys and 16
 * MinHash bands; a SET NX claim per published revision; a few HEXISTS,
 * HLEN and ZRANGE; one pipelined MULTI/EXEC at commit). A single worker on
 * Redis is therefore bound by round-trip latency, not by CPU: it and
 * redis-server take turns, each idle while the other works, and the
 * machine is only a little over one core busy; each round trip also costs
 * both processes system calls and a wake-up, so the worker's CPU per page
 * grows well past the LMDB worker's and redis-server spends about as much
 * again. A second worker fills the other's waits and so scales well while
 * cores are free; a third finds the two cores nearly full (the workers,
 * redis-server, the proxy and the pusher) and adds little: it time-slices
 * with the other two, while every worker's lookups queue on redis-server's
 * one thread. */
#include <errno.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>
#include <zmq.h>

#include "benchutil.h"
#include "../tests/ports.h"
#include "rawframe.h"
#include "streamgen.h"
#include "wiredesk.pb-c.h"

extern char **environ;

#define MAX_WORKERS 3
#define REDIS_SERVER "/usr/bin/redis-server"
#define READY_DEADLINE_S 30.0

/* ---- the stream and its truth ---------------------------------------- */

/* Open addressing, 64-bit keys (0 = empty; keys are forced non-zero). */
struct set {
    uint64_t *keys;
    int *vals;
    size_t mask;
};

static void
set_init(struct set *s, size_t want)
{
    size_t cap = 1024;
    while (cap < want * 2)
        cap <<= 1;
    s->keys = calloc(cap, sizeof *s->keys);
    s->vals = calloc(cap, sizeof *s->vals);
    s->mask = cap - 1;
}

static void
set_free(struct set *s)
{
    free(s->keys);
    free(s->vals);
}

/* Returns the slot of key, and whether it was there already. */
static size_t
set_slot(struct set *s, uint64_t key, bool *found)
{
    key |= 1;
    size_t i = (size_t)key & s->mask;
    while (s->keys[i] && s->keys[i] != key)
        i = (i + 1) & s->mask;
    *found = s->keys[i] == key;
    s->keys[i] = key;
    return i;
}

static int
set_get(const struct set *s, uint64_t key)
{
    key |= 1;
    size_t i = (size_t)key & s->mask;
    while (s->keys[i]) {
        if (s->keys[i] == key)
            return s->vals[i];
        i = (i + 1) & s->mask;
    }
    return -1;
}

static struct frame *frames;
static int n_pages;
static struct set truth; /* title hash -> story */
static int n_stories;
static bool *story_has_full; /* truth: a full text of it is in the stream */
static long n_full_stories;
static long expected_articles, expected_upgrades;

/* ---- processes --------------------------------------------------------- */

/* Every child alive, so that an interrupted run leaves nothing behind. */
static pid_t children[2 + MAX_WORKERS];

static void
forget_child(pid_t pid)
{
    for (size_t i = 0; i < sizeof children / sizeof *children; i++)
        if (children[i] == pid)
            children[i] = 0;
}

static void
on_signal(int sig)
{
    for (size_t i = 0; i < sizeof children / sizeof *children; i++)
        if (children[i] > 0)
            kill(children[i], SIGKILL);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* One published message: its channel frame into *t, its body into *b (both
 * initialised; b empty when there was none); the sequence and epoch frames
 * are read and dropped. */
static void
recv_message(void *sub, zmq_msg_t *t, zmq_msg_t *b)
{
    zmq_msg_init(t);
    zmq_msg_init(b);
    zmq_msg_recv(t, sub, 0);
    if (zmq_msg_more(t))
        zmq_msg_recv(b, sub, 0);
    bench_skip_frames(sub);
}

static pid_t
spawn(const char *const *argv, const char *log)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, (char **)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc) {
        fprintf(stderr, "cannot start %s: %s\n", argv[0], strerror(rc));
        return -1;
    }
    for (size_t i = 0; i < sizeof children / sizeof *children; i++)
        if (!children[i]) {
            children[i] = pid;
            break;
        }
    return pid;
}

/* SIGTERM, then up to deadline_s for it to exit (SIGKILL after). Returns
 * the exit status, or -1 when it was killed or died of a signal. */
static int
stop(pid_t pid, double deadline_s)
{
    if (pid <= 0)
        return 0;
    kill(pid, SIGTERM);
    int status = 0;
    for (double end = now_s() + deadline_s; now_s() < end;) {
        if (waitpid(pid, &status, WNOHANG) == pid) {
            forget_child(pid);
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    forget_child(pid);
    return -1;
}

static bool
alive(pid_t pid)
{
    int status;
    return waitpid(pid, &status, WNOHANG) == 0;
}

static double
self_cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* total_commands_processed of INFO stats, or -1. */
static long long
redis_commands(int port)
{
    struct timeval tv = {2, 0};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);
    long long v = -1;
    if (c && !c->err) {
        redisReply *r = redisCommand(c, "INFO stats");
        const char *p = r && r->type == REDIS_REPLY_STRING ? r->str : NULL;
        p = p ? strstr(p, "total_commands_processed:") : NULL;
        if (p)
            v = atoll(p + strlen("total_commands_processed:"));
        if (r)
            freeReplyObject(r);
    }
    if (c)
        redisFree(c);
    return v;
}

/* INFO commandstats as "cmd calls/page ..." on one line. */
static void
print_commandstats(int port, int pages)
{
    struct timeval tv = {2, 0};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);
    if (!c || c->err) {
        if (c)
            redisFree(c);
        return;
    }
    redisReply *r = redisCommand(c, "INFO commandstats");
    if (r && r->type == REDIS_REPLY_STRING) {
        printf("redis calls per page:");
        for (const char *p = strstr(r->str, "cmdstat_"); p;
             p = strstr(p + 1, "cmdstat_")) {
            char name[32];
            long long calls;
            if (sscanf(p, "cmdstat_%31[^:]:calls=%lld", name, &calls) == 2 &&
                strcmp(name, "info") != 0 && strcmp(name, "ping") != 0)
                printf(" %s %.2f", name, (double)calls / pages);
        }
        printf("\n");
    }
    if (r)
        freeReplyObject(r);
    redisFree(c);
}

static bool
redis_ping(int port)
{
    struct timeval tv = {0, 200000};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);
    bool ok = false;
    if (c && !c->err) {
        redisReply *r = redisCommand(c, "PING");
        ok = r && r->type == REDIS_REPLY_STATUS && strcmp(r->str, "PONG") == 0;
        if (r)
            freeReplyObject(r);
    }
    if (c)
        redisFree(c);
    return ok;
}

/* ---- reading Articles without unpacking them --------------------------- */

static bool
varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; *p < end && shift < 64; shift += 7) {
        uint8_t b = *(*p)++;
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return true;
    }
    return false;
}

struct art {
    const uint8_t *id, *title;
    size_t id_len, title_len;
    uint64_t revision, kind;
};

/* Fields 1 (id), 4 (title), 12 (revision) and 15 (kind) of a packed
 * Article: the
 * subscriber shares the CPUs it measures, so it reads only those. */
static bool
scan_article(const uint8_t *p, size_t n, struct art *a)
{
    const uint8_t *end = p + n;
    memset(a, 0, sizeof *a);
    while (p < end) {
        uint64_t key, v;
        if (!varint(&p, end, &key))
            return false;
        switch (key & 7) {
        case 0:
            if (!varint(&p, end, &v))
                return false;
            if (key >> 3 == 12)
                a->revision = v;
            else if (key >> 3 == 15)
                a->kind = v;
            break;
        case 1:
            p += 8;
            break;
        case 5:
            p += 4;
            break;
        case 2:
            if (!varint(&p, end, &v) || v > (uint64_t)(end - p))
                return false;
            if (key >> 3 == 1) {
                a->id = p;
                a->id_len = (size_t)v;
            } else if (key >> 3 == 4) {
                a->title = p;
                a->title_len = (size_t)v;
            }
            p += v;
            break;
        default:
            return false;
        }
    }
    return p == end && a->id;
}

/* ---- one run ----------------------------------------------------------- */

struct result {
    const char *store;
    int workers;
    bool ok;
    double secs, pps;
    long articles, idrev_dups, distinct_ids;
    long first_pubs, stories_published, stories_twice, upgrades, unmatched;
    long full_missing; /* stories with a full text, none published */
    long long redis_cmds;
    double cpu_workers, cpu_redis, cpu_proxy, cpu_self;
    long publish_dropped, store_errors;
    int bad_exits;
};

struct pusher {
    void *zctx;
    char ep[MAX_WORKERS][64];
    int n_ep;
    uint8_t **bufs;
    size_t *lens;
    double t_first, t_last;
    void *push;
};

static void *
push_thread(void *arg)
{
    struct pusher *ps = arg;
    void *push = zmq_socket(ps->zctx, ZMQ_PUSH);
    int hwm = 10000, linger = 0, timeout = 60000;
    zmq_setsockopt(push, ZMQ_SNDHWM, &hwm, sizeof hwm);
    /* A worker that died must not hold the pusher for ever. */
    zmq_setsockopt(push, ZMQ_SNDTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(push, ZMQ_LINGER, &linger, sizeof linger);
    for (int i = 0; i < ps->n_ep; i++)
        zmq_connect(push, ps->ep[i]);
    ps->t_first = now_s();
    for (int i = 0; i < n_pages; i++)
        if (zmq_send(push, ps->bufs[i], ps->lens[i], 0) < 0) {
            fprintf(stderr, "push: %s after %d pages\n", zmq_strerror(errno),
                    i);
            break;
        }
    ps->t_last = now_s();
    /* Not closed here: a closed socket keeps its queued pages only for its
     * linger time, and a slow set-up has a backlog of many seconds. The
     * main thread closes it when the run is over. */
    ps->push = push;
    return NULL;
}

static void
run(const char *bin, void *zctx, bool use_redis, int n_workers,
    struct result *res)
{
    memset(res, 0, sizeof *res);
    res->store = use_redis ? "redis" : "lmdb";
    res->workers = n_workers;
    printf("--- %s, %d worker%s\n", res->store, n_workers,
           n_workers > 1 ? "s" : "");
    fflush(stdout);

    int ports[4 + 2 * MAX_WORKERS];
    free_ports(4 + 2 * n_workers, ports); /* (exits when it cannot) */
    char base[] = "/tmp/wd-scale-XXXXXX";
    if (!mkdtemp(base)) {
        perror("mkdtemp");
        return;
    }
    int redis_port = ports[0];
    char front[64], back[64], phttp[64], publish[80], store_url[64];
    snprintf(front, sizeof front, "tcp://127.0.0.1:%d", ports[1]);
    snprintf(back, sizeof back, "tcp://127.0.0.1:%d", ports[2]);
    snprintf(phttp, sizeof phttp, "127.0.0.1:%d", ports[3]);
    snprintf(publish, sizeof publish, ">%s", front);
    snprintf(store_url, sizeof store_url, "redis://127.0.0.1:%d/0", redis_port);

    pid_t redis = 0, proxy = 0, workers[MAX_WORKERS] = {0};
    void *sub = NULL;
    char log[300];
    struct set idrev, ids;
    set_init(&idrev, (size_t)n_pages * 4);
    set_init(&ids, (size_t)n_pages * 4);
    int *first_count = calloc((size_t)n_stories + 1, sizeof *first_count);
    bool *got_full = calloc((size_t)n_stories + 1, sizeof *got_full);
    /* WD_SCALE_DEBUG=1: each story's first publication, to name both sides
     * of a double. */
    bool debug = getenv("WD_SCALE_DEBUG") != NULL;
    char **first_seen =
        debug ? calloc((size_t)n_stories + 1, sizeof *first_seen) : NULL;
    uint8_t **bufs = calloc((size_t)n_pages, sizeof *bufs);
    size_t *lens = calloc((size_t)n_pages, sizeof *lens);

    /* redis-server, answering PING. */
    if (use_redis) {
        char port[16], rdir[256];
        snprintf(port, sizeof port, "%d", redis_port);
        snprintf(rdir, sizeof rdir, "%s/redis", base);
        mkdir(rdir, 0755);
        char rlog[300];
        snprintf(rlog, sizeof rlog, "%s/redis.log", base);
        snprintf(log, sizeof log, "%s/redis.err", base);
        const char *argv[] = {REDIS_SERVER, "--port",       port, "--bind",
                              "127.0.0.1",  "--dir",        rdir, "--save",
                              "",           "--appendonly", "no", "--daemonize",
                              "no",         "--logfile",    rlog, NULL};
        redis = spawn(argv, log);
        bool up = false;
        for (double end = now_s() + 10; redis > 0 && !up && now_s() < end;) {
            up = redis_ping(redis_port);
            if (!up)
                usleep(20000);
        }
        if (!up) {
            fprintf(stderr, "redis-server did not answer; see %s\n", log);
            goto done;
        }
    }

    /* The proxy, then the workers publishing into it. */
    {
        snprintf(log, sizeof log, "%s/proxy.log", base);
        const char *argv[] = {bin,  "proxy",  "--frontend", front, "--backend",
                              back, "--http", phttp,        NULL};
        proxy = spawn(argv, log);
        if (proxy <= 0)
            goto done;
    }
    struct pusher ps = {.zctx = zctx, .n_ep = n_workers};
    for (int i = 0; i < n_workers; i++) {
        char state[256], http[64];
        snprintf(state, sizeof state, "%s/w%d", base, i);
        mkdir(state, 0755);
        snprintf(ps.ep[i], sizeof ps.ep[i], "tcp://127.0.0.1:%d",
                 ports[4 + 2 * i]);
        snprintf(http, sizeof http, "127.0.0.1:%d", ports[5 + 2 * i]);
        snprintf(log, sizeof log, "%s/w%d.log", base, i);
        const char *argv[24] = {
            bin,           "run",    "--publish",        publish,
            "--ingest",    ps.ep[i], "--http",           http,
            "--state",     state,    "--stats-interval", "100",
            "--log-level", "warn"};
        int argc = 14;
        if (use_redis) {
            argv[argc++] = "--store";
            argv[argc++] = store_url;
        }
        argv[argc] = NULL;
        workers[i] = spawn(argv, log);
        if (workers[i] <= 0)
            goto done;
    }

    /* The subscriber, ready when every worker's $stats came through the
     * proxy (so the subscriptions reached every worker). */
    sub = zmq_socket(zctx, ZMQ_SUB);
    int zero = 0;
    zmq_setsockopt(sub, ZMQ_RCVHWM, &zero, sizeof zero);
    zmq_setsockopt(sub, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "all", 3);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "$stats", 6);
    zmq_connect(sub, back);
    char names[MAX_WORKERS][128] = {{0}};
    long received[MAX_WORKERS] = {0}, dropped[MAX_WORKERS] = {0},
         store_err[MAX_WORKERS] = {0};
    int n_named = 0;
    for (double end = now_s() + READY_DEADLINE_S;
         n_named < n_workers && now_s() < end;) {
        zmq_pollitem_t it = {sub, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, 100) <= 0)
            continue;
        zmq_msg_t t, b;
        recv_message(sub, &t, &b);
        if (zmq_msg_size(&t) == 6) {
            Wiredesk__V1__WorkerStats *ws = wiredesk__v1__worker_stats__unpack(
                NULL, zmq_msg_size(&b), zmq_msg_data(&b));
            if (ws) {
                bool known = false;
                for (int i = 0; i < n_named; i++)
                    known |= strcmp(names[i], ws->worker) == 0;
                if (!known)
                    snprintf(names[n_named++], 128, "%s", ws->worker);
                wiredesk__v1__worker_stats__free_unpacked(ws, NULL);
            }
        }
        zmq_msg_close(&t);
        zmq_msg_close(&b);
    }
    if (n_named < n_workers) {
        fprintf(stderr, "only %d of %d workers seen on $stats; logs in %s\n",
                n_named, n_workers, base);
        goto done;
    }

    /* The frames, packed before the clock starts. */
    for (int i = 0; i < n_pages; i++)
        lens[i] = pack(&frames[i], &bufs[i]);
    ps.bufs = bufs;
    ps.lens = lens;

    long long cmds0 = use_redis ? redis_commands(redis_port) : 0;
    double cpu_w0[MAX_WORKERS], cpu_r0 = use_redis ? cpu_seconds(redis) : 0,
                                cpu_p0 = cpu_seconds(proxy),
                                cpu_s0 = self_cpu_seconds();
    for (int i = 0; i < n_workers; i++)
        cpu_w0[i] = cpu_seconds(workers[i]);

    pthread_t pt;
    ps.t_first = 0;
    double t_start = now_s();
    if (pthread_create(&pt, NULL, push_thread, &ps) != 0)
        goto done;

    /* Articles and $stats until every page is counted, then until a
     * second passes without an article. */
    double deadline = t_start + 60 + n_pages / 200.0;
    double t_last_article = 0, t_complete = 0;
    long sum = 0;
    bool complete = false, died = false;
    double next_progress = t_start + 10;
    while (now_s() < deadline) {
        if (!complete && now_s() >= next_progress) {
            fprintf(stderr, "  %.0f s: %ld pages counted, %ld articles\n",
                    now_s() - t_start, sum, res->articles);
            next_progress += 10;
        }
        double last = t_last_article > t_complete ? t_last_article : t_complete;
        if (complete && now_s() - last > 1.0)
            break;
        zmq_pollitem_t it = {sub, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, 100) <= 0) {
            for (int i = 0; i < n_workers; i++)
                if (!alive(workers[i])) {
                    fprintf(stderr, "worker %d died; log in %s\n", i, base);
                    died = true;
                }
            if (died)
                break;
            continue;
        }
        zmq_msg_t t, b;
        recv_message(sub, &t, &b);
        const uint8_t *data = zmq_msg_data(&b);
        size_t len = zmq_msg_size(&b);
        if (zmq_msg_size(&t) == 3) {
            struct art a;
            res->articles++;
            t_last_article = now_s();
            if (!scan_article(data, len, &a)) {
                res->unmatched++;
            } else {
                bool found;
                set_slot(&ids, XXH3_64bits(a.id, a.id_len), &found);
                res->distinct_ids += !found;
                set_slot(&idrev,
                         XXH3_64bits_withSeed(a.id, a.id_len, a.revision),
                         &found);
                res->idrev_dups += found;
                int story =
                    a.title ? set_get(&truth, XXH3_64bits(a.title, a.title_len))
                            : -1;
                if (story >= 0 &&
                    a.kind == WIREDESK__V1__ARTICLE__KIND__KIND_FULL)
                    got_full[story] = true;
                if (story < 0)
                    res->unmatched++;
                else if (a.revision <= 1) {
                    res->first_pubs++;
                    char desc[400];
                    if (debug)
                        snprintf(desc, sizeof desc, "%s '%.*s' id %.*s",
                                 a.kind ==
                                         WIREDESK__V1__ARTICLE__KIND__KIND_FULL
                                     ? "full"
                                     : "teaser",
                                 (int)a.title_len, (const char *)a.title,
                                 (int)a.id_len, (const char *)a.id);
                    if (first_count[story]++ == 0) {
                        res->stories_published++;
                        if (debug)
                            first_seen[story] = strdup(desc);
                    } else {
                        if (first_count[story] == 2)
                            res->stories_twice++;
                        if (debug)
                            fprintf(stderr, "double: %s, then %s\n",
                                    first_seen[story], desc);
                    }
                } else
                    res->upgrades++;
            }
            /* The fast reader checked against the real one now and then. */
            if (res->articles % 997 == 1) {
                Wiredesk__V1__Article *full =
                    wiredesk__v1__article__unpack(NULL, len, data);
                if (!full || strlen(full->id) != a.id_len ||
                    memcmp(full->id, a.id, a.id_len) != 0 ||
                    full->revision != a.revision || full->kind != a.kind)
                    fprintf(stderr,
                            "article reader disagrees with protobuf-c\n");
                if (full)
                    wiredesk__v1__article__free_unpacked(full, NULL);
            }
        } else if (zmq_msg_size(&t) == 6) {
            Wiredesk__V1__WorkerStats *ws =
                wiredesk__v1__worker_stats__unpack(NULL, len, data);
            if (ws) {
                for (int i = 0; i < n_workers; i++)
                    if (strcmp(names[i], ws->worker) == 0) {
                        received[i] = (long)ws->pages_received;
                        dropped[i] = (long)ws->publish_dropped;
                        for (size_t k = 0; k < ws->n_counters; k++)
                            if (strcmp(ws->counters[k]->name, "store_errors") ==
                                0)
                                store_err[i] = (long)ws->counters[k]->value;
                    }
                wiredesk__v1__worker_stats__free_unpacked(ws, NULL);
            }
            sum = 0;
            for (int i = 0; i < n_workers; i++)
                sum += received[i];
            if (!complete && sum >= n_pages) {
                complete = true;
                t_complete = now_s();
                /* CPU up to here: the quiet second after is not work. */
                for (int i = 0; i < n_workers; i++)
                    res->cpu_workers += cpu_seconds(workers[i]) - cpu_w0[i];
                res->cpu_redis = use_redis ? cpu_seconds(redis) - cpu_r0 : 0;
                res->cpu_proxy = cpu_seconds(proxy) - cpu_p0;
                res->cpu_self = self_cpu_seconds() - cpu_s0;
                if (use_redis)
                    res->redis_cmds = redis_commands(redis_port) - cmds0;
            }
        }
        zmq_msg_close(&t);
        zmq_msg_close(&b);
    }
    pthread_join(pt, NULL);
    zmq_close(ps.push);
    for (int i = 0; i < n_workers; i++) {
        res->publish_dropped += dropped[i];
        res->store_errors += store_err[i];
    }
    if (!complete) {
        fprintf(stderr,
                "%s: %ld of %d pages counted by the deadline; logs in "
                "%s\n",
                died ? "a worker died" : "timed out", sum, n_pages, base);
        goto done;
    }
    double t_end = t_last_article > ps.t_first ? t_last_article : t_complete;
    for (int i = 0; i < n_stories; i++) {
        res->full_missing += story_has_full[i] && !got_full[i];
        if (debug && story_has_full[i] && !got_full[i])
            fprintf(stderr, "no full text: story %d, first published as %s\n",
                    i, first_seen[i] ? first_seen[i] : "(never)");
    }
    res->secs = t_end - ps.t_first;
    res->pps = n_pages / res->secs;
    res->ok = true;
    printf("pages per worker:");
    for (int i = 0; i < n_workers; i++)
        printf(" %ld", received[i]);
    printf("; pushed in %.2f s; done %.2f s after the first push\n",
           ps.t_last - ps.t_first, res->secs);
    if (use_redis)
        print_commandstats(redis_port, n_pages);
    printf("publish drops %ld, store errors %ld\n", res->publish_dropped,
           res->store_errors);
    printf("%ld articles (%ld expected by the truth), %ld distinct ids, "
           "%ld (id,rev) published twice; %ld stories first-published, %ld "
           "of them twice; %ld upgrades (%ld expected); %ld of %ld stories "
           "told in full never published in full; %ld not matched to the "
           "truth\n",
           res->articles, expected_articles, res->distinct_ids, res->idrev_dups,
           res->stories_published, res->stories_twice, res->upgrades,
           expected_upgrades, res->full_missing, n_full_stories,
           res->unmatched);
    fflush(stdout);

done:
    if (sub)
        zmq_close(sub);
    for (int i = 0; i < n_workers; i++)
        if (workers[i] > 0 && stop(workers[i], 15) != 0) {
            fprintf(stderr, "worker %d did not exit 0\n", i);
            res->bad_exits++;
        }
    if (proxy > 0 && stop(proxy, 10) != 0) {
        fprintf(stderr, "the proxy did not exit 0\n");
        res->bad_exits++;
    }
    if (redis > 0)
        stop(redis, 10);
    /* Logs stay when something went wrong. */
    if (res->ok && !res->bad_exits) {
        bench_remove_dir(base);
    } else {
        fprintf(stderr, "kept %s for its logs\n", base);
        res->ok = false;
    }
    for (int i = 0; i < n_pages; i++)
        free(bufs[i]);
    free(bufs);
    free(lens);
    free(first_count);
    for (int i = 0; debug && i <= n_stories; i++)
        free(first_seen[i]);
    free(first_seen);
    free(got_full);
    set_free(&idrev);
    set_free(&ids);
}

int
main(int argc, char **argv)
{
    n_pages = argc > 1 ? atoi(argv[1]) : 20000;
    const char *bin = argc > 2 ? argv[2] : "build/wiredesk";
    if (n_pages <= 0 || access(bin, X_OK) != 0) {
        fprintf(stderr, "usage: scale_bench [PAGES] [WIREDESK]\n");
        return 2;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);

    /* The stream, rendered once, as in pipeline_bench; the truth maps each
     * title written on a page to its story. */
    struct sg *g = bench_stream();
    frames = calloc((size_t)n_pages, sizeof *frames);
    set_init(&truth, (size_t)n_pages * SG_MAX_ITEMS);
    int full_cap = 0;
    double text_bytes = 0;
    for (int i = 0; i < n_pages; i++) {
        struct sg_page pg;
        sg_next(g, &pg);
        frame_of(&frames[i], &pg);
        text_bytes += (double)pg.len;
        for (int k = 0; k < pg.n_items; k++) {
            bool found;
            size_t s = set_slot(
                &truth,
                XXH3_64bits(pg.items[k].title, strlen(pg.items[k].title)),
                &found);
            truth.vals[s] = pg.items[k].story;
            expected_articles += pg.items[k].expect_publish;
            int st = pg.items[k].story;
            if (st >= full_cap) {
                int cap = full_cap;
                full_cap = st * 2 + 1024;
                story_has_full = realloc(story_has_full, (size_t)full_cap);
                memset(story_has_full + cap, 0, (size_t)(full_cap - cap));
            }
            if (pg.items[k].kind == SG_FULL && !story_has_full[st]) {
                story_has_full[st] = true;
                n_full_stories++;
            }
        }
    }
    n_stories = sg_stories(g);
    expected_upgrades = sg_upgrades(g);
    sg_free(g);
    if (full_cap < n_stories + 1) { /* stories never on a page */
        story_has_full = realloc(story_has_full, (size_t)n_stories + 1);
        memset(story_has_full + full_cap, 0,
               (size_t)(n_stories + 1 - full_cap));
    }
    printf("stream: %d pages, %.1f MB of page text, %d stories (%ld told in "
           "full), %ld articles expected\n",
           n_pages, text_bytes / 1e6, n_stories, n_full_stories,
           expected_articles);
    bool have_redis = access(REDIS_SERVER, X_OK) == 0;
    if (!have_redis)
        fprintf(stderr, "%s not found: the Redis runs are skipped\n",
                REDIS_SERVER);

    void *zctx = zmq_ctx_new();
    struct result res[4];
    int n_res = 0;
    /* WD_SCALE_ONLY=lmdb1,redis2,... runs only those set-ups. */
    const char *only = getenv("WD_SCALE_ONLY");
    if (!only || strstr(only, "lmdb1"))
        run(bin, zctx, false, 1, &res[n_res++]);
    for (int n = 1; have_redis && n <= MAX_WORKERS; n++) {
        char name[16];
        snprintf(name, sizeof name, "redis%d", n);
        if (!only || strstr(only, name))
            run(bin, zctx, true, n, &res[n_res++]);
    }
    zmq_ctx_term(zctx);

    long nproc = sysconf(_SC_NPROCESSORS_ONLN);
    printf("\n%d pages, %ld CPUs; %d stories and %ld upgrades expected; "
           "per-story = first publications per story published (must be "
           "1.00), twice = stories published as new under two ids, upgr = "
           "articles of revision >= 2, nofull = stories told in full whose "
           "full text never came out; CPU in us per page; cores = all CPU / "
           "wall time\n",
           n_pages, nproc, n_stories, expected_upgrades);
    printf("%-5s %7s %8s %7s %8s %9s %9s %5s %5s %6s %8s %6s %6s %6s %5s "
           "%9s\n",
           "store", "workers", "pages/s", "speedup", "articles", "dup(id,r)",
           "per-story", "twice", "upgr", "nofull", "cpu:wkrs", "redis", "proxy",
           "bench", "cores", "cmds/page");
    double base_pps = 0;
    for (int i = 0; i < n_res; i++)
        if (res[i].ok && strcmp(res[i].store, "redis") == 0 &&
            res[i].workers == 1)
            base_pps = res[i].pps;
    int rc = 0;
    for (int i = 0; i < n_res; i++) {
        struct result *r = &res[i];
        if (!r->ok) {
            printf("%-5s %7d   failed (see above)\n", r->store, r->workers);
            rc = 1;
            continue;
        }
        double all = r->cpu_workers + r->cpu_redis + r->cpu_proxy + r->cpu_self;
        char speed[16] = "-";
        if (base_pps > 0 && strcmp(r->store, "redis") == 0)
            snprintf(speed, sizeof speed, "%.2f", r->pps / base_pps);
        char cmds[16] = "-";
        if (strcmp(r->store, "redis") == 0)
            snprintf(cmds, sizeof cmds, "%.1f",
                     (double)r->redis_cmds / n_pages);
        printf("%-5s %7d %8.0f %7s %8ld %9ld %9.4f %5ld %5ld %6ld %8.0f "
               "%6.0f %6.0f %6.0f %5.2f %9s\n",
               r->store, r->workers, r->pps, speed, r->articles, r->idrev_dups,
               r->stories_published
                   ? (double)r->first_pubs / (double)r->stories_published
                   : 0.0,
               r->stories_twice, r->upgrades, r->full_missing,
               r->cpu_workers / n_pages * 1e6, r->cpu_redis / n_pages * 1e6,
               r->cpu_proxy / n_pages * 1e6, r->cpu_self / n_pages * 1e6,
               all / r->secs, cmds);
        if (r->idrev_dups || r->stories_twice || r->publish_dropped ||
            r->store_errors || r->full_missing || r->unmatched)
            rc = 1;
    }
    for (int i = 0; i < n_pages; i++)
        free(frames[i].text);
    free(frames);
    free(story_has_full);
    set_free(&truth);
    return rc;
}
