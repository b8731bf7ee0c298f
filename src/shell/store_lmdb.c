/* The embedded store: LMDB, one environment under the state directory, one
 * named database per namespace.
 *
 * Why LMDB: a B+tree in a memory map with copy-on-write pages. Readers cost
 * nothing, a committed transaction is never half-applied, the file opens
 * in constant time whatever its size (no log to replay), and resident
 * memory is the kernel's page cache, not the worker's heap.
 *
 * Durability: the environment is opened with MDB_NOSYNC. A commit writes
 * its pages with write(2) before it returns, so it survives a crash of the
 * process (kill -9) at once; fsync happens in wd_store_sync(), which the
 * worker calls every second, so a crash of the machine loses at most the
 * last second of memory (and re-publishes those stories: never loses one).
 *
 * What is on disk: one record per story, one per page, the journal. The
 * look-up keys that find a story (content, URL, lead windows, MinHash
 * bands) and the age index are held in memory (memindex.h) and rebuilt
 * from the records when the store opens (the rebuild op): a new story
 * writes one B-tree leaf instead of about 27, which was most of the
 * worker's CPU (bench/RESULTS.md, "a store of records"). The records are
 * keyed by a number given in the order they came, then the story id
 * (rec_key), so that new records are appended; the number of each id is
 * held in memory with the look-ups (wd_memindex_record), so a record is
 * found by its id once they are rebuilt or read back. The memory batch
 * follows the LMDB transaction: undone on abort and on a failed commit.
 *
 * Format: the "meta" database holds "format" = FORMAT. Format 2 kept the
 * records in "story", keyed by id: at open they are moved into "records"
 * and numbered, in steps (move_old_records). A directory without a format
 * holds the layout before it (index namespaces on disk, records in
 * "story"): its records move the same way, and its index namespaces are
 * emptied in the transaction that drops "story" and writes the format. A
 * later format is refused (WD_EFORMAT) and not touched.
 */
#include "wd/store.h"

#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wd/err.h"
#include "wd/memindex.h"
#include "wd/statedir.h"
#include "wd/text.h"

static const char *const ns_names[WD_NS__COUNT] = {
    "records", "content", "url", "page", "band", "age", "lead", "journal"};

/* 1 (no "format"): the look-up tables on disk; 2: the story records in
 * "story", keyed by id; 3: in "records", keyed by record number and id. */
#define FORMAT "3"
#define OLD_FORMAT "2" /* the records in OLD_RECORDS, keyed by id */
#define OLD_RECORDS "story"
#define REC_KEY_LEN 24 /* a record's key: its number (big-endian), its id */
#define INDEX_DUMP "index.dump" /* the index at a clean close */
#define MH_KEY_LEN 9 /* WD_DUPINDEX_MH_KEY_LEN: a MinHash band's key */

struct lmdb_store {
    MDB_env *env;
    MDB_dbi dbi[WD_NS__COUNT], meta;
    MDB_txn *txn; /* the open batch, or NULL */
    struct wd_memindex *mem;
    bool rebuilt, rebuilding;
    uint32_t layout;   /* the look-ups' (s_rebuild's): a dump's tag holds it */
    uint64_t last_rec; /* the highest record number given */
    char dir[4200];    /* the LMDB directory, which holds INDEX_DUMP too */
};

enum where { ON_DISK, IN_MEMORY, AGES };

static enum where
where_of(enum wd_store_ns ns, size_t klen)
{
    switch (ns) {
    case WD_NS_CONTENT:
    case WD_NS_URL:
    case WD_NS_LEAD:
        return IN_MEMORY;
    case WD_NS_BAND:
        return klen == MH_KEY_LEN ? IN_MEMORY : ON_DISK;
    case WD_NS_AGE:
        return AGES;
    default:
        return ON_DISK;
    }
}

