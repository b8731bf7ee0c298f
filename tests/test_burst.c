/* WD_TEST_LABEL: e2e */
/* 10 000 distinct pages pushed at once must all come out. ZMQ_FD is
 * edge-triggered: a worker that misses a drain stalls with messages queued,
 * and this test then stops short of the count. */
#include <fcntl.h>

#include "worker.h"

#define PAGES 10000
#define DEADLINE_MS 120000

/* Words for made-up stories: each page draws its own sentences, so that
 * every page is a distinct story to the near-duplicate detector too (pages
 * that differ only in a number are, rightly, near duplicates). */
static const char *const words[] = {
    "council",   "harbour",    "valley",   "budget",    "river",    "school",
    "bridge",    "market",     "farmers",  "minister",  "railway",  "festival",
    "drought",   "museum",     "court",    "factory",   "election", "storm",
    "hospital",  "airport",    "workers",  "students",  "village",  "police",
    "energy",    "water",      "forest",   "tourists",  "traders",  "engineers",
    "approved",  "rejected",   "opened",   "closed",    "delayed",  "expanded",
    "protested", "celebrated", "repaired", "inspected", "funded",   "planned",
    "new",       "old",        "northern", "southern",  "local",    "regional",
    "annual",    "rural",      "coastal",  "historic",  "modern",   "small",
    "large",     "after",      "before",   "during",    "despite",  "because"};
#define N_WORDS (sizeof words / sizeof words[0])

static uint64_t
next_rand(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

static size_t
sentence(uint64_t *rng, char *buf, size_t cap, int nwords)
{
    size_t n = 0;
    for (int w = 0; w < nwords && n + 16 < cap; w++) {
        const char *word = words[next_rand(rng) % N_WORDS];
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", w ? " " : "", word);
    }
    if (n > 0 && buf[0] >= 'a' && buf[0] <= 'z')
        buf[0] = (char)(buf[0] - 32);
    return n;
}

/* A page of some other made-up site: headline, byline, two paragraphs, a
 * date. */
static size_t
make_page(int i, char *buf, size_t cap)
{
    uint64_t rng = (uint64_t)i * 2654435761u + 1;
    char title[256], p1[1024], p2[1024];
    sentence(&rng, title, sizeof title, 7);
    sentence(&rng, p1, sizeof p1, 40);
    sentence(&rng, p2, sizeof p2, 40);
    return (size_t)snprintf(
        buf, cap, "%s %d\nBy Jane Doe\n%s.\n%s.\n14 May 2024 09:%02d\n", title,
        i, p1, p2, i % 60);
}

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
