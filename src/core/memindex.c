#include "wd/memindex.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "wd/dump.h"
#include "wd/err.h"
#include "wd/hugemem.h"

#define NONE SIZE_MAX
#define FREE_SLOT UINT32_MAX
#define TABLES_MAX 16
#define MIN_CAP 1024

/* Open addressing, linear probing. An entry is 8 bytes, one cache line
 * per probe: the top 40 bits of the key's hash, which place it (home) and
 * tell it from its neighbours, and its slot + 1 in the low 24 (0: empty).
 * Two keys of 40 equal bits are one key here: a look-up may name a story
 * that does not hold the key (about one in 2^15 compared entries, since
 * the entries of one probe run share most of their home's bits), which
 * the caller confirms against the story's record (memindex.h). */
struct tab {
    uint64_t *e;
    size_t cap, n;
};

#define V_BITS 24
#define V_MASK (((uint64_t)1 << V_BITS) - 1)
#define H_MASK (~V_MASK)

static uint32_t
e_v(uint64_t e)
{
    return (uint32_t)(e & V_MASK);
}

static uint64_t
e_h(uint64_t e)
{
    return e & H_MASK;
}

/* A table that grows without stopping the loop: when it must grow, a
 * larger one becomes cur and the full one old, and each change then moves
 * old's entries at [moved, moved + MOVE_STEP) to cur, as Redis's dict
 * rehashes (at 25M keys a whole re-placement took 0.3 s, bench/RESULTS.md).
 * Meanwhile an entry is in one of the two (which one: wrap_min). Old's
 * entries before moved are all gone, and they leave a cluster (a run up to
 * an empty entry) at a time, so no probe sequence of old is ever broken. A
 * table below MOVE_MIN entries grows at once.
 *
 * A new entry goes to old when its probe there starts at or past moved and
 * does not wrap, and to cur otherwise. Home positions grow with the hash in
 * both tables, so the moves write cur from its start to its end, and a new
 * entry of cur lands where they have already been: cur's pages are faulted
 * in one after the other, not at random by the first new entries (each a
 * 2 MB zeroed huge page, which made the pages after a switch wait tens of
 * ms). Old fills to at most 0.8 + 1/MOVE_STEP: each insert moves the
 * front at least MOVE_STEP positions on. */
struct map {
    struct tab cur, old; /* old.cap 0: not growing */
    size_t moved;
    /* The lowest old home of an entry put in cur while its old home was at
     * or past moved (a probe that wrapped): a key whose old home is at or
     * past moved and below this one can only be in old, one below moved
     * only in cur, so that a look-up probes one table. */
    size_t wrap_min;
};

#define MOVE_STEP 16
#define MOVE_MIN ((size_t)1 << 15)

enum undo_kind { UNDO_KEY, UNDO_AGE_PUT, UNDO_AGE_DEL, UNDO_RECORD };

/* A bulk load's queue: a key's home entries are prefetched when the key
 * is put and written PEND_MAX puts later, so that the cache misses of a
 * rebuild overlap instead of coming one after the other. */
#define PEND_MAX 16

struct pend {
    uint64_t h;
    uint32_t v;
    uint32_t table;
};

struct undo {
    uint8_t kind, table;
    uint32_t old; /* UNDO_KEY: the slot + 1 the key named before (0: none) */
    uint64_t h;   /* UNDO_RECORD: the record's number before (0: none) */
    uint8_t age[WD_MEMINDEX_AGE_LEN]; /* UNDO_RECORD: the id */
};

struct wd_memindex {
    struct map keys, ids;
    uint64_t counts[TABLES_MAX];
    /* Stories: id, how many entries and records name it (FREE_SLOT:
     * free), and its record's number (0: none). */
    uint8_t (*id)[16];
    uint32_t *refs;
    uint64_t *rec;
    size_t n_slots, slot_cap;
    uint32_t *free_slots;
    size_t n_free;
    /* Slots whose count fell to 0 (or new ones): freed at the end of the
     * batch unless named again (an undo may name them again). */
    uint32_t *zero;
    size_t n_zero, zero_cap;
    /* Age keys, sorted, in [head, end). */
    uint8_t (*age)[WD_MEMINDEX_AGE_LEN];
    size_t head, end, age_cap;
    struct undo *log;
    size_t n_log, log_cap;
    bool logging;
    bool bulk; /* between wd_memindex_bulk_begin and _end */
    struct pend pend[PEND_MAX];
    size_t n_pend, pend_head;
    int bulk_rc; /* the first failed write of the queue */
};

