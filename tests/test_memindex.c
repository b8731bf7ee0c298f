/* WD_TEST_LABEL: unit */
/* The in-memory look-up tables: keys, ids, ages, batches undone. A random
 * sequence of batches is checked against a plain model after each one. */
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "membuf.h"
#include "test.h"
#include "wd/err.h"
#include "wd/memindex.h"

/* The dump in b, read back from its start into r. */
static int
restore(struct wd_memindex *r, uint64_t tag, struct membuf *b)
{
    b->at = 0;
    return wd_memindex_restore(r, tag, b->len, membuf_read, b);
}

static void
make_id(unsigned n, uint8_t id[16])
{
    memset(id, 0, 16);
    memcpy(id, &n, sizeof n);
    id[15] = 0x5a;
}

static void
test_put_get_del(void)
{
    struct wd_memindex *m;
    CHECK_OK(wd_memindex_new(&m));
    uint8_t a[16], b[16], got[16];
    make_id(1, a);
    make_id(2, b);
    uint64_t k = 42;
    CHECK_INT(wd_memindex_get(m, 1, &k, 8, got), ==, WD_ENOTFOUND);
    CHECK_OK(wd_memindex_put(m, 1, &k, 8, a));
    CHECK_OK(wd_memindex_get(m, 1, &k, 8, got));
    CHECK(memcmp(got, a, 16) == 0);
    /* Same key bytes, another table: another key. */
    CHECK_INT(wd_memindex_get(m, 2, &k, 8, got), ==, WD_ENOTFOUND);
    CHECK_OK(wd_memindex_put(m, 1, &k, 8, b)); /* replaced */
    CHECK_OK(wd_memindex_get(m, 1, &k, 8, got));
    CHECK(memcmp(got, b, 16) == 0);
    CHECK_INT(wd_memindex_count(m, 1), ==, 1);
    CHECK_INT(wd_memindex_ids(m), ==, 1); /* a is named by nothing now */
    wd_memindex_del(m, 1, &k, 8);
    CHECK_INT(wd_memindex_get(m, 1, &k, 8, got), ==, WD_ENOTFOUND);
    CHECK_INT(wd_memindex_count(m, 1), ==, 0);
    CHECK_INT(wd_memindex_ids(m), ==, 0);
    wd_memindex_free(m);
}

static void
test_abort_undoes(void)
{
    struct wd_memindex *m;
    CHECK_OK(wd_memindex_new(&m));
    uint8_t a[16], b[16], got[16], age1[WD_MEMINDEX_AGE_LEN] = {1},
                                   age2[WD_MEMINDEX_AGE_LEN] = {2};
    make_id(1, a);
    make_id(2, b);
    uint64_t k1 = 1, k2 = 2;
    CHECK_OK(wd_memindex_put(m, 0, &k1, 8, a));
    CHECK_OK(wd_memindex_age_put(m, age1));
    wd_memindex_begin(m);
    CHECK_OK(wd_memindex_put(m, 0, &k1, 8, b)); /* replace */
    CHECK_OK(wd_memindex_put(m, 0, &k2, 8, b)); /* add */
    wd_memindex_age_del(m, age1);
    CHECK_OK(wd_memindex_age_put(m, age2));
    CHECK_INT(wd_memindex_age_count(m), ==, 1);
    wd_memindex_abort(m);
    CHECK_OK(wd_memindex_get(m, 0, &k1, 8, got));
    CHECK(memcmp(got, a, 16) == 0);
    CHECK_INT(wd_memindex_get(m, 0, &k2, 8, got), ==, WD_ENOTFOUND);
    CHECK_INT(wd_memindex_ids(m), ==, 1); /* b's slot given back */
    CHECK_INT(wd_memindex_age_count(m), ==, 1);
    CHECK(memcmp(wd_memindex_age_at(m, 0), age1, WD_MEMINDEX_AGE_LEN) == 0);
    /* A delete undone: the key names its id again, whose slot was kept
     * while the batch was open. */
    wd_memindex_begin(m);
    wd_memindex_del(m, 0, &k1, 8);
    CHECK_OK(wd_memindex_put(m, 0, &k2, 8, b));
    wd_memindex_abort(m);
    CHECK_OK(wd_memindex_get(m, 0, &k1, 8, got));
    CHECK(memcmp(got, a, 16) == 0);
    /* Committed: stays. */
    wd_memindex_begin(m);
    CHECK_OK(wd_memindex_put(m, 0, &k2, 8, b));
    wd_memindex_commit(m);
    CHECK_OK(wd_memindex_get(m, 0, &k2, 8, got));
    CHECK(memcmp(got, b, 16) == 0);
    wd_memindex_free(m);
}

