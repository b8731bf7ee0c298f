/* Dedup store benchmark: lookups per second with N stories stored, insert
 * rate, start-up time of a store holding N, and memory and disk per story.
 *
 *   dedup_bench N [DIR]     (N stories; DIR default a new /tmp directory,
 *                            kept when given so that a second run reuses it)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"
#include "wd/dedup.h"
#include "wd/store.h"

/* The fingerprint of synthetic story i: random but reproducible. */
static void
fp_of(uint64_t i, struct wd_story_fp *fp)
{
    memset(fp, 0, sizeof *fp);
    uint64_t a = bench_mix(i * 2 + 1), b = bench_mix(i * 2 + 2);
    memcpy(fp->id, &a, 8);
    memcpy(fp->id + 8, &b, 8);
    fp->content_key = bench_mix(i ^ 0xABCDEF) | 1;
    fp->simhash = bench_mix(i ^ 0x123456);
    fp->url_key = 0;
    for (int k = 0; k < WD_MH_BANDS; k++)
        fp->bands[k] = bench_mix(i * 64 + (uint64_t)k + 7);
    for (int k = 0; k < WD_FP_LEADS; k++)
        fp->leads[k] = bench_mix(i * 64 + (uint64_t)k + 40) | 1;
    for (int k = 0; k < WD_FP_SKETCH; k++)
        fp->sketch[k] = (uint32_t)bench_mix(i * 64 + (uint64_t)k + 50) | 1;
    fp->words = 300;
    fp->shingles = 100;
    fp->body_len = 2000;
    fp->teaser = false;
}

int
main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    char tmp[] = "/tmp/wd-bench-XXXXXX";
    const char *dir = argc > 2 ? argv[2] : mkdtemp(tmp);
    struct wd_store store;
    struct wd_dedup_config cfg = {n * 2, 0, WD_NEAR_MINHASH};
    struct wd_dedup *d;
    long anon0 = proc_status_kb(0, "RssAnon:");
    if (wd_store_open_lmdb(&store, dir, 64 * 1024) != 0 ||
        wd_dedup_open(&d, &store, &cfg) != 0) {
        fprintf(stderr, "cannot open store in %s\n", dir);
        return 1;
    }
    uint64_t have = wd_dedup_stories(d);
    /* Stamped now: a worker started on this store (pipeline_bench --state)
     * must not find them past its retention and spend its time evicting. */
    int64_t now_ms = wall_ms();
    struct wd_story_fp fp;
    uint32_t rev;
    double t0 = now_s();
    const uint64_t batch = 16; /* about one listing page per batch */
    for (uint64_t i = have; i < n; i += batch) {
        wd_dedup_begin(d);
        for (uint64_t k = i; k < i + batch && k < n; k++) {
            fp_of(k, &fp);
            wd_dedup_decide(d, &fp, now_ms, &rev);
        }
        wd_dedup_commit(d, 0, now_ms);
    }
    double t1 = now_s();
    if (n > have)
        printf("inserted %llu stories in %.1f s: %.0f stories/s\n",
               (unsigned long long)(n - have), t1 - t0,
               (double)(n - have) / (t1 - t0));
    store.ops->sync(store.impl);
    wd_dedup_close(d);
    wd_store_close(&store);

    /* Start-up: open the store and answer a first lookup; first as after
     * a crash (no dump of the look-ups: they are rebuilt from the
     * records), then as after a clean stop (the dump read back). */
    enum wd_dup first = WD_DUP_NEW;
    for (int crash = 1; crash >= 0; crash--) {
        if (crash) {
            char dump[4200];
            snprintf(dump, sizeof dump, "%s/dedup.lmdb/index.dump", dir);
            unlink(dump);
        } else {
            wd_dedup_close(d);
            wd_store_close(&store);
        }
        t0 = now_s();
        wd_store_open_lmdb(&store, dir, 64 * 1024);
        wd_dedup_open(&d, &store, &cfg);
        wd_dedup_begin(d);
        fp_of(n / 2, &fp);
        first = wd_dedup_decide(d, &fp, now_ms, &rev);
        wd_dedup_abort(d);
        t1 = now_s();
        printf("start-up with %llu stored, %s: %.2f ms (first lookup: %s)\n",
               (unsigned long long)wd_dedup_stories(d),
               crash ? "after a crash (look-ups rebuilt)"
                     : "after a clean stop (look-ups read back)",
               (t1 - t0) * 1000, first == WD_DUP_EXACT ? "found" : "NOT FOUND");
    }

    /* Lookups: half of stored stories, half of unknown ones (which walk
     * every index: content, URL, all the bands). */
    const uint64_t lookups = 200000;
    uint64_t x = 12345, found = 0;
    t0 = now_s();
    for (uint64_t i = 0; i < lookups; i++) {
        x = bench_mix(x + i);
        uint64_t k = i % 2 ? x % n : n + x % n;
        fp_of(k, &fp);
        /* One batch per lookup, as one page is one batch; the unknown
         * story it stages is forgotten by the abort. */
        wd_dedup_begin(d);
        enum wd_dup r = wd_dedup_decide(d, &fp, now_ms, &rev);
        wd_dedup_abort(d);
        found += r == WD_DUP_EXACT;
    }
    t1 = now_s();
    printf("lookups with %llu stored: %.0f /s (%llu found of %llu)\n",
           (unsigned long long)n, (double)lookups / (t1 - t0),
           (unsigned long long)found, (unsigned long long)lookups);
    uint64_t bytes = 0;
    store.ops->size(store.impl, &bytes);
    long anon = proc_status_kb(0, "RssAnon:"),
         file = proc_status_kb(0, "RssFile:");
    printf("store: %.1f MB on disk, %.0f bytes per story\n",
           (double)bytes / 1e6, (double)bytes / (double)n);
    printf("memory: RssAnon %ld kB (%.2f bytes per story over the start), "
           "RssFile %ld kB (LMDB pages mapped, the kernel's to evict)\n",
           anon, (double)(anon - anon0) * 1024 / (double)n, file);
    wd_dedup_close(d);
    wd_store_close(&store);
    if (argc <= 2) {
        if (bench_remove_dir(dir) != 0)
            return 1;
    }
    return 0;
}
