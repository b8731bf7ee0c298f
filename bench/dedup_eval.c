/* Dedup evaluation: runs a generated stream with known truth through the
 * worker's functional core (the real pipeline on a real LMDB store) and
 * prints precision and recall of the duplicate decisions, and stories
 * published against distinct stories in the truth. Both near-duplicate
 * methods are measured on the same stream.
 *
 *   dedup_eval [PAGES] [SEED]      (default 100000 pages, seed 1)
 *
 * The four seed articles about one state visit go first: they must come
 * out as four stories (and the seeds' 24 distinct stories as 24). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wd/pipeline.h"
#include "wd/store.h"
#include "rawframe.h"

struct emitted {
    int n;
    char titles[64][300];
    unsigned revisions[64];
};

static int
collect(void *ctx, const char *channel, const uint8_t *buf, size_t len)
{
    struct emitted *e = ctx;
    if (strcmp(channel, "all") != 0 || e->n >= 64)
        return 0;
    Wiredesk__V1__Article *a = wiredesk__v1__article__unpack(NULL, len, buf);
    if (!a)
        return 0;
    snprintf(e->titles[e->n], 300, "%s", a->title);
    e->revisions[e->n] = a->revision;
    e->n++;
    wiredesk__v1__article__free_unpacked(a, NULL);
    return 0;
}

static void
feed(struct wd_pipeline *p, const char *url, const char *text, size_t len,
     struct emitted *e)
{
    struct wd_page_outcome o;
    e->n = 0;
    bench_feed(p, url, NULL, text, len, 1764000000000LL, "eval", collect, e,
               &o);
}

static const char *seeds[] = {
    "000_2965303afe5faa20.txt", "001_9060e6353d04331a.txt",
    "002_169b421efc6a4b65.txt", "003_b68fa506791f493d.txt",
    "004_5a5ebf73775bfc62.txt"};

static int
run(const char *method_name, enum wd_near_method method, int pages,
    uint64_t seed, const char *seed_dir, const char *corpus, size_t clen)
{
    char dir[] = "/tmp/wd-eval-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    struct wd_store store;
    if (wd_store_open_lmdb(&store, dir, 8192) != 0)
        return 1;
    struct wd_stats stats = {0};
    struct wd_pipeline_config cfg = {
        .max_page_bytes = 8 << 20, .store = &store, .dedup = {0, 0, method}};
    struct wd_pipeline *p;
    if (wd_pipeline_new(&p, &cfg, &stats) != 0)
        return 1;

    /* The seeds first: 24 distinct stories, the state visit's four among
     * them. */
    static struct emitted e;
    int seed_published = 0;
    for (int i = 0; i < 5; i++) {
        char path[1024];
        size_t len;
        snprintf(path, sizeof path, "%s/%s", seed_dir, seeds[i]);
        char *t = slurp(path, &len);
        if (!t) {
            fprintf(stderr, "cannot read %s\n", path);
            return 1;
        }
        feed(p, seeds[i], t, len, &e);
        seed_published += e.n;
        free(t);
    }

    struct sg *g = sg_new(seed, corpus, clen);
    long tp = 0, fp = 0, fn = 0, tn = 0, items = 0, published = 0;
    long upgrades_seen = 0, twice_new = 0;
    static unsigned char *published_new;
    published_new = calloc(4000000, 1);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int n = 0; n < pages; n++) {
        struct sg_page pg;
        sg_next(g, &pg);
        feed(p, pg.url, pg.text, pg.len, &e);
        int k = 0;
        for (int i = 0; i < pg.n_items; i++) {
            const struct sg_item *it = &pg.items[i];
            bool pub = k < e.n && strcmp(e.titles[k], it->title) == 0;
            unsigned rev = pub ? e.revisions[k] : 0;
            if (pub)
                k++;
            items++;
            bool pred_dup = !pub, true_dup = !it->expect_publish;
            tp += pred_dup && true_dup;
            fp += pred_dup && !true_dup;
            fn += !pred_dup && true_dup;
            tn += !pred_dup && !true_dup;
            if (pub) {
                published++;
                if (rev >= 2)
                    upgrades_seen++;
                else if (published_new[it->story]++)
                    twice_new++;
            }
        }
        if (k != e.n)
            fprintf(stderr, "page %d: %d articles not matched to items\n", n,
                    e.n - k);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) +
                  (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    long stories = sg_stories(g), distinct_published = 0;
    long expected_upgrades = sg_upgrades(g);
    for (long s = 0; s < stories; s++)
        distinct_published += published_new[s] > 0;
    double precision = tp + fp ? (double)tp / (double)(tp + fp) : 1.0;
    double recall = tp + fn ? (double)tp / (double)(tp + fn) : 1.0;
    printf("method %s: %d pages (%.1f pages/s), %ld items\n", method_name,
           pages, pages / secs, items);
    printf("  seeds: %d stories published (expected 24)\n", seed_published);
    printf("  stories: %ld distinct in truth, %ld published once as new, "
           "%ld published twice as new\n",
           stories, distinct_published, twice_new);
    printf("  upgrades: %ld expected, %ld published\n", expected_upgrades,
           upgrades_seen);
    printf("  duplicate decisions: TP %ld FP %ld FN %ld TN %ld\n", tp, fp, fn,
           tn);
    printf("  precision %.4f recall %.4f\n", precision, recall);
    printf("  decisions by kind: new %llu upgrade %llu exact %llu near %llu "
           "page %llu\n",
           (unsigned long long)stats.dedup[WD_DEDUP_KIND_NEW],
           (unsigned long long)stats.dedup[WD_DEDUP_KIND_UPGRADE],
           (unsigned long long)stats.dedup[WD_DEDUP_KIND_EXACT],
           (unsigned long long)stats.dedup[WD_DEDUP_KIND_NEAR],
           (unsigned long long)stats.dedup[WD_DEDUP_KIND_PAGE]);
    sg_free(g);
    free(published_new);
    wd_pipeline_free(p);
    wd_store_close(&store);
    bench_remove_dir(dir);
    bool ok = seed_published == 24 && precision >= 0.995 && recall >= 0.995 &&
              twice_new == 0 && distinct_published == stories &&
              upgrades_seen == expected_upgrades;
    return ok ? 0 : 2;
}

int
main(int argc, char **argv)
{
    int pages = argc > 1 ? atoi(argv[1]) : 100000;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
    const char *seed_dir =
        getenv("WD_SEEDS") ? getenv("WD_SEEDS") : WD_FIXTURES "/seeds";
    /* The corpus of words: every seed page. */
    size_t clen = 0;
    char *corpus = malloc(1);
    for (int i = 0; i < 5; i++) {
        char path[1024];
        size_t len;
        snprintf(path, sizeof path, "%s/%s", seed_dir, seeds[i]);
        char *t = slurp(path, &len);
        if (!t)
            continue;
        corpus = realloc(corpus, clen + len + 1);
        memcpy(corpus + clen, t, len);
        clen += len;
        free(t);
    }
    int rc =
        run("minhash", WD_NEAR_MINHASH, pages, seed, seed_dir, corpus, clen);
    int rc2 =
        run("simhash", WD_NEAR_SIMHASH, pages, seed, seed_dir, corpus, clen);
    printf("default (minhash): %s\n", rc == 0 ? "PASS" : "FAIL");
    (void)rc2;
    free(corpus);
    return rc;
}