/* The model: key k (0..KEYS) of table t names id model_key[t][k] (0:
 * none); ages are a set of small numbers. */
#define KEYS 3000
#define TABLES 3
#define AGES 2000
static unsigned model_key[TABLES][KEYS];
static bool model_age[AGES];

static void
age_of(unsigned n, uint8_t key[WD_MEMINDEX_AGE_LEN])
{
    memset(key, 0, WD_MEMINDEX_AGE_LEN);
    key[6] = (uint8_t)(n >> 8); /* big-endian: byte order is n's */
    key[7] = (uint8_t)n;
    key[8] = 'S';
}

static void
check_model(const struct wd_memindex *m)
{
    uint8_t got[16], want[16];
    size_t ids_named = 0;
    static bool named[KEYS * 4];
    memset(named, 0, sizeof named);
    for (unsigned t = 0; t < TABLES; t++) {
        uint64_t n = 0;
        for (unsigned k = 0; k < KEYS; k++) {
            uint64_t key = k * 7919u;
            int rc = wd_memindex_get(m, t, &key, 8, got);
            if (model_key[t][k] == 0) {
                if (rc != WD_ENOTFOUND)
                    CHECK_INT(rc, ==, WD_ENOTFOUND);
                continue;
            }
            n++;
            make_id(model_key[t][k], want);
            if (rc != 0 || memcmp(got, want, 16) != 0) {
                CHECK_INT(rc, ==, 0);
                CHECK(memcmp(got, want, 16) == 0);
                return;
            }
            if (!named[model_key[t][k]]) {
                named[model_key[t][k]] = true;
                ids_named++;
            }
        }
        CHECK_INT(wd_memindex_count(m, t), ==, n);
    }
    /* Every id no key names was given back. */
    CHECK_INT(wd_memindex_ids(m), ==, ids_named);
    size_t n_ages = 0;
    uint8_t key[WD_MEMINDEX_AGE_LEN];
    for (unsigned a = 0; a < AGES; a++) {
        if (!model_age[a])
            continue;
        age_of(a, key);
        if (n_ages >= wd_memindex_age_count(m) ||
            memcmp(wd_memindex_age_at(m, n_ages), key, WD_MEMINDEX_AGE_LEN)) {
            CHECK(!"age list differs from the model");
            return;
        }
        n_ages++;
    }
    CHECK_INT(wd_memindex_age_count(m), ==, n_ages);
}

/* Many ages of one time (a burst in one millisecond): kept in the order
 * they came, the oldest removed first, an undone put removed from the
 * end, and one in the middle found. */
static void
test_ages_of_one_time(void)
{
    struct wd_memindex *m;
    CHECK_OK(wd_memindex_new(&m));
    uint8_t key[WD_MEMINDEX_AGE_LEN] = {0};
    key[7] = 9;
    for (unsigned i = 0; i < 100000; i++) {
        memcpy(key + 9, &i, sizeof i);
        CHECK_OK(wd_memindex_age_put(m, key));
    }
    unsigned v;
    memcpy(&v, wd_memindex_age_at(m, 0) + 9, sizeof v);
    CHECK_INT(v, ==, 0);
    memcpy(&v, wd_memindex_age_at(m, 99999) + 9, sizeof v);
    CHECK_INT(v, ==, 99999);
    wd_memindex_begin(m);
    unsigned i = 100000;
    memcpy(key + 9, &i, sizeof i);
    CHECK_OK(wd_memindex_age_put(m, key));
    wd_memindex_abort(m);
    CHECK_INT(wd_memindex_age_count(m), ==, 100000);
    i = 0;
    memcpy(key + 9, &i, sizeof i);
    wd_memindex_age_del(m, key);
    i = 500;
    memcpy(key + 9, &i, sizeof i);
    wd_memindex_age_del(m, key);
    CHECK_INT(wd_memindex_age_count(m), ==, 99998);
    memcpy(&v, wd_memindex_age_at(m, 0) + 9, sizeof v);
    CHECK_INT(v, ==, 1);
    memcpy(&v, wd_memindex_age_at(m, 499) + 9, sizeof v);
    CHECK_INT(v, ==, 501);
    wd_memindex_free(m);
}

