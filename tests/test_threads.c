/* WD_TEST_LABEL: e2e */
/* Parse threads (--threads): the same stream of pages from a dozen sources
 * (each with its own navigation and footer lines, which the boilerplate
 * learner learns page by page, with re-fetches and copies across sources)
 * into a worker with one parse thread and into one with four gives the
 * same articles: the same ids, revisions and texts. A source's pages are
 * parsed in order by one thread, so what each learns is the same. */
#include <xxhash.h>

#include "worker.h"

#define DEADLINE_MS 60000
#define SOURCES 12
#define PAGES 240

static const char *const words[] = {
    "harbour", "council", "museum",  "railway", "bridge",  "school",
    "market",  "forest",  "river",   "tower",   "library", "station",
    "garden",  "clinic",  "stadium", "airport", "factory", "theatre",
    "village", "canal",   "valley",  "castle",  "mill",    "quarry"};

/* The text of story k: a title and a body of words drawn from k. */
static size_t
story(int k, char *buf, size_t cap)
{
    uint32_t x = 2654435761u * (uint32_t)(k + 1);
    size_t n = (size_t)snprintf(buf, cap, "The %s and the %s (%d)\n\n",
                                words[k % 24], words[(k / 24) % 24], k);
    for (int i = 0; i < 60 && n < cap; i++) {
        x = x * 1664525u + 1013904223u;
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? " " : "",
                              words[(x >> 16) % 24]);
    }
    n += (size_t)snprintf(buf + n, cap - n, ".\n\n");
    return n;
}

/* Page i: a source's page with its furniture around one story; some pages
 * are re-fetches of the source's page before, some carry another source's
 * story. */
static size_t
page(int i, char *buf, size_t cap, char *url, size_t ucap, char *source,
     size_t scap)
{
    int src = i % SOURCES;
    int k = i % 5 == 4 ? i - SOURCES : i % 7 == 6 ? i - 1 : i;
    if (k < 0)
        k = i;
    snprintf(source, scap, "scraper-%d", src % 3);
    snprintf(url, ucap, "https://news%d.test/story/%d", src, k);
    size_t n = (size_t)snprintf(
        buf, cap,
        "News %d Online\nHome | World | Business | Sport | Contact us\n\n",
        src);
    n += story(k, buf + n, cap - n);
    n += (size_t)snprintf(buf + n, cap - n,
                          "Copyright News %d Media. All rights reserved.\n"
                          "Subscribe to the News %d newsletter\n",
                          src, src);
    return n;
}

static void
push_source_page(void *push, const char *url, const char *source,
                 const char *text, size_t len)
{
    uint8_t *frame;
    size_t n = make_raw_from(url, "text/plain", text, len, source, &frame);
    push_frame(push, frame, n);
    free(frame);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs a worker with --threads threads on the stream; fills out (sorted)
 * with one line per article: id, revision and a hash of its text. */
static int
run(const char *threads, char **out)
{
    struct worker w;
    const char *extra[] = {"--threads", threads, NULL};
    worker_start(&w, extra);
    char want[64];
    snprintf(want, sizeof want, "threads %s", threads);
    CHECK(log_wait_for(&w, want, DEADLINE_MS));
    void *zctx = zmq_ctx_new();
    const char *all_ch[] = {"all", NULL};
    void *sub = subscriber(zctx, &w, all_ch);
    CHECK(wait_subscribed(sub, DEADLINE_MS));
    void *push = pusher(zctx, &w);
    long long before = frames_pushed;
    char text[4096], url[128], source[32];
    for (int i = 0; i < PAGES; i++) {
        size_t n =
            page(i, text, sizeof text, url, sizeof url, source, sizeof source);
        push_source_page(push, url, source, text, n);
    }
    static struct collected all;
    CHECK(collect_until(sub, frames_pushed - before, &all, DEADLINE_MS));
    int n = 0;
    for (int i = 0; i < all.n; i++) {
        if (strcmp(all.m[i].channel, "all") != 0)
            continue;
        Wiredesk__V1__Article *a =
            wiredesk__v1__article__unpack(NULL, all.m[i].len, all.m[i].data);
        if (!a)
            continue;
        char line[160];
        snprintf(line, sizeof line, "%s %u %016llx %016llx", a->id,
                 (unsigned)a->revision,
                 (unsigned long long)XXH3_64bits(a->body, strlen(a->body)),
                 (unsigned long long)XXH3_64bits(a->title, strlen(a->title)));
        out[n++] = strdup(line);
        wiredesk__v1__article__free_unpacked(a, NULL);
    }
    collected_free(&all);
    qsort(out, (size_t)n, sizeof *out, cmp_str);
    CHECK_INT(worker_stop(&w, WD_TEST_STOP_MS), ==, 0);
    zmq_close(push);
    zmq_close(sub);
    zmq_ctx_term(zctx);
    worker_cleanup(&w);
    return n;
}

static void
test_threads_same_articles(void)
{
    static char *one[PAGES * 2], *four[PAGES * 2];
    int n1 = run("1", one), n4 = run("4", four);
    /* Copies and re-fetches were dropped; most pages gave a story. */
    CHECK(n1 > PAGES / 2 && n1 < PAGES);
    CHECK_INT(n4, ==, n1);
    int differ = 0;
    for (int i = 0; i < n1 && i < n4; i++)
        if (strcmp(one[i], four[i]) != 0) {
            if (differ++ < 3)
                fprintf(stderr, "1 thread: %s\n4 threads: %s\n", one[i],
                        four[i]);
        }
    CHECK_INT(differ, ==, 0);
    for (int i = 0; i < n1; i++)
        free(one[i]);
    for (int i = 0; i < n4; i++)
        free(four[i]);
}

int
main(void)
{
    RUN(test_threads_same_articles);
    return TEST_DONE();
}
