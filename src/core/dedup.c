#include "wd/dedup.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "wd/err.h"

/* A story record as stored: fixed layout, little-endian host order (the
 * store is local to one machine; a shared backend encodes its own). */
struct story_rec {
    uint64_t content_key;
    uint64_t teaser_content_key; /* after an upgrade: the teaser's, or 0 */
    uint64_t simhash;
    uint64_t url_key;
    int64_t first_ms;
    uint32_t body_len;
    uint8_t revision;
    uint8_t teaser;
    uint8_t near_indexed; /* 0: none, 1 + enum wd_near_method */
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

#define REC_V1_SIZE offsetof(struct story_rec, leads)
#define REC_V2_SIZE offsetof(struct story_rec, facts)

enum { AGE_STORY = 'S', AGE_PAGE = 'P' };
#define AGE_KEY_LEN 25
#define BAND_KEY_LEN 13
#define MH_KEY_LEN 9
#define N_BLOCKS 5
#define N_PAIRS 10
#define EVICT_PER_COMMIT 64

struct wd_dedup {
    struct wd_store *store;
    struct wd_dedup_config cfg;
    int64_t republish_from, republish_to;
    uint64_t evicted;
    float last_share; /* of the last near match's bands found */
    int failed;       /* the batch's first store error (0: none) */
    bool open;
};

static const int block_off[N_BLOCKS] = {0, 13, 26, 39, 52};
static const int block_bits[N_BLOCKS] = {13, 13, 13, 13, 12};

static void
put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

static uint64_t
get_be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
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
    put_be64(key + 5, sh);
    return BAND_KEY_LEN;
}

static void
age_key(int64_t ms, int kind, const void *k, size_t klen,
        uint8_t key[AGE_KEY_LEN])
{
    memset(key, 0, AGE_KEY_LEN);
    put_be64(key, (uint64_t)(ms < 0 ? 0 : ms));
    key[8] = (uint8_t)kind;
    memcpy(key + 9, k, klen > 16 ? 16 : klen);
}

int
wd_dedup_open(struct wd_dedup **out, struct wd_store *store,
              const struct wd_dedup_config *cfg)
{
    *out = NULL;
    struct wd_dedup *d = calloc(1, sizeof *d);
    if (!d)
        return WD_ENOMEM;
    d->store = store;
    d->cfg = *cfg;
    if (d->cfg.max_stories == 0)
        d->cfg.max_stories = WD_DEFAULT_MAX_STORIES;
    if (d->cfg.max_age_ms <= 0)
        d->cfg.max_age_ms = WD_DEFAULT_MAX_AGE_MS;
    *out = d;
    return 0;
}

void
wd_dedup_close(struct wd_dedup *d)
{
    if (!d)
        return;
    wd_dedup_abort(d);
    free(d);
}

int
wd_dedup_begin(struct wd_dedup *d)
{
    int rc = wd_store_begin(d->store);
    d->open = rc == 0;
    d->failed = 0;
    return rc;
}

int
wd_dedup_failed(const struct wd_dedup *d)
{
    return d->failed;
}

/* A read of the store. An answer other than "found" or "not there" (a
 * timeout, a lost connection) is the batch's error: every decision taken
 * after it stands on a lookup that did not happen, so the caller must not
 * publish nor commit them (wd_dedup_failed). */
static int
noted(struct wd_dedup *d, int rc)
{
    if (rc != 0 && rc != WD_ENOTFOUND)
        d->failed = rc;
    return rc;
}

static int
get(struct wd_dedup *d, enum wd_store_ns ns, const void *key, size_t klen,
    void *val, size_t *vlen)
{
    if (d->failed) /* the batch is lost: no more waiting on the store */
        return d->failed;
    return noted(d,
                 d->store->ops->get(d->store->impl, ns, key, klen, val, vlen));
}

void
wd_dedup_abort(struct wd_dedup *d)
{
    if (d->open)
        wd_store_abort(d->store);
    d->open = false;
}

static bool
exists(struct wd_dedup *d, enum wd_store_ns ns, const void *key, size_t klen)
{
    return get(d, ns, key, klen, NULL, NULL) == 0;
}