static void
test_random_batches(void)
{
    struct wd_memindex *m;
    CHECK_OK(wd_memindex_new(&m));
    static unsigned saved_key[TABLES][KEYS];
    static bool saved_age[AGES];
    memset(model_key, 0, sizeof model_key);
    memset(model_age, 0, sizeof model_age);
    srand(7);
    unsigned next_age = 0;
    for (int batch = 0; batch < 400; batch++) {
        bool logged = batch % 10 != 0; /* some outside a batch */
        bool undo = logged && rand() % 3 == 0;
        memcpy(saved_key, model_key, sizeof model_key);
        memcpy(saved_age, model_age, sizeof model_age);
        if (logged)
            wd_memindex_begin(m);
        int ops = 1 + rand() % 200;
        for (int i = 0; i < ops; i++) {
            unsigned t = (unsigned)rand() % TABLES, k = (unsigned)rand() % KEYS;
            uint64_t key = k * 7919u;
            int what = rand() % 10;
            if (what < 5) { /* put: ids from a small set, so they share */
                unsigned id = 1 + (unsigned)rand() % (KEYS * 4 - 1);
                uint8_t idb[16];
                make_id(id, idb);
                CHECK_OK(wd_memindex_put(m, t, &key, 8, idb));
                model_key[t][k] = id;
            } else if (what < 8) {
                wd_memindex_del(m, t, &key, 8);
                model_key[t][k] = 0;
            } else {
                uint8_t akey[WD_MEMINDEX_AGE_LEN];
                /* mostly in time order, some earlier; deletes from the
                 * oldest and anywhere */
                unsigned a =
                    rand() % 4 ? next_age++ % AGES : (unsigned)rand() % AGES;
                age_of(a, akey);
                if (rand() % 2) {
                    if (model_age[a])
                        continue; /* a key is put once */
                    CHECK_OK(wd_memindex_age_put(m, akey));
                    model_age[a] = true;
                } else {
                    wd_memindex_age_del(m, akey);
                    model_age[a] = false;
                }
                if (rand() % 3 == 0 && wd_memindex_age_count(m)) {
                    uint8_t oldest[WD_MEMINDEX_AGE_LEN];
                    memcpy(oldest, wd_memindex_age_at(m, 0), sizeof oldest);
                    wd_memindex_age_del(m, oldest);
                    model_age[oldest[6] << 8 | oldest[7]] = false;
                }
            }
        }
        if (undo) {
            wd_memindex_abort(m);
            memcpy(model_key, saved_key, sizeof model_key);
            memcpy(model_age, saved_age, sizeof model_age);
        } else if (logged) {
            wd_memindex_commit(m);
        }
        check_model(m);
    }
    CHECK(wd_memindex_bytes(m) > 0);
    wd_memindex_free(m);
}

/* A dump reads back to the same index (keys, ids, counts, ages, and it
 * goes on working); another tag, a cut or a changed byte are refused and
 * leave the index empty. */
