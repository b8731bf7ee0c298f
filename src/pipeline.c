#include "wd/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wd/arena.h"
#include "wd/article.h"
#include "wd/boiler.h"
#include "wd/channel.h"
#include "wd/dedup.h"
#include "wd/err.h"
#include "wd/fingerprint.h"
#include "wd/page.h"
#include "wd/tag.h"
#include "wiredesk.pb-c.h"

#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

struct wd_pipeline {
    struct wd_pipeline_config cfg;
    struct wd_stats *stats;
    struct wd_arena arena; /* everything of one page; reset per page */
    struct wd_dedup *dedup;
    struct wd_tagger *tagger;
    struct wd_boiler *boiler; /* learned boilerplate per source */
    bool store_failed;
    /* The frame of a page that came out "retry": when it comes again it
     * was counted and learned from already. */
    uint64_t retry_hash;
};

int
wd_pipeline_new(struct wd_pipeline **out, const struct wd_pipeline_config *cfg,
                struct wd_stats *stats)
{
    *out = NULL;
    if (!cfg || cfg->max_page_bytes == 0 || !cfg->store)
        return WD_EINVAL;
    struct wd_pipeline *p = calloc(1, sizeof *p);
    if (!p)
        return WD_ENOMEM;
    p->cfg = *cfg;
    p->stats = stats;
    wd_arena_init(&p->arena, 256 * 1024);
    p->tagger = cfg->tagger;
    p->cfg.tagger = NULL;
    int rc = wd_dedup_open(&p->dedup, cfg->store, &cfg->dedup);
    if (rc == 0 && !p->tagger)
        rc = wd_tagger_new(&p->tagger);
    if (rc == 0)
        rc = wd_boiler_new(&p->boiler, 256);
    if (rc) {
        wd_pipeline_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

struct wd_tagger *
wd_pipeline_swap_tagger(struct wd_pipeline *p, struct wd_tagger *t)
{
    struct wd_tagger *old = p->tagger;
    p->tagger = t;
    return old;
}

void
wd_pipeline_free(struct wd_pipeline *p)
{
    if (!p)
        return;
    wd_arena_fini(&p->arena);
    wd_dedup_close(p->dedup);
    wd_tagger_free(p->tagger);
    wd_boiler_free(p->boiler);
    free(p);
}

/* protobuf-c allocates the decoded RawPage from the page arena: one reset
 * frees it with everything else of the page. */
static void *
arena_pb_alloc(void *data, size_t size)
{
    return wd_arena_alloc(data, size);
}

static void
arena_pb_free(void *data, void *ptr)
{
}

static enum wd_reject
reason_of(int rc)
{
    switch (rc) {
    case WD_EEMPTY:
        return WD_REJECT_EMPTY_BODY;
    case WD_EUTF8:
        return WD_REJECT_INVALID_UTF8;
    case WD_ENUL:
        return WD_REJECT_NUL_BYTE;
    case WD_ETOOBIG:
        return WD_REJECT_TOO_LARGE;
    case WD_EUNSUPPORTED:
        return WD_REJECT_UNSUPPORTED_TYPE;
    case WD_EPARSE:
        return WD_REJECT_MALFORMED;
    default:
        return WD_REJECT_INTERNAL;
    }
}

static void
refuse(struct wd_pipeline *p, int rc, struct wd_page_outcome *out)
{
    out->rc = rc;
    out->reason = reason_of(rc);
    wd_stats_reject(p->stats, out->reason);
}

void
wd_pipeline_refuse(struct wd_pipeline *p, enum wd_reject reason, size_t bytes,
                   struct wd_page_outcome *out)
{
    memset(out, 0, sizeof *out);
    p->stats->c[WD_C_PAGES_RECEIVED]++;
    p->stats->c[WD_C_BYTES_IN] += bytes;
    out->rc = WD_EPARSE;
    out->reason = reason;
    wd_stats_reject(p->stats, reason);
}

/* Publishes one encoded article on "all", then on each country's and each
 * theme's channel. */
static void
emit_all(struct wd_pipeline *p, const struct wd_tags *tags, const uint8_t *buf,
         size_t len, wd_emit_fn emit, void *ctx)
{
    char channel[WD_CHANNEL_MAX];
    emit(ctx, WD_CHANNEL_ALL, buf, len);
    for (size_t i = 0; i < tags->n_countries; i++)
        if (wd_channel_country(tags->countries[i].code, channel,
                               sizeof channel) == 0)
            emit(ctx, channel, buf, len);
    for (size_t i = 0; i < tags->n_themes; i++)
        if (wd_channel_theme(tags->themes[i].code, channel, sizeof channel) ==
            0)
            emit(ctx, channel, buf, len);
}

static void process_items(struct wd_pipeline *p,
                          const Wiredesk__V1__RawPage *raw,
                          const struct wd_page *page, int64_t now_ms,
                          wd_emit_fn emit, void *ctx,
                          struct wd_page_outcome *out);

void
wd_pipeline_page(struct wd_pipeline *p, const uint8_t *frame, size_t len,
                 int64_t now_ms, wd_emit_fn emit, void *ctx,
                 struct wd_page_outcome *out)
{
    memset(out, 0, sizeof *out);
    /* A page handed back for a retry comes again: it is decided again, but
     * neither counted twice nor learned from twice (the boilerplate learner
     * would take its own lines for the source's boilerplate). */
    bool again = p->retry_hash && XXH3_64bits(frame, len) == p->retry_hash;
    p->retry_hash = 0;
    if (!again) {
        p->stats->c[WD_C_PAGES_RECEIVED]++;
        p->stats->c[WD_C_BYTES_IN] += len;
    }
    wd_arena_reset(&p->arena);

    /* The limit applies to the frame, before decoding: a huge page costs
     * one length check, not a parse. */
    if (len > p->cfg.max_page_bytes) {
        refuse(p, WD_ETOOBIG, out);
        return;
    }
    ProtobufCAllocator alloc = {arena_pb_alloc, arena_pb_free, &p->arena};
    Wiredesk__V1__RawPage *raw =
        wiredesk__v1__raw_page__unpack(&alloc, len, frame);
    if (!raw) {
        refuse(p, WD_EPARSE, out);
        return;
    }
    snprintf(out->url, sizeof out->url, "%s", raw->url);

    struct wd_page_input in = {
        .content_type = raw->content_type,
        .body = raw->body.data,
        .len = raw->body.len,
        .fetched_at_ms = raw->fetched_at_ms > 0 ? raw->fetched_at_ms : now_ms,
        .url = raw->url,
    };
    /* The source whose boilerplate applies: the scraper's name and the
     * page's host. */
    char key[512];
    const char *host = raw->url ? strstr(raw->url, "://") : NULL;
    host = host ? host + 3 : (raw->url ? raw->url : "");
    size_t host_len = strcspn(host, "/?#");
    int klen =
        snprintf(key, sizeof key, "%s|%.*s", raw->source, (int)host_len, host);
    in.boiler = p->boiler;
    in.boiler_slot = wd_boiler_source(
        p->boiler, key, klen < (int)sizeof key ? (size_t)klen : sizeof key - 1);
    struct wd_page page;
    int rc = wd_page_parse(&in, &p->arena, &page);
    if (rc) {
        refuse(p, rc, out);
        return;
    }
    out->items = page.n_items;
    if (!again) {
        wd_boiler_learn(p->boiler, in.boiler_slot, page.line_hashes,
                        page.n_line_hashes);
        p->stats->c[WD_C_PAGES_ACCEPTED]++;
        p->stats->c[WD_C_ARTICLES_PARSED] += page.n_items;
    }
    if (page.n_items == 0) {
        if (!again)
            p->stats->c[WD_C_PAGES_EMPTY]++;
        return;
    }
    process_items(p, raw, &page, now_ms, emit, ctx, out);
    if (out->retry) {
        uint64_t h = XXH3_64bits(frame, len);
        p->retry_hash = h ? h : 1;
    }
}

/* The page key: the page's stories in order, as parsed, so that a re-fetch
 * whose tickers, dates and counters moved has the same key. */
static uint64_t
page_key(const struct wd_page *page)
{
    XXH3_state_t st;
    XXH3_64bits_reset(&st);
    for (size_t i = 0; i < page->n_items; i++) {
        XXH3_64bits_update(&st, page->items[i].title,
                           strlen(page->items[i].title));
        XXH3_64bits_update(&st, "\x1f", 1);
        XXH3_64bits_update(&st, page->items[i].body,
                           strlen(page->items[i].body));
        XXH3_64bits_update(&st, "\x1e", 1);
    }
    uint64_t h = XXH3_64bits_digest(&st);
    return h ? h : 1;
}

static void
count_dup(struct wd_pipeline *p, enum wd_dedup_kind kind,
          struct wd_page_outcome *out)
{
    p->stats->dedup[kind]++;
    if (kind == WD_DEDUP_KIND_EXACT || kind == WD_DEDUP_KIND_NEAR ||
        kind == WD_DEDUP_KIND_PAGE) {
        out->duplicates++;
        p->stats->c[WD_C_ARTICLES_DUPLICATE]++;
    }
}

/* One story ready to go out. */
struct pending {
    struct wd_tags tags;
    uint8_t *buf;
    size_t len;
    bool upgrade;
    struct wd_story_fp fp; /* for the claim */
    uint32_t revision;
};

/* The store could not be reached before anything was published: drop the
 * batch and ask for the page again. */
static void
store_down(struct wd_pipeline *p, struct wd_page_outcome *out)
{
    wd_dedup_abort(p->dedup);
    p->stats->c[WD_C_STORE_ERRORS]++;
    p->store_failed = true;
    out->retry = true;
}

/* Dedup, tag and encode the page's stories, emit them, then remember them.
 * The order is the guarantee: a story is remembered (the store's commit)
 * only after it was handed to the publisher, so a crash in between
 * publishes it again, with the same id and revision, rather than never.
 * Everything slow happens before the first emit, so that window is only
 * the sends and the commit. */
static void
process_items(struct wd_pipeline *p, const Wiredesk__V1__RawPage *raw,
              const struct wd_page *page, int64_t now_ms, wd_emit_fn emit,
              void *ctx, struct wd_page_outcome *out)
{
    uint64_t pkey = page_key(page);
    if (wd_dedup_begin(p->dedup) != 0) {
        store_down(p, out);
        return;
    }
    if (wd_dedup_page_seen(p->dedup, pkey)) {
        wd_dedup_abort(p->dedup);
        out->page_duplicate = true;
        p->stats->dedup[WD_DEDUP_KIND_PAGE]++;
        out->duplicates = page->n_items;
        p->stats->c[WD_C_ARTICLES_DUPLICATE] += page->n_items;
        return;
    }
    struct pending *ready =
        wd_arena_alloc(&p->arena, page->n_items * sizeof *ready);
    if (!ready) {
        wd_dedup_abort(p->dedup);
        p->stats->c[WD_C_STORE_ERRORS]++;
        return;
    }
    size_t n_ready = 0;
    for (size_t i = 0; i < page->n_items; i++) {
        const struct wd_item *it = &page->items[i];
        size_t tlen = strlen(it->title), blen = strlen(it->body);
        struct wd_fp_story f;
        wd_fp_story(it->title, tlen, it->body, blen, &f);
        struct wd_story_fp fp;
        wd_dedup_fp_make(&fp, &f,
                         it->url ? wd_fp_url_key(it->url, strlen(it->url)) : 0,
                         blen, !it->full || it->truncated);
        uint32_t revision;
        enum wd_dup d = wd_dedup_decide(p->dedup, &fp, now_ms, &revision);
        if (d == WD_DUP_EXACT || d == WD_DUP_NEAR) {
            count_dup(
                p, d == WD_DUP_EXACT ? WD_DEDUP_KIND_EXACT : WD_DEDUP_KIND_NEAR,
                out);
            continue;
        }
        char id[WD_ID_LEN + 1]; /* an upgrade found by lead has its own */
        wd_dedup_id_to_hex(fp.id, id);
        struct pending *r = &ready[n_ready];
        wd_tagger_tag(p->tagger, it->title, tlen, it->body, blen, &r->tags);
        struct wd_article_meta meta = {
            .id = id,
            .source_url = raw->url,
            .source = raw->source,
            .fetched_at_ms = raw->fetched_at_ms,
            .ingested_at_ms = now_ms,
            .simhash = fp.simhash,
            .revision = revision,
        };
        if (wd_article_pack(it, &r->tags, &meta, &p->arena, &r->buf, &r->len)) {
            /* Out of memory: drop the batch, so that nothing unpublished
             * is remembered. */
            wd_dedup_abort(p->dedup);
            p->stats->c[WD_C_STORE_ERRORS]++;
            return;
        }
        r->upgrade = d == WD_DUP_UPGRADE;
        r->fp = fp;
        r->revision = revision;
        snprintf(out->last_title, sizeof out->last_title, "%s", it->title);
        n_ready++;
    }
    /* Several workers on one store: each story is claimed before it is
     * published (its revision, and a new story's near-duplicate bands).
     * When another worker is publishing it, or a near copy, at this very
     * moment, the page waits and is decided again once that worker has
     * committed: then it is a duplicate or an upgrade, decided on what was
     * really published. (A store of one worker grants every claim.) */
    for (size_t i = 0; i < n_ready; i++) {
        int rc = wd_dedup_claim(p->dedup, &ready[i].fp, ready[i].revision,
                                !ready[i].upgrade);
        if (rc == WD_EBUSY) {
            wd_dedup_abort(p->dedup);
            out->retry = true;
            out->contended = true;
            return;
        }
        if (rc) {
            store_down(p, out);
            return;
        }
    }
    for (size_t i = 0; i < n_ready; i++) {
        emit_all(p, &ready[i].tags, ready[i].buf, ready[i].len, emit, ctx);
        out->published++;
        p->stats->c[WD_C_ARTICLES_PUBLISHED]++;
        out->upgrades += ready[i].upgrade;
        count_dup(p,
                  ready[i].upgrade ? WD_DEDUP_KIND_UPGRADE : WD_DEDUP_KIND_NEW,
                  out);
    }
    p->store_failed = wd_dedup_commit(p->dedup, pkey, now_ms) != 0;
    if (p->store_failed)
        p->stats->c[WD_C_STORE_ERRORS]++;
}

bool
wd_pipeline_store_ok(const struct wd_pipeline *p)
{
    return !p->store_failed;
}

uint64_t
wd_pipeline_dedup_count(struct wd_pipeline *p)
{
    return wd_dedup_stories(p->dedup);
}