static void *
grow_array(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    size_t n = *cap < 64 ? 64 : *cap + *cap / 2;
    if (n < need)
        n = need;
    void *q = realloc(p, n * size);
    if (q)
        *cap = n;
    return q;
}

static size_t
home(const struct tab *t, uint64_t h)
{
    return (size_t)(((unsigned __int128)h * t->cap) >> 64);
}

/* The entry of h (and, with id, naming that id), or NONE. */
static size_t
tab_find(const struct wd_memindex *m, const struct tab *t, uint64_t h,
         const uint8_t *id)
{
    if (t->cap == 0)
        return NONE;
    for (size_t i = home(t, h);; i = i + 1 == t->cap ? 0 : i + 1) {
        uint64_t e = t->e[i];
        if (e == 0)
            return NONE;
        if (e_h(e) == h && (!id || memcmp(m->id[e_v(e) - 1], id, 16) == 0))
            return i;
    }
}

static void
tab_place(struct tab *t, uint64_t h, uint32_t v)
{
    size_t i = home(t, h);
    while (t->e[i] != 0)
        i = i + 1 == t->cap ? 0 : i + 1;
    t->e[i] = h | v;
    t->n++;
}

static void
tab_free(struct tab *t)
{
    wd_huge_free(t->e, t->cap, sizeof *t->e);
    t->e = NULL;
}

static size_t
map_n(const struct map *mp)
{
    return mp->cur.n + mp->old.n;
}

/* Moves old's entries at [moved, moved + steps) (and the rest of a
 * cluster begun there) to cur; old is freed when it is empty. Steps
 * count entries looked at, empty or not. */
static void
map_move(struct map *mp, size_t steps)
{
    struct tab *o = &mp->old;
    while (o->cap && steps) {
        size_t a = mp->moved, e = a;
        while (e < o->cap && o->e[e])
            e++;
        for (size_t i = a; i < e; i++)
            __builtin_prefetch(&mp->cur.e[home(&mp->cur, e_h(o->e[i]))], 1);
        for (size_t i = a; i < e; i++) {
            size_t ho = home(o, e_h(o->e[i]));
            if (ho > e && ho < mp->wrap_min)
                mp->wrap_min = ho;
            tab_place(&mp->cur, e_h(o->e[i]), e_v(o->e[i]));
            o->e[i] = 0;
        }
        o->n -= e - a;
        mp->moved = e + 1;
        steps = steps > e - a + 1 ? steps - (e - a + 1) : 0;
        if (o->n == 0 || mp->moved >= o->cap) {
            tab_free(o);
            *o = (struct tab){0};
            mp->moved = 0;
        }
    }
}

/* An empty table of cap entries ({0}: no memory). */
static struct tab
tab_new(size_t cap)
{
    struct tab t = {.e = wd_huge_calloc(cap, sizeof *t.e), .cap = cap};
    return t.e ? t : (struct tab){0};
}

/* Puts a new entry where the map's comment says. */
static void
map_place(struct map *mp, uint64_t h, uint32_t v)
{
    struct tab *o = &mp->old;
    size_t ho = o->cap ? home(o, h) : 0;
    if (o->cap && ho >= mp->moved) {
        size_t i = ho;
        while (i < o->cap && o->e[i])
            i++;
        if (i < o->cap) {
            o->e[i] = h | v;
            o->n++;
            return;
        }
        if (ho < mp->wrap_min)
            mp->wrap_min = ho;
    }
    tab_place(&mp->cur, h, v);
}

/* Room for n entries (both tables') in cur at a load of at most 0.8. */
static int
map_reserve(struct map *mp, size_t n)
{
    if (n * 5 <= mp->cur.cap * 4)
        return 0;
    map_move(mp, SIZE_MAX); /* (a growth not done yet: finish it) */
    size_t cap =
        mp->cur.cap < MIN_CAP ? MIN_CAP : mp->cur.cap + mp->cur.cap / 2;
    struct tab nt = tab_new(cap * 4 < n * 5 ? n * 5 / 4 + 1 : cap);
    if (!nt.cap)
        return WD_ENOMEM;
    mp->old = mp->cur;
    mp->cur = nt;
    mp->moved = 0;
    mp->wrap_min = SIZE_MAX;
    if (mp->old.cap < MOVE_MIN)
        map_move(mp, SIZE_MAX);
    return 0;
}

