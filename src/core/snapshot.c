#include "wd/snapshot.h"

#include <stdlib.h>
#include <string.h>

#include "wd/channel.h"
#include "wd/err.h"

#define SLOTS (2 * WD_SNAPSHOT_MAX_CHANNELS) /* open addressing, half full */

struct kept {
    uint64_t seq, stamp; /* stamp: global order, for eviction by bytes */
    uint8_t *data;
    size_t len;
};

/* One channel (the store) or one (channel, epoch) stream (the tracker). */
struct chan {
    char name[WD_CHANNEL_MAX]; /* "" = free slot */
    uint64_t epoch;            /* the tracker's; 0 in the store */
    uint64_t seq;              /* last numbered (store), last seen (tracker) */
    struct kept *ring;         /* depth slots, allocated on first use */
    size_t head, n;            /* oldest at ring[head] */
};

struct table {
    struct chan slots[SLOTS];
    struct chan *list[WD_SNAPSHOT_MAX_CHANNELS]; /* the used slots */
    size_t used;
};

static uint64_t
hash(const char *name, uint64_t epoch)
{
    uint64_t h = 1469598103934665603ULL ^ epoch;
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h;
}

/* The slot of (name, epoch); a new one when create (and there is room).
 * NULL when absent, full or the name too long. */
static struct chan *
table_get(struct table *t, const char *name, uint64_t epoch, bool create)
{
    size_t len = strlen(name);
    if (len == 0 || len >= WD_CHANNEL_MAX)
        return NULL;
    uint64_t h = hash(name, epoch);
    for (size_t i = 0; i < SLOTS; i++) {
        struct chan *c = &t->slots[(h + i) % SLOTS];
        if (c->name[0] == '\0') {
            if (!create || t->used >= WD_SNAPSHOT_MAX_CHANNELS)
                return NULL;
            memcpy(c->name, name, len + 1);
            c->epoch = epoch;
            t->list[t->used++] = c;
            return c;
        }
        if (c->epoch == epoch && strcmp(c->name, name) == 0)
            return c;
    }
    return NULL;
}

/* --- the worker's side -------------------------------------------------- */

struct wd_snapshot_store {
    struct table t;
    size_t depth, max_bytes, bytes, items;
    uint64_t stamp;
};

int
wd_snapshot_new(struct wd_snapshot_store **out, size_t depth, size_t max_bytes)
{
    *out = NULL;
    if (depth > WD_SNAPSHOT_MAX_DEPTH)
        return WD_EINVAL;
    struct wd_snapshot_store *s = calloc(1, sizeof *s);
    if (!s)
        return WD_ENOMEM;
    s->depth = depth;
    s->max_bytes = max_bytes;
    *out = s;
    return 0;
}

void
wd_snapshot_free(struct wd_snapshot_store *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->t.used; i++) {
        struct chan *c = s->t.list[i];
        for (size_t k = 0; c->ring && k < c->n; k++)
            free(c->ring[(c->head + k) % s->depth].data);
        free(c->ring);
    }
    free(s);
}

/* Forgets the channel's oldest kept message. */
static void
drop_oldest(struct wd_snapshot_store *s, struct chan *c)
{
    struct kept *k = &c->ring[c->head];
    s->bytes -= k->len;
    s->items--;
    free(k->data);
    k->data = NULL;
    c->head = (c->head + 1) % s->depth;
    c->n--;
}

/* Forgets the oldest kept message of all channels; false when none. */
static bool
drop_globally_oldest(struct wd_snapshot_store *s)
{
    struct chan *oldest = NULL;
    for (size_t i = 0; i < s->t.used; i++) {
        struct chan *c = s->t.list[i];
        if (c->n && (!oldest ||
                     c->ring[c->head].stamp < oldest->ring[oldest->head].stamp))
            oldest = c;
    }
    if (oldest)
        drop_oldest(s, oldest);
    return oldest != NULL;
}

static void
keep(struct wd_snapshot_store *s, struct chan *c, uint64_t seq,
     const void *data, size_t len)
{
    if (s->depth == 0 || len > s->max_bytes)
        return;
    if (!c->ring && !(c->ring = calloc(s->depth, sizeof *c->ring)))
        return;
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return;
    memcpy(copy, data, len);
    if (c->n == s->depth)
        drop_oldest(s, c);
    while (s->bytes + len > s->max_bytes && drop_globally_oldest(s))
        ;
    struct kept *k = &c->ring[(c->head + c->n) % s->depth];
    *k = (struct kept){seq, ++s->stamp, copy, len};
    c->n++;
    s->items++;
    s->bytes += len;
}

uint64_t
wd_snapshot_record(struct wd_snapshot_store *s, const char *channel,
                   const void *data, size_t len)
{
    struct chan *c = table_get(&s->t, channel, 0, true);
    if (!c)
        return 0;
    c->seq++;
    keep(s, c, c->seq, data, len);
    return c->seq;
}

uint64_t
wd_snapshot_seq(const struct wd_snapshot_store *s, const char *channel)
{
    struct chan *c =
        table_get((struct table *)&s->t, channel, 0, false); /* no write */
    return c ? c->seq : 0;
}

