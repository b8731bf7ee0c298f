/* The store on Redis, shared by several workers (hiredis, blocking).
 *
 * Layout: every key carries the hash tag {wd:DB}, so that a batch's
 * MULTI/EXEC touches one slot and also works on Redis Cluster (where all of
 * wiredesk's keys then live on one shard). The story, content, URL, page
 * and band tables are one hash each ({wd:0}:story ...), so that count is
 * HLEN; the time-ordered age index is a sorted set whose members begin with
 * the big-endian time, read in lexical order.
 *
 * Batches: reads go to Redis (and see the batch's own writes first), writes
 * are kept in the batch and sent at commit as one pipelined MULTI/EXEC, one
 * round trip. A page's reads are asked at once (prefetch: its page key and
 * every key of its stories, pipelined HGETs, one round trip) into a cache
 * of the batch, so that deciding a page of new stories waits on Redis once;
 * only the records of stories found (duplicates) are read after. Claims
 * (claim()) are one Lua script: a story's id and revision, content key, URL
 * key, lead windows and, for a new story, its MinHash band keys are held by the
 * first worker unless another holds one of the keys or two or more of the
 * bands. The commit's MULTI/EXEC cuts them to 3 s (the committed records are
 * what the others find from then on; the 3 s cover a worker that read the store
 * just before the commit and is about to claim); an aborted batch gives them
 * back at once; a worker that dies holding them loses them after 30 s.
 *
 * Failures: an operation that cannot reach Redis marks the batch failed;
 * claim() and commit() of a failed batch fail too, so that the pipeline
 * publishes nothing it could not remember, and the next begin() reconnects.
 */
#include <errno.h>
#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "wd/err.h"
#include "wd/store.h"

#define CLAIM_TTL_MS "30000"
/* A committed batch's claims live this much longer: another worker may
 * have read the store just before the commit and be about to claim the
 * same story (its decision made on what it read then); past that window
 * the committed records answer for the story. */
#define CLAIM_AFTER_COMMIT_MS "3000"

static const char *const ns_name[WD_NS__COUNT] = {
    [WD_NS_STORY] = "story", [WD_NS_CONTENT] = "content", [WD_NS_URL] = "url",
    [WD_NS_PAGE] = "page",   [WD_NS_BAND] = "band",       [WD_NS_AGE] = "age",
    [WD_NS_LEAD] = "lead",   [WD_NS_JOURNAL] = "journal",
};

struct op {
    enum wd_store_ns ns;
    bool del;
    char *key, *val; /* malloc'd */
    size_t klen, vlen;
};

/* A value read by prefetch for the batch (found false: not there). */
struct cached {
    enum wd_store_ns ns;
    bool found;
    uint8_t key[32];
    size_t klen, vlen;
    char *val; /* malloc'd, when found */
};

struct redis_store {
    redisContext *c;
    struct cached *cache;
    size_t n_cache, cap_cache;
    char host[256];
    int port, db;
    char tag[32];   /* "{wd:DB}" */
    char token[64]; /* this process's claims */
    struct op *ops;
    size_t n_ops, cap_ops;
    bool in_batch, failed;
    /* The claims this batch holds: the fresh ones (not held before it)
     * given back when it is aborted (its page waits and is decided again);
     * all of them cut to CLAIM_AFTER_COMMIT_MS when it commits (its records
     * then speak for its stories), so that a page another worker decides a
     * story of its own, sharing a lead window or two bands with this one,
     * does not wait out the whole TTL. A batch whose commit failed keeps
     * them: its stories were published. */
    struct held {
        char name[128];
        bool fresh;
    } * held;
    size_t n_held, cap_held;
};

static void release_held(struct redis_store *r, bool fresh_only);

static void
key_name(const struct redis_store *r, const char *what, char *out, size_t cap)
{
    snprintf(out, cap, "%s:%s", r->tag, what);
}

static void
drop_ops(struct redis_store *r)
{
    for (size_t i = 0; i < r->n_ops; i++) {
        free(r->ops[i].key);
        free(r->ops[i].val);
    }
    r->n_ops = 0;
    for (size_t i = 0; i < r->n_cache; i++)
        free(r->cache[i].val);
    r->n_cache = 0;
}

