/* WD_TEST_LABEL: e2e */
/* Crash safety of the acknowledged ingest: a stream of pages goes to
 * --ingest-ack one at a time, and the worker is killed with SIGKILL at
 * points spread over the processing of a page (before it is read, while it
 * is parsed, between publishing and committing, after committing and
 * before the answer). After each kill the worker restarts on the same
 * state and the client resends what was not answered. Then: every answered
 * page's story was published; no story was published under two ids or two
 * revisions; and an (id, revision) came out twice only for stories of the
 * last moments before a kill. */
#include "gen.h"
#include "worker.h"

#define PAGES 60
#define KILLS 6
#define DEADLINE_MS 30000

static struct worker w;
static char ack_ep[64];

static void
start(bool first)
{
    const char *extra[] = {"--ingest-ack", ack_ep, NULL};
    if (first) {
        worker_start(&w, extra);
    } else {
        worker_spawn(&w, extra);
    }
}

struct seen {
    char title[128];
    char id[40];
    uint32_t revision;
};

static struct seen seen[4 * PAGES];
static int n_seen;

/* Reads what the subscriber has, without waiting beyond wait_ms. */
static void
drain(void *sub, int wait_ms)
{
    struct msg m;
    while (recv_msg(sub, wait_ms, &m)) {
        if (strcmp(m.channel, "all") == 0 && n_seen < 4 * PAGES) {
            Wiredesk__V1__Article *a =
                wiredesk__v1__article__unpack(NULL, m.len, m.data);
            if (a) {
                snprintf(seen[n_seen].title, sizeof seen[0].title, "%s",
                         a->title);
                snprintf(seen[n_seen].id, sizeof seen[0].id, "%s", a->id);
                seen[n_seen].revision = a->revision;
                n_seen++;
                wiredesk__v1__article__free_unpacked(a, NULL);
            }
        }
        free(m.data);
        wait_ms = 0;
    }
}

static void
test_kill9_resend(void)
{
    snprintf(ack_ep, sizeof ack_ep, "tcp://127.0.0.1:%d", free_port());
    start(true);
    void *zctx = zmq_ctx_new();
    const char *all_ch[] = {"all", NULL};
    void *sub = subscriber(zctx, &w, all_ch);
    CHECK(wait_subscribed(sub, DEADLINE_MS));
    void *dealer = acker(zctx, ack_ep);

    /* The pages: distinct stories, every fifth one a copy of an earlier
     * page (answered "duplicate"). Kills after pages spread over the
     * stream, each after a different delay into the page. */
    static const int kill_after[KILLS] = {5, 14, 23, 31, 42, 50};
    static const int kill_delay_us[KILLS] = {0, 200, 600, 1500, 3000, 8000};
    bool answered[PAGES] = {0};
    char page[2048];
    uint64_t req = 1;
    int kills = 0;
    for (int i = 0; i < PAGES; i++) {
        int story = i % 5 == 4 ? i - 3 : i;
        size_t n = make_page(story, page, sizeof page);
        uint8_t *frame;
        size_t flen =
            make_raw("https://crash.test/", "text/plain", page, n, &frame);
        char answer[128];
        if (kills < KILLS && i == kill_after[kills]) {
            /* Send, then kill at a point inside the page's processing. */
            zmq_send(dealer, "", 0, ZMQ_SNDMORE);
            zmq_send(dealer, &req, sizeof req, ZMQ_SNDMORE);
            zmq_send(dealer, frame, flen, 0);
            req++;
            usleep((useconds_t)kill_delay_us[kills]);
            worker_kill9(&w);
            kills++;
            drain(sub, 0);
            start(false);
            CHECK(wait_subscribed(sub, DEADLINE_MS));
            /* The dealer's stale answer, if any, is skipped by ack_request().
             */
        }
        /* Resend until answered (a restart loses what was queued). */
        for (int tries = 0; tries < 5 && !answered[i]; tries++)
            answered[i] = ack_request(dealer, req++, frame, flen, 5000, answer,
                                      sizeof answer) &&
                          (strcmp(answer, "accepted") == 0 ||
                           strcmp(answer, "duplicate") == 0);
        CHECK(answered[i]);
        free(frame);
        drain(sub, 0);
    }
    /* Everything answered has been handed to PUB; let it arrive. */
    int64_t end = mono_ms() + 2000;
    while (mono_ms() < end)
        drain(sub, 100);

    /* Every story of an answered page came out, under one id. */
    int missing = 0, two_ids = 0, repeats = 0;
    for (int i = 0; i < PAGES; i++) {
        if (i % 5 == 4)
            continue; /* a copy: its story is page i - 3's */
        char want[32];
        snprintf(want, sizeof want, " %d", i);
        const char *id = NULL;
        uint32_t rev = 0;
        int hits = 0;
        for (int k = 0; k < n_seen; k++) {
            size_t tl = strlen(seen[k].title), wl = strlen(want);
            if (tl < wl || strcmp(seen[k].title + tl - wl, want) != 0)
                continue;
            hits++;
            if (id && (strcmp(id, seen[k].id) != 0 || rev != seen[k].revision))
                two_ids++;
            id = seen[k].id;
            rev = seen[k].revision;
        }
        if (hits == 0)
            fprintf(stderr, "page %d: answered, never published\n", i);
        missing += hits == 0;
        repeats += hits > 1 ? hits - 1 : 0;
    }
    fprintf(stderr,
            "%d pages, %d kills: %d articles seen, %d stories missing, %d "
            "under two ids or revisions, %d repeats of an (id, revision)\n",
            PAGES, kills, n_seen, missing, two_ids, repeats);
    CHECK_INT(kills, ==, KILLS);
    CHECK_INT(missing, ==, 0);
    CHECK_INT(two_ids, ==, 0);
    /* At least once: a page in flight at a kill is resent; and what the
     * dead worker published in its last 2 s is published again (same id
     * and revision) when its page comes again (the resent page, or a copy
     * of it), since it may have died in the worker's socket queue. Each
     * such story at most once per kill. */
    CHECK_INT(repeats, <=, 3 * kills);
    CHECK_INT(worker_stop(&w, WD_TEST_STOP_MS), ==, 0);
    zmq_close(dealer);
    zmq_close(sub);
    zmq_ctx_term(zctx);
    worker_cleanup(&w);
}

int
main(void)
{
    RUN(test_kill9_resend);
    return TEST_DONE();
}
