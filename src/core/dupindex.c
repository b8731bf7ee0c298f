#include "wd/dupindex.h"

#include <stddef.h>
#include <string.h>

#include "wd/snapshot.h"

#define REC_V1_SIZE offsetof(struct wd_story_rec, leads)
#define REC_V2_SIZE offsetof(struct wd_story_rec, facts)

enum { AGE_STORY = 'S', AGE_PAGE = 'P' };
#define AGE_KEY_LEN 25
#define BAND_KEY_LEN 13
#define N_BLOCKS 5
#define EVICT_PER_COMMIT 64

static const int block_off[N_BLOCKS] = {0, 13, 26, 39, 52};
static const int block_bits[N_BLOCKS] = {13, 13, 13, 13, 12};

/* Big-endian, so that the store's key order is the numbers' order. */
static uint64_t
get_be64(const void *p)
{
    uint64_t v = 0;
    wd_snapshot_get_u64(p, 8, &v);
    return v;
}

static unsigned
block(uint64_t sh, int i)
{
    return (unsigned)(sh >> block_off[i]) & ((1u << block_bits[i]) - 1);
}

/* The band key of table p (a pair of blocks) for sh; with_hash adds the
 * full SimHash so that every story has its own entry. */
static size_t
band_key(uint64_t sh, int p, bool with_hash, uint8_t key[BAND_KEY_LEN])
{
    int n = 0;
    for (int i = 0; i < N_BLOCKS; i++)
        for (int j = i + 1; j < N_BLOCKS; j++, n++)
            if (n == p) {
                key[0] = (uint8_t)p;
                key[1] = (uint8_t)(block(sh, i) >> 8);
                key[2] = (uint8_t)block(sh, i);
                key[3] = (uint8_t)(block(sh, j) >> 8);
                key[4] = (uint8_t)block(sh, j);
            }
    if (!with_hash)
        return 5;
    wd_snapshot_put_u64(key + 5, sh);
    return BAND_KEY_LEN;
}

static void
age_key(int64_t ms, int kind, const void *k, size_t klen,
        uint8_t key[AGE_KEY_LEN])
{
    memset(key, 0, AGE_KEY_LEN);
    wd_snapshot_put_u64(key, (uint64_t)(ms < 0 ? 0 : ms));
    key[8] = (uint8_t)kind;
    memcpy(key + 9, k, klen > 16 ? 16 : klen);
}

bool
wd_dupindex_rec_known(size_t vlen)
{
    return vlen == sizeof(struct wd_story_rec) || vlen == REC_V1_SIZE ||
           vlen == REC_V2_SIZE;
}

void
wd_dupindex_mh_key(int b, uint64_t band, uint8_t key[WD_DUPINDEX_MH_KEY_LEN])
{
    key[0] = (uint8_t)(0x80 | b);
    wd_snapshot_put_u64(key + 1, band);
}

int
wd_dupindex_bands_shared(const struct wd_story_rec *r,
                         const uint64_t bands[WD_MH_BANDS])
{
    int n = 0;
    if (r->near_indexed == WD_DUPINDEX_NEAR_MINHASH)
        for (int b = 0; b < WD_MH_BANDS; b++)
            n += r->bands[b] == bands[b];
    return n;
}

static bool
holds_u64(const uint64_t *keys, size_t n, uint64_t k)
{
    for (size_t i = 0; i < n; i++)
        if (keys[i] == k)
            return true;
    return false;
}