void
wd_dedup_republish(struct wd_dedup *d, int64_t from_ms, int64_t to_ms)
{
    d->republish_from = from_ms;
    d->republish_to = to_ms;
}

static bool
in_republish_window(const struct wd_dedup *d, int64_t ms)
{
    return ms >= d->republish_from && ms < d->republish_to;
}

bool
wd_dedup_page_seen(struct wd_dedup *d, uint64_t page_key)
{
    if (page_key == 0)
        return false;
    int64_t first = 0;
    size_t vlen = sizeof first;
    if (get(d, WD_NS_PAGE, &page_key, sizeof page_key, &first, &vlen) != 0)
        return false;
    /* Seen just before a crash: decide its stories again. */
    return !(vlen == sizeof first && in_republish_window(d, first));
}

struct near_ctx {
    uint64_t sh;
    bool found;
};

/* What the record keeps to find (and later forget) its near copies. */
static void
set_near(const struct wd_dedup *d, struct story_rec *r,
         const struct wd_story_fp *fp)
{
    r->near_indexed =
        fp->shingles < WD_NEAR_MIN_SHINGLES ? 0 : (uint8_t)(1 + d->cfg.near);
    memcpy(r->bands, fp->bands, sizeof r->bands);
}

static int
on_band(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
    struct near_ctx *c = ctx;
    if (klen != BAND_KEY_LEN)
        return 0;
    uint64_t other = get_be64((const uint8_t *)key + 5);
    if (__builtin_popcountll(other ^ c->sh) <= WD_NEAR_BITS) {
        c->found = true;
        return 1;
    }
    return 0;
}

static bool near_seen_simhash(struct wd_dedup *d, uint64_t sh);

static void
mh_key(int b, uint64_t band, uint8_t key[MH_KEY_LEN])
{
    key[0] = (uint8_t)(0x80 | b);
    put_be64(key + 1, band);
}

void
wd_dedup_fp_make(struct wd_story_fp *fp, const struct wd_fp_story *f,
                 uint64_t url_key, size_t body_len, bool teaser)
{
    memset(fp, 0, sizeof *fp);
    wd_dedup_id_from_hex(f->id, fp->id);
    fp->content_key = f->content_key;
    fp->simhash = f->simhash;
    fp->url_key = url_key;
    memcpy(fp->bands, f->bands, sizeof fp->bands);
    fp->shingles = f->shingles;
    fp->body_len = body_len > UINT32_MAX ? UINT32_MAX : (uint32_t)body_len;
    fp->teaser = teaser;
    memcpy(fp->leads, f->leads, sizeof fp->leads);
    memcpy(fp->sketch, f->sketch, sizeof fp->sketch);
    fp->words = f->words > UINT32_MAX ? UINT32_MAX : (uint32_t)f->words;
    fp->facts = f->facts;
}

/* True when the facts of a story and of a remembered one say they are two
 * items (both known, and too few shared). */
static bool
facts_differ(const struct wd_story_fp *fp, const struct story_rec *rec)
{
    struct wd_fp_facts r;
    memcpy(r.bits, rec->facts, sizeof r.bits);
    double c = wd_fp_facts_containment(&fp->facts, &r);
    return c >= 0 && c < WD_FACTS_MIN_SHARED;
}