/* The prefetched value of a key, or NULL. */
static const struct cached *
cached(const struct redis_store *r, enum wd_store_ns ns, const void *key,
       size_t klen)
{
    for (size_t i = 0; i < r->n_cache; i++) {
        const struct cached *c = &r->cache[i];
        if (c->ns == ns && c->klen == klen && memcmp(c->key, key, klen) == 0)
            return c;
    }
    return NULL;
}

static int
connect_redis(struct redis_store *r)
{
    if (r->c && !r->c->err)
        return 0;
    struct timeval tv = {2, 0};
    if (r->c) {
        if (redisReconnect(r->c) != REDIS_OK) {
            return -EIO;
        }
    } else {
        r->c = redisConnectWithTimeout(r->host, r->port, tv);
        if (!r->c)
            return WD_ENOMEM;
        if (r->c->err)
            return -EIO;
    }
    redisSetTimeout(r->c, tv);
    if (r->db) {
        redisReply *rep = redisCommand(r->c, "SELECT %d", r->db);
        bool ok = rep && rep->type == REDIS_REPLY_STATUS;
        freeReplyObject(rep);
        if (!ok)
            return -EIO;
    }
    return 0;
}

/* Runs one command; NULL (and the batch marked failed) when Redis cannot
 * be reached or answers with an error. */
static redisReply *
command(struct redis_store *r, int argc, const char **argv, const size_t *len)
{
    if (!r->c || r->c->err) {
        r->failed = true;
        return NULL;
    }
    redisReply *rep = redisCommandArgv(r->c, argc, argv, len);
    if (!rep || rep->type == REDIS_REPLY_ERROR) {
        freeReplyObject(rep);
        r->failed = true;
        return NULL;
    }
    return rep;
}

static int
r_begin(void *impl)
{
    struct redis_store *r = impl;
    drop_ops(r);
    r->failed = false;
    r->in_batch = true;
    return connect_redis(r);
}

static void
r_abort(void *impl)
{
    struct redis_store *r = impl;
    drop_ops(r);
    release_held(r, true);
    r->in_batch = false;
}

/* The batch's own latest write of a key, or NULL. */
static const struct op *
staged(const struct redis_store *r, enum wd_store_ns ns, const void *key,
       size_t klen)
{
    for (size_t i = r->n_ops; i-- > 0;) {
        const struct op *o = &r->ops[i];
        if (o->ns == ns && o->klen == klen && memcmp(o->key, key, klen) == 0)
            return o;
    }
    return NULL;
}

/* A value of n bytes into val (at most cap of them copied); *vlen its
 * size. */
static void
put_value(const void *src, size_t n, void *val, size_t cap, size_t *vlen)
{
    memcpy(val, src, n < cap ? n : cap);
    *vlen = n;
}

/* What the batch knows of a key without asking Redis: its own latest write,
 * else what prefetch read. True when known: *rc is then 0 (the value into
 * val, at most cap bytes, *vlen its size, when both are given) or
 * WD_ENOTFOUND. */
static bool
known(const struct redis_store *r, enum wd_store_ns ns, const void *key,
      size_t klen, void *val, size_t cap, size_t *vlen, int *rc)
{
    const struct op *o = staged(r, ns, key, klen);
    const struct cached *c = o ? NULL : cached(r, ns, key, klen);
    if (!o && !c)
        return false;
    bool found = o ? !o->del : c->found;
    *rc = found ? 0 : WD_ENOTFOUND;
    if (found && val && vlen)
        put_value(o ? o->val : c->val, o ? o->vlen : c->vlen, val, cap, vlen);
    return true;
}

static int
r_get(void *impl, enum wd_store_ns ns, const void *key, size_t klen, void *val,
      size_t *vlen)
{
    struct redis_store *r = impl;
    int krc;
    if (known(r, ns, key, klen, vlen ? val : NULL, vlen ? *vlen : 0, vlen,
              &krc))
        return krc;
    if (ns == WD_NS_AGE)
        return WD_EUNSUPPORTED;
    char name[64];
    key_name(r, ns_name[ns], name, sizeof name);
    const char *argv[3] = {"HGET", name, key};
    size_t len[3] = {4, strlen(name), klen};
    redisReply *rep = command(r, 3, argv, len);
    if (!rep)
        return -EIO;
    int rc = WD_ENOTFOUND;
    if (rep->type == REDIS_REPLY_STRING) {
        if (val && vlen)
            put_value(rep->str, rep->len, val, *vlen, vlen);
        rc = 0;
    }
    freeReplyObject(rep);
    return rc;
}