static void
test_dump_restore(void)
{
    struct wd_memindex *m, *r;
    CHECK_OK(wd_memindex_new(&m));
    uint8_t id[16], got[16], age[WD_MEMINDEX_AGE_LEN] = {0};
    for (unsigned i = 0; i < 5000; i++) {
        uint64_t k = i;
        make_id(i / 3, id);
        CHECK_OK(wd_memindex_put(m, i % 4, &k, 8, id));
        age[7] = (uint8_t)i;
        age[6] = (uint8_t)(i >> 8);
        if (i % 3 == 0)
            CHECK_OK(wd_memindex_age_put(m, age));
    }
    for (unsigned i = 0; i < 5000; i += 7) { /* some slots freed */
        uint64_t k = i;
        wd_memindex_del(m, i % 4, &k, 8);
    }
    struct membuf b = {0};
    CHECK_OK(wd_memindex_dump(m, 1234, membuf_write, &b));
    CHECK_OK(wd_memindex_new(&r));
    CHECK_OK(restore(r, 1234, &b));
    CHECK_INT(wd_memindex_ids(r), ==, wd_memindex_ids(m));
    CHECK_INT(wd_memindex_age_count(r), ==, wd_memindex_age_count(m));
    for (unsigned t = 0; t < 4; t++)
        CHECK_INT(wd_memindex_count(r, t), ==, wd_memindex_count(m, t));
    int differ = 0;
    for (unsigned i = 0; i < 5000; i++) {
        uint64_t k = i;
        uint8_t want[16];
        int a = wd_memindex_get(m, i % 4, &k, 8, want),
            c = wd_memindex_get(r, i % 4, &k, 8, got);
        differ += a != c || (a == 0 && memcmp(want, got, 16) != 0);
    }
    CHECK_INT(differ, ==, 0);
    for (size_t i = 0; i < wd_memindex_age_count(m); i++)
        differ += memcmp(wd_memindex_age_at(m, i), wd_memindex_age_at(r, i),
                         WD_MEMINDEX_AGE_LEN) != 0;
    CHECK_INT(differ, ==, 0);
    /* It goes on: a new id takes a freed slot, a key is replaced. */
    uint64_t k = 1;
    make_id(99999, id);
    CHECK_OK(wd_memindex_put(r, 1, &k, 8, id));
    CHECK_OK(wd_memindex_get(r, 1, &k, 8, got));
    CHECK(memcmp(got, id, 16) == 0);
    wd_memindex_free(r);

    CHECK_OK(wd_memindex_new(&r));
    CHECK_INT(restore(r, 999, &b), ==, WD_EPARSE);
    CHECK_INT(wd_memindex_ids(r), ==, 0);
    b.p[b.len / 2] ^= 1;
    CHECK_INT(restore(r, 1234, &b), ==, WD_EPARSE);
    CHECK_INT(wd_memindex_ids(r), ==, 0);
    CHECK_INT(wd_memindex_get(r, 1, &k, 8, got), ==, WD_ENOTFOUND);
    b.p[b.len / 2] ^= 1;
    b.len -= 9;
    CHECK(restore(r, 1234, &b) != 0);
    CHECK_INT(wd_memindex_ids(r), ==, 0);
    wd_memindex_free(r);
    wd_memindex_free(m);
    free(b.p);
}

/* A bulk load (the rebuild) ends as the same puts one by one would: keys
 * replaced within the queue's reach and beyond it, ids no key names any
 * more freed, every count the same. */
/* A record number names its story as a key does: the story (its slot)
 * lives while it has one, keys or none; setting it and forgetting it are
 * undone by an abort; a bulk load may set it; a dump carries it. */
static void
test_record_numbers(void)
{
    struct wd_memindex *m;
    CHECK_OK(wd_memindex_new(&m));
    uint8_t a[16], b[16], got[16];
    make_id(1, a);
    make_id(2, b);
    uint64_t k = 7;
    CHECK_INT(wd_memindex_record(m, a), ==, 0);
    CHECK_OK(wd_memindex_record_set(m, a, 41));
    CHECK_INT(wd_memindex_record(m, a), ==, 41);
    CHECK_INT(wd_memindex_ids(m), ==, 1); /* a record alone keeps it */
    CHECK_OK(wd_memindex_put(m, 0, &k, 8, a));
    wd_memindex_del(m, 0, &k, 8);
    CHECK_INT(wd_memindex_record(m, a), ==, 41);

    wd_memindex_begin(m);
    CHECK_OK(wd_memindex_record_set(m, b, 42));
    CHECK_OK(wd_memindex_record_set(m, a, 0));
    CHECK_INT(wd_memindex_record(m, a), ==, 0);
    CHECK_INT(wd_memindex_record(m, b), ==, 42);
    wd_memindex_abort(m);
    CHECK_INT(wd_memindex_record(m, a), ==, 41);
    CHECK_INT(wd_memindex_record(m, b), ==, 0);
    CHECK_INT(wd_memindex_ids(m), ==, 1);

    wd_memindex_begin(m);
    CHECK_OK(wd_memindex_record_set(m, a, 0));
    wd_memindex_commit(m);
    CHECK_INT(wd_memindex_ids(m), ==, 0); /* nothing names it: freed */

    wd_memindex_bulk_begin(m);
    for (unsigned i = 0; i < 3000; i++) {
        uint8_t id[16];
        make_id(i, id);
        CHECK_OK(wd_memindex_record_set(m, id, 1000 + i));
        uint64_t key = i;
        CHECK_OK(wd_memindex_put(m, i % 2, &key, 8, id));
    }
    CHECK_OK(wd_memindex_bulk_end(m));
    struct membuf buf = {0};
    struct wd_memindex *r;
    CHECK_OK(wd_memindex_dump(m, 5, membuf_write, &buf));
    CHECK_OK(wd_memindex_new(&r));
    CHECK_OK(restore(r, 5, &buf));
    int differ = 0;
    for (unsigned i = 0; i < 3000; i++) {
        uint8_t id[16];
        make_id(i, id);
        uint64_t key = i;
        differ += wd_memindex_record(r, id) != 1000 + i;
        differ += wd_memindex_get(r, i % 2, &key, 8, got) != 0 ||
                  memcmp(got, id, 16) != 0;
    }
    CHECK_INT(differ, ==, 0);
    free(buf.p);
    wd_memindex_free(r);
    wd_memindex_free(m);
}

