/* WD_TEST_LABEL: e2e */
/* The dedup cases of test_dedup.c on the Redis store, against a real
 * redis-server: the shared backend makes the same decisions as LMDB. Plus
 * the claims that make several workers publish a story once. */
#include "dedup_cases.h"
#include "redis.h"
#include "wd/err.h"

static struct redis server;

static void
reopen_store(void)
{
    CHECK_OK(wd_store_open_redis(&store, server.url));
}

static void
flush(void)
{
    char cmd[128], out[256];
    snprintf(cmd, sizeof cmd, "redis-cli -p %d flushall", server.port);
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 0);
}

static void
empty_store(void)
{
    wd_store_close(&store);
    flush();
    reopen_store();
}

#define SETUP_RUN(fn)                                                          \
    do {                                                                       \
        flush();                                                               \
        reopen_store();                                                        \
        RUN(fn);                                                               \
        wd_store_close(&store);                                                \
    } while (0)

/* Two stores on one server stand for two workers: the first claim of a
 * revision wins, the holder may claim again (a retried page), the other
 * may not; another revision is another claim. */
static struct wd_claim
claim_of(uint8_t id, uint32_t rev, uint64_t content, const uint8_t *bands,
         size_t n_bands)
{
    struct wd_claim c = {.content_key = content,
                         .bands = bands,
                         .n_bands = n_bands,
                         .band_len = 9,
                         .min_bands = 2};
    c.id_rev[0] = id;
    c.id_rev[19] = (uint8_t)rev;
    return c;
}

/* Two stores on one server stand for two workers: the first claim of a
 * story wins, the holder may claim again (a retried page), the other may
 * not; another revision is another claim; the same text under another id
 * is the same story; so is another story sharing two or more bands. An
 * aborted batch gives its claims back. */
static void
test_claims(void)
{
    struct wd_store other, third;
    CHECK_OK(wd_store_open_redis(&other, server.url));
    CHECK_OK(wd_store_open_redis(&third, server.url));
    CHECK_OK(wd_store_begin(&store));
    CHECK_OK(wd_store_begin(&other));
    CHECK_OK(wd_store_begin(&third));
    struct wd_claim a1 = claim_of(1, 1, 100, NULL, 0),
                    a2 = claim_of(1, 2, 101, NULL, 0),
                    copy = claim_of(9, 1, 100, NULL, 0);
    CHECK_OK(wd_store_claim(&store, &a1));
    CHECK_OK(wd_store_claim(&store, &a1));
    CHECK_INT(wd_store_claim(&other, &a1), ==, WD_EBUSY);
    CHECK_OK(wd_store_claim(&other, &a2));
    CHECK_INT(wd_store_claim(&store, &a2), ==, WD_EBUSY);
    CHECK_INT(wd_store_claim(&third, &copy), ==, WD_EBUSY); /* same text */
    const uint8_t bands[3][9] = {{1}, {2}, {3}},
                  one_shared[3][9] = {{1}, {7}, {8}},
                  two_shared[3][9] = {{1}, {2}, {9}};
    struct wd_claim b = claim_of(3, 1, 300, &bands[0][0], 3),
                    near1 = claim_of(4, 1, 400, &one_shared[0][0], 3),
                    near2 = claim_of(5, 1, 500, &two_shared[0][0], 3);
    CHECK_OK(wd_store_claim(&store, &b));
    CHECK_OK(wd_store_claim(&other, &near1));
    CHECK_INT(wd_store_claim(&third, &near2), ==, WD_EBUSY);
    wd_store_abort(&store);
    wd_store_abort(&other);
    wd_store_abort(&third);
    /* An aborted batch gave its claims back (its page is decided again
     * later): the others may take them at once. A committed batch's claims
     * hold 3 s more (another worker may have read the store just before
     * the commit), then its records speak for the story: a page that
     * shares a few bands or one lead window with it but is decided a story
     * of its own does not wait the 30 s of the claims' TTL. */
    CHECK_OK(wd_store_begin(&third));
    CHECK_OK(wd_store_claim(&third, &a1));
    CHECK_OK(wd_store_claim(&third, &near2));
    CHECK_OK(third.ops->put(third.impl, WD_NS_CONTENT, "\x01\0\0\0\0\0\0\0", 8,
                            "0123456789abcdef", 16));
    CHECK_OK(wd_store_commit(&third));
    int64_t committed = mono_ms();
    CHECK_OK(wd_store_begin(&store));
    CHECK_INT(wd_store_claim(&store, &a1), ==, WD_EBUSY);
    CHECK_INT(wd_store_claim(&store, &near2), ==, WD_EBUSY);
    wd_store_abort(&store);
    int rc = WD_EBUSY;
    while (rc == WD_EBUSY && mono_ms() - committed < 20000) {
        usleep(100000);
        CHECK_OK(wd_store_begin(&store));
        rc = wd_store_claim(&store, &a1);
        wd_store_abort(&store);
    }
    CHECK_OK(rc);
    int64_t waited = mono_ms() - committed;
    CHECK_INT(waited, >=, 2500);
    CHECK_INT(waited, <, 15000); /* well before the 30 s TTL */
    wd_store_close(&other);
    wd_store_close(&third);
}

