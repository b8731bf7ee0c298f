/* The dedup's look-up tables in memory: point look-ups from a short key to
 * a 16-byte story id, and an ordered list of age keys.
 *
 * Why: in LMDB every index entry of a new story (then 16 MinHash bands, 8
 * lead windows, content, URL, age: about 27 keys; 15 since dupindex.h's
 * layout 2) dirtied a B-tree leaf of its own, which the commit wrote with
 * pwrite; that was most of the worker's
 * CPU. Held here, the entries cost a hash-table slot each, and the store
 * writes about one record per story. They are rebuilt from the records
 * when the store opens (store_lmdb.c), so nothing here is ever written to
 * disk and a crash cannot leave the tables and the records apart.
 *
 * Layout: one open-addressing table (linear probing, backward-shift
 * deletion) of 8-byte entries: the top 40 bits of the key's hash (XXH3 of
 * the key, seeded by the table number) and a 24-bit story slot; a slot
 * table of story ids, each counted by the entries that name it and freed
 * when none does; the age keys in an array sorted by time (they arrive in
 * time order, so inserts append and the oldest, forgotten first, leave
 * from the head). 8 bytes a key at a load of at most 0.8 (12 before: a
 * 64-bit hash and a 32-bit slot in two arrays), 32 bytes a story (its id,
 * count, free-list place and record number), 25 bytes an age key. A full table
 * grows a little at each change that follows (both tables serve meanwhile), not
 * all at once, so that no single page waits for millions of entries to
 * move.
 *
 * Batches: between wd_memindex_begin() and wd_memindex_commit() every
 * change is logged so that wd_memindex_abort() can undo it, as the store's
 * batch is undone. Outside a batch nothing is logged (the rebuild).
 *
 * A key is the top 40 bits of its hash: two keys with those bits equal are
 * one, and a look-up may name a story that does not hold the key. The
 * entries of one probe run share most of their home's bits, so about one
 * compared entry in 2^15 answers for another key; at 25M keys about 300
 * keys are shadowed by another one's entry. So a hit is a candidate: the
 * dedup confirms it against the story's record, which holds every key it
 * is found by (wd_dupindex_rec_holds), at the cost of one record read per
 * story a look-up names. A shadowed key is a key forgotten, never a wrong
 * decision.
 */
#ifndef WD_MEMINDEX_H
#define WD_MEMINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wd/dump.h"

struct wd_memindex;

#define WD_MEMINDEX_KEY_MAX 16
/* Stories named at once, at most (24-bit slots). */
#define WD_MEMINDEX_STORIES_MAX ((1u << 24) - 2)
#define WD_MEMINDEX_AGE_LEN 25

/* Returns 0 or WD_ENOMEM. */
int wd_memindex_new(struct wd_memindex **out);
void wd_memindex_free(struct wd_memindex *m);

/* Starts logging changes; commit forgets the log, abort undoes it. */
void wd_memindex_begin(struct wd_memindex *m);
void wd_memindex_commit(struct wd_memindex *m);
void wd_memindex_abort(struct wd_memindex *m);

/* A bulk load (the rebuild from the records, outside a batch): between
 * begin and end only wd_memindex_put, wd_memindex_record_set and the age
 * functions may be called; a put's key may be written as late as the end, which
 * returns 0 or the first error of those late writes (WD_ENOMEM). Puts then cost
 * about one cache miss less each: the next ones' entries are prefetched
 * meanwhile. */
void wd_memindex_bulk_begin(struct wd_memindex *m);
int wd_memindex_bulk_end(struct wd_memindex *m);

/* The id that key (klen <= WD_MEMINDEX_KEY_MAX) of table names: 0, or
 * WD_ENOTFOUND. A candidate: see "A key" above. */
int wd_memindex_get(const struct wd_memindex *m, unsigned table,
                    const void *key, size_t klen, uint8_t id[16]);

/* wd_memindex_get() for the n keys of table in keys (klen bytes each, one
 * after the other): ids[i * stride] gets the id of key i when rcs[i] is 0
 * (else WD_ENOTFOUND). Each key's entries are fetched before the first is
 * read, so that the cache misses of a story's look-ups overlap instead of
 * following one another. */
void wd_memindex_get_many(const struct wd_memindex *m, unsigned table,
                          const uint8_t *keys, size_t klen, size_t n,
                          uint8_t *ids, size_t stride, int *rcs);

/* Makes key of table name id (replacing what it named). 0 or WD_ENOMEM
 * (nothing changed). */
int wd_memindex_put(struct wd_memindex *m, unsigned table, const void *key,
                    size_t klen, const uint8_t id[16]);
void wd_memindex_del(struct wd_memindex *m, unsigned table, const void *key,
                     size_t klen);
/* The number under which the store keeps story id's record (store_lmdb.c:
 * records keyed by that number, in the order they came, so that a new
 * story's record is appended), 0 when id has none. Set rec 0 to forget
 * it. A record number counts as a name of the story, as a key does; it is
 * logged and undone as keys are, may be set during a bulk load, and is
 * dumped. 0 or WD_ENOMEM. */
int wd_memindex_record_set(struct wd_memindex *m, const uint8_t id[16],
                           uint64_t rec);
uint64_t wd_memindex_record(const struct wd_memindex *m, const uint8_t id[16]);

/* Keys of table (as put, less deleted). */
uint64_t wd_memindex_count(const struct wd_memindex *m, unsigned table);

/* The age list: keys of WD_MEMINDEX_AGE_LEN bytes whose first 8 bytes are
 * a big-endian time, in time order, and in the order they were put within
 * one time. A key is put once (a second put would list it twice). 0 or
 * WD_ENOMEM. */
int wd_memindex_age_put(struct wd_memindex *m,
                        const uint8_t key[WD_MEMINDEX_AGE_LEN]);
void wd_memindex_age_del(struct wd_memindex *m,
                         const uint8_t key[WD_MEMINDEX_AGE_LEN]);
size_t wd_memindex_age_count(const struct wd_memindex *m);
/* The i-th oldest key, i < wd_memindex_age_count(); valid until the next
 * change. */
const uint8_t *wd_memindex_age_at(const struct wd_memindex *m, size_t i);

/* Story ids some key names. */
size_t wd_memindex_ids(const struct wd_memindex *m);

/* Bytes of memory the index holds. */
size_t wd_memindex_bytes(const struct wd_memindex *m);

/* Makes room for n keys (an upper bound) and stories stories (and a third
 * more) at once, before a rebuild, so that the tables do not grow step by
 * step. 0 or WD_ENOMEM. */
int wd_memindex_reserve(struct wd_memindex *m, size_t n, size_t stories);

/* The index as a byte stream, to be read back by wd_memindex_restore
 * (same machine: host byte order): a header with tag (the caller's, e.g.
 * the store's transaction number the index matches), the arrays, and a
 * checksum. write returns 0 or an error, which dump returns. Outside a
 * batch; a growth still under way is finished first. */
int wd_memindex_dump(struct wd_memindex *m, uint64_t tag,
                     wd_dump_write_fn write, void *ctx);

/* Fills an empty index from a dump of size bytes whose tag is tag. read
 * fills buf with exactly len bytes or returns an error. Returns 0;
 * WD_EPARSE (another tag, not a dump, a size other than its header says,
 * or a checksum that does not match: the index is left empty); WD_ENOMEM;
 * or read's error. */
int wd_memindex_restore(struct wd_memindex *m, uint64_t tag, uint64_t size,
                        wd_dump_read_fn read, void *ctx);

#endif
