#include "wd/dedup.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "wd/dupindex.h"
#include "wd/err.h"
#include "wd/text.h"

struct wd_dedup {
    struct wd_store *store;
    struct wd_dedup_config cfg;
    int64_t republish_from, republish_to;
    uint64_t evicted;
    float last_share; /* of the last near match's bands found */
    int failed;       /* the batch's first store error (0: none) */
    bool open;
};

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
    /* A store that holds its look-ups in memory fills them now (once). */
    int rc = wd_dupindex_rebuild(store);
    if (rc) {
        free(d);
        return rc;
    }
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

/* The reads of a loop over up to READS_MAX keys of one table. With a store
 * that reads many at once (get_many: Redis, one round trip; LMDB, the
 * look-ups in memory fetched together), all of them are read before the
 * loop; else each is read with get() when the loop comes to it. Either way
 * a hit is confirmed when the loop comes to it (confirmed()). */
#define READS_MAX 16
#define READS_KEY_MAX 16

/* The record last read to confirm a look-up (one read per story named). */
struct held {
    bool have;
    uint8_t id[16];
    struct wd_story_rec rec;
};

struct reads {
    enum wd_store_ns ns;
    size_t klen, n;
    bool batched;
    uint8_t keys[READS_MAX][READS_KEY_MAX];
    uint8_t vals[READS_MAX][16];
    size_t vlens[READS_MAX];
    int rcs[READS_MAX];
    struct held held;
};

static bool get_rec(struct wd_dedup *d, const uint8_t id[16],
                    struct wd_story_rec *rec);

/* Whether story id, which key of ns named, holds it: always with a store
 * whose look-ups name the key's story; else by its record (h keeps the
 * last one read). */
static bool
confirmed(struct wd_dedup *d, struct held *h, enum wd_store_ns ns,
          const void *key, size_t klen, const uint8_t id[16])
{
    if (!d->store->ops->confirm_lookups)
        return true;
    if (!h->have || memcmp(h->id, id, 16) != 0) {
        memcpy(h->id, id, 16);
        h->have = get_rec(d, id, &h->rec);
        if (!h->have)
            return false;
    }
    return wd_dupindex_rec_holds(&h->rec, ns, key, klen);
}

static void
reads_prefetch(struct wd_dedup *d, struct reads *r)
{
    const struct wd_store_ops *o = d->store->ops;
    r->batched = false;
    if (!o->get_many || d->failed || r->n == 0)
        return;
    uint8_t flat[READS_MAX * READS_KEY_MAX];
    for (size_t i = 0; i < r->n; i++)
        memcpy(flat + i * r->klen, r->keys[i], r->klen);
    int rc = noted(d, o->get_many(d->store->impl, r->ns, flat, r->klen, r->n,
                                  &r->vals[0][0], sizeof r->vals[0], r->vlens,
                                  r->rcs));
    for (size_t i = 0; rc && i < r->n; i++)
        r->rcs[i] = rc;
    r->batched = true;
}