static int
err_of(int rc)
{
    switch (rc) {
    case MDB_SUCCESS:
        return 0;
    case MDB_NOTFOUND:
        return WD_ENOTFOUND;
    case MDB_MAP_FULL:
        return WD_EFULL;
    default:
        return rc > 0 ? -rc : WD_EINVAL;
    }
}

static int
s_begin(void *impl)
{
    struct lmdb_store *s = impl;
    if (s->txn)
        return WD_EBUSY;
    int rc = err_of(mdb_txn_begin(s->env, NULL, 0, &s->txn));
    if (rc == 0)
        wd_memindex_begin(s->mem);
    return rc;
}

static int
s_commit(void *impl)
{
    struct lmdb_store *s = impl;
    if (!s->txn)
        return WD_EINVAL;
    int rc = mdb_txn_commit(s->txn);
    s->txn = NULL;
    if (rc == 0)
        wd_memindex_commit(s->mem);
    else
        wd_memindex_abort(s->mem);
    return err_of(rc);
}

static void
s_abort(void *impl)
{
    struct lmdb_store *s = impl;
    if (s->txn) {
        mdb_txn_abort(s->txn);
        wd_memindex_abort(s->mem);
    }
    s->txn = NULL;
}

/* A story record's key: its number, then its id. The numbers grow in the
 * order the records came, so a new story's record is appended to the
 * rightmost leaf instead of dirtying a leaf and its branch at a random
 * place (its id is a hash): a commit writes a few pages instead of about
 * 25 (bench/RESULTS.md). The number of an id is in memory
 * (wd_memindex_record), read back with the look-ups. */
static void
rec_key(uint64_t n, const uint8_t id[16], uint8_t key[REC_KEY_LEN])
{
    for (int i = 0; i < 8; i++)
        key[i] = (uint8_t)(n >> (56 - 8 * i));
    memcpy(key + 8, id, 16);
}

static uint64_t
rec_number(const uint8_t key[REC_KEY_LEN])
{
    uint64_t n = 0;
    for (int i = 0; i < 8; i++)
        n = n << 8 | key[i];
    return n;
}

/* The LMDB key of a record by id (klen 16): false when it has none. Keys
 * of other namespaces stay as they are. */
static bool
disk_key(struct lmdb_store *s, enum wd_store_ns ns, MDB_val *k,
         uint8_t buf[REC_KEY_LEN])
{
    if (ns != WD_NS_STORY)
        return true;
    uint64_t n = k->mv_size == 16 ? wd_memindex_record(s->mem, k->mv_data) : 0;
    if (!n)
        return false;
    rec_key(n, k->mv_data, buf);
    *k = (MDB_val){REC_KEY_LEN, buf};
    return true;
}

static int
s_get(void *impl, enum wd_store_ns ns, const void *key, size_t klen, void *val,
      size_t *vlen)
{
    struct lmdb_store *s = impl;
    if (!s->txn)
        return WD_EINVAL;
    enum where w = where_of(ns, klen);
    if (w != ON_DISK) {
        uint8_t id[16];
        int rc =
            w == AGES ? WD_EINVAL : wd_memindex_get(s->mem, ns, key, klen, id);
        if (rc)
            return rc;
        if (val && vlen)
            memcpy(val, id, *vlen < 16 ? *vlen : 16);
        if (vlen)
            *vlen = 16;
        return 0;
    }
    MDB_val k = {klen, (void *)key}, v;
    uint8_t rk[REC_KEY_LEN];
    if (!disk_key(s, ns, &k, rk))
        return WD_ENOTFOUND;
    int rc = mdb_get(s->txn, s->dbi[ns], &k, &v);
    if (rc)
        return err_of(rc);
    if (val && vlen)
        memcpy(val, v.mv_data, v.mv_size < *vlen ? v.mv_size : *vlen);
    if (vlen)
        *vlen = v.mv_size;
    return 0;
}

/* get() of n keys: the look-ups held in memory fetched together (their
 * cache misses overlap), the others one by one. */