size_t
wd_snapshot_last(const struct wd_snapshot_store *s, const char *channel,
                 uint64_t n,
                 void (*fn)(void *ctx, const struct wd_snapshot_item *),
                 void *ctx)
{
    struct chan *c = table_get((struct table *)&s->t, channel, 0, false);
    if (!c)
        return 0;
    size_t k = n < c->n ? (size_t)n : c->n;
    for (size_t i = c->n - k; i < c->n; i++) {
        const struct kept *e = &c->ring[(c->head + i) % s->depth];
        struct wd_snapshot_item it = {e->seq, e->data, e->len};
        fn(ctx, &it);
    }
    return k;
}

void
wd_snapshot_usage(const struct wd_snapshot_store *s, size_t *channels,
                  size_t *items, size_t *bytes)
{
    *channels = s->t.used;
    *items = s->items;
    *bytes = s->bytes;
}

/* --- frames ------------------------------------------------------------- */

void
wd_snapshot_put_u64(uint8_t out[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        out[i] = (uint8_t)v;
}

bool
wd_snapshot_get_u64(const void *data, size_t len, uint64_t *v)
{
    if (len != 8)
        return false;
    const uint8_t *b = data;
    *v = 0;
    for (int i = 0; i < 8; i++)
        *v = *v << 8 | b[i];
    return true;
}

const char *
wd_snapshot_parse_request(const struct wd_snapshot_frame *f, size_t n_frames,
                          char *channel, uint64_t *n)
{
    size_t cmd = strlen(WD_SNAPSHOT_REQUEST);
    if (n_frames != 3)
        return "want 3 frames: SNAPSHOT, channel, count";
    if (f[0].len != cmd || memcmp(f[0].data, WD_SNAPSHOT_REQUEST, cmd) != 0)
        return "unknown request (want SNAPSHOT)";
    if (f[1].len == 0 || f[1].len >= WD_CHANNEL_MAX ||
        memchr(f[1].data, '\0', f[1].len))
        return "bad channel name";
    if (!wd_snapshot_get_u64(f[2].data, f[2].len, n))
        return "the count is not 8 bytes";
    memcpy(channel, f[1].data, f[1].len);
    channel[f[1].len] = '\0';
    return NULL;
}

const char *
wd_snapshot_parse_resume(const struct wd_snapshot_frame *f, size_t n_frames,
                         char *channel, uint64_t *epoch, uint64_t *seq)
{
    size_t cmd = strlen(WD_SNAPSHOT_RESUME);
    if (n_frames != 4)
        return "want 4 frames: RESUME, channel, epoch, seq";
    if (f[0].len != cmd || memcmp(f[0].data, WD_SNAPSHOT_RESUME, cmd) != 0)
        return "unknown request (want RESUME)";
    if (f[1].len == 0 || f[1].len >= WD_CHANNEL_MAX ||
        memchr(f[1].data, '\0', f[1].len))
        return "bad channel name";
    if (!wd_snapshot_get_u64(f[2].data, f[2].len, epoch) ||
        !wd_snapshot_get_u64(f[3].data, f[3].len, seq))
        return "the epoch and the sequence number are 8 bytes each";
    memcpy(channel, f[1].data, f[1].len);
    channel[f[1].len] = '\0';
    return NULL;
}

/* --- the subscriber's side ---------------------------------------------- */

struct wd_snapshot_track {
    struct table t;
};

int
wd_snapshot_track_new(struct wd_snapshot_track **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : WD_ENOMEM;
}

void
wd_snapshot_track_free(struct wd_snapshot_track *t)
{
    free(t);
}

/* True when the channel was seen under an epoch other than epoch. */
static bool
other_epoch(const struct table *t, const char *channel, uint64_t epoch)
{
    for (size_t i = 0; i < t->used; i++)
        if (t->list[i]->epoch != epoch &&
            strcmp(t->list[i]->name, channel) == 0)
            return true;
    return false;
}

enum wd_seq_verdict
wd_snapshot_track_see(struct wd_snapshot_track *t, const char *channel,
                      uint64_t epoch, uint64_t seq, uint64_t *last)
{
    if (last)
        *last = 0;
    if (seq == 0)
        return WD_SEQ_UNTRACKED;
    struct chan *c = table_get(&t->t, channel, epoch, false);
    if (!c) {
        bool restarted = other_epoch(&t->t, channel, epoch);
        c = table_get(&t->t, channel, epoch, true);
        if (!c)
            return WD_SEQ_UNTRACKED;
        c->seq = seq;
        return restarted ? WD_SEQ_NEW_EPOCH : WD_SEQ_FIRST;
    }
    if (last)
        *last = c->seq;
    if (seq <= c->seq)
        return WD_SEQ_OLD;
    bool next = seq == c->seq + 1;
    c->seq = seq;
    return next ? WD_SEQ_NEXT : WD_SEQ_GAP;
}

void
wd_snapshot_track_set(struct wd_snapshot_track *t, const char *channel,
                      uint64_t epoch, uint64_t seq)
{
    struct chan *c = table_get(&t->t, channel, epoch, true);
    if (c)
        c->seq = seq;
}
