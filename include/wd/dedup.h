/* Deduplication decisions over the store: is this page, this story, new?
 *
 * Per page, inside one store batch:
 *   1. page level: a page whose stories (title and text, volatile lines set
 *      aside by the parser) were all processed before is dropped at once;
 *   2. story level, by the stable id (normalised title + lead): the same
 *      text is an exact duplicate; a full text of a story published only as
 *      a teaser is an upgrade (revision + 1, same id); any other version is
 *      a near duplicate (a longer revision is never replaced by a shorter);
 *   3. exact: the same normalised title and text, or the same URL;
 *   4. near: by default MinHash with LSH banding: a point look-up of
 *      every other band (dupindex.h), each story named compared in full
 *      with its record, a near copy when at least WD_NEAR_MIN_BANDS of its
 *      WD_MH_BANDS bands match (constant cost whatever the number of
 *      stories); or, for comparison,
 *      a SimHash within WD_NEAR_BITS bits of a stored one, found through
 *      banded tables (5 blocks of the 64 bits, one table per pair of
 *      blocks: 3 differing bits leave at least 2 blocks equal; ~N/2^26
 *      candidates per table). bench/dedup_eval measures both;
 *   5. by lead (the body's first 16-64 words, whatever the headline): a
 *      teaser whose visible words open a remembered story is a near
 *      duplicate of it; a full text that opens the way a remembered
 *      teaser reads in full is that teaser's upgrade (published under the
 *      teaser's id). This makes the decision independent of the order in
 *      which a teaser, its full text and a re-post under another headline
 *      arrive;
 *   6. otherwise new.
 * Decisions stage their writes in the batch; wd_dedup_commit() makes them
 * durable. The caller publishes between decide and commit: a crash before
 * the commit re-publishes those stories (same id, same revision) rather
 * than losing them. What the decisions leave in the store (the story record,
 * the keys that find it, the age index that retention reads) is laid out by
 * dupindex.h.
 */
#ifndef WD_DEDUP_H
#define WD_DEDUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wd/fingerprint.h"
#include "wd/store.h"

#define WD_NEAR_BITS 3
#define WD_NEAR_MIN_BANDS 2
/* Texts with fewer shingles are matched exactly only: their near-copy
 * signal is noise. */
#define WD_NEAR_MIN_SHINGLES 8

enum wd_near_method {
    WD_NEAR_MINHASH = 0,
    WD_NEAR_SIMHASH = 1,
};

enum wd_dup {
    WD_DUP_NEW,     /* publish, revision 1 */
    WD_DUP_UPGRADE, /* publish again, same id, next revision */
    WD_DUP_EXACT,   /* already published */
    WD_DUP_NEAR,    /* a version of a published story */
    /* Published just before the worker died, perhaps never sent: publish
     * again with the same id and revision (see wd_dedup_republish()). */
    WD_DUP_REPUBLISH,
};

/* What kind of new version a republished story is (Article.change). */
enum wd_change {
    WD_CHANGE_NONE = 0,
    WD_CHANGE_UPGRADE = 1,    /* a teaser's full text */
    WD_CHANGE_CORRECTION = 2, /* "CORRECTED - ...", "Correction:" */
    WD_CHANGE_UPDATE = 3,     /* "UPDATE 2-...", "(Updated)", "REFILE-" */
};

/* The kind of change a headline announces ("CORRECTED - COFAB BUYS ...",
 * "UPDATE 2-Oil rises", "Oil rises (Updated)"), WD_CHANGE_NONE when it
 * announces none. */
enum wd_change wd_dedup_marker(const char *title, size_t n);

/* The name of a change kind: "", "upgrade", "correction", "update". */
const char *wd_change_name(enum wd_change c);

/* Facts of two versions of one story agree at least this much (the share
 * of the smaller set's fact bits found in the other): a copy-edit keeps
 * most figures and names, two items of one template share few. */
#define WD_FACTS_MIN_SHARED 0.8

/* What dedup knows of one story. */
struct wd_story_fp {
    uint8_t id[16];       /* binary story id */
    uint64_t content_key; /* wd_fp_content_key() */
    uint64_t simhash;
    uint64_t url_key;            /* 0 when the story has no URL of its own */
    uint64_t bands[WD_MH_BANDS]; /* wd_fp_minhash_bands() */
    size_t shingles;             /* its return value */
    uint32_t body_len;
    bool teaser;                   /* a cut teaser, not the full text */
    uint64_t leads[WD_FP_LEADS];   /* wd_fp_story()'s lead keys */
    uint32_t sketch[WD_FP_SKETCH]; /* and its lead sketch */
    uint32_t words;                /* of the body */
    struct wd_fp_facts facts;      /* its figures and names */
    uint8_t marker;                /* enum wd_change its headline announces */
    uint8_t change;                /* set by wd_dedup_decide() */
    /* Why a story was dropped (set by wd_dedup_decide() for EXACT and
     * NEAR): the story it copies (zeros: unknown), how similar (1 for an
     * exact copy; the share of MinHash bands, or of lead windows, found)
     * and by what (enum wd_dedup_reason). */
    uint8_t matched[16];
    float similarity;
    uint8_t reason;
};