/* A page's claims at once (claim_many, one round trip): all granted, or
 * the first refusal; the ones granted in a refused call are held until
 * the batch is aborted, then given back. */
static void
test_claim_many(void)
{
    CHECK(store.ops->claim_many != NULL);
    struct wd_store other;
    CHECK_OK(wd_store_open_redis(&other, server.url));
    struct wd_claim a = claim_of(1, 1, 100, NULL, 0),
                    b = claim_of(2, 1, 200, NULL, 0),
                    c = claim_of(3, 1, 300, NULL, 0);
    struct wd_claim mine[2] = {a, b}, theirs[2] = {c, b};
    CHECK_OK(wd_store_begin(&store));
    CHECK_OK(wd_store_begin(&other));
    CHECK_OK(wd_store_claim_many(&store, mine, 2));
    /* b is held: refused, though c was granted in the same call. */
    CHECK_INT(wd_store_claim_many(&other, theirs, 2), ==, WD_EBUSY);
    CHECK_INT(wd_store_claim(&store, &c), ==, WD_EBUSY);
    wd_store_abort(&other); /* c given back */
    CHECK_OK(wd_store_claim(&store, &c));
    wd_store_abort(&store);
    CHECK_OK(wd_store_begin(&other));
    CHECK_OK(wd_store_claim_many(&other, theirs, 2));
    wd_store_abort(&other);
    wd_store_close(&other);
}

/* Many reads in one round trip (get_many, the near-copy and lead lookups):
 * the batch's own writes first, then the server's; every answer in its
 * place; a server gone fails them all, and the next batch reconnects. */
static void
test_get_many(void)
{
    CHECK(store.ops->get_many != NULL);
    uint8_t keys[4][9] = {{1}, {2}, {3}, {4}}, vals[4][16];
    size_t vlens[4];
    int rcs[4];
    CHECK_OK(wd_store_begin(&store));
    CHECK_OK(store.ops->put(store.impl, WD_NS_BAND, keys[0], 9, "first", 5));
    CHECK_OK(
        store.ops->put(store.impl, WD_NS_BAND, keys[2], 9, "third-one", 9));
    /* Staged in this batch, not yet on the server. */
    CHECK_OK(store.ops->get_many(store.impl, WD_NS_BAND, &keys[0][0], 9, 4,
                                 &vals[0][0], 16, vlens, rcs));
    CHECK_INT(rcs[0], ==, 0);
    CHECK_INT(vlens[0], ==, 5);
    CHECK(memcmp(vals[0], "first", 5) == 0);
    CHECK_INT(rcs[1], ==, WD_ENOTFOUND);
    CHECK_INT(rcs[2], ==, 0);
    CHECK(memcmp(vals[2], "third-one", 9) == 0);
    CHECK_INT(rcs[3], ==, WD_ENOTFOUND);
    CHECK_OK(wd_store_commit(&store));
    /* From the server, with one deleted in the next batch. */
    CHECK_OK(wd_store_begin(&store));
    CHECK_OK(store.ops->del(store.impl, WD_NS_BAND, keys[0], 9));
    CHECK_OK(store.ops->put(store.impl, WD_NS_BAND, keys[3], 9, "4", 1));
    memset(vals, 0, sizeof vals);
    CHECK_OK(store.ops->get_many(store.impl, WD_NS_BAND, &keys[0][0], 9, 4,
                                 &vals[0][0], 16, vlens, rcs));
    CHECK_INT(rcs[0], ==, WD_ENOTFOUND);
    CHECK_INT(rcs[1], ==, WD_ENOTFOUND);
    CHECK_INT(rcs[2], ==, 0);
    CHECK_INT(vlens[2], ==, 9);
    CHECK(memcmp(vals[2], "third-one", 9) == 0);
    CHECK_INT(rcs[3], ==, 0);
    CHECK(vals[3][0] == '4');
    wd_store_abort(&store);
    /* Server gone: an error for the whole batch, never "not found". */
    redis_kill(&server);
    if (wd_store_begin(&store) == 0) {
        CHECK(store.ops->get_many(store.impl, WD_NS_BAND, &keys[0][0], 9, 4,
                                  &vals[0][0], 16, vlens, rcs) != 0);
        CHECK(wd_store_commit(&store) != 0);
    }
    wd_store_abort(&store);
    redis_start(&server);
    CHECK_OK(wd_store_begin(&store));
    CHECK_OK(store.ops->get_many(store.impl, WD_NS_BAND, &keys[0][0], 9, 4,
                                 &vals[0][0], 16, vlens, rcs));
    CHECK_INT(rcs[2], ==, 0);
    wd_store_abort(&store);
}