static int
s_get_many(void *impl, enum wd_store_ns ns, const uint8_t *keys, size_t klen,
           size_t n, uint8_t *vals, size_t vcap, size_t *vlens, int *rcs)
{
    struct lmdb_store *s = impl;
    if (!s->txn)
        return WD_EINVAL;
    if (where_of(ns, klen) == IN_MEMORY && vcap >= 16) {
        wd_memindex_get_many(s->mem, ns, keys, klen, n, vals, vcap, rcs);
        for (size_t i = 0; i < n; i++)
            vlens[i] = 16;
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        vlens[i] = vcap;
        rcs[i] =
            s_get(s, ns, keys + i * klen, klen, vals + i * vcap, &vlens[i]);
        if (rcs[i] != 0 && rcs[i] != WD_ENOTFOUND)
            return rcs[i];
    }
    return 0;
}

static int
s_put(void *impl, enum wd_store_ns ns, const void *key, size_t klen,
      const void *val, size_t vlen)
{
    struct lmdb_store *s = impl;
    if (!s->txn)
        return WD_EINVAL;
    switch (where_of(ns, klen)) {
    case IN_MEMORY:
        return vlen == 16 && klen <= WD_MEMINDEX_KEY_MAX
                   ? wd_memindex_put(s->mem, ns, key, klen, val)
                   : WD_EINVAL;
    case AGES:
        return klen == WD_MEMINDEX_AGE_LEN ? wd_memindex_age_put(s->mem, key)
                                           : WD_EINVAL;
    case ON_DISK:
        break;
    }
    if (s->rebuilding)
        return WD_EINVAL; /* a rebuild only fills the memory */
    MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};
    uint8_t rk[REC_KEY_LEN];
    unsigned flags = 0;
    if (!disk_key(s, ns, &k, rk)) { /* a new record: the next number */
        if (klen != 16)
            return WD_EINVAL;
        if (wd_memindex_record_set(s->mem, key, s->last_rec + 1) != 0)
            return WD_ENOMEM;
        rec_key(++s->last_rec, key, rk);
        k = (MDB_val){REC_KEY_LEN, rk};
        flags = MDB_APPEND;
    }
    return err_of(mdb_put(s->txn, s->dbi[ns], &k, &v, flags));
}

static int
s_del(void *impl, enum wd_store_ns ns, const void *key, size_t klen)
{
    struct lmdb_store *s = impl;
    if (!s->txn)
        return WD_EINVAL;
    switch (where_of(ns, klen)) {
    case IN_MEMORY:
        if (klen <= WD_MEMINDEX_KEY_MAX)
            wd_memindex_del(s->mem, ns, key, klen);
        return 0;
    case AGES:
        if (klen == WD_MEMINDEX_AGE_LEN)
            wd_memindex_age_del(s->mem, key);
        return 0;
    case ON_DISK:
        break;
    }
    if (s->rebuilding)
        return WD_EINVAL;
    MDB_val k = {klen, (void *)key};
    uint8_t rk[REC_KEY_LEN];
    if (!disk_key(s, ns, &k, rk))
        return 0;
    if (ns == WD_NS_STORY && wd_memindex_record_set(s->mem, key, 0) != 0)
        return WD_ENOMEM; /* (its undo could not be logged) */
    int rc = mdb_del(s->txn, s->dbi[ns], &k, NULL);
    return rc == MDB_NOTFOUND ? 0 : err_of(rc);
}

