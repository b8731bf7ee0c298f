/* WD_TEST_LABEL: unit */
/* Dedup decisions on a real LMDB store in a temporary directory. */
#include "dedup_cases.h"

static char dir[64];

static void
reopen_store(void)
{
    CHECK_OK(wd_store_open_lmdb(&store, dir, 256));
}

static void
empty_store(void)
{
    wd_store_close(&store);
    remove_dir(dir);
    temp_store(&store, dir);
}

#define SETUP_RUN(fn)                                                          \
    do {                                                                       \
        temp_store(&store, dir);                                               \
        RUN(fn);                                                               \
        wd_store_close(&store);                                                \
        remove_dir(dir);                                                       \
    } while (0)

/* A store whose k-th read fails (a timeout, as a frozen Redis gives): the
 * other reads answer from the real store. */
static struct {
    const struct wd_store_ops *real;
    int k, calls;
} fault;

static int
faulty_get(void *impl, enum wd_store_ns ns, const void *key, size_t klen,
           void *val, size_t *vlen)
{
    if (++fault.calls == fault.k)
        return WD_ETIMEOUT;
    return fault.real->get(impl, ns, key, klen, val, vlen);
}

/* Every read a decision makes counts: whichever one fails, the batch
 * fails, so no decision stands on a lookup that did not happen (a store
 * error is never "not seen"). Pages that take every path: the same story
 * again, a re-post under another headline with words of its lead changed
 * (lead and band look-ups, record reads), its teaser, and a new story. */
static void
test_every_failed_read_fails_the_batch(void)
{
    struct wd_dedup *d = open_dedup(0, 0);
    uint32_t rev;
    struct wd_story_fp f = fp_of(title, full, false);
    CHECK_INT(decide1(d, &f, 1000, &rev), ==, WD_DUP_NEW);
    wd_dedup_close(d);
    char re[2048];
    const char *north = strstr(full, "northern"), *wage = strstr(full, "wage");
    snprintf(re, sizeof re, "%.*ssouthern%.*spay%s", (int)(north - full), full,
             (int)(wage - north - 8), north + 8, wage + 4);
    struct {
        const char *title, *body;
        bool teaser;
    } pages[] = {
        {title, full, false},
        {"Port Walkout Drags On As Talks Stall", re, false},
        {"Port Walkout Drags On", teaser, true},
        {"Council Approves New Budget",
         "The city council approved a new budget on Tuesday after a long "
         "debate over spending on schools, roads and the public library, "
         "and the mayor said taxes would not rise this year.",
         false},
    };
    struct wd_store_ops ops = *store.ops;
    ops.get = faulty_get;
    struct wd_store faulty = {&ops, store.impl};
    fault.real = store.ops;
    int tried = 0;
    for (size_t p = 0; p < sizeof pages / sizeof pages[0]; p++) {
        for (int k = 1;; k++) {
            struct wd_dedup_config cfg = {0, 0, WD_NEAR_MINHASH};
            CHECK_OK(wd_dedup_open(&d, &faulty, &cfg));
            fault.k = k, fault.calls = 0;
            CHECK_OK(wd_dedup_begin(d));
            struct wd_story_fp fp =
                fp_of(pages[p].title, pages[p].body, pages[p].teaser);
            wd_dedup_decide(d, &fp, 2000, &rev);
            bool reached = fault.calls >= k;
            if (reached && !wd_dedup_failed(d))
                WD_FAIL_("page %zu: read %d of %d failed, the batch did not", p,
                         k, fault.calls);
            wd_dedup_abort(d);
            wd_dedup_close(d);
            if (!reached)
                break;
            tried++;
        }
    }
    CHECK(tried >= 8); /* the pages made reads to fail */
    fault.k = 0;
}

int
main(void)
{
    DEDUP_CASES(SETUP_RUN);
    SETUP_RUN(test_every_failed_read_fails_the_batch);
    return TEST_DONE();
}