/* Where an entry is: in old or cur, at i (NONE: nowhere). */
struct loc {
    bool old;
    size_t i;
};

static struct loc
map_find(const struct wd_memindex *m, const struct map *mp, uint64_t h,
         const uint8_t *id)
{
    if (mp->old.cap) {
        size_t ho = home(&mp->old, h);
        if (ho >= mp->moved && ho < mp->wrap_min)
            return (struct loc){true, tab_find(m, &mp->old, h, id)};
        struct loc l = {false, tab_find(m, &mp->cur, h, id)};
        if (l.i == NONE && ho >= mp->moved)
            l = (struct loc){true, tab_find(m, &mp->old, h, id)};
        return l;
    }
    return (struct loc){false, tab_find(m, &mp->cur, h, id)};
}

static struct tab *
loc_tab(struct map *mp, struct loc l)
{
    return l.old ? &mp->old : &mp->cur;
}

static uint32_t
loc_v(const struct map *mp, struct loc l)
{
    return e_v((l.old ? &mp->old : &mp->cur)->e[l.i]);
}

static void
map_free(struct map *mp)
{
    tab_free(&mp->cur);
    tab_free(&mp->old);
}

/* Removes entry i, moving back the entries after it that may take its
 * place, so that no probe sequence is broken. */
static void
tab_remove(struct tab *t, size_t i)
{
    size_t j = i;
    for (;;) {
        j = j + 1 == t->cap ? 0 : j + 1;
        if (t->e[j] == 0)
            break;
        size_t k = home(t, e_h(t->e[j]));
        bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (stays)
            continue;
        t->e[i] = t->e[j];
        i = j;
    }
    t->e[i] = 0;
    t->n--;
}

int
wd_memindex_new(struct wd_memindex **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : WD_ENOMEM;
}

/* Frees every array: the index is empty again. */
static void
release_all(struct wd_memindex *m)
{
    map_free(&m->keys);
    map_free(&m->ids);
    free(m->id);
    free(m->refs);
    free(m->rec);
    free(m->free_slots);
    free(m->zero);
    free(m->age);
    free(m->log);
    memset(m, 0, sizeof *m);
}

void
wd_memindex_free(struct wd_memindex *m)
{
    if (!m)
        return;
    release_all(m);
    free(m);
}

static uint64_t
id_hash(const uint8_t id[16])
{
    return XXH3_64bits(id, 16) & H_MASK;
}

static uint64_t
key_hash(unsigned table, const void *key, size_t klen)
{
    return XXH3_64bits_withSeed(key, klen, table + 1) & H_MASK;
}

/* Room for one more slot in the zero list. */
static int
zero_room(struct wd_memindex *m)
{
    uint32_t *z = grow_array(m->zero, &m->zero_cap, m->n_zero + 1, sizeof *z);
    if (!z)
        return WD_ENOMEM;
    m->zero = z;
    return 0;
}

/* Frees the slots no entry names any more. */
static void
release_zero(struct wd_memindex *m)
{
    for (size_t i = 0; i < m->n_zero; i++) {
        uint32_t s = m->zero[i];
        if (m->refs[s] != 0)
            continue;
        struct loc at = map_find(m, &m->ids, id_hash(m->id[s]), m->id[s]);
        if (at.i != NONE)
            tab_remove(loc_tab(&m->ids, at), at.i);
        m->refs[s] = FREE_SLOT;
        m->free_slots[m->n_free++] = s; /* room: one per slot */
    }
    m->n_zero = 0;
}

/* p's array grown (or made) to n elements of size bytes, offered for huge
 * pages; NULL when there is no memory (p is then left as it was). */
static void *
huge_realloc(void *p, size_t n, size_t size)
{
    return wd_huge_hint(realloc(p, n * size), n * size);
}

/* The slot arrays made room for cap slots. */
static int
slot_arrays(struct wd_memindex *m, size_t cap)
{
    void *a;
    if (!(a = huge_realloc(m->id, cap, 16)))
        return WD_ENOMEM;
    m->id = a;
    if (!(a = huge_realloc(m->refs, cap, sizeof *m->refs)))
        return WD_ENOMEM;
    m->refs = a;
    if (!(a = huge_realloc(m->free_slots, cap, sizeof *m->free_slots)))
        return WD_ENOMEM;
    m->free_slots = a;
    if (!(a = huge_realloc(m->rec, cap, sizeof *m->rec)))
        return WD_ENOMEM;
    m->rec = a;
    return 0;
}