/* A connection left with commands half sent or replies unread: closed, so
 * that the next begin() opens a clean one. Fails the batch. */
static int
drop_connection(struct redis_store *r)
{
    redisFree(r->c);
    r->c = NULL;
    r->failed = true;
    return -EIO;
}

/* The n HGETs of get_many pipelined: appended, then the replies read in
 * order; keys written in this batch are answered from it. */
static int
r_get_many(void *impl, enum wd_store_ns ns, const uint8_t *keys, size_t klen,
           size_t n, uint8_t *vals, size_t vcap, size_t *vlens, int *rcs)
{
    struct redis_store *r = impl;
    if (ns == WD_NS_AGE)
        return WD_EUNSUPPORTED;
    if (!r->c || r->c->err) {
        r->failed = true;
        return -EIO;
    }
    char name[64];
    key_name(r, ns_name[ns], name, sizeof name);
    size_t sent = 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *key = keys + i * klen;
        vlens[i] = 0;
        if (known(r, ns, key, klen, vals + i * vcap, vcap, &vlens[i], &rcs[i]))
            continue;
        rcs[i] = 1; /* asked of Redis */
        const char *argv[3] = {"HGET", name, (const char *)key};
        size_t len[3] = {4, strlen(name), klen};
        if (redisAppendCommandArgv(r->c, 3, argv, len) != REDIS_OK)
            return drop_connection(r);
        sent++;
    }
    int rc = 0;
    for (size_t i = 0; i < n && sent > 0; i++) {
        if (rcs[i] != 1)
            continue;
        sent--;
        redisReply *rep = NULL;
        if (redisGetReply(r->c, (void **)&rep) != REDIS_OK || !rep)
            return drop_connection(r);
        rcs[i] = WD_ENOTFOUND;
        vlens[i] = 0;
        if (rep->type == REDIS_REPLY_STRING) {
            put_value(rep->str, rep->len, vals + i * vcap, vcap, &vlens[i]);
            rcs[i] = 0;
        } else if (rep->type == REDIS_REPLY_ERROR) {
            rc = -EIO;
        }
        freeReplyObject(rep);
    }
    if (rc)
        r->failed = true;
    return rc;
}

/* The keys not staged nor cached yet, asked in one pipeline of one HMGET a
 * namespace; their answers kept for the batch. */
static int
r_prefetch(void *impl, const struct wd_store_key *keys, size_t n)
{
    struct redis_store *r = impl;
    if (!r->c || r->c->err) {
        r->failed = true;
        return -EIO;
    }
    if (r->n_cache + n > r->cap_cache) {
        size_t cap = (r->n_cache + n) * 2;
        struct cached *g = realloc(r->cache, cap * sizeof *g);
        if (!g)
            return WD_ENOMEM;
        r->cache = g;
        r->cap_cache = cap;
    }
    size_t first = r->n_cache;
    for (size_t i = 0; i < n; i++) {
        const struct wd_store_key *k = &keys[i];
        int krc;
        if (k->ns == WD_NS_AGE || k->klen > sizeof r->cache[0].key ||
            known(r, k->ns, k->key, k->klen, NULL, 0, NULL, &krc))
            continue;
        struct cached *c = &r->cache[r->n_cache++];
        c->ns = k->ns;
        memcpy(c->key, k->key, k->klen);
        c->klen = k->klen;
        c->found = false;
        c->val = NULL;
        c->vlen = 0;
    }
    size_t asked = r->n_cache - first;
    const char **argv = malloc((asked + 2) * sizeof *argv);
    size_t *len = malloc((asked + 2) * sizeof *len);
    bool sent[WD_NS__COUNT] = {false};
    int rc = argv && len ? 0 : WD_ENOMEM;
    char names[WD_NS__COUNT][64];
    for (int ns = 0; rc == 0 && ns < WD_NS__COUNT; ns++) {
        size_t a = 2;
        for (size_t i = first; i < r->n_cache; i++)
            if (r->cache[i].ns == (enum wd_store_ns)ns)
                argv[a] = (const char *)r->cache[i].key,
                len[a++] = r->cache[i].klen;
        if (a == 2)
            continue;
        key_name(r, ns_name[ns], names[ns], sizeof names[ns]);
        argv[0] = "HMGET", len[0] = 5;
        argv[1] = names[ns], len[1] = strlen(names[ns]);
        if (redisAppendCommandArgv(r->c, (int)a, argv, len) != REDIS_OK) {
            free(argv);
            free(len);
            r->n_cache = first;
            return drop_connection(r);
        }
        sent[ns] = true;
    }
    free(argv);
    free(len);
    for (int ns = 0; ns < WD_NS__COUNT; ns++) {
        if (!sent[ns])
            continue;
        redisReply *rep = NULL;
        if (redisGetReply(r->c, (void **)&rep) != REDIS_OK || !rep) {
            for (size_t i = first; i < r->n_cache; i++)
                free(r->cache[i].val);
            r->n_cache = first; /* none of them read */
            return drop_connection(r);
        }
        size_t e = 0;
        for (size_t i = first; i < r->n_cache; i++) {
            struct cached *c = &r->cache[i];
            if (c->ns != (enum wd_store_ns)ns)
                continue;
            const redisReply *v =
                rep->type == REDIS_REPLY_ARRAY && e < rep->elements
                    ? rep->element[e]
                    : NULL;
            e++;
            if (!v) {
                rc = -EIO;
            } else if (v->type == REDIS_REPLY_STRING) {
                c->val = malloc(v->len ? v->len : 1);
                if (c->val) {
                    memcpy(c->val, v->str, v->len);
                    c->vlen = v->len;
                    c->found = true;
                } else {
                    rc = WD_ENOMEM;
                }
            }
        }
        freeReplyObject(rep);
    }
    if (rc) { /* a cache that cannot be trusted: none */
        for (size_t i = first; i < r->n_cache; i++)
            free(r->cache[i].val);
        r->n_cache = first;
        r->failed = true;
    }
    return rc;
}

