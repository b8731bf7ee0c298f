/* The functional core of the worker, end to end for one page: decode the
 * RawPage frame, check it, parse it into stories, drop the stories already
 * published, tag the new ones, encode them and hand each (channel, bytes)
 * pair to an emit callback. No sockets, no loop: the I/O shell (app.c)
 * supplies the frame and does the sending, and tests drive it directly.
 */
#ifndef WD_PIPELINE_H
#define WD_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wd/cluster.h"
#include "wd/dedup.h"
#include "wd/stats.h"
#include "wd/store.h"

struct wd_tagger;

#define WD_DEFAULT_MAX_PAGE (8u << 20)

struct wd_pipeline_config {
    size_t max_page_bytes;  /* larger RawPage frames are refused */
    struct wd_store *store; /* what was seen; borrowed, must outlive */
    struct wd_dedup_config dedup;
    /* The tagger, handed over (the pipeline frees it, also when its
     * creation fails); NULL: the pipeline loads the default data's. */
    struct wd_tagger *tagger;
    /* Called in the store's open batch after a page's stories were sent
     * (or, on a commit's retry, would have been) and before the commit
     * that remembers them, so that what it stages (the journal of the
     * messages sent) is committed with them; non-zero fails the commit.
     * NULL: nothing. */
    int (*before_commit)(void *ctx, struct wd_store *store);
    void *hook_ctx;
    /* Parse shards (0 = 1): the pages of one source (scraper and host)
     * always go to one shard, whose state (the boilerplate learned, the
     * page keys seen lately) only that shard's pages touch, so that the
     * shards parse in parallel, each in its pages' order. */
    unsigned shards;
    /* Events (cluster.h): each published story is grouped with the others
     * that report its event, its Article carries the event, and the event
     * goes out on "$events". */
    bool events_off;
    struct wd_cluster_config events;
};

struct wd_pipeline;

/* Called once per message to publish. The bytes are valid only during the
 * call. Returns 0 when the message was handed to the transport, non-zero
 * when it was dropped (the shell counts why). */
typedef int (*wd_emit_fn)(void *ctx, const char *channel, const uint8_t *buf,
                          size_t len);

/* What became of one page. */
struct wd_page_outcome {
    int rc;                /* 0, or the WD_E* code that refused the page */
    enum wd_reject reason; /* valid when rc != 0 */
    size_t items;          /* stories found */
    size_t published;      /* stories published */
    size_t sent;       /* of them, sent by this call (0 on a commit's retry) */
    size_t duplicates; /* stories dropped as already published */
    size_t upgrades;   /* stories published again in full */
    bool page_duplicate; /* the whole page was seen before */
    bool retry;          /* not done: process the page again later */
    bool contended;      /* ... because another worker was publishing one of its
                          * stories (or a near copy) right then; else because the
                          * store could not be reached */
    bool commit_failed;  /* ... because its stories were published but the
                          * commit that remembers them failed: the retry
                          * commits them without publishing them again */
    int store_rc;        /* the store's error then (WD_E* or -errno) */
    char last_title[160]; /* title of the last story published, cut */
    char url[256];        /* the page's URL, cut, for log lines */
    char source[64];      /* the RawPage's source, cut */
};

/* The answer to a page of the acknowledged ingest, once it is done:
 * "accepted", "duplicate" or "rejected:<reason>" (in buf, cap bytes, or a
 * constant). A page held for a retry is not done: it is not answered until
 * its stories are published and remembered. */
const char *wd_pipeline_answer(const struct wd_page_outcome *o, char *buf,
                               size_t cap);

/* Creates a pipeline counting into *stats (borrowed; must outlive it).
 * Returns 0, WD_EINVAL or WD_ENOMEM. */
int wd_pipeline_new(struct wd_pipeline **out,
                    const struct wd_pipeline_config *cfg,
                    struct wd_stats *stats);

/* Frees the pipeline; NULL is a no-op. */
void wd_pipeline_free(struct wd_pipeline *p);

