/* The worker's side of the journal. See include/wd/journaling.h. */
#include "wd/journaling.h"

#include <stdlib.h>
#include <string.h>

#include "wd/err.h"
#include "wd/log.h"

/* A RESUME reply gives at most this many messages; the client asks again
 * from the last one (the ROUTER queues 4 004 messages a client). */
#define RESUME_MAX 1000
/* Entries trimmed at most per commit: the window empties at several times
 * the rate it fills. */
#define TRIM_PER_COMMIT 64

void
wd_journaling_init(struct wd_journaling *j, struct wd_store *store,
                   int64_t window_ms)
{
    memset(j, 0, sizeof *j);
    j->store = store;
    j->window_ms = window_ms;
}

void
wd_journaling_fini(struct wd_journaling *j)
{
    free(j->page);
    free(j->bytes);
    memset(j, 0, sizeof *j);
}

static bool
reserve(uint8_t **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return true;
    size_t c = *cap ? *cap : 4096;
    while (c < need)
        c *= 2;
    uint8_t *b = realloc(*buf, c);
    if (!b)
        return false;
    *buf = b;
    *cap = c;
    return true;
}

/* Encodes the story being gathered onto the page's entries. */
static int
close_story(struct wd_journaling *j)
{
    if (!j->open)
        return 0;
    j->open = false;
    size_t n = wd_journal_size(&j->cur);
    if (!reserve(&j->page, &j->cap, j->len + 4 + n))
        return WD_ENOMEM;
    uint32_t n32 = (uint32_t)n;
    memcpy(j->page + j->len, &n32, 4);
    wd_journal_encode(&j->cur, j->page + j->len + 4);
    j->len += 4 + n;
    return 0;
}

int
wd_journaling_sent(struct wd_journaling *j, const char *channel, uint64_t seq,
                   uint64_t epoch, const void *buf, size_t len)
{
    size_t clen = strlen(channel);
    /* A story's entry starts with "all" and takes the channels that send
     * the same bytes after it; a "$" channel's message ($dedup, $events)
     * has bytes of its own: an entry of its own. */
    bool own = channel[0] == '$';
    bool first = own || strcmp(channel, "all") == 0;
    if (first || !j->open) {
        int rc = close_story(j);
        if (rc)
            return rc;
        if (!reserve(&j->bytes, &j->bytes_cap, len ? len : 1))
            return WD_ENOMEM;
        memcpy(j->bytes, buf, len);
        memset(&j->cur, 0, sizeof j->cur);
        j->cur.epoch = epoch;
        j->cur.bytes = j->bytes;
        j->cur.len = len;
        j->open = true;
    }
    if (j->cur.n == WD_JOURNAL_MAX_CHANNELS || clen >= sizeof j->names[0])
        return 0; /* (no story goes out on that many) */
    size_t i = j->cur.n++;
    memcpy(j->names[i], channel, clen);
    j->cur.channel[i] = j->names[i];
    j->cur.channel_len[i] = (uint8_t)clen;
    j->cur.seq[i] = seq;
    return own ? close_story(j) : 0;
}

int
wd_journaling_stage(void *ctx, struct wd_store *store)
{
    struct wd_journaling *j = ctx;
    int rc = close_story(j);
    if (rc)
        return rc;
    int64_t now = wd_now_ms();
    for (size_t off = 0; rc == 0 && off + 4 <= j->len;) {
        uint32_t n;
        memcpy(&n, j->page + off, 4);
        uint8_t key[WD_JOURNAL_KEY_LEN];
        wd_journal_key(key, now, j->n++);
        rc = store->ops->put(store->impl, WD_NS_JOURNAL, key, sizeof key,
                             j->page + off + 4, n);
        off += 4 + n;
        j->entries += rc == 0;
    }
    if (rc == 0)
        rc = wd_journal_trim(store, now - j->window_ms, TRIM_PER_COMMIT);
    return rc;
}

void
wd_journaling_done(struct wd_journaling *j)
{
    j->len = 0;
    j->open = false;
}

int
wd_journaling_resume(void *ctx, const char *channel, uint64_t epoch,
                     uint64_t seq, wd_publish_item_fn item, void *item_ctx,
                     bool *complete, bool *more)
{
    struct wd_journaling *j = ctx;
    int rc = wd_store_begin(j->store);
    if (rc)
        return rc;
    struct wd_journal_resumed r;
    rc = wd_journal_resume(j->store, channel, epoch, seq, RESUME_MAX, item,
                           item_ctx, &r);
    wd_store_abort(j->store);
    if (rc == 0) {
        *complete = r.complete;
        *more = r.more;
        j->resumes++;
    }
    return rc;
}
