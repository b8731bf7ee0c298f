/* What the dedup remembers in the store, and the keys that find it.
 *
 * The dedup (dedup.h) decides; this module lays out what its decisions
 * leave in the store, so that the layout is written down in one place and
 * the decisions read as decisions:
 *
 * - the story record (WD_NS_STORY, by 16-byte story id), struct
 *   wd_story_rec: a fixed layout that grew twice by appending fields, so a
 *   record of an older version reads with the new fields 0;
 * - the index entries that find a story: its content key, URL key and lead
 *   keys (WD_NS_CONTENT, WD_NS_URL, WD_NS_LEAD, each naming the story id),
 *   and its near-copy bands (WD_NS_BAND): MinHash band keys, each naming
 *   the story (those the look-ups hold: WD_DUPINDEX_LAYOUT below), or, for
 *   SimHash, one entry in each of
 *   WD_DUPINDEX_SH_PAIRS banded tables (5 blocks of the 64 bits, one table
 *   per pair of blocks: 3 differing bits leave at least 2 blocks equal)
 *   holding the full hash;
 * - the time-ordered age index (WD_NS_AGE: ms big-endian, a kind byte, the
 *   story id or page key), read oldest first to forget what is past the
 *   retention window or beyond the count limit, a bounded number of entries
 *   per commit.
 *
 * Writes are staged in the store's batch. The dedup makes its reads itself
 * (a failed one fails its batch): the one scan made here returns the
 * store's answer for it to note, and eviction reads records through the
 * dedup's reader.
 */
#ifndef WD_DUPINDEX_H
#define WD_DUPINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wd/fingerprint.h"
#include "wd/store.h"

/* How a record's near-copy keys were written (its near_indexed): 1 + the
 * dedup's enum wd_near_method, 0 for none (too few shingles). */
enum wd_dupindex_near {
    WD_DUPINDEX_NEAR_NONE = 0,
    WD_DUPINDEX_NEAR_MINHASH = 1,
    WD_DUPINDEX_NEAR_SIMHASH = 2,
};

/* A story record as stored: fixed layout, little-endian host order (the
 * store is local to one machine; a shared backend encodes its own). */
struct wd_story_rec {
    uint64_t content_key;
    uint64_t teaser_content_key; /* after an upgrade: the teaser's, or 0 */
    uint64_t simhash;
    uint64_t url_key;
    int64_t first_ms;
    uint32_t body_len;
    uint8_t revision;
    uint8_t teaser;
    uint8_t near_indexed; /* enum wd_dupindex_near */
    uint8_t pad;
    uint64_t bands[WD_MH_BANDS]; /* MinHash bands, for eviction */
    /* Since the lead keys (older records end before them and read as 0): */
    uint64_t leads[WD_FP_LEADS];        /* the lead keys indexed */
    uint64_t teaser_leads[WD_FP_LEADS]; /* after an upgrade: the teaser's */
    uint32_t sketch[WD_FP_SKETCH];      /* the lead's, 0s: none */
    int64_t last_ms; /* last published (new or upgrade); 0: unknown */
    /* Since the facts (older records end before them and read as 0s: no
     * facts known, never a veto): */
    uint64_t facts[4];
};

/* True when a stored value of vlen bytes is a record of some version (read
 * into a zeroed struct wd_story_rec, the fields it lacks are 0). */
bool wd_dupindex_rec_known(size_t vlen);

/* Stages rec as the record of story id (its index entries unchanged). */
int wd_dupindex_put_rec(struct wd_store *s, const uint8_t id[16],
                        const struct wd_story_rec *rec);

/* Which of a record's keys the look-ups hold: its content and URL keys,
 * its first WD_DUPINDEX_LEADS lead windows and every
 * WD_DUPINDEX_BAND_STEP-th MinHash band (0, 2, 4 ...): 14 keys a story,
 * not 26. The record keeps every window and band, so a story one of them
 * finds is then compared with the new one in full (dedup.c): a look-up
 * names candidates, the record decides. Half the bands find a near copy
 * that shares at least two of all sixteen unless every band it shares is
 * an odd one: of the pairs the sixteen would find, 3 in 1000 missed at a
 * Jaccard similarity of 0.8, 3 in 100 at 0.7, 9 in 100 at 0.6
 * (bench/RESULTS.md measures it). The four windows are a lead's first 32
 * words, all a teaser of 300 characters shows.
 * WD_DUPINDEX_LAYOUT numbers this choice: a kept copy of look-ups made
 * under another (store_lmdb.c's dump) is not used. */
