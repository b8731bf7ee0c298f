#include "wd/boiler.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "wd/err.h"

struct entry {
    uint64_t hash; /* 0 = empty */
    uint32_t pages;
};

struct source {
    uint64_t key;
    uint64_t last_used;
    uint32_t pages; /* recent pages learned (halved with the counts) */
    uint32_t next;  /* where the next page's id goes in recent[] */
    uint64_t recent[WD_BOILER_WINDOW]; /* ids of the last pages learned */
    struct entry lines[WD_BOILER_LINES];
};

struct wd_boiler {
    struct source *sources;
    size_t n;
    uint64_t clock;
};

int
wd_boiler_new(struct wd_boiler **out, size_t max_sources)
{
    *out = NULL;
    if (max_sources == 0)
        return WD_EINVAL;
    struct wd_boiler *b = calloc(1, sizeof *b);
    if (!b)
        return WD_ENOMEM;
    b->sources = calloc(max_sources, sizeof *b->sources);
    if (!b->sources) {
        free(b);
        return WD_ENOMEM;
    }
    b->n = max_sources;
    *out = b;
    return 0;
}

void
wd_boiler_free(struct wd_boiler *b)
{
    if (!b)
        return;
    free(b->sources);
    free(b);
}

uint32_t
wd_boiler_source(struct wd_boiler *b, const char *key, size_t len)
{
    uint64_t k = XXH3_64bits(key, len) | 1;
    size_t lru = 0;
    for (size_t i = 0; i < b->n; i++) {
        if (b->sources[i].key == k) {
            b->sources[i].last_used = ++b->clock;
            return (uint32_t)i;
        }
        if (b->sources[i].last_used < b->sources[lru].last_used)
            lru = i;
    }
    /* A new source takes the least recently used slot, forgetting it. */
    memset(&b->sources[lru], 0, sizeof b->sources[lru]);
    b->sources[lru].key = k;
    b->sources[lru].last_used = ++b->clock;
    return (uint32_t)lru;
}

static struct entry *
find(struct source *s, uint64_t h, bool create)
{
    h |= 1;
    size_t mask = WD_BOILER_LINES - 1, i = (size_t)(h ^ (h >> 31)) & mask;
    struct entry *weakest = NULL;
    for (size_t probe = 0; probe < 16; probe++, i = (i + 1) & mask) {
        struct entry *e = &s->lines[i];
        if (e->hash == h)
            return e;
        if (e->hash == 0) {
            if (!create)
                return NULL;
            e->hash = h;
            e->pages = 0;
            return e;
        }
        if (!weakest || e->pages < weakest->pages)
            weakest = e;
    }
    if (!create)
        return NULL;
    /* The neighbourhood is full: the line seen least gives way. Lookups
     * probe the same 16 slots, so no entry goes astray. */
    weakest->hash = h;
    weakest->pages = 0;
    return weakest;
}

bool
wd_boiler_is(const struct wd_boiler *b, uint32_t slot, uint64_t line_hash)
{
    if (slot >= b->n)
        return false;
    struct source *s = &b->sources[slot];
    struct entry *e = find(s, line_hash, false);
    return e && s->pages >= WD_BOILER_MIN_PAGES + 1 &&
           e->pages >= WD_BOILER_MIN_PAGES && 2 * e->pages >= s->pages;
}

void
wd_boiler_learn(struct wd_boiler *b, uint32_t slot, uint64_t page_id,
                const uint64_t *hashes, size_t n)
{
    if (slot >= b->n)
        return;
    struct source *s = &b->sources[slot];
    page_id |= 1; /* 0: an empty place in recent[] */
    for (size_t i = 0; i < WD_BOILER_WINDOW; i++)
        if (s->recent[i] == page_id)
            return; /* a re-fetch or a resend: learned already */
    s->recent[s->next] = page_id;
    s->next = (s->next + 1) % WD_BOILER_WINDOW;
    if (s->pages >= WD_BOILER_WINDOW) {
        s->pages /= 2;
        for (size_t i = 0; i < WD_BOILER_LINES; i++)
            s->lines[i].pages /= 2;
    }
    s->pages++;
    for (size_t i = 0; i < n; i++) {
        struct entry *e = find(s, hashes[i], true);
        if (e)
            e->pages++;
    }
}