static void
test_bulk_load_same(void)
{
    struct wd_memindex *one, *bulk;
    CHECK_OK(wd_memindex_new(&one));
    CHECK_OK(wd_memindex_new(&bulk));
    wd_memindex_bulk_begin(bulk);
    uint32_t rnd = 7;
    for (unsigned i = 0; i < 20000; i++) {
        rnd = rnd * 1103515245u + 12345u;
        uint64_t k = (rnd >> 8) % 5000; /* many keys put again */
        unsigned table = (rnd >> 4) % 3;
        uint8_t id[16];
        make_id(i / 7 + (rnd & 1) * 100000, id);
        CHECK_OK(wd_memindex_put(one, table, &k, 8, id));
        CHECK_OK(wd_memindex_put(bulk, table, &k, 8, id));
    }
    size_t held = wd_memindex_bytes(bulk);
    CHECK_OK(wd_memindex_bulk_end(bulk));
    /* The load's list of held slots (one per new story) is given back (the
     * keys still queued at the end grow no table in this load). */
    CHECK(wd_memindex_bytes(bulk) < held);
    for (unsigned table = 0; table < 3; table++) {
        CHECK_INT(wd_memindex_count(bulk, table), ==,
                  wd_memindex_count(one, table));
        for (uint64_t k = 0; k < 5000; k++) {
            uint8_t a[16], b[16];
            int ra = wd_memindex_get(one, table, &k, 8, a);
            CHECK_INT(wd_memindex_get(bulk, table, &k, 8, b), ==, ra);
            if (ra == 0)
                CHECK(memcmp(a, b, 16) == 0);
        }
    }
    CHECK_INT(wd_memindex_ids(bulk), ==, wd_memindex_ids(one));
    /* After the end, puts and batches work as ever. */
    uint64_t k = 99999;
    uint8_t id[16], got[16];
    make_id(424242, id);
    wd_memindex_begin(bulk);
    CHECK_OK(wd_memindex_put(bulk, 1, &k, 8, id));
    wd_memindex_abort(bulk);
    CHECK_INT(wd_memindex_get(bulk, 1, &k, 8, got), ==, WD_ENOTFOUND);
    CHECK_INT(wd_memindex_ids(bulk), ==, wd_memindex_ids(one));
    wd_memindex_free(one);
    wd_memindex_free(bulk);
}

/* Inside a batch a bulk load is no bulk load: its puts are logged and its
 * end frees nothing the batch's undo may still need. */
static void
test_bulk_in_batch(void)
{
    struct wd_memindex *m;
    CHECK_OK(wd_memindex_new(&m));
    uint8_t a[16], b[16], got[16];
    make_id(1, a);
    make_id(2, b);
    uint64_t k = 5;
    CHECK_OK(wd_memindex_put(m, 0, &k, 8, a));
    wd_memindex_begin(m);
    wd_memindex_bulk_begin(m);
    CHECK_OK(wd_memindex_put(m, 0, &k, 8, b)); /* a is named by nothing */
    CHECK_OK(wd_memindex_bulk_end(m));
    wd_memindex_abort(m);
    CHECK_OK(wd_memindex_get(m, 0, &k, 8, got));
    CHECK(memcmp(got, a, 16) == 0);
    CHECK_INT(wd_memindex_ids(m), ==, 1);
    wd_memindex_free(m);
}

/* Tables past MOVE_MIN entries grow in steps, both tables serving while
 * the entries move (memindex.c): a random sequence of puts, overwrites and
 * deletes, in batches some of which are undone, through several growths of
 * the key and id tables, checked against a model after each batch (a
 * sample) and at the end (all); dumps taken while a growth is under way
 * finish it first and read back to the same keys. */
#define BIG 240000
static unsigned model_big[BIG];