static int
s_scan(void *impl, enum wd_store_ns ns, const void *prefix, size_t plen,
       wd_store_scan_fn fn, void *ctx)
{
    struct lmdb_store *s = impl;
    if (!s->txn)
        return WD_EINVAL;
    if (ns == WD_NS_AGE) {
        /* In key order; fn must not change the ages while it runs. */
        for (size_t i = 0, n = wd_memindex_age_count(s->mem); i < n; i++) {
            const uint8_t *k = wd_memindex_age_at(s->mem, i);
            if (plen && (plen > WD_MEMINDEX_AGE_LEN || memcmp(k, prefix, plen)))
                continue;
            if (fn(ctx, k, WD_MEMINDEX_AGE_LEN, "", 0))
                break;
        }
        return 0;
    }
    if ((ns != WD_NS_BAND && where_of(ns, 0) == IN_MEMORY) ||
        (ns == WD_NS_STORY && plen))
        return WD_EINVAL; /* point look-ups only; records in number order */
    MDB_cursor *cur;
    int rc = mdb_cursor_open(s->txn, s->dbi[ns], &cur);
    if (rc)
        return err_of(rc);
    MDB_val k = {plen, (void *)prefix}, v;
    rc = plen ? mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE)
              : mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    while (rc == 0) {
        if (plen && (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0))
            break;
        if (ns == WD_NS_STORY) { /* by id, as the records are asked for */
            if (k.mv_size != REC_KEY_LEN) {
                rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
                continue;
            }
            /* A rebuild learns each record's number as it reads it. */
            const uint8_t *id = (const uint8_t *)k.mv_data + 8;
            if (s->rebuilding &&
                wd_memindex_record_set(s->mem, id, rec_number(k.mv_data))) {
                rc = WD_ENOMEM;
                break;
            }
            if (fn(ctx, id, 16, v.mv_data, v.mv_size))
                break;
        } else if (fn(ctx, k.mv_data, k.mv_size, v.mv_data, v.mv_size)) {
            break;
        }
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc == WD_ENOMEM)
        return rc;
    return rc == 0 || rc == MDB_NOTFOUND ? 0 : err_of(rc);
}

static int
s_count(void *impl, enum wd_store_ns ns, uint64_t *n)
{
    struct lmdb_store *s = impl;
    MDB_stat st;
    int rc;
    if (s->txn) {
        rc = mdb_stat(s->txn, s->dbi[ns], &st);
    } else {
        MDB_txn *t;
        rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &t);
        if (rc == 0) {
            rc = mdb_stat(t, s->dbi[ns], &st);
            mdb_txn_abort(t);
        }
    }
    if (rc == 0)
        *n = st.ms_entries;
    if (ns == WD_NS_AGE)
        *n = wd_memindex_age_count(s->mem);
    else if (ns == WD_NS_BAND || where_of(ns, 0) == IN_MEMORY)
        *n += wd_memindex_count(s->mem, ns);
    return err_of(rc);
}

static int
s_size(void *impl, uint64_t *bytes)
{
    struct lmdb_store *s = impl;
    MDB_envinfo info;
    MDB_stat st;
    int rc = mdb_env_info(s->env, &info);
    if (rc == 0)
        rc = mdb_env_stat(s->env, &st);
    if (rc == 0)
        *bytes = (uint64_t)(info.me_last_pgno + 1) * st.ms_psize;
    return err_of(rc);
}

static int
s_sync(void *impl)
{
    struct lmdb_store *s = impl;
    return err_of(mdb_env_sync(s->env, 1));
}

static void save_index(struct lmdb_store *s);

static void
s_close(void *impl)
{
    struct lmdb_store *s = impl;
    if (!s)
        return;
    s_abort(s);
    if (s->env) {
        mdb_env_sync(s->env, 1);
        if (s->rebuilt)
            save_index(s);
        mdb_env_close(s->env);
    }
    wd_memindex_free(s->mem);
    free(s);
}

/* What a dump of the index matches: the number of the last committed
 * transaction (low 48 bits) and the look-ups' layout (high 16). */
static uint64_t
dump_tag(const struct lmdb_store *s)
{
    MDB_envinfo info;
    uint64_t txn =
        mdb_env_info(s->env, &info) == 0 ? (uint64_t)info.me_last_txnid : 0;
    return (txn & (((uint64_t)1 << 48) - 1)) | (uint64_t)s->layout << 48;
}

static int
index_fill(void *ctx, wd_dump_write_fn write, void *io)
{
    struct lmdb_store *s = ctx;
    return wd_memindex_dump(s->mem, dump_tag(s), write, io);
}

