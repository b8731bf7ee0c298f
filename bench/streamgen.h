/* A generator of realistic scraped-page streams with known truth, for the
 * dedup evaluation: stories told first as listing teasers and later in
 * full, the same story on several listing pages, re-fetches whose tickers,
 * dates and counters moved, copy-edited re-posts, and pages of two
 * differently laid-out sites. Words come from a corpus text (the seeds), so
 * stories read like the real thing to the shingle-based detectors. */
#ifndef WD_BENCH_STREAMGEN_H
#define WD_BENCH_STREAMGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SG_MAX_ITEMS 8

enum sg_kind { SG_TEASER, SG_FULL, SG_EDIT };

struct sg_item {
    int story;           /* truth: which story */
    enum sg_kind kind;   /* how it appears */
    bool expect_publish; /* truth: new, or the upgrade of a teaser */
    char title[300];     /* as written on the page */
};

struct sg_page {
    char *text; /* malloc'd page text; freed by the next sg_next */
    size_t len;
    char url[128];
    int n_items;
    struct sg_item items[SG_MAX_ITEMS];
    bool refetch; /* a re-fetch of an earlier page */
};

struct sg;

/* Creates a generator seeded with seed, drawing words from corpus. */
struct sg *sg_new(uint64_t seed, const char *corpus, size_t len);
void sg_free(struct sg *g);

/* The share of pages that are re-fetches of an earlier page, in percent
 * (default 15). */
void sg_set_refetch(struct sg *g, int percent);

/* Generates the next page into *out. */
void sg_next(struct sg *g, struct sg_page *out);

/* Distinct stories so far, and how many were seen as teaser first and
 * then in full (each expects exactly one upgrade). */
int sg_stories(const struct sg *g);
int sg_upgrades(const struct sg *g);

#endif