#define WD_DUPINDEX_LEADS 4
#define WD_DUPINDEX_BAND_STEP 2
#define WD_DUPINDEX_LAYOUT 2 /* 1: every lead window and band */

/* Bands of a record's MinHash equal to bands (its near-copy keys were
 * written as MinHash; else 0). */
int wd_dupindex_bands_shared(const struct wd_story_rec *r,
                             const uint64_t bands[WD_MH_BANDS]);

/* Stages the keys that find a story: content, URL, leads, bands (those
 * the look-ups hold, above). */
int wd_dupindex_index(struct wd_store *s, const uint8_t id[16],
                      const struct wd_story_rec *r);

/* Stages the removal of a record's near-copy bands (before an upgrade
 * indexes the full text's): all of them, as an older layout indexed them. */
void wd_dupindex_unindex_near(struct wd_store *s, const struct wd_story_rec *r);

/* Stages a new story: its record, its age entry (now_ms) and its index.
 * Returns 0 or the first error of the store. */
int wd_dupindex_add(struct wd_store *s, const uint8_t id[16],
                    const struct wd_story_rec *r, int64_t now_ms);

/* Stages a page (its first-seen ms, the value wd_dedup_page_seen reads)
 * and its age entry. Returns 0 or the first error of the store. */
int wd_dupindex_add_page(struct wd_store *s, uint64_t page_key, int64_t now_ms);

/* The key of MinHash band b (its WD_NS_BAND entry names the story). */
#define WD_DUPINDEX_MH_KEY_LEN 9
void wd_dupindex_mh_key(int b, uint64_t band,
                        uint8_t key[WD_DUPINDEX_MH_KEY_LEN]);

/* True when record r holds key (klen bytes) of namespace ns: its
 * content, URL and lead keys, the teaser's content and lead keys kept by
 * an upgrade, and its MinHash band keys (every one, indexed or not). The
 * check of a look-up that may name the wrong story
 * (wd_store_ops.confirm_lookups), and of a lead window shared. */
bool wd_dupindex_rec_holds(const struct wd_story_rec *r, enum wd_store_ns ns,
                           const void *key, size_t klen);

/* Looks in SimHash band table p (0 .. WD_DUPINDEX_SH_PAIRS - 1) for a
 * story whose SimHash is within max_bits bits of sh; sets *found when
 * there is one. Returns the store's answer to the scan. */
#define WD_DUPINDEX_SH_PAIRS 10
int wd_dupindex_sh_near(struct wd_store *s, uint64_t sh, int p, int max_bits,
                        bool *found);

/* Fills the look-up namespaces of a store that keeps them in memory (its
 * rebuild op; LMDB) from its story and page records: the keys of every
 * story (also those an upgrade kept of its teaser) and the age entries of
 * stories and pages. Where two stories share a key, the one read last
 * (in id order) is named; before a restart it was the one written last.
 * Returns 0 or the store's error (WD_ENOMEM: a full memory). */
int wd_dupindex_rebuild(struct wd_store *s);

/* Reads the record of story id into rec; false when there is none. */
typedef bool (*wd_dupindex_read_fn)(void *ctx, const uint8_t id[16],
                                    struct wd_story_rec *rec);

/* Forgets, oldest first, what is past the retention window (older than
 * cutoff_ms) or beyond the count limit (the oldest stories over
 * max_stories): at most 64 entries a call (one call a commit), so a
 * commit's cost stays bounded while eviction keeps pace with insertion. A
 * story's index entries go with it when read gives its record. Returns the
 * number of entries forgotten. */
uint64_t wd_dupindex_evict(struct wd_store *s, int64_t cutoff_ms,
                           uint64_t max_stories, wd_dupindex_read_fn read,
                           void *ctx);

#endif