static int
index_take(void *ctx, uint64_t size, wd_dump_read_fn read, void *io)
{
    struct lmdb_store *s = ctx;
    return wd_memindex_restore(s->mem, dump_tag(s), size, read, io);
}

/* At a clean close: the index as it stands, for the next open to read
 * instead of rebuilding it. */
static void
save_index(struct lmdb_store *s)
{
    wd_statedir_save(s->dir, INDEX_DUMP, index_fill, s);
}

/* The index of the last clean close, when nothing was committed since;
 * read once (removed), so that a later crash cannot find it. */
static bool
load_index(struct lmdb_store *s)
{
    return wd_statedir_take(s->dir, INDEX_DUMP, index_take, s) == 0;
}

static int
s_rebuild(void *impl, size_t keys_per_record, uint32_t layout,
          int (*fn)(void *ctx), void *ctx)
{
    struct lmdb_store *s = impl;
    if (s->rebuilt)
        return 0;
    if (s->txn)
        return WD_EBUSY;
    s->layout = layout;
    if (load_index(s)) {
        s->rebuilt = true;
        return 0;
    }
    int rc = err_of(mdb_txn_begin(s->env, NULL, MDB_RDONLY, &s->txn));
    if (rc)
        return rc;
    MDB_stat st;
    if (mdb_stat(s->txn, s->dbi[WD_NS_STORY], &st) == 0 &&
        wd_memindex_reserve(s->mem, st.ms_entries * keys_per_record,
                            st.ms_entries) != 0) {
        mdb_txn_abort(s->txn);
        s->txn = NULL;
        return WD_ENOMEM;
    }
    s->rebuilding = true;
    wd_memindex_bulk_begin(s->mem);
    rc = fn(ctx);
    int brc = wd_memindex_bulk_end(s->mem);
    if (rc == 0)
        rc = brc;
    s->rebuilding = false;
    mdb_txn_abort(s->txn);
    s->txn = NULL;
    s->rebuilt = rc == 0;
    return rc;
}

/* Whether the "format" value v is f. */
static bool
is_format(const MDB_val *v, const char *f)
{
    return v->mv_size == strlen(f) && memcmp(v->mv_data, f, v->mv_size) == 0;
}

#define MOVE_CHUNK 20000 /* records moved a transaction */

/* The highest record number of "records" (0: none). */
static int
last_number(MDB_txn *txn, MDB_dbi recs, uint64_t *n)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, recs, &cur);
    if (rc)
        return rc;
    MDB_val k, v;
    int c = mdb_cursor_get(cur, &k, &v, MDB_LAST);
    *n = 0;
    if (c == 0 && k.mv_size == REC_KEY_LEN)
        *n = rec_number(k.mv_data);
    else if (c != MDB_NOTFOUND)
        rc = c ? c : MDB_CORRUPTED; /* a key no record has */
    mdb_cursor_close(cur);
    return rc;
}

/* Moves up to MOVE_CHUNK records of format 2 and before ("story", keyed
 * by id) to "records", numbered after the last there in id order. Sets
 * *more when some are left. */
static int
move_records(MDB_txn *txn, MDB_dbi old, MDB_dbi recs, bool *more)
{
    uint64_t n;
    int rc = last_number(txn, recs, &n);
    MDB_cursor *cur = NULL;
    if (rc == 0)
        rc = mdb_cursor_open(txn, old, &cur);
    MDB_val k, v;
    size_t moved = 0;
    int c = rc ? rc : mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    for (; c == 0 && moved < MOVE_CHUNK; moved++) {
        if (k.mv_size == 16) {
            /* (copied: the delete below may move the page v is in) */
            uint8_t rk[REC_KEY_LEN], val[4096];
            rec_key(++n, k.mv_data, rk);
            MDB_val nk = {REC_KEY_LEN, rk}, nv = {v.mv_size, val};
            if (v.mv_size > sizeof val) {
                c = MDB_BAD_VALSIZE; /* no record is that long */
                break;
            }
            memcpy(val, v.mv_data, v.mv_size);
            if ((c = mdb_put(txn, recs, &nk, &nv, MDB_APPEND)) != 0)
                break;
        }
        if ((c = mdb_cursor_del(cur, 0)) != 0)
            break;
        c = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    }
    if (cur)
        mdb_cursor_close(cur);
    *more = c == 0;
    if (rc == 0)
        rc = c == 0 || c == MDB_NOTFOUND ? 0 : c;
    return rc;
}