/* Read i of r: 0 (value in r->vals[i], size r->vlens[i]) or an error. */
static int
reads_get(struct wd_dedup *d, struct reads *r, size_t i)
{
    int rc;
    if (r->batched) {
        rc = r->rcs[i];
    } else {
        r->vlens[i] = sizeof r->vals[i];
        rc = get(d, r->ns, r->keys[i], r->klen, r->vals[i], &r->vlens[i]);
    }
    if (rc == 0 && r->vlens[i] == 16 &&
        !confirmed(d, &r->held, r->ns, r->keys[i], r->klen, r->vals[i]))
        return WD_ENOTFOUND;
    return rc;
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

_Static_assert(WD_DUPINDEX_NEAR_MINHASH == 1 + WD_NEAR_MINHASH &&
                   WD_DUPINDEX_NEAR_SIMHASH == 1 + WD_NEAR_SIMHASH,
               "a record's near_indexed is 1 + enum wd_near_method");

/* What the record keeps to find (and later forget) its near copies. */
static void
set_near(const struct wd_dedup *d, struct wd_story_rec *r,
         const struct wd_story_fp *fp)
{
    r->near_indexed =
        fp->shingles < WD_NEAR_MIN_SHINGLES ? 0 : (uint8_t)(1 + d->cfg.near);
    memcpy(r->bands, fp->bands, sizeof r->bands);
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
facts_differ(const struct wd_story_fp *fp, const struct wd_story_rec *rec)
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
    /* (Each of them opens with its parenthesis: only there compared.) */
    for (size_t i = 0; i < sizeof inside / sizeof inside[0]; i++) {
        size_t k = strlen(inside[i].word);
        for (const char *p = memchr(t, '(', n); p && (size_t)(p - t) + k <= n;
             p = memchr(p + 1, '(', n - (size_t)(p + 1 - t)))
            if (strncasecmp(p, inside[i].word, k) == 0)
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

/* Whether key of ns finds a story (confirmed); id gets it (0s: a value
 * that is not an id). */
static bool
found_by(struct wd_dedup *d, enum wd_store_ns ns, const void *key, size_t klen,
         uint8_t id[16])
{
    size_t vlen = 16;
    if (get(d, ns, key, klen, id, &vlen) != 0)
        return false;
    if (vlen != 16) {
        memset(id, 0, 16);
        return true;
    }
    struct held h = {0};
    return confirmed(d, &h, ns, key, klen, id);
}

const char *
wd_change_name(enum wd_change c)
{
    static const char *const names[] = {"", "upgrade", "correction", "update"};
    return c <= WD_CHANGE_UPDATE ? names[c] : "";
}

/* The story record of id, also one written before the lead keys. */
static bool
get_rec(struct wd_dedup *d, const uint8_t id[16], struct wd_story_rec *rec)
{
    size_t vlen = sizeof *rec;
    memset(rec, 0, sizeof *rec);
    if (get(d, WD_NS_STORY, id, 16, rec, &vlen))
        return false;
    return wd_dupindex_rec_known(vlen);
}

/* get_rec() for the eviction: a failed read fails the batch there too. */
static bool
read_rec(void *d, const uint8_t id[16], struct wd_story_rec *rec)
{
    return get_rec(d, id, rec);
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

/* The keys a new story is found by besides its id, content and URL: its
 * own lead windows, and its MinHash band keys when the dedup looks bands
 * up and it has enough shingles. A claim holds all of them; looked_up:
 * those the look-ups hold (dupindex.h), which decide and prefetch read. */
struct story_keys {
    uint64_t leads[WD_FP_LEADS];
    uint8_t bands[WD_MH_BANDS][WD_DUPINDEX_MH_KEY_LEN];
    size_t n_leads, n_bands;
};

static void
story_keys(const struct wd_dedup *d, const struct wd_story_fp *fp,
           bool looked_up, struct story_keys *k)
{
    uint64_t leads[WD_FP_LEADS];
    own_leads(fp, leads);
    k->n_leads = k->n_bands = 0;
    for (int i = 0; i < (looked_up ? WD_DUPINDEX_LEADS : WD_FP_LEADS); i++)
        if (leads[i])
            k->leads[k->n_leads++] = leads[i];
    if (d->cfg.near == WD_NEAR_MINHASH && fp->shingles >= WD_NEAR_MIN_SHINGLES)
        for (int b = 0; b < WD_MH_BANDS;
             b += looked_up ? WD_DUPINDEX_BAND_STEP : 1)
            wd_dupindex_mh_key(b, fp->bands[b], k->bands[k->n_bands++]);
}

static void
make_claim(const struct wd_dedup *d, const struct wd_dedup_claim_req *q,
           struct wd_claim *c, struct story_keys *k)
{
    const struct wd_story_fp *fp = q->fp;
    *c = (struct wd_claim){.content_key = fp->content_key,
                           .url_key = fp->url_key,
                           .band_len = WD_DUPINDEX_MH_KEY_LEN,
                           .min_bands = WD_NEAR_MIN_BANDS};
    memcpy(c->id_rev, fp->id, 16);
    for (int i = 0; i < 4; i++)
        c->id_rev[16 + i] = (uint8_t)(q->revision >> (24 - 8 * i));
    c->leads = k->leads;
    c->bands = &k->bands[0][0];
    if (q->is_new) { /* a revision holds its id and exact keys only */
        story_keys(d, fp, false, k);
        c->n_leads = k->n_leads;
        c->n_bands = k->n_bands;
    }
}

int
wd_dedup_claim_many(struct wd_dedup *d, const struct wd_dedup_claim_req *q,
                    size_t n)
{
    if (n == 0 || (!d->store->ops->claim && !d->store->ops->claim_many))
        return 0; /* a store of one worker: every claim granted */
    struct wd_claim *c = malloc(n * sizeof *c);
    struct story_keys *k = malloc(n * sizeof *k);
    int rc = WD_ENOMEM;
    if (c && k) {
        for (size_t i = 0; i < n; i++)
            make_claim(d, &q[i], &c[i], &k[i]);
        rc = wd_store_claim_many(d->store, c, n);
    }
    free(c);
    free(k);
    return rc;
}

int
wd_dedup_prefetch(struct wd_dedup *d, uint64_t page_key,
                  const struct wd_story_fp *fps, size_t n)
{
    const struct wd_store_ops *o = d->store->ops;
    if (!o->prefetch || d->failed)
        return 0;
    enum { PER_STORY = 3 + WD_FP_LEADS + WD_MH_BANDS };
    struct wd_store_key *keys = malloc((n * PER_STORY + 1) * sizeof *keys);
    struct story_keys *sk = malloc((n ? n : 1) * sizeof *sk);
    if (!keys || !sk) {
        free(keys);
        free(sk);
        return 0; /* read one at a time instead */
    }
    size_t k = 0;
    if (page_key)
        keys[k++] = (struct wd_store_key){WD_NS_PAGE, &page_key, 8};
    for (size_t i = 0; i < n; i++) {
        const struct wd_story_fp *fp = &fps[i];
        keys[k++] = (struct wd_store_key){WD_NS_STORY, fp->id, 16};
        keys[k++] = (struct wd_store_key){WD_NS_CONTENT, &fp->content_key, 8};
        if (fp->url_key)
            keys[k++] = (struct wd_store_key){WD_NS_URL, &fp->url_key, 8};
        story_keys(d, fp, true, &sk[i]);
        for (size_t l = 0; l < sk[i].n_leads; l++)
            keys[k++] = (struct wd_store_key){WD_NS_LEAD, &sk[i].leads[l], 8};
        for (size_t b = 0; b < sk[i].n_bands; b++)
            keys[k++] = (struct wd_store_key){WD_NS_BAND, sk[i].bands[b],
                                              WD_DUPINDEX_MH_KEY_LEN};
    }
    int rc = noted(d, o->prefetch(d->store->impl, keys, k));
    free(keys);
    free(sk);
    return rc;
}

enum near_match { NEAR_NONE, NEAR_COPY, NEAR_SIBLING };

/* The stories the look-ups of a loop name, and their records. */
struct named {
    int n;
    uint8_t ids[READS_MAX][16];
    struct wd_story_rec recs[READS_MAX];
    bool have[READS_MAX]; /* recs[i] read (to confirm the look-up) */
};

/* The record of the k-th story of nm: the one read to confirm its
 * look-up, else read now. */
static bool
named_rec(struct wd_dedup *d, struct named *nm, int k)
{
    if (!nm->have[k])
        nm->have[k] = get_rec(d, nm->ids[k], &nm->recs[k]);
    return nm->have[k];
}

/* The distinct stories the reads of r name, in the order of the reads,
 * each with the record its confirmation read (so none is read twice);
 * anon counts the entries that name none (an index written before the
 * entries named their stories). */
static void
named_ids(struct wd_dedup *d, struct reads *r, struct named *nm, int *anon)
{
    nm->n = 0;
    reads_prefetch(d, r);
    for (size_t i = 0; i < r->n; i++) {
        if (reads_get(d, r, i) != 0)
            continue;
        if (r->vlens[i] != 16) {
            ++*anon;
            continue;
        }
        int k = 0;
        while (k < nm->n && memcmp(nm->ids[k], r->vals[i], 16) != 0)
            k++;
        if (k < nm->n)
            continue;
        memcpy(nm->ids[k], r->vals[i], 16);
        nm->have[k] = r->held.have && memcmp(r->held.id, nm->ids[k], 16) == 0;
        if (nm->have[k])
            nm->recs[k] = r->held.rec;
        nm->n++;
    }
}

/* Near copies by MinHash: the look-ups hold every other band of a story
 * (dupindex.h); each story they name is compared with fp in full, and
 * one that shares WD_NEAR_MIN_BANDS of all WD_MH_BANDS bands with fp makes
 * fp a near copy. Those stories, most bands first, are then checked by
 * their facts: the first that agrees confirms the copy (NEAR_COPY); when
 * every one is another item of the same template (other figures and
 * names), fp is a story of its own (NEAR_SIBLING). sid and rec get the
 * candidate. */
static enum near_match
near_minhash(struct wd_dedup *d, const struct wd_story_fp *fp, uint8_t sid[16],
             struct wd_story_rec *rec)
{
    struct named nm;
    int counts[READS_MAX], anon = 0, best_count = 0;
    struct story_keys sk;
    story_keys(d, fp, true, &sk);
    struct reads r = {.ns = WD_NS_BAND, .klen = WD_DUPINDEX_MH_KEY_LEN};
    for (; r.n < sk.n_bands; r.n++)
        memcpy(r.keys[r.n], sk.bands[r.n], WD_DUPINDEX_MH_KEY_LEN);
    named_ids(d, &r, &nm, &anon);
    for (int k = 0; k < nm.n; k++) {
        counts[k] = named_rec(d, &nm, k)
                        ? wd_dupindex_bands_shared(&nm.recs[k], fp->bands)
                        : 0;
        if (counts[k] < WD_NEAR_MIN_BANDS)
            counts[k] = 0;
        if (counts[k] > best_count)
            best_count = counts[k];
    }
    if (best_count == 0) {
        /* Entries that name no story: counted as the bands once were. */
        if (anon < WD_NEAR_MIN_BANDS)
            return NEAR_NONE;
        d->last_share = (float)anon / WD_MH_BANDS;
        return NEAR_COPY;
    }
    d->last_share = (float)best_count / WD_MH_BANDS;
    /* The candidates, most bands first: the first whose facts agree. */
    for (;;) {
        int best = -1;
        for (int k = 0; k < nm.n; k++)
            if (counts[k] > 0 && (best < 0 || counts[k] > counts[best]))
                best = k;
        if (best < 0)
            return NEAR_SIBLING;
        counts[best] = 0;
        memcpy(sid, nm.ids[best], 16);
        *rec = nm.recs[best];
        if (!facts_differ(fp, rec))
            return NEAR_COPY;
    }
}

static bool
near_seen_simhash(struct wd_dedup *d, uint64_t sh)
{
    bool found = false;
    for (int p = 0; p < WD_DUPINDEX_SH_PAIRS && !found && !d->failed; p++)
        noted(d, wd_dupindex_sh_near(d->store, sh, p, WD_NEAR_BITS, &found));
    return found;
}

static enum near_match
near_seen(struct wd_dedup *d, const struct wd_story_fp *fp, uint8_t sid[16],
          struct wd_story_rec *rec)
{
    if (fp->shingles < WD_NEAR_MIN_SHINGLES)
        return NEAR_NONE;
    if (d->cfg.near == WD_NEAR_MINHASH)
        return near_minhash(d, fp, sid, rec);
    return near_seen_simhash(d, fp->simhash) ? NEAR_COPY : NEAR_NONE;
}

/* Stages the upgrade of story id (record rec, a teaser) to the full text
 * fp. */
static enum wd_dup
upgrade(struct wd_dedup *d, const uint8_t id[16],
        const struct wd_story_rec *rec, const struct wd_story_fp *fp,
        int64_t now_ms, uint32_t *revision)
{
    struct wd_story_rec next = *rec;
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
    wd_dupindex_unindex_near(d->store, rec);
    if (wd_dupindex_put_rec(d->store, id, &next) != 0 ||
        wd_dupindex_index(d->store, id, &next) != 0)
        return WD_DUP_NEAR; /* cannot remember it: do not publish it */
    *revision = next.revision;
    return WD_DUP_UPGRADE;
}

/* A correction or update of story id (record rec) published under its id
 * as the next revision (fp->change says which). */
static enum wd_dup
revise(struct wd_dedup *d, const uint8_t id[16], struct wd_story_rec *rec,
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
 * windows (16 words in the same places) with fp. The look-ups hold a
 * story's first WD_DUPINDEX_LEADS windows (dupindex.h); each story they
 * name is compared with all of fp's windows by its record. A teaser that
 * shares them with a remembered story, teaser or full, is a copy of it
 * (LEAD_COPY); a full text that shares them with a remembered teaser, and
 * is longer, is that teaser's full text (LEAD_TEASER: sid and rec are the
 * teaser's). Two different stories rarely open with the same sixteen
 * words; a re-post with a word of its lead changed, or a few words edited
 * further on, still shares the other windows. */
static enum lead_match
by_lead(struct wd_dedup *d, const struct wd_story_fp *fp, uint8_t sid[16],
        struct wd_story_rec *rec)
{
    uint64_t leads[WD_FP_LEADS];
    if (own_leads(fp, leads) == 0)
        return LEAD_NONE;
    struct named nm;
    int anon = 0;
    struct story_keys sk;
    story_keys(d, fp, true, &sk);
    struct reads r = {.ns = WD_NS_LEAD, .klen = 8};
    for (; r.n < sk.n_leads; r.n++)
        memcpy(r.keys[r.n], &sk.leads[r.n], 8);
    named_ids(d, &r, &nm, &anon);
    for (int k = 0; k < nm.n; k++) {
        if (!named_rec(d, &nm, k))
            continue;
        *rec = nm.recs[k];
        int shared = 0;
        for (int i = 0; i < WD_FP_LEADS; i++)
            shared += leads[i] &&
                      wd_dupindex_rec_holds(rec, WD_NS_LEAD, &leads[i], 8);
        /* One window: enough with a similar lead. */
        if (shared < LEAD_MIN_SHARED &&
            !(shared == 1 && sketch_similar(fp->sketch, rec->sketch)))
            continue;
        memcpy(sid, nm.ids[k], 16);
        if (fp->teaser)
            return LEAD_COPY;
        if (rec->teaser && fp->body_len > rec->body_len)
            return LEAD_TEASER;
    }
    return LEAD_NONE;
}

enum wd_dup
wd_dedup_decide(struct wd_dedup *d, struct wd_story_fp *fp, int64_t now_ms,
                uint32_t *revision)
{
    struct wd_story_rec rec;
    *revision = 0;

    if (get_rec(d, fp->id, &rec)) {
        if (rec.content_key == fp->content_key) {
            if (rec.last_ms && in_republish_window(d, rec.last_ms)) {
                /* Once: the record is marked as published now. */
                rec.last_ms = now_ms;
                if (wd_dupindex_put_rec(d->store, fp->id, &rec) != 0)
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
        if (found_by(d, WD_NS_CONTENT, &fp->content_key, 8, other))
            return dropped(fp, WD_DUP_EXACT, WD_REASON_CONTENT, other, 1);
        /* A version that says it corrects or updates the story is a
         * revision of it; any other is a near copy. */
        if (fp->marker) {
            fp->change = fp->marker;
            return upgrade(d, fp->id, &rec, fp, now_ms, revision);
        }
        return dropped(fp, WD_DUP_NEAR, WD_REASON_SAME_ID, fp->id, 1);
    }
    uint8_t other[16];
    if (found_by(d, WD_NS_CONTENT, &fp->content_key, 8, other))
        return dropped(fp, WD_DUP_EXACT, WD_REASON_CONTENT, other, 1);
    if (fp->url_key && found_by(d, WD_NS_URL, &fp->url_key, 8, other))
        return dropped(fp, WD_DUP_EXACT, WD_REASON_URL, other, 1);
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
        struct wd_story_rec lr;
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
    if (wd_dupindex_add(d->store, fp->id, &rec, now_ms))
        return WD_DUP_NEAR;
    *revision = 1;
    return WD_DUP_NEW;
}

int
wd_dedup_commit(struct wd_dedup *d, uint64_t page_key, int64_t now_ms)
{
    if (!d->open)
        return WD_EINVAL;
    int rc = 0;
    if (page_key && !exists(d, WD_NS_PAGE, &page_key, 8))
        rc = wd_dupindex_add_page(d->store, page_key, now_ms);
    if (rc == 0)
        d->evicted += wd_dupindex_evict(d->store, now_ms - d->cfg.max_age_ms,
                                        d->cfg.max_stories, read_rec, d);
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
    wd_text_hex(id, 16, hex);
}