static int
stage(struct redis_store *r, enum wd_store_ns ns, bool del, const void *key,
      size_t klen, const void *val, size_t vlen)
{
    if (r->n_ops == r->cap_ops) {
        size_t cap = r->cap_ops ? r->cap_ops * 2 : 64;
        struct op *g = realloc(r->ops, cap * sizeof *g);
        if (!g)
            return WD_ENOMEM;
        r->ops = g;
        r->cap_ops = cap;
    }
    struct op *o = &r->ops[r->n_ops];
    o->ns = ns;
    o->del = del;
    o->key = malloc(klen ? klen : 1);
    o->val = malloc(vlen ? vlen : 1);
    if (!o->key || !o->val) {
        free(o->key);
        free(o->val);
        return WD_ENOMEM;
    }
    memcpy(o->key, key, klen);
    if (vlen)
        memcpy(o->val, val, vlen);
    o->klen = klen;
    o->vlen = vlen;
    r->n_ops++;
    return 0;
}

static int
r_put(void *impl, enum wd_store_ns ns, const void *key, size_t klen,
      const void *val, size_t vlen)
{
    return stage(impl, ns, false, key, klen, val, vlen);
}

static int
r_del(void *impl, enum wd_store_ns ns, const void *key, size_t klen)
{
    return stage(impl, ns, true, key, klen, NULL, 0);
}

/* Only the age index is scanned (oldest first, for retention); prefix
 * scans of the band table are the SimHash method's, which this backend does
 * not offer (MinHash, the default, looks bands up by key). */
static int
r_scan(void *impl, enum wd_store_ns ns, const void *prefix, size_t plen,
       wd_store_scan_fn fn, void *ctx)
{
    struct redis_store *r = impl;
    if (ns != WD_NS_AGE || plen)
        return WD_EUNSUPPORTED;
    char name[64];
    key_name(r, "age", name, sizeof name);
    for (long start = 0;; start += 64) {
        char from[24], to[24];
        snprintf(from, sizeof from, "%ld", start);
        snprintf(to, sizeof to, "%ld", start + 63);
        const char *argv[4] = {"ZRANGE", name, from, to};
        size_t len[4] = {6, strlen(name), strlen(from), strlen(to)};
        redisReply *rep = command(r, 4, argv, len);
        if (!rep)
            return -EIO;
        bool done = rep->type != REDIS_REPLY_ARRAY || rep->elements < 64;
        for (size_t i = 0; rep->type == REDIS_REPLY_ARRAY && i < rep->elements;
             i++) {
            redisReply *e = rep->element[i];
            if (e->type == REDIS_REPLY_STRING &&
                fn(ctx, e->str, e->len, "", 0)) {
                done = true;
                break;
            }
        }
        freeReplyObject(rep);
        if (done)
            return 0;
    }
}