/* A directory of format 2 or before has its records moved to "records"
 * first, MOVE_CHUNK a transaction, so that the memory a move takes stays
 * bounded and the pages one step frees are reused by the next (in one
 * transaction, 1M records took 675 MB and grew the file by 460 MB). A move
 * cut short goes on at the next open: the format is written only when
 * "story" is empty (check_format). A later format is not touched. */
static int
move_old_records(struct lmdb_store *s)
{
    for (bool more = true; more;) {
        MDB_txn *txn;
        int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
        if (rc)
            return rc;
        MDB_dbi meta, old, recs;
        MDB_val k = {6, "format"}, v;
        rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &meta);
        int f = rc ? rc : mdb_get(txn, meta, &k, &v);
        bool older = f == MDB_NOTFOUND || (f == 0 && is_format(&v, OLD_FORMAT));
        if (rc == 0 && !older)
            rc = f == 0 ? MDB_NOTFOUND : f; /* this format, or a later one */
        if (rc == 0)
            rc = mdb_dbi_open(txn, OLD_RECORDS, 0, &old);
        if (rc == 0)
            rc = mdb_dbi_open(txn, ns_names[WD_NS_STORY], MDB_CREATE, &recs);
        if (rc == 0)
            rc = move_records(txn, old, recs, &more);
        if (rc) {
            mdb_txn_abort(txn);
            return rc == MDB_NOTFOUND ? 0 : rc; /* nothing to move */
        }
        if ((rc = mdb_txn_commit(txn)) != 0)
            return rc;
    }
    return 0;
}

/* Drops format 2's "story" once its records are moved. */
static int
drop_old_records(MDB_txn *txn)
{
    MDB_dbi old;
    int rc = mdb_dbi_open(txn, OLD_RECORDS, 0, &old);
    if (rc == MDB_NOTFOUND)
        return 0;
    MDB_stat st;
    if (rc == 0)
        rc = mdb_stat(txn, old, &st);
    if (rc == 0 && st.ms_entries)
        rc = MDB_CORRUPTED; /* move_old_records left some */
    return rc ? rc : mdb_drop(txn, old, 1);
}

/* Format 1 (no "format") kept the look-up tables on disk: emptied. */
static int
empty_disk_index(struct lmdb_store *s, MDB_txn *txn)
{
    const enum wd_store_ns gone[] = {WD_NS_CONTENT, WD_NS_URL, WD_NS_LEAD,
                                     WD_NS_AGE};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof gone / sizeof gone[0]; i++) {
        rc = mdb_drop(txn, s->dbi[gone[i]], 0);
        rc = rc == MDB_NOTFOUND ? 0 : rc;
    }
    /* MinHash band keys (9 bytes); the SimHash tables' stay. */
    MDB_cursor *cur = NULL;
    if (rc == 0)
        rc = mdb_cursor_open(txn, s->dbi[WD_NS_BAND], &cur);
    MDB_val bk, bv;
    int c = rc ? rc : mdb_cursor_get(cur, &bk, &bv, MDB_FIRST);
    while (c == 0) {
        if (bk.mv_size == MH_KEY_LEN && (c = mdb_cursor_del(cur, 0)) != 0)
            break;
        c = mdb_cursor_get(cur, &bk, &bv, MDB_NEXT);
    }
    if (cur)
        mdb_cursor_close(cur);
    return rc == 0 && c != MDB_NOTFOUND ? c : rc;
}