static int
slots_room(struct wd_memindex *m)
{
    if (m->n_free || m->n_slots < m->slot_cap)
        return 0;
    if (m->n_slots >= WD_MEMINDEX_STORIES_MAX)
        return WD_ENOMEM;
    size_t cap = m->slot_cap < 1024 ? 1024 : m->slot_cap + m->slot_cap / 2;
    if (cap > WD_MEMINDEX_STORIES_MAX)
        cap = WD_MEMINDEX_STORIES_MAX;
    if (slot_arrays(m, cap) != 0)
        return WD_ENOMEM;
    m->slot_cap = cap;
    return 0;
}

/* The slot of id, or -1 when it has none. */
static int64_t
slot_find(const struct wd_memindex *m, const uint8_t id[16])
{
    struct loc at = map_find(m, &m->ids, id_hash(id), id);
    return at.i == NONE ? -1 : (int64_t)loc_v(&m->ids, at) - 1;
}

/* The slot of id, taken when it has none: a slot number, or -1 (no
 * memory). */
static int64_t
slot_of(struct wd_memindex *m, const uint8_t id[16])
{
    int64_t found = slot_find(m, id);
    if (found >= 0)
        return found;
    uint64_t h = id_hash(id);
    if (map_reserve(&m->ids, map_n(&m->ids) + 1) != 0 || zero_room(m) != 0 ||
        slots_room(m) != 0)
        return -1;
    map_move(&m->ids, MOVE_STEP);
    uint32_t s =
        m->n_free ? m->free_slots[--m->n_free] : (uint32_t)m->n_slots++;
    memcpy(m->id[s], id, 16);
    m->refs[s] = 0;
    m->rec[s] = 0;
    map_place(&m->ids, h, s + 1);
    m->zero[m->n_zero++] = s; /* freed at the end unless named */
    return s;
}

static int
log_room(struct wd_memindex *m)
{
    if (!m->logging)
        return 0;
    struct undo *l = grow_array(m->log, &m->log_cap, m->n_log + 1, sizeof *l);
    if (!l)
        return WD_ENOMEM;
    m->log = l;
    return 0;
}

static void
log_add(struct wd_memindex *m, enum undo_kind kind, unsigned table,
        uint32_t old, uint64_t h, const uint8_t *age)
{
    if (!m->logging)
        return;
    struct undo *u = &m->log[m->n_log++];
    u->kind = (uint8_t)kind;
    u->table = (uint8_t)table;
    u->old = old;
    u->h = h;
    if (age) /* an age key, or an id */
        memcpy(u->age, age, kind == UNDO_RECORD ? 16 : WD_MEMINDEX_AGE_LEN);
}

/* Makes key h of table name slot v - 1 (v 0: nothing). */
static int
key_set(struct wd_memindex *m, unsigned table, uint64_t h, uint32_t v)
{
    struct loc at = map_find(m, &m->keys, h, NULL);
    uint32_t old = at.i == NONE ? 0 : loc_v(&m->keys, at);
    if (old == v)
        return 0;
    if (log_room(m) != 0 || zero_room(m) != 0)
        return WD_ENOMEM;
    if (v && at.i == NONE) {
        if (map_reserve(&m->keys, map_n(&m->keys) + 1) != 0)
            return WD_ENOMEM;
        map_place(&m->keys, h, v);
        m->counts[table]++;
    } else if (v) {
        loc_tab(&m->keys, at)->e[at.i] = h | v;
    } else {
        tab_remove(loc_tab(&m->keys, at), at.i);
        m->counts[table]--;
    }
    map_move(&m->keys, MOVE_STEP);
    log_add(m, UNDO_KEY, table, old, h, NULL);
    if (v)
        m->refs[v - 1]++;
    if (old && --m->refs[old - 1] == 0)
        m->zero[m->n_zero++] = old - 1;
    return 0;
}

/* The entries a look-up of h reads first, fetched ahead. */
static void
map_prefetch(const struct map *mp, uint64_t h)
{
    __builtin_prefetch(&mp->cur.e[home(&mp->cur, h)]);
    if (mp->old.cap)
        __builtin_prefetch(&mp->old.e[home(&mp->old, h)]);
}

