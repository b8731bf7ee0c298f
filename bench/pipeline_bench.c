/* Whole-pipeline benchmark against the transport's own ceiling, in one run.
 *
 *   pipeline_bench [PAGES] [WIREDESK]   (default 20000 pages, build/wiredesk)
 *
 * 1. Generates a realistic stream (bench/streamgen: listings, articles,
 *    re-fetches, copies; ~40% duplicates).
 * 2. Ceiling: the same frames pushed over loopback TCP into a bare PULL
 *    socket in another process that only counts.
 * 3. The real worker (`wiredesk run`, its own process and state) on the
 *    same frames, with a subscriber counting articles on "all"; the run
 *    ends when the worker's $stats say every page was received.
 * Prints pages/s, MB/s, articles/s, latency page-in to article-out
 * (p50/p99/p99.9, from the RawPage's fetched_at_ms, set at push time), the
 * worker's CPU seconds per page and peak RSS, and the ratio to the
 * ceiling. */
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "benchutil.h"
#include "rawframe.h"
#include "streamgen.h"
#include "wiredesk.pb-c.h"

extern char **environ;

static void
push_all(void *zctx, const char *ep, struct frame *frames, int n, double *bytes)
{
    void *push = zmq_socket(zctx, ZMQ_PUSH);
    int hwm = 10000, linger = 10000;
    zmq_setsockopt(push, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(push, ZMQ_LINGER, &linger, sizeof linger);
    zmq_connect(push, ep);
    *bytes = 0;
    for (int i = 0; i < n; i++) {
        uint8_t *buf;
        size_t len = pack(&frames[i], &buf);
        zmq_send(push, buf, len, 0);
        *bytes += (double)len;
        free(buf);
    }
    zmq_close(push);
}

static int
cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
    int pages = argc > 1 ? atoi(argv[1]) : 20000;
    const char *bin = argc > 2 ? argv[2] : "build/wiredesk";
    /* The stream, rendered once. */
    struct sg *g = bench_stream();
    struct frame *frames = calloc((size_t)pages, sizeof *frames);
    double text_bytes = 0;
    for (int i = 0; i < pages; i++) {
        struct sg_page pg;
        sg_next(g, &pg);
        frame_of(&frames[i], &pg);
        text_bytes += (double)pg.len;
    }
    sg_free(g);
    printf("stream: %d pages, %.1f MB of page text\n", pages, text_bytes / 1e6);

    /* Ceiling: a bare PULL that counts, in its own process. */
    const char *ceil_ep = "tcp://127.0.0.1:47311";
    int fds[2];
    if (pipe(fds) != 0)
        return 1;
    pid_t counter = fork();
    if (counter == 0) {
        void *ctx = zmq_ctx_new();
        void *pull = zmq_socket(ctx, ZMQ_PULL);
        zmq_bind(pull, ceil_ep);
        if (write(fds[1], "r", 1) != 1)
            _exit(1);
        zmq_msg_t m;
        zmq_msg_init(&m);
        double t0 = 0;
        for (int i = 0; i < pages; i++) {
            zmq_msg_recv(&m, pull, 0);
            if (i == 0)
                t0 = now_s();
        }
        double dt = now_s() - t0;
        if (write(fds[1], &dt, sizeof dt) != sizeof dt)
            _exit(1);
        _exit(0);
    }
    char c;
    if (read(fds[0], &c, 1) != 1)
        return 1;
    void *zctx = zmq_ctx_new();
    double bytes;
    push_all(zctx, ceil_ep, frames, pages, &bytes);
    double ceil_dt;
    if (read(fds[0], &ceil_dt, sizeof ceil_dt) != sizeof ceil_dt)
        return 1;
    waitpid(counter, NULL, 0);
    double ceil_pps = pages / ceil_dt;
    printf("ceiling (bare PULL): %.0f pages/s, %.1f MB/s\n", ceil_pps,
           bytes / ceil_dt / 1e6);

    /* The worker. */
    char state[] = "/tmp/wd-pbench-XXXXXX";
    if (!mkdtemp(state))
        return 1;
    const char *argvw[] = {bin,
                           "run",
                           "--ingest",
                           "tcp://127.0.0.1:47312",
                           "--publish",
                           "tcp://127.0.0.1:47313",
                           "--http",
                           "127.0.0.1:47314",
                           "--state",
                           state,
                           "--stats-interval",
                           "200",
                           "--log-level",
                           "warn",
                           NULL};
    pid_t worker;
    if (posix_spawn(&worker, bin, NULL, NULL, (char **)argvw, environ) != 0) {
        perror("spawn");
        return 1;
    }
    void *sub = zmq_socket(zctx, ZMQ_SUB);
    int hwm = 0;
    zmq_setsockopt(sub, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "all", 3);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "$stats", 6);
    zmq_connect(sub, "tcp://127.0.0.1:47313");
    /* Wait for the first $stats: connected and subscribed. */
    for (;;) {
        char topic[16] = {0};
        int n = zmq_recv(sub, topic, sizeof topic - 1, 0);
        int more = 0;
        size_t sz = sizeof more;
        zmq_getsockopt(sub, ZMQ_RCVMORE, &more, &sz);
        zmq_msg_t m;
        zmq_msg_init(&m);
        while (more) {
            zmq_msg_recv(&m, sub, 0);
            more = zmq_msg_more(&m);
        }
        zmq_msg_close(&m);
        if (n > 0 && strncmp(topic, "$stats", 6) == 0)
            break;
    }
    double cpu0 = cpu_seconds(worker);
    double t0 = now_s();
    push_all(zctx, "tcp://127.0.0.1:47312", frames, pages, &bytes);
    int64_t *lat = malloc((size_t)pages * 8 * sizeof *lat);
    long articles = 0, received = 0;
    double t_end = t0;
    while (received < pages) {
        zmq_msg_t t, b;
        zmq_msg_init(&t);
        zmq_msg_init(&b);
        zmq_msg_recv(&t, sub, 0);
        zmq_msg_recv(&b, sub, 0);
        bench_skip_frames(sub);
        int64_t now = wall_ms();
        if (zmq_msg_size(&t) == 3) {
            Wiredesk__V1__Article *a = wiredesk__v1__article__unpack(
                NULL, zmq_msg_size(&b), zmq_msg_data(&b));
            if (a && articles < (long)pages * 8)
                lat[articles++] = now - a->fetched_at_ms;
            if (a)
                wiredesk__v1__article__free_unpacked(a, NULL);
            t_end = now_s();
        } else {
            Wiredesk__V1__WorkerStats *ws = wiredesk__v1__worker_stats__unpack(
                NULL, zmq_msg_size(&b), zmq_msg_data(&b));
            if (ws) {
                received = (long)ws->pages_received;
                if (received >= pages)
                    t_end = t_end > t0 ? t_end : now_s();
                wiredesk__v1__worker_stats__free_unpacked(ws, NULL);
            }
        }
        zmq_msg_close(&t);
        zmq_msg_close(&b);
    }
    double dt = t_end - t0;
    double cpu = cpu_seconds(worker) - cpu0;
    long hwm_kb = proc_status_kb((int)worker, "VmHWM:");
    kill(worker, SIGTERM);
    waitpid(worker, NULL, 0);
    qsort(lat, (size_t)articles, sizeof *lat, cmp_i64);
    double pps = pages / dt;
    printf("wiredesk: %.0f pages/s, %.1f MB/s, %.0f articles/s (%ld "
           "articles)\n",
           pps, bytes / dt / 1e6, articles / dt, articles);
    if (articles)
        printf("latency page-in to article-out: p50 %lld ms, p99 %lld ms, "
               "p99.9 %lld ms\n",
               (long long)lat[articles / 2],
               (long long)lat[(long)(articles * 0.99)],
               (long long)lat[(long)(articles * 0.999)]);
    printf("worker CPU: %.1f us per page; peak RSS %.1f MB\n",
           cpu / pages * 1e6, hwm_kb / 1024.0);
    printf("ratio to the ceiling: %.2f (target >= 0.5)\n", pps / ceil_pps);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", state);
    if (system(cmd) != 0)
        return 1;
    return 0;
}