bool
wd_dupindex_rec_holds(const struct wd_story_rec *r, enum wd_store_ns ns,
                      const void *key, size_t klen)
{
    uint64_t k;
    if (ns == WD_NS_BAND) {
        /* The key the record's band of that number has (its first byte
         * says which band), made as the index made it. */
        int band = klen ? ((const uint8_t *)key)[0] & 0x7f : WD_MH_BANDS;
        if (klen != WD_DUPINDEX_MH_KEY_LEN || band >= WD_MH_BANDS ||
            r->near_indexed != WD_DUPINDEX_NEAR_MINHASH)
            return false;
        uint8_t own[WD_DUPINDEX_MH_KEY_LEN];
        wd_dupindex_mh_key(band, r->bands[band], own);
        return memcmp(own, key, sizeof own) == 0;
    }
    if (klen != 8)
        return false;
    memcpy(&k, key, 8);
    switch (ns) {
    case WD_NS_CONTENT:
        return k == r->content_key ||
               (r->teaser_content_key && k == r->teaser_content_key);
    case WD_NS_URL:
        return r->url_key && k == r->url_key;
    case WD_NS_LEAD:
        return k && (holds_u64(r->leads, WD_FP_LEADS, k) ||
                     holds_u64(r->teaser_leads, WD_FP_LEADS, k));
    default:
        return false;
    }
}

struct near_ctx {
    uint64_t sh;
    int max_bits;
    bool *found;
};

static int
on_band(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
    struct near_ctx *c = ctx;
    if (klen != BAND_KEY_LEN)
        return 0;
    uint64_t other = get_be64((const uint8_t *)key + 5);
    if (wd_fp_hamming(other, c->sh) <= c->max_bits) {
        *c->found = true;
        return 1;
    }
    return 0;
}

int
wd_dupindex_sh_near(struct wd_store *s, uint64_t sh, int p, int max_bits,
                    bool *found)
{
    struct near_ctx c = {sh, max_bits, found};
    uint8_t key[BAND_KEY_LEN];
    size_t klen = band_key(sh, p, false, key);
    return s->ops->scan(s->impl, WD_NS_BAND, key, klen, on_band, &c);
}

int
wd_dupindex_put_rec(struct wd_store *s, const uint8_t id[16],
                    const struct wd_story_rec *rec)
{
    return s->ops->put(s->impl, WD_NS_STORY, id, 16, rec, sizeof *rec);
}

int
wd_dupindex_index(struct wd_store *s, const uint8_t id[16],
                  const struct wd_story_rec *r)
{
    const struct wd_store_ops *o = s->ops;
    int rc = o->put(s->impl, WD_NS_CONTENT, &r->content_key, 8, id, 16);
    if (rc == 0 && r->url_key)
        rc = o->put(s->impl, WD_NS_URL, &r->url_key, 8, id, 16);
    for (int i = 0; rc == 0 && i < WD_DUPINDEX_LEADS; i++)
        if (r->leads[i])
            rc = o->put(s->impl, WD_NS_LEAD, &r->leads[i], 8, id, 16);
    uint8_t key[BAND_KEY_LEN];
    if (r->near_indexed == WD_DUPINDEX_NEAR_MINHASH) {
        for (int b = 0; rc == 0 && b < WD_MH_BANDS;
             b += WD_DUPINDEX_BAND_STEP) {
            wd_dupindex_mh_key(b, r->bands[b], key);
            /* The band names its story: a candidate can be checked. */
            rc = o->put(s->impl, WD_NS_BAND, key, WD_DUPINDEX_MH_KEY_LEN, id,
                        16);
        }
    } else if (r->near_indexed == WD_DUPINDEX_NEAR_SIMHASH) {
        for (int p = 0; rc == 0 && p < WD_DUPINDEX_SH_PAIRS; p++) {
            band_key(r->simhash, p, true, key);
            rc = o->put(s->impl, WD_NS_BAND, key, BAND_KEY_LEN, "", 0);
        }
    }
    return rc;
}