/* Brings a directory of an earlier format to this one, its records moved
 * already (move_old_records): format 2's "story" dropped; before format 2,
 * also the index namespaces that were on disk emptied. Refuses a format
 * it does not know. */
static int
check_format(struct lmdb_store *s, MDB_txn *txn)
{
    MDB_val k = {6, "format"}, v;
    int rc = mdb_get(txn, s->meta, &k, &v);
    if (rc == 0 && !is_format(&v, OLD_FORMAT))
        return is_format(&v, FORMAT) ? 0 : WD_EFORMAT;
    if (rc == MDB_NOTFOUND)
        rc = empty_disk_index(s, txn);
    if (rc == 0)
        rc = drop_old_records(txn);
    MDB_val fv = {strlen(FORMAT), FORMAT};
    if (rc == 0)
        rc = mdb_put(txn, s->meta, &k, &fv, 0);
    return err_of(rc);
}

static const struct wd_store_ops lmdb_ops = {
    .begin = s_begin,
    .commit = s_commit,
    .abort = s_abort,
    .get = s_get,
    .put = s_put,
    .del = s_del,
    .scan = s_scan,
    .count = s_count,
    .size = s_size,
    .sync = s_sync,
    .close = s_close,
    .claim = NULL, /* one worker: no claims */
    .get_many = s_get_many,
    .rebuild = s_rebuild,
    .confirm_lookups = true,
};

int
wd_store_open_lmdb(struct wd_store *out, const char *dir, size_t map_mb)
{
    out->ops = NULL;
    out->impl = NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/dedup.lmdb", dir);
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return -errno;
    /* LMDB maps its lock file and writes to it through the map: on a full
     * file system that is a SIGBUS, not an error. The file's blocks are
     * taken here first (more than LMDB's 8 KiB for 126 readers), so a
     * full disk is ENOSPC, said and exit 1. */
    char lock[4200];
    snprintf(lock, sizeof lock, "%s/lock.mdb", path);
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    int frc = posix_fallocate(fd, 0, 64 * 1024);
    close(fd);
    if (frc != 0 && frc != EOPNOTSUPP && frc != EINVAL)
        return -frc;
    struct lmdb_store *s = calloc(1, sizeof *s);
    if (!s)
        return WD_ENOMEM;
    if (wd_memindex_new(&s->mem) != 0) {
        free(s);
        return WD_ENOMEM;
    }
    wd_text_copy(s->dir, sizeof s->dir, path);
    int rc = mdb_env_create(&s->env);
    if (rc == 0)
        rc = mdb_env_set_maxdbs(s->env,
                                WD_NS__COUNT + 2); /* meta, OLD_RECORDS */
    if (rc == 0)
        rc = mdb_env_set_mapsize(s->env, (size_t)map_mb << 20);
    if (rc == 0)
        rc = mdb_env_open(s->env, path, MDB_NOSYNC | MDB_NOTLS, 0644);
    if (rc == 0)
        rc = move_old_records(s);
    MDB_txn *txn = NULL;
    if (rc == 0)
        rc = mdb_txn_begin(s->env, NULL, 0, &txn);
    for (int i = 0; rc == 0 && i < WD_NS__COUNT; i++)
        rc = mdb_dbi_open(txn, ns_names[i], MDB_CREATE, &s->dbi[i]);
    if (rc == 0)
        rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &s->meta);
    int fmt = rc == 0 ? check_format(s, txn) : 0;
    /* The highest record number: new ones follow it. */
    if (rc == 0 && fmt == 0)
        rc = last_number(txn, s->dbi[WD_NS_STORY], &s->last_rec);
    if (txn)
        rc = rc == 0 && fmt == 0 ? mdb_txn_commit(txn)
                                 : (mdb_txn_abort(txn), rc);
    if (rc || fmt) {
        s_close(s);
        return rc ? err_of(rc) : fmt;
    }
    out->ops = &lmdb_ops;
    out->impl = s;
    return 0;
}
