/* WD_TEST_LABEL: e2e */
/* 10 000 distinct pages pushed at once must all come out. ZMQ_FD is
 * edge-triggered: a worker that misses a drain stalls with messages queued,
 * and this test then stops short of the count. */
#include <fcntl.h>

#include "gen.h"
#include "worker.h"

#define PAGES 10000
#define DEADLINE_MS 120000

static void
test_burst_all_out(void)
{
    struct worker w;
    worker_start(&w, NULL);
    void *zctx = zmq_ctx_new();
    const char *all_ch[] = {"all", NULL};
    void *sub = subscriber(zctx, &w, all_ch);
    CHECK(wait_subscribed(sub, 30000));
    void *push = pusher(zctx, &w);

    /* Pack every page first, then send them back to back. */
    static uint8_t *frames[PAGES];
    static size_t lens[PAGES];
    char page[2048];
    for (int i = 0; i < PAGES; i++) {
        size_t n = make_page(i, page, sizeof page);
        lens[i] =
            make_raw("https://burst.test/", "text/plain", page, n, &frames[i]);
    }
    for (int i = 0; i < PAGES; i++) {
        push_frame(push, frames[i], lens[i]);
        free(frames[i]);
    }

    int articles = 0, stats_pages = 0;
    int64_t end = mono_ms() + DEADLINE_MS;
    struct msg m;
    while (mono_ms() < end && (articles < PAGES || stats_pages < PAGES)) {
        if (!recv_msg(sub, 200, &m))
            continue;
        if (strcmp(m.channel, "all") == 0) {
            articles++;
        } else if (strcmp(m.channel, "$stats") == 0) {
            Wiredesk__V1__WorkerStats *ws =
                wiredesk__v1__worker_stats__unpack(NULL, m.len, m.data);
            if (ws) {
                stats_pages = (int)ws->pages_received;
                wiredesk__v1__worker_stats__free_unpacked(ws, NULL);
            }
        }
        free(m.data);
    }
    CHECK_INT(articles, ==, PAGES);
    CHECK_INT(stats_pages, ==, PAGES);
    CHECK_INT(worker_stop(&w, 10000), ==, 0);
    zmq_close(push);
    zmq_close(sub);
    zmq_ctx_term(zctx);
    worker_cleanup(&w);
}

int
main(void)
{
    RUN(test_burst_all_out);
    return TEST_DONE();
}