static int
big_differs(const struct wd_memindex *m, unsigned k)
{
    uint64_t key = (uint64_t)k * 2654435761u;
    uint8_t got[16], want[16];
    int rc = wd_memindex_get(m, 1, &key, 8, got);
    if (model_big[k] == 0)
        return rc != WD_ENOTFOUND;
    make_id(model_big[k], want);
    return rc != 0 || memcmp(got, want, 16) != 0;
}

/* Keys k[0..n) read at once (wd_memindex_get_many, with a stride wider
 * than an id) against the model: how many differ. */
static int
many_differ(const struct wd_memindex *m, const unsigned *k, size_t n)
{
    enum { MANY = 100, STRIDE = 20 };
    uint64_t keys[MANY];
    uint8_t ids[MANY * STRIDE];
    int rcs[MANY], differ = 0;
    if (n > MANY)
        n = MANY;
    for (size_t i = 0; i < n; i++)
        keys[i] = (uint64_t)k[i] * 2654435761u;
    wd_memindex_get_many(m, 1, (const uint8_t *)keys, 8, n, ids, STRIDE, rcs);
    for (size_t i = 0; i < n; i++) {
        uint8_t want[16];
        make_id(model_big[k[i]], want);
        differ += model_big[k[i]] == 0
                      ? rcs[i] != WD_ENOTFOUND
                      : rcs[i] != 0 || memcmp(ids + i * STRIDE, want, 16) != 0;
    }
    return differ;
}

static void
test_growth_in_steps(void)
{
    struct wd_memindex *m;
    CHECK_OK(wd_memindex_new(&m));
    static unsigned saved[BIG];
    memset(model_big, 0, sizeof model_big);
    srand(11);
    unsigned next_key = 0, dumps_mid_growth = 0, batches = 0;
    while (next_key < BIG) {
        bool undo = rand() % 4 == 0;
        if (undo)
            memcpy(saved, model_big, sizeof saved);
        wd_memindex_begin(m);
        for (int i = 0, ops = 1 + rand() % 400; i < ops; i++) {
            int what = rand() % 10;
            unsigned k = what < 7 && next_key < BIG
                             ? next_key++
                             : (unsigned)rand() % (next_key ? next_key : 1);
            uint64_t key = (uint64_t)k * 2654435761u;
            if (what < 9) {
                unsigned id = 1 + (unsigned)rand() % (BIG / 2);
                uint8_t idb[16];
                make_id(id, idb);
                CHECK_OK(wd_memindex_put(m, 1, &key, 8, idb));
                model_big[k] = id;
            } else {
                wd_memindex_del(m, 1, &key, 8);
                model_big[k] = 0;
            }
        }
        if (undo) {
            wd_memindex_abort(m);
            memcpy(model_big, saved, sizeof saved);
        } else {
            wd_memindex_commit(m);
        }
        int differ = 0;
        for (int i = 0; i < 300; i++)
            differ += big_differs(m, (unsigned)rand() % BIG);
        /* The same, a hundred at once (more than one step of 32): half
         * of them keys put (some deleted since), half any key. */
        unsigned many[100];
        for (int i = 0; i < 100; i++)
            many[i] = i % 2 ? (unsigned)rand() % (next_key ? next_key : 1)
                            : (unsigned)rand() % BIG;
        differ += many_differ(m, many, 100);
        if (differ)
            CHECK_INT(differ, ==, 0);
        if (++batches % 25 == 0) {
            size_t before = wd_memindex_bytes(m);
            struct membuf b = {0};
            CHECK_OK(wd_memindex_dump(m, 9, membuf_write, &b));
            dumps_mid_growth += wd_memindex_bytes(m) < before;
            struct wd_memindex *r;
            CHECK_OK(wd_memindex_new(&r));
            CHECK_OK(restore(r, 9, &b));
            for (unsigned k = 0; k < next_key; k++)
                differ += big_differs(r, k);
            CHECK_INT(differ, ==, 0);
            CHECK_INT(wd_memindex_ids(r), ==, wd_memindex_ids(m));
            wd_memindex_free(r);
            free(b.p);
        }
    }
    int differ = 0;
    uint64_t n = 0;
    for (unsigned k = 0; k < BIG; k++) {
        differ += big_differs(m, k);
        n += model_big[k] != 0;
    }
    CHECK_INT(differ, ==, 0);
    CHECK_INT(wd_memindex_count(m, 1), ==, n);
    /* A dump freed the old table of a growth under way: the test saw
     * the state it is about. */
    CHECK(dumps_mid_growth > 0);
    wd_memindex_free(m);
}