void
wd_dupindex_unindex_near(struct wd_store *s, const struct wd_story_rec *r)
{
    const struct wd_store_ops *o = s->ops;
    uint8_t key[BAND_KEY_LEN];
    if (r->near_indexed == WD_DUPINDEX_NEAR_MINHASH) {
        for (int b = 0; b < WD_MH_BANDS; b++) {
            wd_dupindex_mh_key(b, r->bands[b], key);
            o->del(s->impl, WD_NS_BAND, key, WD_DUPINDEX_MH_KEY_LEN);
        }
    } else if (r->near_indexed == WD_DUPINDEX_NEAR_SIMHASH) {
        for (int p = 0; p < WD_DUPINDEX_SH_PAIRS; p++) {
            band_key(r->simhash, p, true, key);
            o->del(s->impl, WD_NS_BAND, key, BAND_KEY_LEN);
        }
    }
}

/* Every key a record may be indexed by, in this layout or an older one
 * (a store kept across an upgrade: Redis). */
static void
unindex_story(struct wd_store *s, const struct wd_story_rec *r)
{
    const struct wd_store_ops *o = s->ops;
    o->del(s->impl, WD_NS_CONTENT, &r->content_key, 8);
    if (r->teaser_content_key)
        o->del(s->impl, WD_NS_CONTENT, &r->teaser_content_key, 8);
    if (r->url_key)
        o->del(s->impl, WD_NS_URL, &r->url_key, 8);
    for (int i = 0; i < WD_FP_LEADS; i++)
        if (r->leads[i])
            o->del(s->impl, WD_NS_LEAD, &r->leads[i], 8);
    for (int i = 0; i < WD_FP_LEADS; i++)
        if (r->teaser_leads[i])
            o->del(s->impl, WD_NS_LEAD, &r->teaser_leads[i], 8);
    wd_dupindex_unindex_near(s, r);
}

int
wd_dupindex_add(struct wd_store *s, const uint8_t id[16],
                const struct wd_story_rec *r, int64_t now_ms)
{
    uint8_t akey[AGE_KEY_LEN];
    age_key(now_ms, AGE_STORY, id, 16, akey);
    int rc = wd_dupindex_put_rec(s, id, r);
    if (rc == 0)
        rc = s->ops->put(s->impl, WD_NS_AGE, akey, AGE_KEY_LEN, "", 0);
    if (rc == 0)
        rc = wd_dupindex_index(s, id, r);
    return rc;
}

int
wd_dupindex_add_page(struct wd_store *s, uint64_t page_key, int64_t now_ms)
{
    uint8_t akey[AGE_KEY_LEN];
    age_key(now_ms, AGE_PAGE, &page_key, 8, akey);
    int rc = s->ops->put(s->impl, WD_NS_PAGE, &page_key, 8, &now_ms, 8);
    if (rc == 0)
        rc = s->ops->put(s->impl, WD_NS_AGE, akey, AGE_KEY_LEN, "", 0);
    return rc;
}

struct rebuild_ctx {
    struct wd_store *s;
    int rc; /* the first failed put */
};

static int
rebuild_story(void *ctx, const void *key, size_t klen, const void *val,
              size_t vlen)
{
    struct rebuild_ctx *c = ctx;
    if (klen != 16 || !wd_dupindex_rec_known(vlen))
        return 0; /* not a record: nothing finds it */
    struct wd_story_rec r;
    memset(&r, 0, sizeof r);
    memcpy(&r, val, vlen);
    struct wd_store *s = c->s;
    const struct wd_store_ops *o = s->ops;
    uint8_t akey[AGE_KEY_LEN];
    age_key(r.first_ms, AGE_STORY, key, 16, akey);
    int rc = o->put(s->impl, WD_NS_AGE, akey, AGE_KEY_LEN, "", 0);
    /* What an upgrade kept of the teaser first, so that the full text's
     * own keys win where they are the same. */
    if (rc == 0 && r.teaser_content_key)
        rc = o->put(s->impl, WD_NS_CONTENT, &r.teaser_content_key, 8, key, 16);
    for (int i = 0; rc == 0 && i < WD_DUPINDEX_LEADS; i++)
        if (r.teaser_leads[i])
            rc = o->put(s->impl, WD_NS_LEAD, &r.teaser_leads[i], 8, key, 16);
    if (rc == 0)
        rc = wd_dupindex_index(s, key, &r);
    c->rc = rc;
    return rc != 0;
}

