/* WD_TEST_LABEL: unit */
/* Dedup decisions on a real LMDB store in a temporary directory. */
#include <lmdb.h>

#include "dedup_cases.h"
#include "wd/dupindex.h"
#include "wd/err.h"
#include "wd/memindex.h"

static char dir[64];
/* Reopen as after a crash: without the index the clean close left. */
static bool drop_dump, old_dump;

/* The file the store's clean close dumps its look-ups to. */
static const char *
dump_path(void)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/dedup.lmdb/index.dump", dir);
    return path;
}

static void
reopen_store(void)
{
    const char *path = dump_path();
    if (drop_dump)
        CHECK_INT(unlink(path), ==, 0);
    if (old_dump) { /* as the earlier version wrote it (two arrays) */
        FILE *f = fopen(path, "r+b");
        CHECK(f != NULL);
        if (f) {
            CHECK_INT(fwrite("WDMIDX1", 1, 8, f), ==, 8);
            fclose(f);
        }
    }
    CHECK_OK(wd_store_open_lmdb(&store, dir, 256));
}

/* The index read back from the clean close's dump, and rebuilt from the
 * records without it: the same decisions. */
static void
test_index_rebuilt_without_dump(void)
{
    drop_dump = true;
    test_index_after_reopen();
    empty_store();
    test_persists_across_reopen();
    drop_dump = false;
}

/* A dump of an earlier version's layout is refused and the index rebuilt
 * from the records: the same decisions. */
static void
test_index_from_old_dump(void)
{
    old_dump = true;
    test_index_after_reopen();
    /* Taken once at the first decision (and refused): not there for a
     * later start. */
    CHECK_INT(access(dump_path(), F_OK), !=, 0);
    empty_store();
    test_persists_across_reopen();
    old_dump = false;
}

static int
write_file(void *io, const void *buf, size_t len)
{
    return fwrite(buf, 1, len, io) == len ? 0 : WD_EINVAL;
}

/* Look-ups made under another layout of keys (an older version's dump,
 * whose tag has no layout: dupindex.h WD_DUPINDEX_LAYOUT) are refused and
 * rebuilt from the records; under this layout they are taken as they
 * are. The dump put in place is an empty index's, stamped with the tag
 * the store's own dump had: taken, it finds nothing; refused, the rebuilt
 * index finds the story again. */
