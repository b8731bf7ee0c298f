/* WD_TEST_LABEL: e2e */
/* Every kind of bad input, each pushed between two good pages into the real
 * worker: each bad one is rejected with its reason (or parsed to nothing),
 * counted and logged, and every good page next to it comes through. */
#include "gen.h"
#include "worker.h"

#define DEADLINE_MS 60000
#define MAX_PAGE 1048576

/* One bad input: the frames to send and what the worker should make of
 * it: a reject reason, or NULL for "accepted, no article". */
struct bad {
    const char *what;
    uint8_t *frame;
    size_t len;
    bool two_frames;
    const char *reason;
};

static struct bad bads[16];
static int n_bads;

static void
add_raw(const char *what, const char *ctype, const void *body, size_t len,
        const char *reason)
{
    struct bad *b = &bads[n_bads++];
    b->what = what;
    b->len =
        make_raw("https://bad.example.test/x", ctype, body, len, &b->frame);
    b->reason = reason;
}

static void
add_frame(const char *what, const void *data, size_t len, bool two,
          const char *reason)
{
    struct bad *b = &bads[n_bads++];
    b->what = what;
    b->frame = malloc(len ? len : 1);
    memcpy(b->frame, data, len);
    b->len = len;
    b->two_frames = two;
    b->reason = reason;
}

static void
make_bads(void)
{
    add_frame("not protobuf", "\xff\xff\xff\xff garbage", 12, false,
              "malformed");
    uint8_t *good;
    size_t n =
        make_raw("https://bad.example.test/t", "text/plain",
                 "A title\nSome body text that is long enough.", 42, &good);
    add_frame("truncated protobuf", good, n / 2, false, "malformed");
    free(good);
    /* Field 1 (url, a string) sent as a varint. */
    add_frame("wrong field type",
              "\x08\x96\x01\x1a\x03"
              "abc",
              8, false, "malformed");
    add_frame("two frames", "x", 1, true, "multipart");
    add_raw("empty body", "text/plain", "", 0, "empty_body");
    static const char broken[] = "Broken \xe2\x28\xa1 text here";
    add_raw("invalid UTF-8", "text/plain", broken, sizeof broken - 1,
            "invalid_utf8");
    add_raw("NUL byte", "text/plain", "Text with a\0NUL byte", 20, "nul_byte");
    size_t big = MAX_PAGE + 1;
    char *huge = malloc(big);
    memset(huge, 'x', big);
    add_raw("oversized", "text/plain", huge, big, "too_large");
    free(huge);
    add_raw("unknown content type", "application/pdf", "%PDF-1.4 ...", 12,
            "unsupported_type");
    /* Binary bytes labelled text/html. */
    uint8_t bin[4096];
    uint64_t rng = 7;
    for (size_t i = 0; i < sizeof bin; i++)
        bin[i] = (uint8_t)(next_rand(&rng) >> 16);
    add_raw("binary as text/html", "text/html", bin, sizeof bin, "nul_byte");
    /* Only boilerplate: menus and a copyright line, no story. */
    const char *boiler = "Home | News | Sport | Weather | Contact\n"
                         "Home | News | Sport | Weather | Contact\n"
                         "(c) 2025 Example Media. All rights reserved.\n";
    add_raw("only boilerplate", "text/plain", boiler, strlen(boiler), NULL);
    /* 100 000 nested elements. */
    size_t depth = 100000;
    char *deep = malloc(depth * 5 + 64);
    size_t k = 0;
    for (size_t i = 0; i < depth; i++)
        k += (size_t)sprintf(deep + k, "<div>");
    k += (size_t)sprintf(deep + k, "<p>deep</p>");
    add_raw("100k nested elements", "text/html", deep, k, NULL);
    free(deep);
    /* A 600 kB attribute. */
    size_t alen = 600 * 1024;
    char *attr = malloc(alen + 64);
    k = (size_t)sprintf(attr, "<html><body><p title=\"");
    memset(attr + k, 'a', alen);
    k += alen;
    k += (size_t)sprintf(attr + k, "\">x</p></body></html>");
    add_raw("giant attribute", "text/html", attr, k, NULL);
    free(attr);
}

static void
push_bad(void *push, const struct bad *b)
{
    frames_pushed++;
    if (b->two_frames) {
        CHECK(zmq_send(push, b->frame, b->len, ZMQ_SNDMORE) >= 0);
        CHECK(zmq_send(push, "second", 6, 0) >= 0);
    } else {
        CHECK(zmq_send(push, b->frame, b->len, 0) >= 0);
    }
}