enum wd_change
wd_dedup_marker(const char *t, size_t n)
{
    static const struct {
        const char *word;
        enum wd_change kind;
    } starts[] = {{"corrected", WD_CHANGE_CORRECTION},
                  {"correction", WD_CHANGE_CORRECTION},
                  {"corrects", WD_CHANGE_CORRECTION},
                  {"refile", WD_CHANGE_UPDATE},
                  {"updated", WD_CHANGE_UPDATE},
                  {"update", WD_CHANGE_UPDATE}},
      inside[] = {{"(corrected", WD_CHANGE_CORRECTION},
                  {"(correction", WD_CHANGE_CORRECTION},
                  {"(updated", WD_CHANGE_UPDATE},
                  {"(update", WD_CHANGE_UPDATE}};
    while (n && (*t == ' ' || *t == '*'))
        t++, n--;
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++) {
        size_t k = strlen(starts[i].word);
        /* A word of its own: "UPDATE 2-", "CORRECTED - ", "Correction:" */
        if (n > k && strncasecmp(t, starts[i].word, k) == 0 &&
            (t[k] == ' ' || t[k] == '-' || t[k] == ':' || t[k] == '/'))
            return starts[i].kind;
    }
    for (size_t i = 0; i < sizeof inside / sizeof inside[0]; i++) {
        size_t k = strlen(inside[i].word);
        for (size_t j = 0; j + k <= n; j++)
            if (strncasecmp(t + j, inside[i].word, k) == 0)
                return inside[i].kind;
    }
    return WD_CHANGE_NONE;
}

const char *
wd_dedup_reason_name(enum wd_dedup_reason r)
{
    static const char *const names[] = {
        "", "same_story", "same_id", "content", "url", "bands", "lead", "page"};
    return r <= WD_REASON_PAGE ? names[r] : "";
}

/* Why a story is dropped: stamps fp and returns d. */
static enum wd_dup
dropped(struct wd_story_fp *fp, enum wd_dup d, enum wd_dedup_reason r,
        const uint8_t *matched, float similarity)
{
    fp->reason = (uint8_t)r;
    fp->similarity = similarity;
    if (matched)
        memcpy(fp->matched, matched, 16);
    else
        memset(fp->matched, 0, 16);
    return d;
}

/* The story a key of an index names (zeros when unknown). */
static void
named_by(struct wd_dedup *d, enum wd_store_ns ns, const void *key, size_t klen,
         uint8_t id[16])
{
    size_t vlen = 16;
    if (get(d, ns, key, klen, id, &vlen) != 0 || vlen != 16)
        memset(id, 0, 16);
}

const char *
wd_change_name(enum wd_change c)
{
    static const char *const names[] = {"", "upgrade", "correction", "update"};
    return c <= WD_CHANGE_UPDATE ? names[c] : "";
}

/* The story record of id, also one written before the lead keys. */
static bool
get_rec(struct wd_dedup *d, const uint8_t id[16], struct story_rec *rec)
{
    size_t vlen = sizeof *rec;
    memset(rec, 0, sizeof *rec);
    if (get(d, WD_NS_STORY, id, 16, rec, &vlen))
        return false;
    return vlen == sizeof *rec || vlen == REC_V1_SIZE || vlen == REC_V2_SIZE;
}

/* The lead keys a story is found by, by window (0: none): a full text's
 * every one, a teaser's complete ones, which end before its last word
 * (which the cut may have shortened). Returns their number. */
static size_t
own_leads(const struct wd_story_fp *fp, uint64_t out[WD_FP_LEADS])
{
    size_t n = 0;
    for (int i = 0; i < WD_FP_LEADS; i++) {
        bool whole =
            !fp->teaser || fp->words > (uint32_t)(WD_FP_LEAD_WORDS * (i + 1));
        out[i] = whole ? fp->leads[i] : 0;
        n += out[i] != 0;
    }
    return n;
}

int
wd_dedup_claim(struct wd_dedup *d, const struct wd_story_fp *fp,
               uint32_t revision, bool is_new)
{
    struct wd_claim c = {.content_key = fp->content_key,
                         .url_key = fp->url_key,
                         .band_len = MH_KEY_LEN,
                         .min_bands = WD_NEAR_MIN_BANDS};
    memcpy(c.id_rev, fp->id, 16);
    for (int k = 0; k < 4; k++)
        c.id_rev[16 + k] = (uint8_t)(revision >> (24 - 8 * k));
    uint64_t leads[WD_FP_LEADS], held[WD_FP_LEADS];
    if (is_new) {
        own_leads(fp, leads);
        for (int i = 0; i < WD_FP_LEADS; i++)
            if (leads[i])
                held[c.n_leads++] = leads[i];
        c.leads = held;
    }
    uint8_t bands[WD_MH_BANDS][MH_KEY_LEN];
    if (is_new && d->cfg.near == WD_NEAR_MINHASH &&
        fp->shingles >= WD_NEAR_MIN_SHINGLES)
        for (; c.n_bands < WD_MH_BANDS; c.n_bands++)
            mh_key((int)c.n_bands, fp->bands[c.n_bands], bands[c.n_bands]);
    c.bands = &bands[0][0];
    return wd_store_claim(d->store, &c);
}

