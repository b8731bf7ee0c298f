/* The store: what the worker remembers, behind a small interface so that a
 * shared backend for several workers can be added without touching the
 * pipeline. The embedded backend is LMDB (store_lmdb.c).
 *
 * Everything happens inside a batch: wd_store_begin() opens it, reads see
 * the batch's own writes, wd_store_commit() makes them durable against a
 * crash of the process, wd_store_abort() forgets them. One batch at a time,
 * on one thread.
 */
#ifndef WD_STORE_H
#define WD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Namespaces (tables) of the store. */
enum wd_store_ns {
    WD_NS_STORY,   /* story id (16 B) -> struct wd_story_rec */
    WD_NS_CONTENT, /* content key (8 B) -> story id */
    WD_NS_URL,     /* URL key (8 B) -> story id */
    WD_NS_PAGE,    /* page key (8 B) -> first-seen ms (8 B) */
    WD_NS_BAND,    /* SimHash band key (13 B) -> empty */
    WD_NS_AGE,     /* ms (8 B BE) + kind (1 B) + key (16 B) -> empty */
    WD_NS_LEAD,    /* lead key (8 B) -> story id */
    WD_NS_JOURNAL, /* ms (8 B BE) + n (4 B BE) -> a published story (journal.h)
                    */
    WD_NS__COUNT
};

/* A key of some namespace (prefetch). */
struct wd_store_key {
    enum wd_store_ns ns;
    const void *key;
    size_t klen;
};

/* Called for each entry of a scan; returns non-zero to stop it. */
typedef int (*wd_store_scan_fn)(void *ctx, const void *key, size_t klen,
                                const void *val, size_t vlen);

/* What identifies a story to be published, for claims across workers: the
 * keys by which the dedup finds an exact copy, and the bands by which it
 * finds a near one (bands may be empty). */
struct wd_claim {
    uint8_t id_rev[20];    /* story id and revision */
    uint64_t content_key;  /* of the text */
    uint64_t url_key;      /* 0 when the story has no URL of its own */
    const uint64_t *leads; /* n_leads lead keys (held like the keys above) */
    size_t n_leads;
    const uint8_t *bands; /* n_bands keys of band_len bytes */
    size_t n_bands, band_len;
    unsigned min_bands; /* bands shared that make a near copy */
};

struct wd_store_ops {
    int (*begin)(void *impl);
    int (*commit)(void *impl);
    void (*abort)(void *impl);
    /* 0 and the value (at most *vlen bytes copied, *vlen set to its size),
     * WD_ENOTFOUND, or another error. */
    int (*get)(void *impl, enum wd_store_ns ns, const void *key, size_t klen,
               void *val, size_t *vlen);
    int (*put)(void *impl, enum wd_store_ns ns, const void *key, size_t klen,
               const void *val, size_t vlen);
    int (*del)(void *impl, enum wd_store_ns ns, const void *key, size_t klen);
    /* Entries whose key starts with prefix, in key order (plen 0 = all). */
    int (*scan)(void *impl, enum wd_store_ns ns, const void *prefix,
                size_t plen, wd_store_scan_fn fn, void *ctx);
    int (*count)(void *impl, enum wd_store_ns ns, uint64_t *n);
    /* Bytes the store occupies. */
    int (*size)(void *impl, uint64_t *bytes);
    /* Makes committed batches durable against a crash of the machine. */
    int (*sync)(void *impl);
    void (*close)(void *impl);
    /* Claims a story for this worker before it is published (see struct
     * wd_claim). Granted (0) when no other worker holds any of its keys
     * nor min_bands or more of its bands; then all of them are held by this
     * process for a short while, atomically. WD_EBUSY: the story or a copy
     * of it is being published by another worker right now (try the page
     * again shortly); another error: the store cannot say (nothing may be
     * published). NULL: a store of one worker (LMDB, locked to it), where
     * every claim is granted. */
    int (*claim)(void *impl, const struct wd_claim *c);
    /* n reads of one batch at once, for a store across the network (one
     * round trip instead of n) or one that holds the look-ups in memory
     * (LMDB: their cache misses overlap): key i is keys + i * klen; its value
     * goes to vals + i * vcap (at most vcap bytes copied), vlens[i] its size,
     * rcs[i] 0 or WD_ENOTFOUND. Returns 0, or an error for all of them
     * (the batch failed). NULL: the caller calls get() n times. */
    int (*get_many)(void *impl, enum wd_store_ns ns, const uint8_t *keys,
                    size_t klen, size_t n, uint8_t *vals, size_t vcap,
                    size_t *vlens, int *rcs);
    /* A store that keeps the look-up namespaces in memory (LMDB: see
     * wd_store_open_lmdb) fills them once, after it opens, from what it
     * keeps on disk: rebuild calls fn(ctx) inside a batch whose writes to
     * those namespaces are not undone nor logged, and whose writes
     * elsewhere are refused; fn reads the records (scan) and puts their
     * keys; keys_per_record (at most) lets the store make room at once;
     * layout numbers the choice of keys (a copy of the look-ups the store
     * kept, made under another layout, is not used). A second call does
     * nothing. NULL: the store keeps every namespace itself (Redis). */
    int (*rebuild)(void *impl, size_t keys_per_record, uint32_t layout,
                   int (*fn)(void *ctx), void *ctx);
    /* Reads n keys of any namespaces at once (a store across the network:
     * one round trip) into a cache of the open batch, which get() and
     * get_many() then answer from (after the batch's own writes) until the
     * batch ends. Returns 0 or an error (the batch failed). NULL: a read
     * costs no round trip. */
    int (*prefetch)(void *impl, const struct wd_store_key *keys, size_t n);
    /* claim() for n stories at once (one round trip): 0 when every one is
     * granted, else the first refusal (WD_EBUSY) or error; the granted
     * ones are held as claim() holds them. NULL: claim() one by one. */
    int (*claim_many)(void *impl, const struct wd_claim *c, size_t n);
    /* true: a hit of a look-up namespace (content, URL, lead, MinHash
     * band) is a candidate that may name a story that does not hold the
     * key (LMDB: memindex.h keeps 40 bits of a key's hash), so the caller
     * confirms it against the story's record (wd_dupindex_rec_holds);
     * false: a hit names the key's story (Redis keeps the keys). */
    bool confirm_lookups;
};