static bool append_release(struct redis_store *r, bool fresh_only);

static int
r_commit(void *impl)
{
    struct redis_store *r = impl;
    r->in_batch = false;
    /* A failed batch's claims run their course: its stories may have been
     * published; the retried batch claims them again and gives them back
     * when it commits. */
    if (r->failed || !r->c || r->c->err) {
        drop_ops(r);
        r->n_held = 0;
        return -EIO;
    }
    if (r->n_ops == 0) {
        drop_ops(r); /* the reads cached */
        release_held(r, false);
        return 0;
    }
    /* MULTI, the writes, the claims cut short, EXEC: appended, then the
     * replies read, so the whole batch costs one round trip and applies
     * atomically (the claims shorten only with the records that replace
     * them). */
    redisAppendCommand(r->c, "MULTI");
    /* A run of writes of one kind to one table is one command (HSET of
     * many fields, HDEL, ZADD, ZREM of many members): a new story's index
     * keys go in a few commands, in the order they were staged. */
    const char **argv = malloc((2 * r->n_ops + 2) * sizeof *argv);
    size_t *len = malloc((2 * r->n_ops + 2) * sizeof *len);
    if (!argv || !len) {
        free(argv);
        free(len);
        drop_ops(r);
        return drop_connection(r);
    }
    char name[64];
    size_t replies = 2;
    for (size_t i = 0; i < r->n_ops;) {
        const struct op *o = &r->ops[i];
        bool age = o->ns == WD_NS_AGE;
        key_name(r, ns_name[o->ns], name, sizeof name);
        argv[0] = age ? (o->del ? "ZREM" : "ZADD") : (o->del ? "HDEL" : "HSET");
        len[0] = 4;
        argv[1] = name, len[1] = strlen(name);
        size_t a = 2, j = i;
        for (; j < r->n_ops && r->ops[j].ns == o->ns && r->ops[j].del == o->del;
             j++) {
            const struct op *q = &r->ops[j];
            if (age && !q->del)
                argv[a] = "0", len[a++] = 1; /* the score */
            argv[a] = q->key, len[a++] = q->klen;
            if (!age && !q->del)
                argv[a] = q->val, len[a++] = q->vlen;
        }
        redisAppendCommandArgv(r->c, (int)a, argv, len);
        replies++;
        i = j;
    }
    free(argv);
    free(len);
    replies += append_release(r, false);
    r->n_held = 0;
    redisAppendCommand(r->c, "EXEC");
    int rc = 0;
    for (size_t i = 0; i < replies; i++) {
        redisReply *rep = NULL;
        if (redisGetReply(r->c, (void **)&rep) != REDIS_OK) {
            rc = -EIO;
            break;
        }
        if (i == replies - 1 &&
            (!rep || rep->type != REDIS_REPLY_ARRAY)) /* EXEC aborted */
            rc = -EIO;
        freeReplyObject(rep);
    }
    drop_ops(r);
    return rc;
}

/* Whether key is in the server's table (the batch's writes aside). */
static int
server_has(struct redis_store *r, enum wd_store_ns ns, const char *key,
           size_t klen)
{
    char name[64];
    key_name(r, ns_name[ns], name, sizeof name);
    const char *argv[3] = {ns == WD_NS_AGE ? "ZSCORE" : "HEXISTS", name, key};
    size_t len[3] = {strlen(argv[0]), strlen(name), klen};
    redisReply *rep = command(r, 3, argv, len);
    if (!rep)
        return -EIO;
    int has = ns == WD_NS_AGE
                  ? rep->type == REDIS_REPLY_STRING
                  : rep->type == REDIS_REPLY_INTEGER && rep->integer;
    freeReplyObject(rep);
    return has;
}

/* Entries of a table as the batch sees them: the server's count, plus the
 * batch's new keys, less the keys it deletes (LMDB counts inside its
 * transaction the same way; retention by count depends on it). */