static int
rebuild_page(void *ctx, const void *key, size_t klen, const void *val,
             size_t vlen)
{
    struct rebuild_ctx *c = ctx;
    int64_t ms = 0;
    if (klen != 8 || vlen != sizeof ms)
        return 0;
    memcpy(&ms, val, sizeof ms);
    uint8_t akey[AGE_KEY_LEN];
    age_key(ms, AGE_PAGE, key, 8, akey);
    c->rc = c->s->ops->put(c->s->impl, WD_NS_AGE, akey, AGE_KEY_LEN, "", 0);
    return c->rc != 0;
}

static int
rebuild_all(void *ctx)
{
    struct rebuild_ctx *c = ctx;
    const struct wd_store_ops *o = c->s->ops;
    int rc = o->scan(c->s->impl, WD_NS_STORY, NULL, 0, rebuild_story, c);
    if (rc == 0 && c->rc == 0)
        rc = o->scan(c->s->impl, WD_NS_PAGE, NULL, 0, rebuild_page, c);
    return rc ? rc : c->rc;
}

int
wd_dupindex_rebuild(struct wd_store *s)
{
    struct rebuild_ctx c = {s, 0};
    /* A record's keys at most: content, URL, leads, bands (the teaser's
     * kept keys are rare). */
    size_t keys = 2 + WD_DUPINDEX_LEADS + WD_MH_BANDS / WD_DUPINDEX_BAND_STEP;
    return s->ops->rebuild ? s->ops->rebuild(s->impl, keys, WD_DUPINDEX_LAYOUT,
                                             rebuild_all, &c)
                           : 0;
}

struct evict_ctx {
    int64_t cutoff_ms;
    uint64_t over; /* entries beyond the count limit */
    int n;
    uint8_t keys[EVICT_PER_COMMIT][AGE_KEY_LEN];
};

static int
on_age(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
    struct evict_ctx *c = ctx;
    if (klen != AGE_KEY_LEN || c->n >= EVICT_PER_COMMIT)
        return 1;
    int64_t ms = (int64_t)get_be64(key);
    bool story = ((const uint8_t *)key)[8] == AGE_STORY;
    bool old = ms < c->cutoff_ms;
    if (!old && c->over == 0)
        return 1; /* the oldest left is young and nothing is over: done */
    if (!old && !story)
        return 0; /* a young page: kept; older stories may follow */
    if (story && c->over > 0)
        c->over--;
    memcpy(c->keys[c->n++], key, AGE_KEY_LEN);
    return 0;
}

uint64_t
wd_dupindex_evict(struct wd_store *s, int64_t cutoff_ms, uint64_t max_stories,
                  wd_dupindex_read_fn read, void *ctx)
{
    const struct wd_store_ops *o = s->ops;
    uint64_t stories = 0;
    o->count(s->impl, WD_NS_STORY, &stories);
    struct evict_ctx c;
    c.cutoff_ms = cutoff_ms;
    c.over = stories > max_stories ? stories - max_stories : 0;
    c.n = 0;
    o->scan(s->impl, WD_NS_AGE, NULL, 0, on_age, &c);
    for (int i = 0; i < c.n; i++) {
        const uint8_t *k = c.keys[i];
        if (k[8] == AGE_STORY) {
            struct wd_story_rec rec;
            if (read(ctx, k + 9, &rec))
                unindex_story(s, &rec);
            o->del(s->impl, WD_NS_STORY, k + 9, 16);
        } else {
            o->del(s->impl, WD_NS_PAGE, k + 9, 8);
        }
        o->del(s->impl, WD_NS_AGE, k, AGE_KEY_LEN);
    }
    return (uint64_t)c.n;
}
