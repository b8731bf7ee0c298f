/* The journal of published messages. See include/wd/journal.h. */
#include "wd/journal.h"

#include <string.h>

#include "wd/err.h"
#include "wd/snapshot.h"

/* Big-endian numbers, as the wire has them (snapshot.h). */
static void
put_u64(uint8_t *p, uint64_t v)
{
    wd_snapshot_put_u64(p, v);
}

static uint64_t
get_u64(const void *p)
{
    uint64_t v = 0;
    wd_snapshot_get_u64(p, 8, &v);
    return v;
}

void
wd_journal_key(uint8_t key[WD_JOURNAL_KEY_LEN], int64_t ms, uint32_t n)
{
    put_u64(key, (uint64_t)ms);
    for (int i = 3; i >= 0; i--, n >>= 8)
        key[8 + i] = (uint8_t)n;
}

size_t
wd_journal_size(const struct wd_journal_entry *e)
{
    size_t n = 8 + 1 + e->len;
    for (size_t i = 0; i < e->n; i++)
        n += 1 + e->channel_len[i] + 8;
    return n;
}

void
wd_journal_encode(const struct wd_journal_entry *e, uint8_t *out)
{
    put_u64(out, e->epoch);
    out[8] = (uint8_t)e->n;
    uint8_t *p = out + 9;
    for (size_t i = 0; i < e->n; i++) {
        *p++ = e->channel_len[i];
        memcpy(p, e->channel[i], e->channel_len[i]);
        p += e->channel_len[i];
        put_u64(p, e->seq[i]);
        p += 8;
    }
    memcpy(p, e->bytes, e->len);
}

int
wd_journal_decode(const void *key, size_t klen, const void *val, size_t vlen,
                  struct wd_journal_entry *e)
{
    const uint8_t *v = val, *end = v + vlen;
    if (klen != WD_JOURNAL_KEY_LEN || vlen < 9)
        return WD_EPARSE;
    e->ms = (int64_t)get_u64(key);
    e->epoch = get_u64(v);
    e->n = v[8];
    if (e->n > WD_JOURNAL_MAX_CHANNELS)
        return WD_EPARSE;
    const uint8_t *p = v + 9;
    for (size_t i = 0; i < e->n; i++) {
        if (p >= end || (size_t)(end - p) < 1u + p[0] + 8u)
            return WD_EPARSE;
        e->channel_len[i] = p[0];
        e->channel[i] = (const char *)p + 1;
        e->seq[i] = get_u64(p + 1 + p[0]);
        p += 1 + p[0] + 8;
    }
    e->bytes = p;
    e->len = (size_t)(end - p);
    return 0;
}

/* --- trimming ------------------------------------------------------------ */

struct trim {
    int64_t before_ms;
    size_t max, n;
    uint8_t (*keys)[WD_JOURNAL_KEY_LEN];
};

static int
collect_old(void *ctx, const void *key, size_t klen, const void *val,
            size_t vlen)
{
    (void)val, (void)vlen;
    struct trim *t = ctx;
    if (klen != WD_JOURNAL_KEY_LEN || (int64_t)get_u64(key) >= t->before_ms ||
        t->n == t->max)
        return 1; /* the rest is newer (keys are in time order) */
    memcpy(t->keys[t->n++], key, WD_JOURNAL_KEY_LEN);
    return 0;
}

int
wd_journal_trim(struct wd_store *s, int64_t before_ms, size_t max)
{
    uint8_t keys[64][WD_JOURNAL_KEY_LEN];
    struct trim t = {before_ms, max < 64 ? max : 64, 0, keys};
    int rc = s->ops->scan(s->impl, WD_NS_JOURNAL, NULL, 0, collect_old, &t);
    for (size_t i = 0; rc == 0 && i < t.n; i++)
        rc = s->ops->del(s->impl, WD_NS_JOURNAL, keys[i], WD_JOURNAL_KEY_LEN);
    return rc;
}

/* --- resuming ------------------------------------------------------------ */

/* The channel's number in e, or false when e did not go out on it. */
static bool
seq_on(const struct wd_journal_entry *e, const char *channel, size_t clen,
       uint64_t *seq)
{
    for (size_t i = 0; i < e->n; i++)
        if (e->channel_len[i] == clen &&
            memcmp(e->channel[i], channel, clen) == 0) {
            *seq = e->seq[i];
            return true;
        }
    return false;
}

struct resume {
    const char *channel;
    size_t clen;
    uint64_t epoch, seq;
    /* The first pass: what the journal holds of run epoch. */
    bool epoch_seen; /* an entry of run epoch, any channel */
    uint8_t last_key[WD_JOURNAL_KEY_LEN]; /* the last such entry's */
    bool upto;            /* an entry of (epoch, channel) numbered <= seq */
    uint64_t first_after; /* the lowest number of (epoch, channel) > seq */
    /* The second pass. */
    size_t max;
    wd_journal_item_fn fn;
    void *ctx;
    struct wd_journal_resumed *out;
};

static int
survey(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
    struct resume *r = ctx;
    struct wd_journal_entry e;
    if (wd_journal_decode(key, klen, val, vlen, &e) != 0 || e.epoch != r->epoch)
        return 0;
    r->epoch_seen = true;
    memcpy(r->last_key, key, WD_JOURNAL_KEY_LEN);
    uint64_t q;
    if (!seq_on(&e, r->channel, r->clen, &q))
        return 0;
    if (q <= r->seq)
        r->upto = true;
    else if (!r->first_after || q < r->first_after)
        r->first_after = q;
    return 0;
}

static int
give(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
    struct resume *r = ctx;
    struct wd_journal_entry e;
    uint64_t q;
    if (wd_journal_decode(key, klen, val, vlen, &e) != 0 ||
        !seq_on(&e, r->channel, r->clen, &q))
        return 0;
    bool after = !r->epoch_seen ||
                 (e.epoch == r->epoch
                      ? q > r->seq
                      : memcmp(key, r->last_key, WD_JOURNAL_KEY_LEN) > 0);
    if (!after)
        return 0;
    if (r->out->count == r->max) {
        r->out->more = true;
        return 1;
    }
    r->fn(r->ctx, e.epoch, q, e.bytes, e.len);
    r->out->count++;
    return 0;
}

int
wd_journal_resume(struct wd_store *s, const char *channel, uint64_t epoch,
                  uint64_t seq, size_t max, wd_journal_item_fn fn, void *ctx,
                  struct wd_journal_resumed *out)
{
    memset(out, 0, sizeof *out);
    struct resume r = {.channel = channel,
                       .clen = strlen(channel),
                       .epoch = epoch,
                       .seq = seq,
                       .max = max,
                       .fn = fn,
                       .ctx = ctx,
                       .out = out};
    int rc = s->ops->scan(s->impl, WD_NS_JOURNAL, NULL, 0, survey, &r);
    if (rc)
        return rc;
    out->complete = r.epoch_seen && (r.upto || seq == 0 || r.first_after == 0 ||
                                     r.first_after == seq + 1);
    return s->ops->scan(s->impl, WD_NS_JOURNAL, NULL, 0, give, &r);
}