enum near_match { NEAR_NONE, NEAR_COPY, NEAR_SIBLING };

/* Near copies by MinHash: WD_NEAR_MIN_BANDS bands of fp found remembered
 * make fp a near copy, as they always did; the stories the bands name,
 * most bands first, are then checked by their facts: the first that agrees
 * confirms the copy (NEAR_COPY); when every one is another item of the
 * same template (other figures and names), fp is a story of its own
 * (NEAR_SIBLING). sid and rec get the candidate. */
static enum near_match
near_minhash(struct wd_dedup *d, const struct wd_story_fp *fp, uint8_t sid[16],
             struct story_rec *rec)
{
    uint8_t key[MH_KEY_LEN], ids[WD_MH_BANDS][16];
    int counts[WD_MH_BANDS], n_ids = 0, anon = 0, hits = 0;
    for (int b = 0; b < WD_MH_BANDS; b++) {
        /* Not enough bands left to reach the bar: stop early. */
        if (hits + (WD_MH_BANDS - b) < WD_NEAR_MIN_BANDS)
            break;
        mh_key(b, fp->bands[b], key);
        uint8_t val[16];
        size_t vlen = sizeof val;
        if (get(d, WD_NS_BAND, key, MH_KEY_LEN, val, &vlen) != 0)
            continue;
        hits++;
        if (vlen != 16) {
            anon++;
            continue;
        }
        int k = 0;
        while (k < n_ids && memcmp(ids[k], val, 16) != 0)
            k++;
        if (k == n_ids) {
            memcpy(ids[n_ids], val, 16);
            counts[n_ids++] = 0;
        }
        counts[k]++;
    }
    if (hits < WD_NEAR_MIN_BANDS)
        return NEAR_NONE;
    d->last_share = (float)hits / WD_MH_BANDS;
    /* The candidates, most bands first: the first whose facts agree. */
    bool sibling = false;
    for (;;) {
        int best = -1;
        for (int k = 0; k < n_ids; k++)
            if (counts[k] > 0 && (best < 0 || counts[k] > counts[best]))
                best = k;
        if (best < 0)
            break;
        counts[best] = 0;
        if (!get_rec(d, ids[best], rec))
            continue;
        memcpy(sid, ids[best], 16);
        if (!facts_differ(fp, rec))
            return NEAR_COPY;
        sibling = true;
    }
    /* Every candidate another item: a sibling; none readable (bands of
     * an older index, or stories since forgotten): a copy, as before the
     * bands named their stories. */
    return sibling ? NEAR_SIBLING : NEAR_COPY;
}

static bool near_seen_simhash(struct wd_dedup *d, uint64_t sh);

static enum near_match
near_seen(struct wd_dedup *d, const struct wd_story_fp *fp, uint8_t sid[16],
          struct story_rec *rec)
{
    if (fp->shingles < WD_NEAR_MIN_SHINGLES)
        return NEAR_NONE;
    if (d->cfg.near == WD_NEAR_MINHASH)
        return near_minhash(d, fp, sid, rec);
    return near_seen_simhash(d, fp->simhash) ? NEAR_COPY : NEAR_NONE;
}

static bool
near_seen_simhash(struct wd_dedup *d, uint64_t sh)
{
    struct near_ctx c = {sh, false};
    uint8_t key[BAND_KEY_LEN];
    for (int p = 0; p < N_PAIRS && !c.found && !d->failed; p++) {
        size_t klen = band_key(sh, p, false, key);
        noted(d, d->store->ops->scan(d->store->impl, WD_NS_BAND, key, klen,
                                     on_band, &c));
    }
    return c.found;
}

