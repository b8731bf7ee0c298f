/* WD_TEST_LABEL: e2e */
/* `wiredesk proxy`: two workers connect their PUB sockets to it; one
 * subscriber on its backend gets both workers' articles, each once; its
 * /metrics count them (and pass promtool); SIGTERM stops it with 0. */
#include "gen.h"
#include "wd/http.h"
#include "worker.h"

#define PER_WORKER 20
#define DEADLINE_MS 30000

static pid_t
spawn_proxy(const char *front, const char *back, const char *http,
            const char *log, bool stream)
{
    const char *argv[] = {WD_BINARY, "proxy",     "--frontend",
                          front,     "--backend", back,
                          "--http",  http,        stream ? "--stream" : NULL,
                          NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    pid_t pid;
    if (posix_spawn(&pid, WD_BINARY, &fa, NULL, (char **)argv, environ)) {
        perror("posix_spawn");
        exit(2);
    }
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

static void
push_pages(void *push, int first, int n)
{
    char page[2048];
    for (int i = first; i < first + n; i++) {
        size_t len = make_page(i, page, sizeof page);
        uint8_t *frame;
        size_t fl =
            make_raw("https://proxy.test/", "text/plain", page, len, &frame);
        push_frame(push, frame, fl);
        free(frame);
    }
}

static void
test_two_workers_one_stream(void)
{
    int ports[3];
    free_ports(3, ports);
    char front[64], back[64], http[64], front_connect[80], log[64];
    snprintf(front, sizeof front, "tcp://127.0.0.1:%d", ports[0]);
    snprintf(front_connect, sizeof front_connect, ">%s", front);
    snprintf(back, sizeof back, "tcp://127.0.0.1:%d", ports[1]);
    snprintf(http, sizeof http, "127.0.0.1:%d", ports[2]);
    snprintf(log, sizeof log, "/tmp/wd-proxy-%d.log", (int)getpid());
    pid_t proxy = spawn_proxy(front, back, http, log, false);

    /* Two workers whose PUB sockets connect to the proxy. */
    struct worker a, b;
    const char *extra[] = {"--publish", front_connect, NULL};
    worker_start(&a, extra);
    worker_start(&b, extra);

    void *zctx = zmq_ctx_new();
    void *sub = zmq_socket(zctx, ZMQ_SUB);
    int hwm = 0, linger = 0;
    zmq_setsockopt(sub, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "all", 3);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "$stats", 6);
    zmq_connect(sub, back);

    /* Both workers' $stats through the proxy: the subscription reached
     * both of them. */
    char seen_a[128] = "", seen_b[128] = "";
    struct msg m;
    watched = NULL; /* two workers: no single one to watch */
    for (int64_t end = mono_ms() + DEADLINE_MS;
         mono_ms() < end && (!seen_a[0] || !seen_b[0]);) {
        if (!recv_msg(sub, 100, &m))
            continue;
        if (strcmp(m.channel, "$stats") == 0) {
            Wiredesk__V1__WorkerStats *ws =
                wiredesk__v1__worker_stats__unpack(NULL, m.len, m.data);
            if (ws) {
                char *slot = !seen_a[0]                        ? seen_a
                             : strcmp(seen_a, ws->worker) != 0 ? seen_b
                                                               : NULL;
                if (slot)
                    snprintf(slot, 128, "%s", ws->worker);
                wiredesk__v1__worker_stats__free_unpacked(ws, NULL);
            }
        }
        free(m.data);
    }
    CHECK(seen_a[0] && seen_b[0]);

    void *pa = pusher(zctx, &a), *pb = pusher(zctx, &b);
    push_pages(pa, 0, PER_WORKER);
    push_pages(pb, 1000, PER_WORKER);
    int articles = 0;
    for (int64_t end = mono_ms() + DEADLINE_MS;
         mono_ms() < end && articles < 2 * PER_WORKER;) {
        if (!recv_msg(sub, 100, &m))
            continue;
        articles += strcmp(m.channel, "all") == 0;
        free(m.data);
    }
    CHECK_INT(articles, ==, 2 * PER_WORKER);
    /* None twice: nothing more arrives. */
    int extra_articles = 0;
    for (int64_t end = mono_ms() + 300; mono_ms() < end;) {
        if (recv_msg(sub, 50, &m)) {
            extra_articles += strcmp(m.channel, "all") == 0;
            free(m.data);
        }
    }
    CHECK_INT(extra_articles, ==, 0);

    /* The proxy's own figures, in the Prometheus format. */
    int status = -1;
    char *body = NULL;
    size_t len = 0;
    CHECK_OK(wd_http_get(http, "/metrics", 5000, &status, &body, &len));
    CHECK_INT(status, ==, 200);
    CHECK_CONTAINS(body, "wiredesk_proxy_messages_total{socket=\"frontend\","
                         "direction=\"received\"}");
    long long fwd = -1;
    const char *at =
        body ? strstr(body, "{socket=\"backend\",direction=\"sent\"} ") : NULL;
    if (at)
        fwd = atoll(strchr(at, '}') + 2);
    CHECK(fwd >= 2 * PER_WORKER);
    char path[128], cmd[256], out[4096];
    snprintf(path, sizeof path, "/tmp/wd-proxy-%d.metrics", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs(body ? body : "", f);
    fclose(f);
    free(body);
    snprintf(cmd, sizeof cmd, "promtool check metrics < %s", path);
    if (run_cmd(cmd, out, sizeof out) != 0)
        WD_FAIL_("promtool: %s", out);
    unlink(path);

    CHECK_INT(worker_stop(&a, WD_TEST_STOP_MS), ==, 0);
    CHECK_INT(worker_stop(&b, WD_TEST_STOP_MS), ==, 0);
    kill(proxy, SIGTERM);
    int st = -1;
    for (int64_t end = mono_ms() + 10000; mono_ms() < end;) {
        if (waitpid(proxy, &st, WNOHANG) == proxy)
            break;
        usleep(10000);
    }
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    zmq_close(pa);
    zmq_close(pb);
    zmq_close(sub);
    zmq_ctx_term(zctx);
    worker_cleanup(&a);
    worker_cleanup(&b);
    unlink(log);
}

/* --stream: a PULL/PUSH device in front of the workers; scrapers push to
 * it, workers connect their ingest to it, and the pages are spread. */
static void
test_stream_device(void)
{
    int ports[3];
    free_ports(3, ports);
    char front[64], back[64], http[64], back_connect[80], log[64];
    snprintf(front, sizeof front, "tcp://127.0.0.1:%d", ports[0]);
    snprintf(back, sizeof back, "tcp://127.0.0.1:%d", ports[1]);
    snprintf(back_connect, sizeof back_connect, ">%s", back);
    snprintf(http, sizeof http, "127.0.0.1:%d", ports[2]);
    snprintf(log, sizeof log, "/tmp/wd-stream-%d.log", (int)getpid());
    pid_t device = spawn_proxy(front, back, http, log, true);
    struct worker a, b;
    const char *extra[] = {"--ingest", back_connect, NULL};
    worker_start(&a, extra);
    worker_start(&b, extra);
    watched = NULL;
    void *zctx = zmq_ctx_new();
    const char *all[] = {"all", NULL};
    void *sa = subscriber(zctx, &a, all), *sb = subscriber(zctx, &b, all);
    CHECK(wait_subscribed(sa, 30000));
    CHECK(wait_subscribed(sb, 30000));
    /* Both workers are up ($stats seen), so their ingest sockets have
     * connected to the device's backend: it spreads what it receives. */
    struct worker dev = {0};
    snprintf(dev.ingest, sizeof dev.ingest, "%s", front);
    void *push = pusher(zctx, &dev);
    push_pages(push, 0, 2 * PER_WORKER);
    int got_a = 0, got_b = 0;
    struct msg m;
    for (int64_t end = mono_ms() + DEADLINE_MS;
         mono_ms() < end && got_a + got_b < 2 * PER_WORKER;) {
        if (recv_msg(sa, 20, &m)) {
            got_a += strcmp(m.channel, "all") == 0;
            free(m.data);
        }
        if (recv_msg(sb, 20, &m)) {
            got_b += strcmp(m.channel, "all") == 0;
            free(m.data);
        }
    }
    CHECK_INT(got_a + got_b, ==, 2 * PER_WORKER);
    CHECK(got_a > 0 && got_b > 0); /* spread, not all on one */
    CHECK_INT(worker_stop(&a, WD_TEST_STOP_MS), ==, 0);
    CHECK_INT(worker_stop(&b, WD_TEST_STOP_MS), ==, 0);
    kill(device, SIGTERM);
    int st = -1;
    waitpid(device, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    zmq_close(push);
    zmq_close(sa);
    zmq_close(sb);
    zmq_ctx_term(zctx);
    worker_cleanup(&a);
    worker_cleanup(&b);
    unlink(log);
}

int
main(void)
{
    RUN(test_two_workers_one_stream);
    RUN(test_stream_device);
    return TEST_DONE();
}