enum wd_dedup_reason {
    WD_REASON_NONE = 0,
    WD_REASON_SAME_STORY, /* same id (headline and lead), same text */
    WD_REASON_SAME_ID,    /* same id, another version, no correction */
    WD_REASON_CONTENT,    /* the same text under another id */
    WD_REASON_URL,        /* the same URL */
    WD_REASON_BANDS,      /* near copy: MinHash bands, facts agreeing */
    WD_REASON_LEAD,       /* near copy: a teaser of a remembered story */
    WD_REASON_PAGE,       /* the whole page was seen */
};

/* The label of a reason: "same_story", "same_id", "content", "url",
 * "bands", "lead", "page". */
const char *wd_dedup_reason_name(enum wd_dedup_reason r);

/* What dedup needs of a story, from its fingerprints (wd_fp_story()), the
 * key of its own URL (0: none), its body's length and whether it is a cut
 * teaser. */
void wd_dedup_fp_make(struct wd_story_fp *fp, const struct wd_fp_story *f,
                      uint64_t url_key, size_t body_len, bool teaser);

struct wd_dedup_config {
    uint64_t max_stories; /* retention by count */
    int64_t max_age_ms;   /* retention by age */
    enum wd_near_method near;
};

#define WD_DEFAULT_MAX_STORIES 10000000ULL
#define WD_DEFAULT_MAX_AGE_MS (30LL * 86400 * 1000)

struct wd_dedup;

/* Uses store (borrowed; it must outlive the dedup). A store that keeps
 * its look-ups in memory (LMDB) has them rebuilt from its records here, the
 * first time. Returns 0, WD_ENOMEM or the store's error. */
int wd_dedup_open(struct wd_dedup **out, struct wd_store *store,
                  const struct wd_dedup_config *cfg);

void wd_dedup_close(struct wd_dedup *d);

/* Starts the batch of one page. */
int wd_dedup_begin(struct wd_dedup *d);

/* Reads at once everything deciding a page will read first (the page key,
 * and each story's id, content, URL, lead and band keys), for a store
 * across the network (one round trip instead of one per key; see the
 * store's prefetch). Inside the batch, before wd_dedup_page_seen and
 * wd_dedup_decide. Returns 0 or the store's error (the batch failed:
 * wd_dedup_failed). A store without prefetch: nothing, 0. */
int wd_dedup_prefetch(struct wd_dedup *d, uint64_t page_key,
                      const struct wd_story_fp *fps, size_t n);

/* True when page_key (non-zero) was processed before. */
bool wd_dedup_page_seen(struct wd_dedup *d, uint64_t page_key);

/* The first error the store gave in this batch (since wd_dedup_begin), 0
 * when none. A lookup that failed reads as "not seen", so after an error
 * no decision of the batch may be published or committed: abort it and
 * try the page again. */
int wd_dedup_failed(const struct wd_dedup *d);

/* Decides one story and stages what must be remembered of it. For NEW and
 * UPGRADE, *revision is the revision to publish. An UPGRADE found by lead
 * replaces fp->id with the id of the story it upgrades: publish under it. */
enum wd_dup wd_dedup_decide(struct wd_dedup *d, struct wd_story_fp *fp,
                            int64_t now_ms, uint32_t *revision);

/* Remembers the page (page_key 0: none), forgets what is past retention,
 * and commits the batch. Returns 0 or the store's error (the batch is then
 * lost: its stories may be published again, never lost). */
int wd_dedup_commit(struct wd_dedup *d, uint64_t page_key, int64_t now_ms);

/* A story decided new or upgraded, to be claimed. */
struct wd_dedup_claim_req {
    const struct wd_story_fp *fp;
    uint32_t revision;
    bool is_new;
};

/* Claims a page's stories decided new or upgraded, before they are
 * published, against the other workers of a shared store (all at once:
 * one round trip): each one's id and revision, and for a new story its
 * lead windows and MinHash bands (so that a near copy being published by
 * another worker at the same moment is caught too). 0: publish them;
 * WD_EBUSY: another worker is publishing one of them or a near copy now,
 * try the page again shortly (abort the batch: the claims granted are
 * given back); another error: the store cannot say. WD_ENOMEM: no memory
 * to ask. */
int wd_dedup_claim_many(struct wd_dedup *d, const struct wd_dedup_claim_req *q,
                        size_t n);

/* After a crash, what was published in [from_ms, to_ms) may have been in
 * the dead process's socket queue, never sent: a page seen in that window
 * is decided again, and a story last published in it is WD_DUP_REPUBLISH
 * (its revision in *revision) instead of a duplicate, so that a client
 * resending an unanswered page gets its stories out. to_ms <= from_ms: off
 * (the default). */
void wd_dedup_republish(struct wd_dedup *d, int64_t from_ms, int64_t to_ms);

/* Drops the batch. */
void wd_dedup_abort(struct wd_dedup *d);

/* Stories remembered; evictions so far. */
uint64_t wd_dedup_stories(struct wd_dedup *d);
uint64_t wd_dedup_evicted(const struct wd_dedup *d);

/* Parses 32 hex digits into 16 bytes; returns false on bad input. */
bool wd_dedup_id_from_hex(const char *hex, uint8_t id[16]);

/* Writes 16 bytes as 32 lower-case hex digits and a NUL. */
void wd_dedup_id_to_hex(const uint8_t id[16], char hex[WD_ID_LEN + 1]);

#endif