static void
test_dump_of_other_layout(void)
{
    for (int other = 0; other < 2; other++) {
        empty_store();
        one_story_closed();
        uint64_t tag = 0;
        FILE *io = fopen(dump_path(), "rb");
        CHECK(io && fseek(io, 8, SEEK_SET) == 0 && fread(&tag, 8, 1, io) == 1);
        if (io)
            fclose(io);
        CHECK_INT(tag >> 48, ==, WD_DUPINDEX_LAYOUT);
        if (other)
            tag &= ((uint64_t)1 << 48) - 1;
        struct wd_memindex *m;
        CHECK_OK(wd_memindex_new(&m));
        io = fopen(dump_path(), "wb");
        CHECK(io != NULL);
        if (io) {
            CHECK_OK(wd_memindex_dump(m, tag, write_file, io));
            fclose(io);
        }
        wd_memindex_free(m);
        CHECK_OK(wd_store_open_lmdb(&store, dir, 256));
        struct wd_dedup *d = open_dedup(0, 0);
        uint32_t rev;
        /* A copy under another headline: found by its bands. */
        struct wd_story_fp c = fp_of("Harbour strike: third week", full, false);
        enum wd_dup want = other ? WD_DUP_NEAR : WD_DUP_NEW;
        CHECK_INT(decide1(d, &c, 2000, &rev), ==, want);
        wd_dedup_close(d);
    }
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

/* A write transaction on the LMDB store in dir, opened raw (as an earlier
 * version, or another program, would see it); raw_end commits it. */
static MDB_txn *
raw_begin(MDB_env **env)
{
    char path[128];
    snprintf(path, sizeof path, "%s/dedup.lmdb", dir);
    MDB_txn *txn = NULL;
    CHECK_OK(mdb_env_create(env));
    mdb_env_set_maxdbs(*env, 16);
    CHECK_OK(mdb_env_open(*env, path, 0, 0644));
    CHECK_OK(mdb_txn_begin(*env, NULL, 0, &txn));
    return txn;
}

static void
raw_end(MDB_env *env, MDB_txn *txn)
{
    CHECK_OK(mdb_txn_commit(txn));
    mdb_env_close(env);
}

/* Entries of the named database of the LMDB store in dir; sets *format
 * (at most 15 bytes) to the meta "format" value, "" when none. */
static size_t
lmdb_entries(const char *name, char format[16])
{
    MDB_env *env;
    MDB_txn *txn = raw_begin(&env);
    MDB_dbi dbi, meta;
    MDB_stat st = {0};
    CHECK_OK(mdb_dbi_open(txn, name, MDB_CREATE, &dbi));
    CHECK_OK(mdb_dbi_open(txn, "meta", MDB_CREATE, &meta));
    mdb_stat(txn, dbi, &st);
    MDB_val k = {6, "format"}, v;
    format[0] = 0;
    if (mdb_get(txn, meta, &k, &v) == 0)
        snprintf(format, 16, "%.*s", (int)v.mv_size, (const char *)v.mv_data);
    raw_end(env, txn);
    return st.ms_entries;
}

/* Writes raw entries into the LMDB store in dir, as an earlier version
 * did: index entries on disk, no format (format NULL) or a given one. */
static void
lmdb_write_old(const char *format)
{
    MDB_env *env;
    MDB_txn *txn = raw_begin(&env);
    MDB_dbi content, band, age, meta;
    CHECK_OK(mdb_dbi_open(txn, "content", MDB_CREATE, &content));
    CHECK_OK(mdb_dbi_open(txn, "band", MDB_CREATE, &band));
    CHECK_OK(mdb_dbi_open(txn, "age", MDB_CREATE, &age));
    CHECK_OK(mdb_dbi_open(txn, "meta", MDB_CREATE, &meta));
    uint8_t key[25] = {0x80, 1, 2, 3, 4, 5, 6, 7, 8}, id[16] = {9};
    MDB_val k = {8, key}, v = {16, id};
    CHECK_OK(mdb_put(txn, content, &k, &v, 0));
    k.mv_size = 9; /* a MinHash band's key */
    CHECK_OK(mdb_put(txn, band, &k, &v, 0));
    k.mv_size = 13; /* a SimHash table's: stays on disk */
    v.mv_size = 0;
    CHECK_OK(mdb_put(txn, band, &k, &v, 0));
    k.mv_size = 25;
    CHECK_OK(mdb_put(txn, age, &k, &v, 0));
    MDB_val fk = {6, "format"};
    if (format) {
        MDB_val fv = {strlen(format), (void *)format};
        CHECK_OK(mdb_put(txn, meta, &fk, &fv, 0));
    } else {
        mdb_del(txn, meta, &fk, NULL);
    }
    raw_end(env, txn);
}

/* Moves the store's first records (all: n 0) back to format 2's place
 * ("story", keyed by id) and writes format 2: as that version left it, or,
 * moving some, as a move to format 3 cut short left it. */
static void
lmdb_some_records_as_format2(int some)
{
    MDB_env *env;
    MDB_txn *txn = raw_begin(&env);
    MDB_dbi recs, old, meta;
    CHECK_OK(mdb_dbi_open(txn, "records", MDB_CREATE, &recs));
    CHECK_OK(mdb_dbi_open(txn, "story", MDB_CREATE, &old));
    CHECK_OK(mdb_dbi_open(txn, "meta", MDB_CREATE, &meta));
    MDB_cursor *cur;
    CHECK_OK(mdb_cursor_open(txn, recs, &cur));
    MDB_val k, v;
    int n = 0;
    for (int c = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
         c == 0 && (!some || n < some);
         c = mdb_cursor_get(cur, &k, &v, MDB_FIRST), n++) {
        CHECK_INT(k.mv_size, ==, 24); /* its number, its id */
        MDB_val id = {16, (uint8_t *)k.mv_data + 8};
        CHECK_OK(mdb_put(txn, old, &id, &v, 0));
        CHECK_OK(mdb_cursor_del(cur, 0));
    }
    mdb_cursor_close(cur);
    CHECK(n > 0);
    MDB_val fk = {6, "format"}, fv = {1, "2"};
    CHECK_OK(mdb_put(txn, meta, &fk, &fv, 0));
    raw_end(env, txn);
}

/* A store of format 2 (its records keyed by id in "story") is migrated
 * when it opens: the records numbered in "records", its stories still
 * found; one of format 1 (no format: its look-ups on disk) too, its
 * look-up tables emptied. A later format is refused, untouched. */
static void
test_store_format(void)
{
    one_story_closed();
    struct wd_dedup *d;
    uint32_t rev;
    struct wd_story_fp f = fp_of(title, full, false);
    char format[16];
    CHECK_INT(lmdb_entries("content", format), ==, 0); /* held in memory */
    CHECK_INT(lmdb_entries("records", format), ==, 1);
    CHECK_STR(format, "3");

    lmdb_some_records_as_format2(0);
    CHECK_INT(lmdb_entries("story", format), ==, 1);
    CHECK_STR(format, "2");
    reopen_store();
    wd_store_close(&store);
    CHECK_INT(lmdb_entries("records", format), ==, 1);
    CHECK_INT(lmdb_entries("story", format), ==, 0); /* (dropped) */
    CHECK_STR(format, "3");
    reopen_store();
    d = open_dedup(0, 0);
    CHECK_INT(decide1(d, &f, 2000, &rev), ==, WD_DUP_EXACT);
    wd_dedup_close(d);
    wd_store_close(&store);

    lmdb_some_records_as_format2(0);
    lmdb_write_old(NULL);
    CHECK_INT(lmdb_entries("content", format), ==, 1);
    CHECK_INT(lmdb_entries("band", format), ==, 2);
    CHECK_STR(format, "");
    reopen_store();
    wd_store_close(&store);
    CHECK_INT(lmdb_entries("content", format), ==, 0);
    CHECK_INT(lmdb_entries("age", format), ==, 0);
    CHECK_INT(lmdb_entries("band", format), ==, 1); /* the SimHash one */
    CHECK_INT(lmdb_entries("records", format), ==, 1);
    CHECK_STR(format, "3");
    reopen_store();
    d = open_dedup(0, 0);
    CHECK_INT(decide1(d, &f, 2000, &rev), ==, WD_DUP_EXACT);
    /* A new story after the migrated one: numbered after it. */
    struct wd_story_fp g =
        fp_of("Council Approves New Budget",
              "The city council approved a new budget on Tuesday after a long "
              "debate over spending on schools, roads and the public library.",
              false);
    CHECK_INT(decide1(d, &g, 2500, &rev), ==, WD_DUP_NEW);
    wd_dedup_close(d);
    wd_store_close(&store);
    CHECK_INT(lmdb_entries("records", format), ==, 2);
    /* A move cut short: one record still in "story", one moved. */
    lmdb_some_records_as_format2(1);
    CHECK_INT(lmdb_entries("records", format), ==, 1);
    CHECK_INT(lmdb_entries("story", format), ==, 1);
    reopen_store();
    d = open_dedup(0, 0);
    CHECK_INT(decide1(d, &f, 2600, &rev), ==, WD_DUP_EXACT);
    CHECK_INT(decide1(d, &g, 2600, &rev), ==, WD_DUP_EXACT);
    wd_dedup_close(d);
    wd_store_close(&store);
    CHECK_INT(lmdb_entries("records", format), ==, 2);
    CHECK_STR(format, "3");

    /* A dump that no longer matches the records is not read: the records
     * changed behind it (here: all removed). */
    MDB_env *env;
    MDB_txn *txn = raw_begin(&env);
    MDB_dbi dbi;
    CHECK_OK(mdb_dbi_open(txn, "records", 0, &dbi));
    CHECK_OK(mdb_drop(txn, dbi, 0));
    raw_end(env, txn);
    CHECK_INT(access(dump_path(), F_OK), ==, 0);
    reopen_store();
    d = open_dedup(0, 0);
    CHECK_INT(decide1(d, &f, 3000, &rev), ==, WD_DUP_NEW);
    wd_dedup_close(d);
    wd_store_close(&store);

    lmdb_write_old("4");
    CHECK_INT(wd_store_open_lmdb(&store, dir, 256), ==, WD_EFORMAT);
    CHECK_INT(lmdb_entries("content", format), ==, 1);
    CHECK_STR(format, "4");
    lmdb_write_old("3"); /* so that the runner's close finds a store */
    reopen_store();
}

/* Two keys whose hashes share their top 40 bits are one key in the LMDB
 * store's look-up tables (memindex.h): 218301 and 908939 are such a pair
 * of content keys. A story whose content key is the other's is found
 * there as a candidate, which the named story's record, not holding the
 * key, refuses: a new story, not an exact copy of an unrelated one. */
static void
test_shadowed_key_confirmed(void)
{
    struct wd_dedup *d = open_dedup(0, 0);
    uint32_t rev;
    struct wd_story_fp a = fp_of(title, full, false);
    a.content_key = 218301;
    CHECK_INT(decide1(d, &a, 1000, &rev), ==, WD_DUP_NEW);
    struct wd_story_fp b = fp_of(
        "Central Bank Leaves Rates Unchanged",
        "The central bank kept its benchmark rate at four percent on "
        "Wednesday, citing slowing inflation and a cooling labour market. "
        "Economists had expected the pause after three increases this year.",
        false);
    b.content_key = 908939;
    CHECK_OK(wd_dedup_begin(d));
    CHECK_INT(wd_dedup_decide(d, &b, 2000, &rev), ==, WD_DUP_NEW);
    /* (The key names a, which does not hold it: refused.) */
    CHECK_OK(wd_dedup_commit(d, 0, 2000));
    /* Now the entry names b: a's key is shadowed, a look-up of it refused
     * by b's record, and a copy of a under another title still found by
     * its bands. */
    struct wd_story_fp c = fp_of("Harbour strike: third week", full, false);
    c.content_key = 218301;
    CHECK_INT(decide1(d, &c, 3000, &rev), ==, WD_DUP_NEAR);
    wd_dedup_close(d);
}

int
main(void)
{
    DEDUP_CASES(SETUP_RUN);
    SETUP_RUN(test_every_failed_read_fails_the_batch);
    SETUP_RUN(test_store_format);
    SETUP_RUN(test_index_rebuilt_without_dump);
    SETUP_RUN(test_index_from_old_dump);
    SETUP_RUN(test_shadowed_key_confirmed);
    SETUP_RUN(test_dump_of_other_layout);
    return TEST_DONE();
}
