/* WD_TEST_LABEL: e2e */
/* Graceful stop. SIGTERM while a page is held for a store that is down:
 * the worker reads nothing more, keeps retrying the held page, and when the
 * store comes back within --stop-timeout it publishes the page, answers it
 * and exits 0. When the store does not come back, the worker exits 0 at the
 * deadline and says the page was not processed. */
#include "redis.h"

#define DEADLINE_MS 30000

static void
run_case(bool store_returns)
{
    struct redis rs;
    rs.port = free_port();
    snprintf(rs.dir, sizeof rs.dir, "/tmp/wd-redis-XXXXXX");
    CHECK(mkdtemp(rs.dir) != NULL);
    redis_start(&rs);

    char ack_ep[64];
    snprintf(ack_ep, sizeof ack_ep, "tcp://127.0.0.1:%d", free_port());
    struct worker w;
    const char *extra[] = {
        "--store", rs.url,           "--ingest-ack",
        ack_ep,    "--stop-timeout", store_returns ? "20000" : "500",
        NULL};
    worker_start(&w, extra);
    void *zctx = zmq_ctx_new();
    const char *all_ch[] = {"all", NULL};
    void *sub = subscriber(zctx, &w, all_ch);
    CHECK(wait_subscribed(sub, DEADLINE_MS));
    void *dealer = acker(zctx, ack_ep);

    static const char page1[] = "Harbour Cranes Return To Work\nDock workers "
                                "in the northern harbour went back to work "
                                "on Monday after a three-week strike ended "
                                "with a new wage deal.";
    static const char page2[] = "Grain Exports Rise Again\nExports of wheat "
                                "and barley rose for the third month in a "
                                "row as new rail links to the coast opened "
                                "for freight trains.";
    uint8_t *f1, *f2;
    size_t n1 = make_raw("https://stop.test/1", "text/plain", page1,
                         sizeof page1 - 1, &f1),
           n2 = make_raw("https://stop.test/2", "text/plain", page2,
                         sizeof page2 - 1, &f2);
    char answer[128];
    ack_request(dealer, 1, f1, n1, DEADLINE_MS, answer, sizeof answer);
    CHECK_STR(answer, "accepted");

    /* The store goes away; the next page is held, unanswered. */
    redis_kill(&rs);
    ack_request(dealer, 2, f2, n2, 300, answer, sizeof answer);
    CHECK_STR(answer, "");
    CHECK(log_wait_for(&w, "store unreachable", DEADLINE_MS));

    watched = NULL; /* its exit is the point */
    kill(w.pid, SIGTERM);
    CHECK(log_wait_for(&w, "the held page is retried", DEADLINE_MS));
    if (store_returns) {
        redis_start(&rs);
        /* The held page goes through, is answered, then the worker ends. */
        zmq_pollitem_t it = {dealer, 0, ZMQ_POLLIN, 0};
        CHECK_INT(zmq_poll(&it, 1, DEADLINE_MS), ==, 1);
        char f[3][64];
        int sz[3] = {0, 0, 0};
        for (int i = 0; i < 3; i++)
            sz[i] = zmq_recv(dealer, f[i], sizeof f[i] - 1, ZMQ_DONTWAIT);
        CHECK_INT(sz[1], ==, 8);
        CHECK(sz[2] > 0 && strncmp(f[2], "accepted", (size_t)sz[2]) == 0);
        CHECK_INT(proc_wait_exit(w.pid, DEADLINE_MS), ==, 0);
        CHECK(log_contains(&w, "the held page is processed"));
        /* Both articles came out. */
        int articles = 0;
        struct msg m;
        while (recv_msg(sub, 500, &m)) {
            articles += strcmp(m.channel, "all") == 0;
            free(m.data);
        }
        CHECK_INT(articles, ==, 2);
        redis_kill(&rs);
    } else {
        int64_t t0 = mono_ms();
        CHECK_INT(proc_wait_exit(w.pid, DEADLINE_MS), ==, 0);
        /* The deadline is 500 ms: the stop took about that, not longer. */
        CHECK_INT(mono_ms() - t0, <, 10000);
        CHECK(log_contains(&w, "stop deadline (500 ms) reached"));
    }
    if (wd_test_failed_checks) {
        char *log = wd_test_slurp(w.log, NULL);
        fprintf(stderr, "worker log:\n%s", log);
        free(log);
    }
    free(f1);
    free(f2);
    zmq_close(dealer);
    zmq_close(sub);
    zmq_ctx_term(zctx);
    worker_cleanup(&w);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", rs.dir);
    CHECK_INT(system(cmd), ==, 0);
}

static void
test_stop_finishes_held_page(void)
{
    run_case(true);
}

static void
test_stop_deadline(void)
{
    run_case(false);
}

int
main(void)
{
    RUN(test_stop_finishes_held_page);
    RUN(test_stop_deadline);
    return TEST_DONE();
}
