/* WD_TEST_LABEL: e2e */
/* What the worker remembers survives a restart and a kill -9: re-feeding
 * the whole stream afterwards publishes nothing that was already
 * published. */
#include <fcntl.h>

#include "gen.h"
#include "worker.h"

#define DEADLINE_MS 60000

/* Reads until a "$stats" message says at least `pages` pages were received
 * by the current worker, counting each id seen on "all" into ids[]. */
struct seen {
    int n, dups;
    char ids[4096][33];
};

static void
note_id(struct seen *s, const struct msg *m)
{
    Wiredesk__V1__Article *a =
        wiredesk__v1__article__unpack(NULL, m->len, m->data);
    if (!a)
        return;
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->ids[i], a->id) == 0) {
            s->dups++;
            wiredesk__v1__article__free_unpacked(a, NULL);
            return;
        }
    if (s->n < 4096)
        snprintf(s->ids[s->n++], 33, "%s", a->id);
    wiredesk__v1__article__free_unpacked(a, NULL);
}

static long long
drain_until(void *sub, long long pages, struct seen *s)
{
    int64_t end = mono_ms() + DEADLINE_MS;
    long long received = -1;
    struct msg m;
    while (mono_ms() < end && received < pages) {
        if (!recv_msg(sub, 100, &m))
            continue;
        if (strcmp(m.channel, "$stats") == 0) {
            Wiredesk__V1__WorkerStats *ws =
                wiredesk__v1__worker_stats__unpack(NULL, m.len, m.data);
            if (ws) {
                received = (long long)ws->pages_received;
                wiredesk__v1__worker_stats__free_unpacked(ws, NULL);
            }
        } else if (strcmp(m.channel, "all") == 0) {
            note_id(s, &m);
        }
        free(m.data);
    }
    return received;
}

static void
push_seeds(void *push)
{
    for (int i = 0; i < N_SEEDS; i++) {
        size_t len;
        char *buf = read_seed(seed_files[i], &len);
        push_page(push, seed_files[i], "text/plain", buf, len);
        free(buf);
    }
}

static void
test_clean_restart(void)
{
    struct worker w;
    worker_start(&w, NULL);
    void *zctx = zmq_ctx_new();
    const char *ch[] = {"all", NULL};
    void *sub = subscriber(zctx, &w, ch);
    CHECK(wait_subscribed(sub, DEADLINE_MS));
    void *push = pusher(zctx, &w);
    static struct seen s;
    push_seeds(push);
    CHECK_INT(drain_until(sub, N_SEEDS, &s), ==, N_SEEDS);
    CHECK_INT(s.n, ==, 24);
    CHECK_INT(worker_stop(&w, WD_TEST_STOP_MS), ==, 0);

    /* The same state, a new process: the subscriber reconnects by itself. */
    worker_spawn(&w, NULL);
    CHECK(wait_subscribed(sub, DEADLINE_MS));
    push_seeds(push);
    CHECK_INT(drain_until(sub, N_SEEDS, &s), ==, N_SEEDS);
    CHECK_INT(s.n, ==, 24);
    CHECK_INT(s.dups, ==, 0);
    CHECK_INT(worker_stop(&w, WD_TEST_STOP_MS), ==, 0);
    zmq_close(push);
    zmq_close(sub);
    zmq_ctx_term(zctx);
    worker_cleanup(&w);
}

#define PAGES 1500

static void
test_kill9_and_refeed(void)
{
    static const int kill_after[] = {400, 900, 1300};
    enum { KILLS = 3 };
    struct worker w;
    worker_start(&w, NULL);
    void *zctx = zmq_ctx_new();
    const char *ch[] = {"all", NULL};
    void *sub = subscriber(zctx, &w, ch);
    CHECK(wait_subscribed(sub, DEADLINE_MS));

    static uint8_t *frames[PAGES];
    static size_t lens[PAGES];
    char page[2048];
    for (int i = 0; i < PAGES; i++) {
        size_t n = make_page(i, page, sizeof page);
        lens[i] = make_raw("https://restart.test/", "text/plain", page, n,
                           &frames[i]);
    }
    static struct seen s;
    for (int k = 0; k <= KILLS; k++) {
        /* A scraper without acknowledgements resends everything. */
        void *push = pusher(zctx, &w);
        int upto = k < KILLS ? kill_after[k] : PAGES;
        for (int i = 0; i < upto; i++)
            push_frame(push, frames[i], lens[i]);
        if (k < KILLS) {
            /* Mid-stream: the worker is still working through its queue. */
            worker_kill9(&w);
            /* What this scraper still queues for the dead worker is
             * dropped: it will resend it all anyway. */
            int linger = 0;
            zmq_setsockopt(push, ZMQ_LINGER, &linger, sizeof linger);
            zmq_close(push);
            worker_spawn(&w, NULL);
            CHECK(wait_subscribed(sub, DEADLINE_MS));
        } else {
            CHECK_INT(drain_until(sub, PAGES, &s), ==, PAGES);
            zmq_close(push);
        }
    }
    /* Every story was published; none twice, but for the page in flight
     * at each kill (published, not yet remembered). */
    fprintf(stderr, "kill -9 x%d: %d distinct stories seen, %d repeats\n",
            KILLS, s.n, s.dups);
    CHECK_INT(s.dups, <=, KILLS);
    CHECK_INT(s.n, >=, PAGES - KILLS * 64); /* a PUB queue dies with it */
    CHECK_INT(worker_stop(&w, WD_TEST_STOP_MS), ==, 0);
    for (int i = 0; i < PAGES; i++)
        free(frames[i]);
    zmq_close(sub);
    zmq_ctx_term(zctx);
    worker_cleanup(&w);
}

int
main(void)
{
    signal(SIGPIPE, SIG_IGN);
    RUN(test_clean_restart);
    RUN(test_kill9_and_refeed);
    return TEST_DONE();
}