static void
test_bad_input_between_good_pages(void)
{
    make_bads();
    struct worker w;
    char maxb[32];
    snprintf(maxb, sizeof maxb, "%d", MAX_PAGE);
    const char *extra[] = {"--max-page-bytes", maxb, NULL};
    worker_start(&w, extra);
    void *zctx = zmq_ctx_new();
    const char *all_ch[] = {"all", NULL};
    void *sub = subscriber(zctx, &w, all_ch);
    CHECK(wait_subscribed(sub, DEADLINE_MS));
    void *push = pusher(zctx, &w);

    /* good 0, bad 0, good 1, bad 1, ..., good n. */
    char page[2048];
    int goods = 0;
    for (int i = 0; i <= n_bads; i++) {
        size_t n = make_page(1000 + i, page, sizeof page);
        push_page(push, "https://good.example.test/p", "text/plain", page, n);
        goods++;
        if (i < n_bads)
            push_bad(push, &bads[i]);
    }
    static struct collected all;
    CHECK(collect_until(sub, frames_pushed, &all, DEADLINE_MS));

    /* Every good page's story came out, once. */
    int found = 0;
    for (int i = 0; i < goods; i++) {
        char want[64];
        snprintf(want, sizeof want, " %d", 1000 + i);
        int hits = 0;
        for (int m = 0; m < all.n; m++) {
            Wiredesk__V1__Article *a = wiredesk__v1__article__unpack(
                NULL, all.m[m].len, all.m[m].data);
            if (!a)
                continue;
            size_t tl = strlen(a->title), wl = strlen(want);
            hits += tl >= wl && strcmp(a->title + tl - wl, want) == 0;
            wiredesk__v1__article__free_unpacked(a, NULL);
        }
        if (hits != 1)
            fprintf(stderr, "good page %d came out %d times\n", i, hits);
        found += hits == 1;
    }
    CHECK_INT(found, ==, goods);
    CHECK_INT(all.n, ==, goods);

    /* Each bad page counted under its reason, or as a page without
     * articles; nothing else rejected. */
    const Wiredesk__V1__WorkerStats *ws = all.last_stats;
    CHECK(ws != NULL);
    if (ws) {
        CHECK_INT(ws->pages_received, ==, frames_pushed);
        int rejected = 0, empty = 0;
        for (int i = 0; i < n_bads; i++) {
            if (!bads[i].reason) {
                empty++;
                continue;
            }
            rejected++;
            int same = 0;
            for (int j = 0; j < n_bads; j++)
                same += bads[j].reason &&
                        strcmp(bads[j].reason, bads[i].reason) == 0;
            char label[64];
            snprintf(label, sizeof label, "reason=%s", bads[i].reason);
            long long v = stat_value(ws, "pages_rejected", label);
            if (v != same)
                fprintf(stderr, "%s: %s counted %lld, want %d\n", bads[i].what,
                        label, v, same);
            CHECK_INT(v, ==, same);
        }
        CHECK_INT(ws->pages_rejected, ==, rejected);
        CHECK_INT(stat_value(ws, "pages_without_articles", NULL), ==, empty);
        /* ... each with its reason: the menu-only text page has no text,
         * the HTML pages no article. */
        long long no_text = stat_value(ws, "pages_without_articles",
                                       "reason=no_text"),
                  no_article = stat_value(ws, "pages_without_articles",
                                          "reason=no_article"),
                  error_page = stat_value(ws, "pages_without_articles",
                                          "reason=error_page");
        CHECK_INT(no_text, >=, 1);
        CHECK_INT(no_text + no_article + error_page, ==, empty);
        CHECK_INT(ws->articles_published, ==, goods);
    }
    CHECK_INT(worker_stop(&w, WD_TEST_STOP_MS), ==, 0);
    /* Each reason is logged (rate-limited, so at least once). */
    for (int i = 0; i < n_bads; i++) {
        if (!bads[i].reason)
            continue;
        char label[64];
        snprintf(label, sizeof label, "reason=%s", bads[i].reason);
        CHECK(log_contains(&w, label));
    }
    collected_free(&all);
    for (int i = 0; i < n_bads; i++)
        free(bads[i].frame);
    zmq_close(push);
    zmq_close(sub);
    zmq_ctx_term(zctx);
    worker_cleanup(&w);
}

int
main(void)
{
    RUN(test_bad_input_between_good_pages);
    return TEST_DONE();
}