void
wd_memindex_get_many(const struct wd_memindex *m, unsigned table,
                     const uint8_t *keys, size_t klen, size_t n, uint8_t *ids,
                     size_t stride, int *rcs)
{
    enum { STEP = 32 };
    uint64_t h[STEP];
    uint32_t v[STEP];
    for (size_t at = 0; at < n; at += STEP) {
        size_t k = n - at < STEP ? n - at : STEP;
        for (size_t i = 0; i < k; i++) {
            h[i] = key_hash(table, keys + (at + i) * klen, klen);
            if (m->keys.cur.cap)
                map_prefetch(&m->keys, h[i]);
        }
        /* The entries, then the ids they name (another miss each). */
        for (size_t i = 0; i < k; i++) {
            struct loc l = map_find(m, &m->keys, h[i], NULL);
            v[i] = l.i == NONE ? 0 : loc_v(&m->keys, l);
            if (v[i])
                __builtin_prefetch(m->id[v[i] - 1]);
        }
        for (size_t i = 0; i < k; i++) {
            rcs[at + i] = v[i] ? 0 : WD_ENOTFOUND;
            if (v[i])
                memcpy(ids + (at + i) * stride, m->id[v[i] - 1], 16);
        }
    }
}

int
wd_memindex_get(const struct wd_memindex *m, unsigned table, const void *key,
                size_t klen, uint8_t id[16])
{
    uint8_t got[16];
    int rc;
    wd_memindex_get_many(m, table, key, klen, 1, got, 16, &rc);
    if (rc == 0 && id)
        memcpy(id, got, 16);
    return rc;
}

/* Writes the oldest queued key. */
static void
pend_write(struct wd_memindex *m)
{
    const struct pend *p = &m->pend[m->pend_head];
    int rc = key_set(m, p->table, p->h, p->v);
    if (rc && !m->bulk_rc)
        m->bulk_rc = rc;
    m->pend_head = (m->pend_head + 1) % PEND_MAX;
    m->n_pend--;
}

void
wd_memindex_bulk_begin(struct wd_memindex *m)
{
    m->bulk = !m->logging;
    m->bulk_rc = 0;
}

int
wd_memindex_bulk_end(struct wd_memindex *m)
{
    while (m->n_pend)
        pend_write(m);
    m->bulk = false;
    if (!m->logging) { /* (in a batch, commit releases them) */
        release_zero(m);
        if (m->zero_cap > 4096) { /* a rebuild held every new slot there */
            free(m->zero);
            m->zero = NULL;
            m->zero_cap = 0;
        }
    }
    int rc = m->bulk_rc;
    m->bulk_rc = 0;
    return rc;
}

/* A bulk load's put: the id's slot now (a new one stays in the zero list,
 * held, until the end), the key's entry PEND_MAX puts later. */
static int
bulk_put(struct wd_memindex *m, unsigned table, uint64_t h,
         const uint8_t id[16])
{
    int64_t s = slot_of(m, id);
    if (s < 0)
        return WD_ENOMEM;
    if (m->n_pend == PEND_MAX)
        pend_write(m);
    if (m->keys.cur.cap) {
        __builtin_prefetch(&m->keys.cur.e[home(&m->keys.cur, h)], 1);
    }
    struct pend *p = &m->pend[(m->pend_head + m->n_pend++) % PEND_MAX];
    p->h = h;
    p->v = (uint32_t)s + 1;
    p->table = table;
    return m->bulk_rc;
}

int
wd_memindex_put(struct wd_memindex *m, unsigned table, const void *key,
                size_t klen, const uint8_t id[16])
{
    if (table >= TABLES_MAX)
        return WD_EINVAL;
    if (m->bulk)
        return bulk_put(m, table, key_hash(table, key, klen), id);
    int64_t s = slot_of(m, id);
    int rc =
        s < 0 ? WD_ENOMEM
              : key_set(m, table, key_hash(table, key, klen), (uint32_t)s + 1);
    if (!m->logging)
        release_zero(m);
    return rc;
}

void
wd_memindex_del(struct wd_memindex *m, unsigned table, const void *key,
                size_t klen)
{
    if (table >= TABLES_MAX)
        return;
    while (m->n_pend) /* (a bulk load has only puts; to be safe) */
        pend_write(m);
    key_set(m, table, key_hash(table, key, klen), 0);
    if (!m->logging)
        release_zero(m);
}

/* Makes id's record number rec (0: none), counted as a name of its slot. */
static int
record_set(struct wd_memindex *m, const uint8_t id[16], uint64_t rec)
{
    int64_t s = rec ? slot_of(m, id) : slot_find(m, id);
    if (s < 0)
        return rec ? WD_ENOMEM : 0;
    uint64_t old = m->rec[s];
    if (old == rec)
        return 0;
    if (log_room(m) != 0 || zero_room(m) != 0)
        return WD_ENOMEM;
    m->rec[s] = rec;
    if (!old)
        m->refs[s]++;
    else if (!rec && --m->refs[s] == 0)
        m->zero[m->n_zero++] = (uint32_t)s;
    log_add(m, UNDO_RECORD, 0, 0, old, id);
    return 0;
}

