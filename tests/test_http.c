/* WD_TEST_LABEL: e2e */
/* The operator's view of a real worker: health endpoints (503 included),
 * /metrics checked by promtool, /stats, the live event stream, and the
 * `stats` and `top` commands (top in a real terminal, through tmux). */
#include <fcntl.h>
#include <jansson.h>

#include "gen.h"
#include "wd/http.h"
#include "worker.h"

static int
get(const struct worker *w, const char *path, char **body)
{
    int status = -1;
    size_t len;
    *body = NULL;
    int rc = wd_http_get(w->http, path, 5000, &status, body, &len);
    if (rc)
        WD_FAIL_("GET %s: %s", path, wd_strerror(rc));
    return status;
}

/* Waits until GET path answers (the worker may still be starting). */
static bool
wait_http(const struct worker *w, const char *path)
{
    int64_t end = mono_ms() + 20000;
    while (mono_ms() < end) {
        int status;
        char *body;
        size_t len;
        if (wd_http_get(w->http, path, 1000, &status, &body, &len) == 0) {
            free(body);
            return true;
        }
        usleep(20000);
    }
    return false;
}

static void
test_endpoints(void)
{
    struct worker w;
    worker_start(&w, NULL);
    CHECK(wait_http(&w, "/healthz"));
    char *body;
    CHECK_INT(get(&w, "/healthz", &body), ==, 200);
    CHECK_STR(body, "ok\n");
    free(body);
    CHECK_INT(get(&w, "/readyz", &body), ==, 200);
    free(body);
    CHECK_INT(get(&w, "/no/such/page", &body), ==, 404);
    free(body);

    void *zctx = zmq_ctx_new();
    const char *ch[] = {"all", NULL};
    void *sub = subscriber(zctx, &w, ch);
    CHECK(wait_subscribed(sub, 20000));
    void *push = pusher(zctx, &w);
    for (int i = 0; i < N_SEEDS; i++) {
        size_t len;
        char *buf = read_seed(seed_files[i], &len);
        push_page(push, seed_files[i], "text/plain", buf, len);
        free(buf);
    }
    /* Wait until the figures show every page. */
    int64_t end = mono_ms() + 20000;
    long long pages = 0;
    while (mono_ms() < end && pages < N_SEEDS) {
        CHECK_INT(get(&w, "/stats", &body), ==, 200);
        json_error_t err;
        json_t *o = json_loads(body ? body : "", 0, &err);
        pages = o ? json_integer_value(json_object_get(
                        json_object_get(o, "counters"), "pages_received"))
                  : 0;
        json_decref(o);
        free(body);
        if (pages < N_SEEDS)
            usleep(20000);
    }
    CHECK_INT(pages, ==, N_SEEDS);

    /* /metrics: valid exposition format, with the figures in it. */
    CHECK_INT(get(&w, "/metrics", &body), ==, 200);
    CHECK_CONTAINS(body, "wiredesk_articles_published_total 24\n");
    CHECK_CONTAINS(body, "wiredesk_dedup_decisions_total{kind=\"exact\"} 1");
    CHECK_CONTAINS(body, "wiredesk_channel_messages_total{channel=\"all\"} 24");
    CHECK_CONTAINS(body, "wiredesk_page_processing_seconds_count 5");
    char path[512];
    snprintf(path, sizeof path, "%s/metrics.txt", w.state);
    FILE *f = fopen(path, "w");
    fputs(body ? body : "", f);
    fclose(f);
    free(body);
    char cmd[1024], out[8192];
    snprintf(cmd, sizeof cmd, "promtool check metrics < %s", path);
    int rc = run_cmd(cmd, out, sizeof out);
    if (rc != 0)
        WD_FAIL_("promtool: %s", out);

    /* `wiredesk stats` against the running worker. */
    snprintf(cmd, sizeof cmd, WD_BINARY " stats --http %s", w.http);
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 0);
    CHECK_CONTAINS(out, "articles_published");
    CHECK_CONTAINS(out, " 24\n");
    CHECK_CONTAINS(out, "country.KZ");
    snprintf(cmd, sizeof cmd, WD_BINARY " stats --json --http %s", w.http);
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 0);
    CHECK_CONTAINS(out, "\"articles_published\":24");

    /* `wiredesk top` in a real terminal: tmux runs it, capture-pane reads
     * the screen. */
    snprintf(cmd, sizeof cmd,
             "tmux new-session -d -s wdtop%d -x 100 -y 40 '" WD_BINARY
             " top --http %s --interval 200'",
             (int)getpid(), w.http);
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 0);
    bool seen = false;
    end = mono_ms() + 10000;
    while (!seen && mono_ms() < end) {
        snprintf(cmd, sizeof cmd, "tmux capture-pane -p -t wdtop%d",
                 (int)getpid());
        run_cmd(cmd, out, sizeof out);
        seen = strstr(out, "per s") && strstr(out, "articles_published");
        if (!seen)
            usleep(50000);
    }
    CHECK(seen);
    if (!seen)
        fprintf(stderr, "top's screen:\n%s\n", out);
    snprintf(cmd, sizeof cmd, "tmux kill-session -t wdtop%d", (int)getpid());
    run_cmd(cmd, out, sizeof out);

    /* Unreachable worker: one line, non-zero. */
    int port = free_port();
    snprintf(cmd, sizeof cmd, WD_BINARY " stats --http 127.0.0.1:%d", port);
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 1);
    CHECK_CONTAINS(out, "cannot reach");

    CHECK_INT(worker_stop(&w, WD_TEST_STOP_MS), ==, 0);
    zmq_close(push);
    zmq_close(sub);
    zmq_ctx_term(zctx);
    worker_cleanup(&w);
}

/* A store that cannot remember any more makes the worker not ready. */
static void
test_not_ready_when_store_full(void)
{
    struct worker w;
    const char *extra[] = {"--store-map-mb", "16", NULL};
    worker_start(&w, extra);
    CHECK(wait_http(&w, "/readyz"));
    void *zctx = zmq_ctx_new();
    void *push = pusher(zctx, &w);
    char page[2048], *body = NULL;
    int status = 200;
    int64_t end = mono_ms() + 60000;
    for (int i = 0; status == 200 && mono_ms() < end; i++) {
        for (int k = 0; k < 500; k++) {
            size_t n = make_page(i * 500 + k, page, sizeof page);
            push_page(push, "https://full.test/", "text/plain", page, n);
        }
        status = get(&w, "/readyz", &body);
        if (status == 200) {
            free(body);
            body = NULL;
        }
    }
    CHECK_INT(status, ==, 503);
    CHECK_CONTAINS(body, "not ready: the store");
    free(body);
    CHECK_INT(get(&w, "/healthz", &body), ==, 200); /* alive all the same */
    free(body);
    int linger = 0;
    zmq_setsockopt(push, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(push);
    CHECK_INT(worker_stop(&w, 20000), ==, 0);
    zmq_ctx_term(zctx);
    worker_cleanup(&w);
}

int
main(void)
{
    signal(SIGPIPE, SIG_IGN);
    RUN(test_endpoints);
    RUN(test_not_ready_when_store_full);
    return TEST_DONE();
}