struct wd_store {
    const struct wd_store_ops *ops;
    void *impl;
};

/* Opens (creating) the LMDB store in dir. map_mb bounds its size. Commits
 * are durable against a crash of the process at once and against a crash
 * of the machine after the next wd_store_sync().
 *
 * Only the records are on disk (WD_NS_STORY, WD_NS_PAGE, WD_NS_JOURNAL,
 * and the SimHash band tables, which are scanned by prefix): the point
 * look-ups (WD_NS_CONTENT, WD_NS_URL, WD_NS_LEAD, the MinHash band keys of
 * WD_NS_BAND, which are 9 bytes long) and the age index (WD_NS_AGE) are
 * held in memory (memindex.h) and filled by the rebuild op. A store
 * directory of the earlier layout (those namespaces on disk) is migrated
 * when it opens: they are emptied, and rebuilt from the records.
 *
 * Returns 0, -errno, WD_EBUSY, or WD_EFORMAT (a store written by a later
 * version, left untouched). */
int wd_store_open_lmdb(struct wd_store *s, const char *dir, size_t map_mb);

/* Opens the store shared by several workers on the Redis server of url
 * (redis://HOST[:PORT][/DB]; see store_redis.c for the layout). Returns 0,
 * WD_EINVAL (a malformed URL), WD_ENOMEM or -EIO (no server). */
int wd_store_open_redis(struct wd_store *s, const char *url);

/* Splits redis://HOST[:PORT][/DB] (port 6379, DB 0 by default). */
int wd_store_parse_redis_url(const char *url, char *host, size_t host_cap,
                             int *port, int *db);

/* Convenience wrappers over the ops. */
static inline int
wd_store_begin(struct wd_store *s)
{
    return s->ops->begin(s->impl);
}

static inline int
wd_store_commit(struct wd_store *s)
{
    return s->ops->commit(s->impl);
}

static inline void
wd_store_abort(struct wd_store *s)
{
    s->ops->abort(s->impl);
}

static inline int
wd_store_claim(struct wd_store *s, const struct wd_claim *c)
{
    return s->ops->claim ? s->ops->claim(s->impl, c) : 0;
}

static inline int
wd_store_claim_many(struct wd_store *s, const struct wd_claim *c, size_t n)
{
    if (s->ops->claim_many)
        return s->ops->claim_many(s->impl, c, n);
    for (size_t i = 0; i < n; i++) {
        int rc = wd_store_claim(s, &c[i]);
        if (rc)
            return rc;
    }
    return 0;
}

static inline void
wd_store_close(struct wd_store *s)
{
    if (s->ops)
        s->ops->close(s->impl);
    s->ops = NULL;
}

#endif
