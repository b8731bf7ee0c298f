/* The dedup's in-memory look-ups alone (memindex.h): nanoseconds a put and
 * a get with N keys held, as a rebuild puts them (a bulk load) and one by
 * one, and half the gets for keys that are not there (a new page's bands).
 * Keys are named 25 to a story, as a story's bands, leads and content key.
 * Then the worker's way, from an empty index that grows as it must: a
 * story's 25 gets and puts in a batch each (begin, commit), and the
 * distribution of a story's time, whose tail is the tables' growth.
 *
 *   memindex_bench [N]      (default 20000000 keys)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchutil.h"
#include "wd/memindex.h"

static void
story_id(uint64_t story, uint8_t id[16])
{
    memset(id, 0, 16);
    memcpy(id, &story, 8);
    id[15] = 1;
}

static int
run(size_t n, bool bulk)
{
    struct wd_memindex *m;
    if (wd_memindex_new(&m) != 0 || wd_memindex_reserve(m, n, n / 25) != 0)
        return 1;
    double t0 = now_s();
    if (bulk)
        wd_memindex_bulk_begin(m);
    for (size_t i = 0; i < n; i++) {
        uint64_t k = bench_mix(i);
        uint8_t id[16];
        story_id(i / 25, id);
        if (wd_memindex_put(m, (unsigned)(i % 4), &k, 8, id) != 0)
            return 1;
    }
    if (bulk && wd_memindex_bulk_end(m) != 0)
        return 1;
    double t1 = now_s();
    size_t found = 0, candidates = 0;
    for (size_t i = 0; i < n; i++) {
        /* Odd i: a key put above; even i: one never put. */
        size_t j = i / 2 * 2;
        uint64_t k = i & 1 ? bench_mix(j) : bench_mix(n * 3 + i);
        uint8_t got[16];
        bool hit =
            wd_memindex_get(m, (unsigned)(i & 1 ? j % 4 : 0), &k, 8, got) == 0;
        if (i & 1)
            found += hit;
        else
            candidates += hit;
    }
    double t2 = now_s();
    printf("%-9s %zu keys: put %.0f ns, get %.0f ns (%zu found; %zu keys "
           "never put answered, for a record check to refuse), %zu MB\n",
           bulk ? "bulk" : "one by one", n, (t1 - t0) / (double)n * 1e9,
           (t2 - t1) / (double)n * 1e9, found, candidates,
           wd_memindex_bytes(m) >> 20);
    wd_memindex_free(m);
    /* Every key put is found; about one absent key in 2^15 compared
     * entries is answered (memindex.h). */
    return found == n / 2 && candidates <= n / 2 / 1000 ? 0 : 1;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int
run_growing(size_t n)
{
    struct wd_memindex *m;
    if (wd_memindex_new(&m) != 0)
        return 1;
    size_t stories = n / 25, candidates = 0;
    double *t = malloc((stories ? stories : 1) * sizeof *t), total = 0;
    if (!t)
        return 1;
    for (size_t s = 0; s < stories; s++) {
        uint8_t id[16], got[16];
        story_id(s, id);
        double t0 = now_s();
        wd_memindex_begin(m);
        for (size_t i = s * 25; i < s * 25 + 25; i++) {
            uint64_t k = bench_mix(i);
            /* (A new key: rarely answered, as a candidate.) */
            candidates +=
                wd_memindex_get(m, (unsigned)(i % 4), &k, 8, got) == 0;
            if (wd_memindex_put(m, (unsigned)(i % 4), &k, 8, id) != 0)
                return 1;
        }
        wd_memindex_commit(m);
        t[s] = now_s() - t0;
        total += t[s];
    }
    size_t found = 0;
    for (size_t i = 0; i < n; i += 997) {
        uint64_t k = bench_mix(i);
        found += wd_memindex_get(m, (unsigned)(i % 4), &k, 8, NULL) == 0;
    }
    qsort(t, stories, sizeof *t, cmp_double);
    if (stories)
        printf("growing   %zu stories: a story's 25 gets and puts %.1f us "
               "(p50 %.1f, p99.9 %.1f, max %.1f us), %zu MB (%zu new keys "
               "answered)\n",
               stories, total / (double)stories * 1e6, t[stories / 2] * 1e6,
               t[stories - 1 - stories / 1000] * 1e6, t[stories - 1] * 1e6,
               wd_memindex_bytes(m) >> 20, candidates);
    free(t);
    wd_memindex_free(m);
    return found == (stories * 25 + 996) / 997 && candidates <= n / 1000 ? 0
                                                                         : 1;
}

int
main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 20000000;
    if (n < 2) {
        fprintf(stderr, "usage: memindex_bench [N]\n");
        return 2;
    }
    return run(n, true) || run(n, false) || run_growing(n);
}