static int
r_count(void *impl, enum wd_store_ns ns, uint64_t *n)
{
    struct redis_store *r = impl;
    *n = 0;
    if (!r->in_batch && connect_redis(r))
        return -EIO;
    char name[64];
    key_name(r, ns_name[ns], name, sizeof name);
    const char *argv[2] = {ns == WD_NS_AGE ? "ZCARD" : "HLEN", name};
    size_t len[2] = {strlen(argv[0]), strlen(name)};
    redisReply *rep = command(r, 2, argv, len);
    if (!rep)
        return -EIO;
    int64_t count = rep->type == REDIS_REPLY_INTEGER ? rep->integer : 0;
    freeReplyObject(rep);
    for (size_t i = 0; i < r->n_ops; i++) {
        const struct op *o = &r->ops[i];
        if (o->ns != ns || staged(r, ns, o->key, o->klen) != o)
            continue; /* not this table, or not the key's last write */
        int has = server_has(r, ns, o->key, o->klen);
        if (has < 0)
            return -EIO;
        count += (!o->del && !has) - (o->del && has);
    }
    *n = count > 0 ? (uint64_t)count : 0;
    return 0;
}

static int
r_size(void *impl, uint64_t *bytes)
{
    struct redis_store *r = impl;
    *bytes = 0;
    if (connect_redis(r))
        return -EIO;
    const char *argv[2] = {"INFO", "memory"};
    size_t len[2] = {4, 6};
    redisReply *rep = command(r, 2, argv, len);
    if (!rep)
        return -EIO;
    const char *m = rep->type == REDIS_REPLY_STRING
                        ? strstr(rep->str, "used_memory:")
                        : NULL;
    if (m)
        *bytes = strtoull(m + 12, NULL, 10);
    freeReplyObject(rep);
    return 0;
}

static int
r_sync(void *impl)
{
    return 0; /* durability is the server's (appendonly, fsync policy) */
}

/* Grants a claim when no other process holds any of the first n_exact
 * keys (the story's id and revision, content key, URL key, lead keys) nor
 * min_bands of the rest (its bands), then holds them all; one atomic step. */
static const char claim_script[] =
    "local tok, ttl, nx, minb = ARGV[1], ARGV[2], tonumber(ARGV[3]), "
    "tonumber(ARGV[4])\n"
    "local taken, fresh = 0, ''\n"
    "for i = 1, #KEYS do\n"
    "  local v = redis.call('GET', KEYS[i])\n"
    "  if v and v ~= tok then\n"
    "    if i <= nx then return 1 end\n"
    "    taken = taken + 1\n"
    "  end\n"
    "  fresh = fresh .. (v and '0' or '1')\n"
    "end\n"
    "if minb > 0 and taken >= minb then return 2 end\n"
    "for i = 1, #KEYS do redis.call('SET', KEYS[i], tok, 'PX', ttl) end\n"
    "return 'G' .. fresh\n";

/* Gives back the claims of keys still held by this process's token. */
static const char release_script[] =
    "local ttl = tonumber(ARGV[2])\n"
    "for i = 1, #KEYS do\n"
    "  if redis.call('GET', KEYS[i]) == ARGV[1] then\n"
    "    if ttl > 0 then redis.call('PEXPIRE', KEYS[i], ttl)\n"
    "    else redis.call('DEL', KEYS[i]) end\n"
    "  end\n"
    "end\n"
    "return 0\n";
static void
hex_key(const struct redis_store *r, const char *what, const uint8_t *key,
        size_t klen, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s:%s:", r->tag, what);
    for (size_t i = 0; i < klen && (size_t)n + 3 < cap; i++)
        n += snprintf(out + n, cap - (size_t)n, "%02x", key[i]);
}

/* The names of a claim's keys, as the script holds them. */
enum { CLAIM_LEADS = 8, CLAIM_KEYS = 3 + CLAIM_LEADS + 32 };
struct claim_names {
    char name[CLAIM_KEYS][128];
    size_t k;
};