int
wd_memindex_record_set(struct wd_memindex *m, const uint8_t id[16],
                       uint64_t rec)
{
    int rc = record_set(m, id, rec);
    if (!m->logging && !m->bulk)
        release_zero(m);
    return rc;
}

uint64_t
wd_memindex_record(const struct wd_memindex *m, const uint8_t id[16])
{
    int64_t s = slot_find(m, id);
    return s < 0 ? 0 : m->rec[s];
}

uint64_t
wd_memindex_count(const struct wd_memindex *m, unsigned table)
{
    return table < TABLES_MAX ? m->counts[table] : 0;
}

/* The first position in [head, end) whose time (the key's first 8 bytes)
 * is above key's (upper) or not below it (!upper). */
static size_t
age_bound(const struct wd_memindex *m, const uint8_t *key, bool upper)
{
    size_t lo = m->head, hi = m->end;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = memcmp(m->age[mid], key, 8);
        if (c < 0 || (upper && c == 0))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Ages are kept in time order, and in the order they came within one
 * time (a burst of stories in one millisecond, or a bench that stamps a
 * million with one time, appends in O(1)). */
static int
age_insert(struct wd_memindex *m, const uint8_t *key)
{
    bool last = m->end == m->head || memcmp(m->age[m->end - 1], key, 8) <= 0;
    size_t at = last ? m->end : age_bound(m, key, true);
    if (m->end == m->age_cap) {
        if (m->head > 0) { /* room left at the front: move down */
            memmove(m->age, m->age + m->head,
                    (m->end - m->head) * WD_MEMINDEX_AGE_LEN);
            at -= m->head;
            m->end -= m->head;
            m->head = 0;
        }
        if (m->end == m->age_cap) {
            void *a = grow_array(m->age, &m->age_cap, m->end + 1,
                                 WD_MEMINDEX_AGE_LEN);
            if (!a)
                return WD_ENOMEM;
            m->age = wd_huge_hint(a, m->age_cap * WD_MEMINDEX_AGE_LEN);
        }
    }
    memmove(m->age + at + 1, m->age + at, (m->end - at) * WD_MEMINDEX_AGE_LEN);
    memcpy(m->age[at], key, WD_MEMINDEX_AGE_LEN);
    m->end++;
    return 0;
}

/* Finds key among those of its time: the oldest first (eviction), then the
 * newest (an undone put), then the others. */
static bool
age_remove(struct wd_memindex *m, const uint8_t *key)
{
    size_t lo = age_bound(m, key, false), hi = age_bound(m, key, true), at;
    if (lo == hi)
        return false;
    if (memcmp(m->age[lo], key, WD_MEMINDEX_AGE_LEN) == 0) {
        at = lo;
    } else if (memcmp(m->age[hi - 1], key, WD_MEMINDEX_AGE_LEN) == 0) {
        at = hi - 1;
    } else {
        for (at = lo + 1; at + 1 < hi; at++)
            if (memcmp(m->age[at], key, WD_MEMINDEX_AGE_LEN) == 0)
                break;
        if (at + 1 >= hi)
            return false;
    }
    if (at == m->head) {
        m->head++;
    } else {
        memmove(m->age + at, m->age + at + 1,
                (m->end - at - 1) * WD_MEMINDEX_AGE_LEN);
        m->end--;
    }
    if (m->head == m->end)
        m->head = m->end = 0;
    return true;
}

int
wd_memindex_age_put(struct wd_memindex *m,
                    const uint8_t key[WD_MEMINDEX_AGE_LEN])
{
    if (log_room(m) != 0)
        return WD_ENOMEM;
    int rc = age_insert(m, key);
    if (rc == 0)
        log_add(m, UNDO_AGE_PUT, 0, 0, 0, key);
    return rc;
}

void
wd_memindex_age_del(struct wd_memindex *m,
                    const uint8_t key[WD_MEMINDEX_AGE_LEN])
{
    if (log_room(m) != 0)
        return;
    if (age_remove(m, key))
        log_add(m, UNDO_AGE_DEL, 0, 0, 0, key);
}

size_t
wd_memindex_age_count(const struct wd_memindex *m)
{
    return m->end - m->head;
}

const uint8_t *
wd_memindex_age_at(const struct wd_memindex *m, size_t i)
{
    return m->age[m->head + i];
}

void
wd_memindex_begin(struct wd_memindex *m)
{
    m->n_log = 0;
    m->logging = true;
}

void
wd_memindex_commit(struct wd_memindex *m)
{
    m->n_log = 0;
    m->logging = false;
    release_zero(m);
}

void
wd_memindex_abort(struct wd_memindex *m)
{
    m->logging = false;
    /* Undo, newest first. Restoring a key needs no memory a change did not
     * already take (the table held it), except the zero list's room, which
     * every change that can drop a count reserved. */
    while (m->n_log) {
        const struct undo *u = &m->log[--m->n_log];
        switch (u->kind) {
        case UNDO_KEY:
            key_set(m, u->table, u->h, u->old);
            break;
        case UNDO_AGE_PUT:
            age_remove(m, u->age);
            break;
        case UNDO_AGE_DEL:
            age_insert(m, u->age);
            break;
        case UNDO_RECORD:
            record_set(m, u->age, u->h);
            break;
        }
    }
    release_zero(m);
}

size_t
wd_memindex_ids(const struct wd_memindex *m)
{
    return map_n(&m->ids);
}

size_t
wd_memindex_bytes(const struct wd_memindex *m)
{
    return (m->keys.cur.cap + m->keys.old.cap + m->ids.cur.cap +
            m->ids.old.cap) *
               sizeof(uint64_t) +
           m->slot_cap * (16 + 2 * sizeof(uint32_t) + sizeof(uint64_t)) +
           m->zero_cap * sizeof(uint32_t) + m->age_cap * WD_MEMINDEX_AGE_LEN +
           m->log_cap * sizeof(struct undo);
}

int
wd_memindex_reserve(struct wd_memindex *m, size_t n, size_t stories)
{
    /* A third more stories than asked: the first new ones after a rebuild
     * must not grow the table at once (n, the keys, is an upper bound
     * already). */
    stories += stories / 3;
    if (map_reserve(&m->keys, n) != 0 || map_reserve(&m->ids, stories) != 0)
        return WD_ENOMEM;
    return 0;
}

/* The dump: this header, then the arrays in its order, then the XXH3-64
 * of everything before it. */
struct dump_head {
    char magic[8];
    uint64_t tag;
    uint64_t keys_cap, keys_n, ids_cap, ids_n, n_slots, n_free, n_ages;
    uint64_t counts[TABLES_MAX];
};

/* 1: hashes and slots in two arrays; 2: no record numbers */
#define DUMP_MAGIC "WDMIDX3"
#define DUMP_CAP_MAX (1ULL << 36) /* entries of an array, at most */
#define DUMP_PARTS 7

static size_t
dump_parts(const struct wd_memindex *m, struct wd_dump_part parts[DUMP_PARTS])
{
    size_t n = 0;
    parts[n++] = (struct wd_dump_part){m->keys.cur.e,
                                       m->keys.cur.cap * sizeof(uint64_t)};
    parts[n++] =
        (struct wd_dump_part){m->ids.cur.e, m->ids.cur.cap * sizeof(uint64_t)};
    parts[n++] = (struct wd_dump_part){m->id, m->n_slots * 16};
    parts[n++] = (struct wd_dump_part){m->refs, m->n_slots * sizeof(uint32_t)};
    parts[n++] = (struct wd_dump_part){m->rec, m->n_slots * sizeof(uint64_t)};
    parts[n++] =
        (struct wd_dump_part){m->free_slots, m->n_free * sizeof(uint32_t)};
    parts[n++] =
        (struct wd_dump_part){m->age ? m->age[m->head] : NULL,
                              (m->end - m->head) * WD_MEMINDEX_AGE_LEN};
    return n;
}

int
wd_memindex_dump(struct wd_memindex *m, uint64_t tag, wd_dump_write_fn write,
                 void *ctx)
{
    if (m->logging)
        return WD_EINVAL;
    map_move(&m->keys, SIZE_MAX); /* a growth still going: finished */
    map_move(&m->ids, SIZE_MAX);
    struct dump_head h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, DUMP_MAGIC, 8);
    h.tag = tag;
    h.keys_cap = m->keys.cur.cap;
    h.keys_n = m->keys.cur.n;
    h.ids_cap = m->ids.cur.cap;
    h.ids_n = m->ids.cur.n;
    h.n_slots = m->n_slots;
    h.n_free = m->n_free;
    h.n_ages = m->end - m->head;
    memcpy(h.counts, m->counts, sizeof h.counts);
    struct wd_dump_part parts[DUMP_PARTS];
    size_t n = dump_parts(m, parts);
    return wd_dump_write(&h, sizeof h, parts, n, write, ctx);
}