/* A page's reads asked at once: a new story is decided from what the
 * prefetch read, without Redis (here: gone after it); a story stored is
 * found from it too; the batch's own writes come before it; and the next
 * batch asks Redis again. */
static void
test_prefetch(void)
{
    CHECK(store.ops->prefetch != NULL);
    struct wd_dedup *d = open_dedup(0, 0);
    uint32_t rev;
    struct wd_story_fp old = fp_of(title, full, false);
    CHECK_INT(decide1(d, &old, 1000, &rev), ==, WD_DUP_NEW);
    struct wd_story_fp fresh = numbered(5), again = old;
    struct wd_story_fp both[2] = {fresh, again};
    CHECK_OK(wd_dedup_begin(d));
    CHECK_OK(wd_dedup_prefetch(d, 77, both, 2));
    redis_kill(&server);
    CHECK(!wd_dedup_page_seen(d, 77));
    CHECK_INT(wd_dedup_decide(d, &fresh, 2000, &rev), ==, WD_DUP_NEW);
    /* Staged just now: the batch's own write wins over the cache. */
    CHECK_INT(wd_dedup_decide(d, &fresh, 2000, &rev), ==, WD_DUP_EXACT);
    CHECK_INT(wd_dedup_decide(d, &again, 2000, &rev), ==, WD_DUP_EXACT);
    CHECK(!wd_dedup_failed(d));
    wd_dedup_abort(d);
    redis_start(&server);
    /* A new batch: the cache is gone, Redis answers (fresh was aborted). */
    CHECK_OK(wd_dedup_begin(d));
    CHECK_INT(wd_dedup_decide(d, &fresh, 3000, &rev), ==, WD_DUP_NEW);
    wd_dedup_abort(d);
    /* Server gone before the prefetch: the batch fails, nothing is "not
     * seen". */
    redis_kill(&server);
    if (wd_dedup_begin(d) == 0) {
        CHECK(wd_dedup_prefetch(d, 78, both, 2) != 0);
        CHECK(wd_dedup_failed(d));
    }
    wd_dedup_abort(d);
    redis_start(&server);
    wd_dedup_close(d);
}

/* No server: opening fails; a server that goes away fails the batch, and
 * claims with it, so that nothing is published unremembered. */
static void
test_server_gone(void)
{
    struct wd_store s;
    CHECK(wd_store_open_redis(&s, "redis://127.0.0.1:1/0") != 0);
    CHECK_INT(wd_store_open_redis(&s, "http://x"), ==, WD_EINVAL);
    struct wd_claim c = claim_of(42, 1, 4200, NULL, 0);
    redis_kill(&server);
    CHECK(wd_store_begin(&store) != 0 || wd_store_claim(&store, &c) != 0);
    wd_store_abort(&store);
    redis_start(&server); /* same files: back as it was */
    CHECK_OK(wd_store_begin(&store));
    CHECK_OK(wd_store_claim(&store, &c));
    wd_store_abort(&store);
}

/* A server that stops answering (SIGSTOP: the connection stays open, the
 * replies never come): the lookup's timeout is the batch's error, not "not
 * seen", so a story it had remembered is not decided new and published
 * again; the batch waits once, not once per lookup. Back (SIGCONT), the
 * same story is the duplicate it is. */
static void
test_server_frozen(void)
{
    struct wd_dedup *d = open_dedup(0, 0);
    uint32_t rev;
    struct wd_story_fp a = fp_of(title, full, false);
    CHECK_INT(decide1(d, &a, 1000, &rev), ==, WD_DUP_NEW);
    kill(server.pid, SIGSTOP);
    int64_t t0 = mono_ms();
    int rc = wd_dedup_begin(d);
    if (rc == 0) {
        struct wd_story_fp b = fp_of(title, full, false);
        wd_dedup_decide(d, &b, 2000, &rev);
        rc = wd_dedup_failed(d);
        wd_dedup_abort(d);
    }
    int64_t waited = mono_ms() - t0;
    kill(server.pid, SIGCONT);
    CHECK(rc != 0);             /* the batch failed: nothing may go out */
    CHECK_INT(waited, <, 8000); /* one timeout (2 s), not one per lookup */
    /* The same store object, its timed-out connection made again. */
    struct wd_story_fp c = fp_of(title, full, false);
    CHECK_INT(decide1(d, &c, 3000, &rev), ==, WD_DUP_EXACT);
    wd_dedup_close(d);
}

int
main(void)
{
    snprintf(server.dir, sizeof server.dir, "/tmp/wd-redis-XXXXXX");
    if (!mkdtemp(server.dir))
        return 2;
    server.port = free_port();
    redis_start(&server);
    DEDUP_CASES(SETUP_RUN);
    SETUP_RUN(test_claims);
    SETUP_RUN(test_get_many);
    SETUP_RUN(test_prefetch);
    SETUP_RUN(test_claim_many);
    SETUP_RUN(test_server_gone);
    SETUP_RUN(test_server_frozen);
    redis_kill(&server);
    remove_dir(server.dir);
    return TEST_DONE();
}