/* Appends the EVAL of claim c to the pipeline; names gets its keys. */
static int
append_claim(struct redis_store *r, const struct wd_claim *c,
             struct claim_names *names)
{
    size_t n_leads = c->n_leads < CLAIM_LEADS ? c->n_leads : CLAIM_LEADS;
    size_t n_bands = c->n_bands < CLAIM_KEYS - 3 - CLAIM_LEADS
                         ? c->n_bands
                         : CLAIM_KEYS - 3 - CLAIM_LEADS;
    char nkeys[8], nexact[8], minb[8];
    size_t k = 0;
    hex_key(r, "claim", c->id_rev, sizeof c->id_rev, names->name[k++],
            sizeof names->name[0]);
    hex_key(r, "cclaim", (const uint8_t *)&c->content_key,
            sizeof c->content_key, names->name[k++], sizeof names->name[0]);
    if (c->url_key)
        hex_key(r, "uclaim", (const uint8_t *)&c->url_key, sizeof c->url_key,
                names->name[k++], sizeof names->name[0]);
    for (size_t i = 0; i < n_leads; i++)
        hex_key(r, "lclaim", (const uint8_t *)&c->leads[i], sizeof c->leads[i],
                names->name[k++], sizeof names->name[0]);
    size_t n_exact = k;
    for (size_t i = 0; i < n_bands; i++)
        hex_key(r, "bclaim", c->bands + i * c->band_len, c->band_len,
                names->name[k++], sizeof names->name[0]);
    names->k = k;
    snprintf(nkeys, sizeof nkeys, "%zu", k);
    snprintf(nexact, sizeof nexact, "%zu", n_exact);
    snprintf(minb, sizeof minb, "%u", n_bands ? c->min_bands : 0);
    const char *argv[3 + CLAIM_KEYS + 4];
    size_t len[3 + CLAIM_KEYS + 4], a = 0;
    argv[a] = "EVAL", len[a++] = 4;
    argv[a] = claim_script, len[a++] = sizeof claim_script - 1;
    argv[a] = nkeys, len[a++] = strlen(nkeys);
    for (size_t i = 0; i < k; i++)
        argv[a] = names->name[i], len[a++] = strlen(names->name[i]);
    argv[a] = r->token, len[a++] = strlen(r->token);
    argv[a] = CLAIM_TTL_MS, len[a++] = strlen(CLAIM_TTL_MS);
    argv[a] = nexact, len[a++] = strlen(nexact);
    argv[a] = minb, len[a++] = strlen(minb);
    return redisAppendCommandArgv(r->c, (int)a, argv, len) == REDIS_OK ? 0
                                                                       : -EIO;
}

/* The answer to one claim: 0 (granted: its keys are held, and noted),
 * WD_EBUSY, or -EIO. */
static int
claim_reply(struct redis_store *r, const struct claim_names *names,
            redisReply *rep)
{
    size_t k = names->k;
    if (rep->type == REDIS_REPLY_INTEGER && rep->integer > 0)
        return WD_EBUSY;
    if (rep->type != REDIS_REPLY_STRING || rep->len != 1 + k ||
        rep->str[0] != 'G')
        return -EIO;
    for (size_t i = 0; i < k; i++) {
        if (r->n_held == r->cap_held) {
            size_t cap = r->cap_held ? r->cap_held * 2 : 64;
            void *p = realloc(r->held, cap * sizeof *r->held);
            if (!p)
                break; /* not given back early: it expires */
            r->held = p;
            r->cap_held = cap;
        }
        struct held *h = &r->held[r->n_held++];
        memcpy(h->name, names->name[i], sizeof h->name);
        h->fresh = rep->str[1 + i] == '1';
    }
    return 0;
}

/* n claims in one pipeline, one round trip: every answer is read (the
 * granted ones are held, and given back with the batch); the first refusal
 * or error is the answer. */
static int
r_claim_many(void *impl, const struct wd_claim *c, size_t n)
{
    struct redis_store *r = impl;
    if (r->failed || !r->c || r->c->err)
        return -EIO;
    struct claim_names *names = malloc((n ? n : 1) * sizeof *names);
    if (!names)
        return WD_ENOMEM;
    for (size_t i = 0; i < n; i++)
        if (append_claim(r, &c[i], &names[i]) != 0) {
            free(names);
            return drop_connection(r);
        }
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        redisReply *rep = NULL;
        if (redisGetReply(r->c, (void **)&rep) != REDIS_OK || !rep) {
            free(names);
            return drop_connection(r);
        }
        int one = claim_reply(r, &names[i], rep);
        freeReplyObject(rep);
        if (rc == 0 || (rc == WD_EBUSY && one == -EIO))
            rc = one;
    }
    free(names);
    if (rc == -EIO)
        r->failed = true;
    return rc;
}

static int
r_claim(void *impl, const struct wd_claim *c)
{
    return r_claim_many(impl, c, 1);
}

/* Appends the EVAL that gives back the batch's claims: the fresh ones at
 * once (an aborted batch), or all of them after CLAIM_AFTER_COMMIT_MS (a
 * committed one). False when there is none (or no memory: they expire). */