/* A table's entries name slots that exist, as many as it says, with room
 * left (a probe always meets an empty entry). */
static bool
tab_consistent(const struct tab *t, size_t n_slots)
{
    size_t n = 0;
    for (size_t i = 0; i < t->cap; i++) {
        if (e_v(t->e[i]) > n_slots || (t->e[i] && !e_v(t->e[i])))
            return false;
        n += t->e[i] != 0;
    }
    return n == t->n && (t->cap == 0 || t->n * 5 <= t->cap * 4);
}

/* What a restored index must be for every operation to stay in bounds
 * (the checksum catches a damaged dump, this a wrong one). */
static bool
consistent(const struct wd_memindex *m)
{
    if (!tab_consistent(&m->keys.cur, m->n_slots) ||
        !tab_consistent(&m->ids.cur, m->n_slots))
        return false;
    size_t free_marked = 0;
    for (size_t i = 0; i < m->n_slots; i++)
        free_marked += m->refs[i] == FREE_SLOT;
    for (size_t i = 0; i < m->n_free; i++)
        if (m->free_slots[i] >= m->n_slots ||
            m->refs[m->free_slots[i]] != FREE_SLOT)
            return false;
    return free_marked == m->n_free;
}

int
wd_memindex_restore(struct wd_memindex *m, uint64_t tag, uint64_t size,
                    wd_dump_read_fn read, void *ctx)
{
    struct dump_head h;
    if (size < sizeof h)
        return WD_EPARSE;
    int rc = read(ctx, &h, sizeof h);
    if (rc)
        return rc;
    if (memcmp(h.magic, DUMP_MAGIC, 8) != 0 || h.tag != tag ||
        h.keys_n > h.keys_cap || h.ids_n > h.ids_cap || h.ids_n > h.n_slots ||
        h.n_free > h.n_slots || h.n_slots > WD_MEMINDEX_STORIES_MAX ||
        h.keys_cap > DUMP_CAP_MAX || h.ids_cap > DUMP_CAP_MAX ||
        h.n_ages > DUMP_CAP_MAX || (h.keys_cap && h.keys_cap < MIN_CAP) ||
        m->keys.cur.cap || m->ids.cur.cap || m->n_slots || m->age_cap)
        return WD_EPARSE;
    size_t slot_cap = h.n_slots ? h.n_slots : 1;
    m->keys.cur.cap = h.keys_cap;
    m->keys.cur.n = h.keys_n;
    m->ids.cur.cap = h.ids_cap;
    m->ids.cur.n = h.ids_n;
    m->n_slots = h.n_slots;
    m->slot_cap = slot_cap;
    m->n_free = h.n_free;
    m->head = 0;
    m->end = h.n_ages;
    m->age_cap = h.n_ages;
    memcpy(m->counts, h.counts, sizeof m->counts);
    /* The arrays the header announces must be what the dump holds: no
     * memory is taken for bytes that are not there. */
    struct wd_dump_part parts[DUMP_PARTS];
    size_t n = dump_parts(m, parts);
    if (wd_dump_size(sizeof h, parts, n) != size) {
        release_all(m); /* (no array taken yet) */
        return WD_EPARSE;
    }
    m->keys.cur.e = wd_huge_calloc(h.keys_cap, sizeof(uint64_t));
    m->ids.cur.e = wd_huge_calloc(h.ids_cap, sizeof(uint64_t));
    if (h.n_ages)
        m->age = huge_realloc(NULL, h.n_ages, WD_MEMINDEX_AGE_LEN);
    if (!m->keys.cur.e || !m->ids.cur.e || slot_arrays(m, slot_cap) != 0 ||
        (h.n_ages && !m->age))
        rc = WD_ENOMEM;
    n = dump_parts(m, parts); /* (now with the arrays) */
    if (rc == 0)
        rc = wd_dump_read(&h, sizeof h, parts, n, read, ctx);
    if (rc == 0 && !consistent(m))
        rc = WD_EPARSE;
    if (rc)
        release_all(m); /* back to empty */
    return rc;
}