/* Stages the keys that find a story: content, URL, bands. */
static int
index_story(struct wd_dedup *d, const uint8_t id[16], const struct story_rec *r)
{
    const struct wd_store_ops *o = d->store->ops;
    int rc = o->put(d->store->impl, WD_NS_CONTENT, &r->content_key, 8, id, 16);
    if (rc == 0 && r->url_key)
        rc = o->put(d->store->impl, WD_NS_URL, &r->url_key, 8, id, 16);
    for (int i = 0; rc == 0 && i < WD_FP_LEADS; i++)
        if (r->leads[i])
            rc = o->put(d->store->impl, WD_NS_LEAD, &r->leads[i], 8, id, 16);
    uint8_t key[BAND_KEY_LEN];
    if (r->near_indexed == 1 + WD_NEAR_MINHASH) {
        for (int b = 0; rc == 0 && b < WD_MH_BANDS; b++) {
            mh_key(b, r->bands[b], key);
            /* The band names its story: a candidate can be checked. */
            rc = o->put(d->store->impl, WD_NS_BAND, key, MH_KEY_LEN, id, 16);
        }
    } else if (r->near_indexed == 1 + WD_NEAR_SIMHASH) {
        for (int p = 0; rc == 0 && p < N_PAIRS; p++) {
            band_key(r->simhash, p, true, key);
            rc = o->put(d->store->impl, WD_NS_BAND, key, BAND_KEY_LEN, "", 0);
        }
    }
    return rc;
}

static void
unindex_near(struct wd_dedup *d, const struct story_rec *r)
{
    const struct wd_store_ops *o = d->store->ops;
    uint8_t key[BAND_KEY_LEN];
    if (r->near_indexed == 1 + WD_NEAR_MINHASH) {
        for (int b = 0; b < WD_MH_BANDS; b++) {
            mh_key(b, r->bands[b], key);
            o->del(d->store->impl, WD_NS_BAND, key, MH_KEY_LEN);
        }
    } else if (r->near_indexed == 1 + WD_NEAR_SIMHASH) {
        for (int p = 0; p < N_PAIRS; p++) {
            band_key(r->simhash, p, true, key);
            o->del(d->store->impl, WD_NS_BAND, key, BAND_KEY_LEN);
        }
    }
}

static void
unindex_story(struct wd_dedup *d, const struct story_rec *r)
{
    const struct wd_store_ops *o = d->store->ops;
    o->del(d->store->impl, WD_NS_CONTENT, &r->content_key, 8);
    if (r->teaser_content_key)
        o->del(d->store->impl, WD_NS_CONTENT, &r->teaser_content_key, 8);
    if (r->url_key)
        o->del(d->store->impl, WD_NS_URL, &r->url_key, 8);
    for (int i = 0; i < WD_FP_LEADS; i++)
        if (r->leads[i])
            o->del(d->store->impl, WD_NS_LEAD, &r->leads[i], 8);
    for (int i = 0; i < WD_FP_LEADS; i++)
        if (r->teaser_leads[i])
            o->del(d->store->impl, WD_NS_LEAD, &r->teaser_leads[i], 8);
    unindex_near(d, r);
}

/* Stages the upgrade of story id (record rec, a teaser) to the full text
 * fp. */
static enum wd_dup
upgrade(struct wd_dedup *d, const uint8_t id[16], const struct story_rec *rec,
        const struct wd_story_fp *fp, int64_t now_ms, uint32_t *revision)
{
    const struct wd_store_ops *o = d->store->ops;
    struct story_rec next = *rec;
    next.content_key = fp->content_key;
    next.simhash = fp->simhash;
    next.url_key = fp->url_key ? fp->url_key : rec->url_key;
    next.body_len = fp->body_len;
    next.teaser = 0;
    set_near(d, &next, fp);
    next.revision = (uint8_t)(rec->revision < 255 ? rec->revision + 1 : 255);
    /* The teaser's content key and lead stay (a later copy of the teaser is
     * a duplicate); its near bands give way to the full text's. */
    next.teaser_content_key = rec->content_key;
    own_leads(fp, next.leads);
    memcpy(next.sketch, fp->sketch, sizeof next.sketch);
    memcpy(next.facts, fp->facts.bits, sizeof next.facts);
    next.last_ms = now_ms;
    for (int i = 0; i < WD_FP_LEADS; i++)
        next.teaser_leads[i] =
            rec->leads[i] != next.leads[i] ? rec->leads[i] : 0;
    unindex_near(d, rec);
    if (o->put(d->store->impl, WD_NS_STORY, id, 16, &next, sizeof next) != 0 ||
        index_story(d, id, &next) != 0)
        return WD_DUP_NEAR; /* cannot remember it: do not publish it */
    *revision = next.revision;
    return WD_DUP_UPGRADE;
}