/* During a growth, new keys whose probe in the old table would wrap past
 * its end go to the new one (old's start is already empty and must stay
 * so). White-box: the keys are picked by the index's own hash of table 1
 * (XXH3 seeded with the table + 1) to be the highest of all, so that they
 * all have old's last entry as their home. */
static void
test_growth_wrap(void)
{
    struct wd_memindex *m;
    CHECK_OK(wd_memindex_new(&m));
    uint8_t id[16], got[16];
    make_id(1, id);
    enum { TOP = 12 };
    uint64_t top[TOP];
    unsigned n_top = 0;
    for (uint64_t k = 1ULL << 40; n_top < TOP; k++)
        if (XXH3_64bits_withSeed(&k, 8, 2) >> 44 == 0xFFFFF)
            top[n_top++] = k;
    size_t bytes = wd_memindex_bytes(m);
    uint64_t k = 0;
    for (;; k++) { /* until a growth past MOVE_MIN begins */
        CHECK_OK(wd_memindex_put(m, 1, &k, 8, id));
        size_t now = wd_memindex_bytes(m);
        bool grew = now > bytes;
        bytes = now;
        if (grew && k > 40000)
            break;
    }
    for (unsigned i = 0; i < TOP; i++)
        CHECK_OK(wd_memindex_put(m, 1, &top[i], 8, id));
    for (unsigned i = 0; i < TOP; i++)
        CHECK_OK(wd_memindex_get(m, 1, &top[i], 8, got));
    for (uint64_t j = k + 1; j < k + 200000; j++) /* the growth ends */
        CHECK_OK(wd_memindex_put(m, 1, &j, 8, id));
    for (unsigned i = 0; i < TOP; i++) {
        CHECK_OK(wd_memindex_get(m, 1, &top[i], 8, got));
        wd_memindex_del(m, 1, &top[i], 8);
        CHECK_INT(wd_memindex_get(m, 1, &top[i], 8, got), ==, WD_ENOTFOUND);
    }
    CHECK_INT(wd_memindex_count(m, 1), ==, k + 200000);
    wd_memindex_free(m);
}

/* A key's place and identity in a table, as memindex.h says: the top 40
 * bits of its hash (XXH3 seeded by the table number + 1). */