static bool
append_release(struct redis_store *r, bool fresh_only)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_held; i++)
        n += !fresh_only || r->held[i].fresh;
    if (n == 0)
        return false;
    const char **argv = malloc((n + 5) * sizeof *argv);
    size_t *len = malloc((n + 5) * sizeof *len);
    if (!argv || !len) {
        free(argv);
        free(len);
        return false;
    }
    char nkeys[24];
    snprintf(nkeys, sizeof nkeys, "%zu", n);
    size_t a = 0;
    argv[a] = "EVAL", len[a++] = 4;
    argv[a] = release_script, len[a++] = sizeof release_script - 1;
    argv[a] = nkeys, len[a++] = strlen(nkeys);
    for (size_t i = 0; i < r->n_held; i++)
        if (!fresh_only || r->held[i].fresh)
            argv[a] = r->held[i].name, len[a++] = strlen(r->held[i].name);
    argv[a] = r->token, len[a++] = strlen(r->token);
    const char *ttl = fresh_only ? "0" : CLAIM_AFTER_COMMIT_MS;
    argv[a] = ttl, len[a++] = strlen(ttl);
    bool ok = redisAppendCommandArgv(r->c, (int)a, argv, len) == REDIS_OK;
    free(argv);
    free(len);
    return ok;
}

/* Gives the batch's claims back now (one round trip). */
static void
release_held(struct redis_store *r, bool fresh_only)
{
    bool any = r->c && !r->c->err && append_release(r, fresh_only);
    r->n_held = 0;
    if (!any)
        return; /* none, or unreachable: the claims expire by themselves */
    redisReply *rep = NULL;
    if (redisGetReply(r->c, (void **)&rep) == REDIS_OK)
        freeReplyObject(rep);
}

static void
r_close(void *impl)
{
    struct redis_store *r = impl;
    drop_ops(r);
    free(r->ops);
    free(r->cache);
    free(r->held);
    if (r->c)
        redisFree(r->c);
    free(r);
}

static const struct wd_store_ops redis_ops = {
    .begin = r_begin,
    .commit = r_commit,
    .abort = r_abort,
    .get = r_get,
    .put = r_put,
    .del = r_del,
    .scan = r_scan,
    .count = r_count,
    .size = r_size,
    .sync = r_sync,
    .close = r_close,
    .claim = r_claim,
    .get_many = r_get_many,
    .prefetch = r_prefetch,
    .claim_many = r_claim_many,
};

int
wd_store_parse_redis_url(const char *url, char *host, size_t host_cap,
                         int *port, int *db)
{
    const char *p = url;
    if (strncmp(p, "redis://", 8) != 0)
        return WD_EINVAL;
    p += 8;
    const char *end = p + strcspn(p, ":/");
    size_t hl = (size_t)(end - p);
    if (hl == 0 || hl >= host_cap)
        return WD_EINVAL;
    memcpy(host, p, hl);
    host[hl] = 0;
    *port = 6379;
    *db = 0;
    p = end;
    if (*p == ':') {
        char *e;
        long v = strtol(p + 1, &e, 10);
        if (e == p + 1 || v < 1 || v > 65535)
            return WD_EINVAL;
        *port = (int)v;
        p = e;
    }
    if (*p == '/') {
        char *e;
        long v = strtol(p + 1, &e, 10);
        if (e == p + 1 || v < 0 || v > 1000000 || *e)
            return WD_EINVAL;
        *db = (int)v;
        p = e;
    }
    return *p ? WD_EINVAL : 0;
}

int
wd_store_open_redis(struct wd_store *s, const char *url)
{
    struct redis_store *r = calloc(1, sizeof *r);
    if (!r)
        return WD_ENOMEM;
    if (wd_store_parse_redis_url(url, r->host, sizeof r->host, &r->port,
                                 &r->db)) {
        free(r);
        return WD_EINVAL;
    }
    snprintf(r->tag, sizeof r->tag, "{wd:%d}", r->db);
    char host[128] = "host";
    gethostname(host, sizeof host - 1);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    snprintf(r->token, sizeof r->token, "%.40s:%d:%ld", host, (int)getpid(),
             (long)tv.tv_usec);
    int rc = connect_redis(r);
    if (rc) {
        r_close(r);
        return rc;
    }
    s->ops = &redis_ops;
    s->impl = r;
    return 0;
}