/* A correction or update of story id (record rec) published under its id
 * as the next revision (fp->change says which). */
static enum wd_dup
revise(struct wd_dedup *d, const uint8_t id[16], struct story_rec *rec,
       struct wd_story_fp *fp, int64_t now_ms, uint32_t *revision)
{
    if (!get_rec(d, id, rec))
        return WD_DUP_NEAR;
    fp->change = fp->marker;
    enum wd_dup r = upgrade(d, id, rec, fp, now_ms, revision);
    if (r == WD_DUP_UPGRADE)
        memcpy(fp->id, id, 16);
    return r;
}

enum lead_match { LEAD_NONE, LEAD_COPY, LEAD_TEASER };

/* Windows a story must share with another to be found by lead; or one,
 * and a lead sketch at least this similar (the share of equal minima, an
 * estimate of the leads' Jaccard similarity: one story edited scores
 * 0.4-0.8, two stories that share eight words about 0.1). */
#define LEAD_MIN_SHARED 2
#define LEAD_MIN_SIMILAR 0.35

static bool
sketch_similar(const uint32_t *a, const uint32_t *b)
{
    int equal = 0;
    for (int i = 0; i < WD_FP_SKETCH; i++) {
        if (a[i] == 0 || b[i] == 0)
            return false; /* a lead too short, or a record without one */
        equal += a[i] == b[i];
    }
    return equal >= LEAD_MIN_SIMILAR * WD_FP_SKETCH;
}

/* A story found by fp's leads: one that shares at least LEAD_MIN_SHARED
 * windows (16 words in the same places) with fp. A teaser that shares them
 * with a remembered story, teaser or full, is a copy of it (LEAD_COPY); a
 * full text that shares them with a remembered teaser, and is longer, is
 * that teaser's full text (LEAD_TEASER: sid and rec are the teaser's).
 * Two different stories rarely open with the same sixteen words; a re-post
 * with a word of its lead changed, or a few words edited further on, still
 * shares the other windows. */
static enum lead_match
by_lead(struct wd_dedup *d, const struct wd_story_fp *fp, uint8_t sid[16],
        struct story_rec *rec)
{
    const struct wd_store_ops *o = d->store->ops;
    uint64_t leads[WD_FP_LEADS];
    if (own_leads(fp, leads) == 0)
        return LEAD_NONE;
    uint8_t found[WD_FP_LEADS][16];
    int n = 0;
    for (int i = 0; i < WD_FP_LEADS; i++) {
        size_t vlen = 16;
        if (!leads[i] ||
            o->get(d->store->impl, WD_NS_LEAD, &leads[i], 8, found[n], &vlen) ||
            vlen != 16)
            continue;
        int shared = 1;
        for (int j = 0; j < n; j++)
            shared += memcmp(found[j], found[n], 16) == 0;
        n++;
        bool have = false;
        if (shared == 1) {
            /* One window so far: enough with a similar lead. */
            have = get_rec(d, found[n - 1], rec);
            if (!have || !sketch_similar(fp->sketch, rec->sketch))
                continue;
        } else if (shared < LEAD_MIN_SHARED) {
            continue;
        }
        memcpy(sid, found[n - 1], 16);
        if (fp->teaser)
            return LEAD_COPY;
        if ((have || get_rec(d, sid, rec)) && rec->teaser &&
            fp->body_len > rec->body_len)
            return LEAD_TEASER;
    }
    return LEAD_NONE;
}

