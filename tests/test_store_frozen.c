/* WD_TEST_LABEL: e2e */
/* The worker on a shared (Redis) store that stops answering: the server
 * under SIGSTOP keeps its connections open and never replies. The worker
 * must stay live and say so at once (/healthz in milliseconds), say it is
 * not ready within the store's timeout though no page comes to find out,
 * never answer "accepted" for a page it could not remember, and take that
 * page once the server is back (SIGCONT), ready again. */
#include <signal.h>
#include <zmq.h>

#include "redis.h"
#include "test.h"
#include "testutil.h"
#include "wd/http.h"

static int
get(const struct worker *w, const char *path, char *body, size_t cap,
    int64_t *took_ms)
{
    int status = -1;
    size_t len = 0;
    char *b = NULL;
    int64_t t0 = mono_ms();
    int rc = wd_http_get(w->http, path, 5000, &status, &b, &len);
    *took_ms = mono_ms() - t0;
    snprintf(body, cap, "%s", rc == 0 && b ? b : "");
    free(b);
    return rc == 0 ? status : -1;
}

/* Polls path until it answers want (or deadline_ms passes). */
static bool
wait_status(const struct worker *w, const char *path, int want, int deadline_ms,
            char *body, size_t cap)
{
    int64_t took;
    for (int64_t end = mono_ms() + deadline_ms; mono_ms() < end;) {
        if (get(w, path, body, cap, &took) == want)
            return true;
        usleep(100000);
    }
    return false;
}

static void
test_frozen_store(void)
{
    struct redis r;
    snprintf(r.dir, sizeof r.dir, "/tmp/wd-redis-XXXXXX");
    CHECK(mkdtemp(r.dir) != NULL);
    r.port = free_port();
    redis_start(&r);
    char ack_ep[64];
    snprintf(ack_ep, sizeof ack_ep, "tcp://127.0.0.1:%d", free_port());
    const char *extra[] = {"--store", r.url, "--ingest-ack", ack_ep, NULL};
    struct worker w;
    worker_start(&w, extra);
    char body[256];
    CHECK(wait_status(&w, "/readyz", 200, 20000, body, sizeof body));

    kill(r.pid, SIGSTOP);
    int64_t frozen_at = mono_ms();
    /* Live, and answering at once, whatever the store does. */
    int64_t slowest = 0;
    for (int i = 0; i < 10; i++) {
        int64_t took;
        CHECK_INT(get(&w, "/healthz", body, sizeof body, &took), ==, 200);
        slowest = took > slowest ? took : slowest;
        usleep(50000);
    }
    CHECK_INT(slowest, <, 50);
    /* Not ready within the store's timeout (2 s) and a probe's interval,
     * though no page came; the figures do not wait on the store either. */
    CHECK(wait_status(&w, "/readyz", 503, 8000, body, sizeof body));
    CHECK_INT(mono_ms() - frozen_at, <, 8000);
    CHECK_CONTAINS(body, "the store does not answer");
    int64_t took;
    CHECK_INT(get(&w, "/metrics", body, sizeof body, &took), ==, 200);
    CHECK_INT(took, <, 50);

    /* A page while the store is frozen: no "accepted" for it. */
    void *zctx = zmq_ctx_new();
    void *d = acker(zctx, ack_ep);
    static const char page[] =
        "Harbour cranes return to work after pay deal\n\n"
        "Dock workers in the northern harbour went back to work on Monday "
        "after a deal on pay was reached late on Sunday night, the union "
        "said in a statement on its website.\n";
    uint8_t *frame;
    size_t flen = make_raw("https://frozen.test/a", "text/plain", page,
                           strlen(page), &frame);
    uint64_t req = 7;
    char answer[128];
    CHECK_INT(ack_request(d, req, frame, flen, 4000, answer, sizeof answer), ==,
              0);
    free(frame);
    CHECK_STR(answer, "");

    /* Back: the page goes through and is answered, ready again. */
    kill(r.pid, SIGCONT);
    CHECK_INT(wd_ingest_ack_wait(d, req, 20000, answer, sizeof answer), ==, 1);
    CHECK_STR(answer, "accepted");
    CHECK(wait_status(&w, "/readyz", 200, 10000, body, sizeof body));

    zmq_close(d);
    zmq_ctx_term(zctx);
    CHECK_INT(worker_stop(&w, WD_TEST_STOP_MS), ==, 0);
    worker_cleanup(&w);
    redis_kill(&r);
    remove_dir(r.dir);
}

int
main(void)
{
    RUN(test_frozen_store);
    return TEST_DONE();
}