static uint64_t
top40(unsigned table, uint64_t key)
{
    return XXH3_64bits_withSeed(&key, 8, table + 1) >> 24;
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* How many of keys base .. base + n - 1 of table share their 40 bits with
 * another. */
static size_t
shadowed(unsigned table, uint64_t base, size_t n)
{
    uint64_t *t = malloc(n * sizeof *t);
    CHECK(t != NULL);
    if (!t)
        return n;
    for (size_t i = 0; i < n; i++)
        t[i] = top40(table, base + i);
    qsort(t, n, sizeof *t, cmp_u64);
    size_t same = 0;
    for (size_t i = 1; i < n; i++)
        same += t[i] == t[i - 1];
    free(t);
    return same;
}

/* Two keys whose hashes share their top 40 bits are one key: the second
 * put names its story for both, a look-up of the first names it too (a
 * candidate the dedup's record check refuses), and a delete of either
 * removes the entry. Keys 750 and 43555 of table 0 are such a pair. */
static void
test_shadowed_key(void)
{
    uint64_t a = 750, b = 43555;
    CHECK(top40(0, a) == top40(0, b));
    CHECK(top40(1, a) != top40(1, b)); /* (another table: two keys) */
    struct wd_memindex *m;
    CHECK_OK(wd_memindex_new(&m));
    uint8_t ida[16], idb[16], got[16];
    make_id(1, ida);
    make_id(2, idb);
    CHECK_OK(wd_memindex_put(m, 0, &a, 8, ida));
    CHECK_OK(wd_memindex_put(m, 0, &b, 8, idb));
    CHECK_INT(wd_memindex_count(m, 0), ==, 1);
    CHECK_INT(wd_memindex_ids(m), ==, 1); /* ida is named by none */
    CHECK_OK(wd_memindex_get(m, 0, &a, 8, got));
    CHECK(memcmp(got, idb, 16) == 0);
    CHECK_OK(wd_memindex_put(m, 1, &a, 8, ida));
    CHECK_OK(wd_memindex_put(m, 1, &b, 8, idb));
    CHECK_INT(wd_memindex_count(m, 1), ==, 2);
    wd_memindex_del(m, 0, &a, 8);
    CHECK_INT(wd_memindex_get(m, 0, &b, 8, got), ==, WD_ENOTFOUND);
    CHECK_OK(wd_memindex_get(m, 1, &b, 8, got));
    CHECK(memcmp(got, idb, 16) == 0);
    wd_memindex_free(m);
}

/* Tables past 2 MiB live in mappings of their own (huge pages): a table
 * grows into one, answers from it, and is dumped and restored into one
 * like the small ones. */
static void
test_large_tables(void)
{
    struct wd_memindex *m, *r;
    CHECK_OK(wd_memindex_new(&m));
    enum { N = 400000 }; /* 8 bytes an entry: past 2 MiB at this count */
    /* Keys from 2^40 on: no two of the 3N share their 40 bits (checked),
     * so that every count is exact (test_shadowed_key: a pair that does). */
    const uint64_t base = (uint64_t)1 << 40;
    CHECK_INT(shadowed(0, base, 3 * N), ==, 0);
    for (uint64_t k = base; k < base + N; k++) {
        uint8_t id[16];
        make_id((unsigned)((k - base) / 4), id);
        CHECK_OK(wd_memindex_put(m, 0, &k, 8, id));
    }
    CHECK(wd_memindex_bytes(m) > (size_t)N * 8);
    for (uint64_t k = base; k < base + N; k += 997) {
        uint8_t id[16], got[16];
        make_id((unsigned)((k - base) / 4), id);
        CHECK_OK(wd_memindex_get(m, 0, &k, 8, got));
        CHECK(memcmp(got, id, 16) == 0);
    }
    struct membuf buf = {0};
    CHECK_OK(wd_memindex_dump(m, 3, membuf_write, &buf));
    CHECK_OK(wd_memindex_new(&r));
    CHECK_OK(restore(r, 3, &buf));
    CHECK_INT(wd_memindex_count(r, 0), ==, N);
    CHECK_INT(wd_memindex_ids(r), ==, N / 4);
    for (uint64_t k = base + 1; k < base + N; k += 1009) {
        uint8_t id[16], got[16];
        make_id((unsigned)((k - base) / 4), id);
        CHECK_OK(wd_memindex_get(r, 0, &k, 8, got));
        CHECK(memcmp(got, id, 16) == 0);
        wd_memindex_del(r, 0, &k, 8);
        CHECK_INT(wd_memindex_get(r, 0, &k, 8, got), ==, WD_ENOTFOUND);
    }
    /* The restored tables grow (in steps) to three times the keys, and the
     * index dumps and restores again. */
    for (uint64_t k = base + N; k < base + 3 * N; k++) {
        uint8_t id[16];
        make_id((unsigned)((k - base) / 4), id);
        CHECK_OK(wd_memindex_put(r, 0, &k, 8, id));
    }
    int differ = 0;
    for (uint64_t k = base; k < base + 3 * N; k += 7) {
        uint8_t id[16], got[16];
        make_id((unsigned)((k - base) / 4), id);
        int rc = wd_memindex_get(r, 0, &k, 8, got);
        differ += k - base < N && (k - base) % 1009 == 1
                      ? rc != WD_ENOTFOUND
                      : rc != 0 || memcmp(got, id, 16);
    }
    CHECK_INT(differ, ==, 0);
    buf.len = 0;
    CHECK_OK(wd_memindex_dump(r, 4, membuf_write, &buf));
    wd_memindex_free(r);
    CHECK_OK(wd_memindex_new(&r));
    CHECK_OK(restore(r, 4, &buf));
    CHECK_INT(wd_memindex_count(r, 0), ==, 3 * N - (N + 1007) / 1009);
    free(buf.p);
    wd_memindex_free(r);
    wd_memindex_free(m);
}

int
main(void)
{
    RUN(test_put_get_del);
    RUN(test_abort_undoes);
    RUN(test_ages_of_one_time);
    RUN(test_random_batches);
    RUN(test_dump_restore);
    RUN(test_record_numbers);
    RUN(test_bulk_load_same);
    RUN(test_bulk_in_batch);
    RUN(test_large_tables);
    RUN(test_growth_in_steps);
    RUN(test_growth_wrap);
    RUN(test_shadowed_key);
    return TEST_DONE();
}