enum wd_dup
wd_dedup_decide(struct wd_dedup *d, struct wd_story_fp *fp, int64_t now_ms,
                uint32_t *revision)
{
    const struct wd_store_ops *o = d->store->ops;
    struct story_rec rec;
    *revision = 0;

    if (get_rec(d, fp->id, &rec)) {
        if (rec.content_key == fp->content_key) {
            if (rec.last_ms && in_republish_window(d, rec.last_ms)) {
                /* Once: the record is marked as published now. */
                rec.last_ms = now_ms;
                if (d->store->ops->put(d->store->impl, WD_NS_STORY, fp->id, 16,
                                       &rec, sizeof rec) != 0)
                    return WD_DUP_EXACT;
                *revision = rec.revision;
                return WD_DUP_REPUBLISH;
            }
            return dropped(fp, WD_DUP_EXACT, WD_REASON_SAME_STORY, fp->id, 1);
        }
        /* A teaser grows into its full text once; nothing ever shrinks. */
        if (rec.teaser && !fp->teaser && fp->body_len > rec.body_len) {
            fp->change = WD_CHANGE_UPGRADE;
            return upgrade(d, fp->id, &rec, fp, now_ms, revision);
        }
        uint8_t other[16];
        if (exists(d, WD_NS_CONTENT, &fp->content_key, 8)) {
            named_by(d, WD_NS_CONTENT, &fp->content_key, 8, other);
            return dropped(fp, WD_DUP_EXACT, WD_REASON_CONTENT, other, 1);
        }
        /* A version that says it corrects or updates the story is a
         * revision of it; any other is a near copy. */
        if (fp->marker) {
            fp->change = fp->marker;
            return upgrade(d, fp->id, &rec, fp, now_ms, revision);
        }
        return dropped(fp, WD_DUP_NEAR, WD_REASON_SAME_ID, fp->id, 1);
    }
    uint8_t other[16];
    if (exists(d, WD_NS_CONTENT, &fp->content_key, 8)) {
        named_by(d, WD_NS_CONTENT, &fp->content_key, 8, other);
        return dropped(fp, WD_DUP_EXACT, WD_REASON_CONTENT, other, 1);
    }
    if (fp->url_key && exists(d, WD_NS_URL, &fp->url_key, 8)) {
        named_by(d, WD_NS_URL, &fp->url_key, 8, other);
        return dropped(fp, WD_DUP_EXACT, WD_REASON_URL, other, 1);
    }
    /* A near copy confirmed by its facts is dropped, or published as a
     * revision when its headline says it corrects or updates the story; an
     * item of the same template with other figures and names (a sibling)
     * is a story of its own, unless it says it corrects one. */
    uint8_t sid[16] = {0};
    d->last_share = 0;
    enum near_match nm = near_seen(d, fp, sid, &rec);
    if (nm != NEAR_NONE && fp->marker)
        return revise(d, sid, &rec, fp, now_ms, revision);
    if (nm == NEAR_COPY)
        return dropped(fp, WD_DUP_NEAR, WD_REASON_BANDS, sid, d->last_share);
    switch (by_lead(d, fp, sid, &rec)) {
    case LEAD_COPY: {
        if (fp->marker)
            return revise(d, sid, &rec, fp, now_ms, revision);
        struct story_rec lr;
        if (!get_rec(d, sid, &lr) || !facts_differ(fp, &lr))
            return dropped(fp, WD_DUP_NEAR, WD_REASON_LEAD, sid, 1);
        break;
    }
    case LEAD_TEASER: {
        fp->change = WD_CHANGE_UPGRADE;
        enum wd_dup r = upgrade(d, sid, &rec, fp, now_ms, revision);
        if (r == WD_DUP_UPGRADE)
            memcpy(fp->id, sid, 16);
        return r;
    }
    case LEAD_NONE:
        break;
    }

    memset(&rec, 0, sizeof rec);
    rec.content_key = fp->content_key;
    rec.simhash = fp->simhash;
    rec.url_key = fp->url_key;
    rec.first_ms = now_ms;
    rec.body_len = fp->body_len;
    rec.revision = 1;
    rec.teaser = fp->teaser;
    set_near(d, &rec, fp);
    own_leads(fp, rec.leads);
    memcpy(rec.sketch, fp->sketch, sizeof rec.sketch);
    memcpy(rec.facts, fp->facts.bits, sizeof rec.facts);
    rec.last_ms = now_ms;
    uint8_t akey[AGE_KEY_LEN];
    age_key(now_ms, AGE_STORY, fp->id, 16, akey);
    if (o->put(d->store->impl, WD_NS_STORY, fp->id, 16, &rec, sizeof rec) ||
        o->put(d->store->impl, WD_NS_AGE, akey, AGE_KEY_LEN, "", 0) ||
        index_story(d, fp->id, &rec))
        return WD_DUP_NEAR;
    *revision = 1;
    return WD_DUP_NEW;
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

/* Forgets, oldest first, what is past the retention window or beyond the
 * count limit: at most EVICT_PER_COMMIT entries per commit, so a commit's
 * cost stays bounded while eviction keeps pace with insertion. */
static void
evict(struct wd_dedup *d, int64_t now_ms)
{
    const struct wd_store_ops *o = d->store->ops;
    uint64_t stories = 0;
    o->count(d->store->impl, WD_NS_STORY, &stories);
    struct evict_ctx c;
    c.cutoff_ms = now_ms - d->cfg.max_age_ms;
    c.over = stories > d->cfg.max_stories ? stories - d->cfg.max_stories : 0;
    c.n = 0;
    o->scan(d->store->impl, WD_NS_AGE, NULL, 0, on_age, &c);
    for (int i = 0; i < c.n; i++) {
        const uint8_t *k = c.keys[i];
        if (k[8] == AGE_STORY) {
            struct story_rec rec;
            if (get_rec(d, k + 9, &rec))
                unindex_story(d, &rec);
            o->del(d->store->impl, WD_NS_STORY, k + 9, 16);
        } else {
            o->del(d->store->impl, WD_NS_PAGE, k + 9, 8);
        }
        o->del(d->store->impl, WD_NS_AGE, k, AGE_KEY_LEN);
        d->evicted++;
    }
}

int
wd_dedup_commit(struct wd_dedup *d, uint64_t page_key, int64_t now_ms)
{
    if (!d->open)
        return WD_EINVAL;
    const struct wd_store_ops *o = d->store->ops;
    int rc = 0;
    if (page_key && !exists(d, WD_NS_PAGE, &page_key, 8)) {
        uint8_t akey[AGE_KEY_LEN];
        age_key(now_ms, AGE_PAGE, &page_key, 8, akey);
        rc = o->put(d->store->impl, WD_NS_PAGE, &page_key, 8, &now_ms, 8);
        if (rc == 0)
            rc = o->put(d->store->impl, WD_NS_AGE, akey, AGE_KEY_LEN, "", 0);
    }
    if (rc == 0)
        evict(d, now_ms);
    if (rc) {
        wd_dedup_abort(d);
        return rc;
    }
    d->open = false;
    return wd_store_commit(d->store);
}

uint64_t
wd_dedup_stories(struct wd_dedup *d)
{
    uint64_t n = 0;
    d->store->ops->count(d->store->impl, WD_NS_STORY, &n);
    return n;
}

uint64_t
wd_dedup_evicted(const struct wd_dedup *d)
{
    return d->evicted;
}

bool
wd_dedup_id_from_hex(const char *hex, uint8_t id[16])
{
    for (int i = 0; i < 16; i++) {
        int v = 0;
        for (int k = 0; k < 2; k++) {
            char c = hex[2 * i + k];
            int x = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
            if (x < 0)
                return false;
            v = v << 4 | x;
        }
        id[i] = (uint8_t)v;
    }
    return true;
}

void
wd_dedup_id_to_hex(const uint8_t id[16], char hex[WD_ID_LEN + 1])
{
    static const char digit[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        hex[2 * i] = digit[id[i] >> 4];
        hex[2 * i + 1] = digit[id[i] & 15];
    }
    hex[WD_ID_LEN] = '\0';
}