/* A page in steps, so that the first ones can run on other threads:
 *
 *   pp = wd_prepared_get(p, frame, len, now)     the shell's thread: copies
 *   wd_pipeline_parse(p, pp)                     per shard
 *                                                (wd_prepared_shard), one
 *                                                thread at a time, in
 *                                                arrival order: decode,
 *                                                check, parse, learn
 *   wd_pipeline_fingerprint(pp)                  any thread, once parse is
 *                                                done, in any order: the
 *                                                stories' fingerprints
 *   wd_pipeline_finish(p, pp, emit, ctx, &out)   the store's thread: count,
 *                                                decide, tag, encode, claim,
 *                                                emit, commit
 *   wd_prepared_put(p, pp)                       the shell's thread
 *
 * parse touches only the page and its shard's learned boilerplate and
 * page keys (which is why parses of one shard must not overlap; the shell
 * runs each shard's one after the other);
 * fingerprint touches only the page; finish owns the store, the tagger and
 * the counters. wd_pipeline_prepare() is parse then fingerprint. A finish
 * that says out->retry may be called again on the same page later: it is
 * decided again but counted once (and was learned from once). NULL from
 * get: no memory. */
struct wd_prepared;

struct wd_prepared *wd_prepared_get(struct wd_pipeline *p, const uint8_t *frame,
                                    size_t len, int64_t now_ms);
/* The page's parse shard, < the configured shards. */
unsigned wd_prepared_shard(const struct wd_prepared *pp);
/* Returns whether wd_pipeline_fingerprint() has work to do on the page. */
bool wd_pipeline_parse(struct wd_pipeline *p, struct wd_prepared *pp);
void wd_pipeline_fingerprint(struct wd_prepared *pp);
void wd_pipeline_prepare(struct wd_pipeline *p, struct wd_prepared *pp);
void wd_pipeline_finish(struct wd_pipeline *p, struct wd_prepared *pp,
                        wd_emit_fn emit, void *ctx,
                        struct wd_page_outcome *out);
void wd_prepared_put(struct wd_pipeline *p, struct wd_prepared *pp);

/* Processes one single-frame RawPage message: the four steps above in a
 * row. Never fails as a whole: a bad page is counted by reason and
 * described in *out. */
void wd_pipeline_page(struct wd_pipeline *p, const uint8_t *frame, size_t len,
                      int64_t now_ms, wd_emit_fn emit, void *ctx,
                      struct wd_page_outcome *out);

/* Counts a message refused before decoding (e.g. a multi-frame message). */
void wd_pipeline_refuse(struct wd_pipeline *p, enum wd_reject reason,
                        size_t bytes, struct wd_page_outcome *out);

/* Puts tagger t in force for the pages to come and returns the one it
 * replaces, for the caller to free. */
struct wd_tagger *wd_pipeline_swap_tagger(struct wd_pipeline *p,
                                          struct wd_tagger *t);

/* False after the store failed to remember a page (e.g. it is full),
 * until a commit succeeds again. */
bool wd_pipeline_store_ok(const struct wd_pipeline *p);

/* Stories held in the dedup memory. */
uint64_t wd_pipeline_dedup_count(struct wd_pipeline *p);

/* The n busiest live events into out[0..n); returns how many (0 when
 * events are off). */
size_t wd_pipeline_busiest_events(const struct wd_pipeline *p,
                                  struct wd_cluster_event *out, size_t n);

/* The clusterer (NULL when events are off), for its state to be saved at
 * a clean stop and restored at the next start. */
struct wd_cluster *wd_pipeline_cluster(struct wd_pipeline *p);

/* Live events and the bytes the clusterer holds (0 when off). */
void wd_pipeline_events_usage(const struct wd_pipeline *p, size_t *events,
                              size_t *bytes);

/* See wd_dedup_republish(). */
void wd_pipeline_republish(struct wd_pipeline *p, int64_t from_ms,
                           int64_t to_ms);

#endif
