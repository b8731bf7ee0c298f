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
#include "wd/htmlpage.h"
#include "wd/lang.h"
#include "wd/page.h"
#include "wd/tag.h"
#include "wd/text.h"
#include "wiredesk.pb-c.h"

#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

/* A re-fetch of a page seen lately is recognised on its key by finish;
 * its stories are not fingerprinted (about a fifth of a page's CPU)
 * unless finish turns out to need them. */
#define WD_RECENT_PAGES 16384

/* What parse learns and remembers, per shard (the sources hashed to it):
 * touched by that shard's parses only. */
struct parse_shard {
    struct wd_boiler *boiler; /* learned boilerplate per source */
    /* The page keys parse saw lately, direct-mapped by key. */
    uint64_t recent[WD_RECENT_PAGES];
};

struct wd_pipeline {
    struct wd_pipeline_config cfg;
    struct wd_stats *stats;
    struct wd_dedup *dedup;
    struct wd_tagger *tagger;
    struct wd_cluster *cluster; /* NULL: events off */
    struct parse_shard *shards; /* cfg.shards of them */
    bool store_failed;
    struct wd_prepared *free_list; /* pages to reuse, with their arenas */
    unsigned n_free;
};

/* A story's title and body lengths (the bodies are kilobytes: measured
 * once, at parse, not at each use). */
struct item_len {
    size_t title, body;
};

/* A page between the two halves. */
struct wd_prepared {
    struct wd_arena arena; /* the frame and everything parsed from it */
    struct wd_arena work;  /* one finish's articles; reset on each try */
    struct wd_prepared *next;
    const uint8_t *frame;
    size_t len;
    int64_t now_ms;
    unsigned shard; /* of its source: the parse state it uses */
    int rc;         /* refused by prepare: a WD_E* code */
    Wiredesk__V1__RawPage *raw;
    struct wd_page page;
    struct wd_story_fp *fps; /* one per story */
    struct item_len *lens;   /* one per story, from parse on */
    uint64_t page_key;
    bool need_fps; /* parsed, for wd_pipeline_fingerprint() to do */
    bool finished; /* counted by a finish already */
    /* Its stories went out but their commit failed: a retry stages and
     * commits the same decisions without sending or counting them again. */
    bool emitted;
    /* A frame refused on its length: its URL and source read from its
     * first fields, for the log. */
    char url[256], source[64];
};

/* Copies the string of a length-delimited field of a protobuf message. */
static void
peek_copy(char *out, size_t cap, const uint8_t *p, uint64_t n)
{
    size_t k = n < cap - 1 ? (size_t)n : cap - 1;
    memcpy(out, p, k);
    out[k] = '\0';
}

/* Reads a varint at *p (before end); false when there is none. */
static bool
peek_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; *p < end && shift < 64; shift += 7) {
        uint8_t b = *(*p)++;
        *v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80))
            return true;
    }
    return false;
}

/* The url (field 1) and source (field 5) of a RawPage frame, from the
 * field headers alone (the body is skipped, not read): for the log line of
 * a page refused before it is decoded. */
static void
peek_raw(const uint8_t *frame, size_t len, char *url, size_t ucap, char *source,
         size_t scap)
{
    const uint8_t *p = frame, *end = frame + len;
    url[0] = source[0] = '\0';
    uint64_t key, v;
    while (p < end && peek_varint(&p, end, &key)) {
        unsigned wire = key & 7, field = (unsigned)(key >> 3);
        if (wire == 0) {
            if (!peek_varint(&p, end, &v))
                return;
        } else if (wire == 2) {
            if (!peek_varint(&p, end, &v) || v > (uint64_t)(end - p))
                return;
            if (field == 1)
                peek_copy(url, ucap, p, v);
            else if (field == 5)
                peek_copy(source, scap, p, v);
            p += v;
        } else if (wire == 1 || wire == 5) {
            p += wire == 1 ? 8 : 4;
        } else {
            return;
        }
    }
}

#define MAX_FREE_PREPARED 64

/* The host of a URL ("" when none): what follows "://" up to the path. */
static const char *
url_host(const char *url, size_t *len)
{
    const char *host = url ? strstr(url, "://") : NULL;
    host = host ? host + 3 : (url ? url : "");
    *len = strcspn(host, "/?#");
    return host;
}

/* The parse shard of a frame: its source (the scraper's name and the
 * page's host, as the boilerplate learner keys it), read from the field
 * headers, hashed. */
static unsigned
shard_of(const struct wd_pipeline *p, const uint8_t *frame, size_t len)
{
    char url[256], source[64], key[330];
    peek_raw(frame, len, url, sizeof url, source, sizeof source);
    size_t host_len;
    const char *host = url_host(url, &host_len);
    int n = snprintf(key, sizeof key, "%s|%.*s", source, (int)host_len, host);
    size_t klen = n < 0 ? 0 : n < (int)sizeof key ? (size_t)n : sizeof key - 1;
    return (unsigned)(XXH3_64bits(key, klen) % p->cfg.shards);
}

unsigned
wd_prepared_shard(const struct wd_prepared *pp)
{
    return pp->shard;
}

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
    /* libxml2 sets itself up once, here, before a parse on another
     * thread. */
    wd_htmlpage_init();
    p->tagger = cfg->tagger;
    p->cfg.tagger = NULL;
    int rc = wd_dedup_open(&p->dedup, cfg->store, &cfg->dedup);
    if (rc == 0 && !p->tagger)
        rc = wd_tagger_new(&p->tagger);
    if (p->cfg.shards == 0)
        p->cfg.shards = 1;
    if (rc == 0 && !(p->shards = calloc(p->cfg.shards, sizeof *p->shards)))
        rc = WD_ENOMEM;
    for (unsigned i = 0; rc == 0 && i < p->cfg.shards; i++)
        rc = wd_boiler_new(&p->shards[i].boiler, 256);
    if (rc == 0 && !cfg->events_off)
        rc = wd_cluster_new(&p->cluster, &cfg->events);
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
    while (p->free_list) {
        struct wd_prepared *pp = p->free_list;
        p->free_list = pp->next;
        wd_arena_fini(&pp->arena);
        wd_arena_fini(&pp->work);
        free(pp);
    }
    wd_dedup_close(p->dedup);
    wd_tagger_free(p->tagger);
    wd_cluster_free(p->cluster);
    for (unsigned i = 0; p->shards && i < p->cfg.shards; i++)
        wd_boiler_free(p->shards[i].boiler);
    free(p->shards);
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
    wd_stats_source(p->stats, NULL, 1, 1, 0); /* (not decoded: no source) */
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

struct wd_prepared *
wd_prepared_get(struct wd_pipeline *p, const uint8_t *frame, size_t len,
                int64_t now_ms)
{
    struct wd_prepared *pp = p->free_list;
    if (pp) {
        p->free_list = pp->next;
        p->n_free--;
    } else {
        pp = calloc(1, sizeof *pp);
        if (!pp)
            return NULL;
        wd_arena_init(&pp->arena, 256 * 1024);
        wd_arena_init(&pp->work, 64 * 1024);
    }
    pp->next = NULL;
    pp->len = len;
    pp->now_ms = now_ms;
    pp->rc = 0;
    pp->raw = NULL;
    memset(&pp->page, 0, sizeof pp->page);
    pp->fps = NULL;
    pp->lens = NULL;
    pp->page_key = 0;
    pp->need_fps = false;
    pp->finished = false;
    pp->emitted = false;
    pp->url[0] = pp->source[0] = '\0';
    pp->shard = p->cfg.shards > 1 ? shard_of(p, frame, len) : 0;
    /* A page over the limit is refused on its length: not even copied. */
    if (len > p->cfg.max_page_bytes) {
        pp->frame = NULL;
        pp->rc = WD_ETOOBIG;
        peek_raw(frame, len, pp->url, sizeof pp->url, pp->source,
                 sizeof pp->source);
        return pp;
    }
    uint8_t *copy = wd_arena_alloc(&pp->arena, len ? len : 1);
    if (!copy) {
        wd_prepared_put(p, pp);
        return NULL;
    }
    memcpy(copy, frame, len);
    pp->frame = copy;
    return pp;
}

void
wd_prepared_put(struct wd_pipeline *p, struct wd_prepared *pp)
{
    if (!pp)
        return;
    wd_arena_reset(&pp->arena);
    wd_arena_reset(&pp->work);
    if (p->n_free >= MAX_FREE_PREPARED) {
        wd_arena_fini(&pp->arena);
        wd_arena_fini(&pp->work);
        free(pp);
        return;
    }
    pp->next = p->free_list;
    p->free_list = pp;
    p->n_free++;
}

static uint64_t page_key(const struct wd_page *page,
                         const struct item_len *lens);

/* Each story's title and body lengths, once a page (its key and the
 * fingerprints both read them). 0 or WD_ENOMEM. */
static int
measure_items(struct wd_prepared *pp)
{
    size_t n = pp->page.n_items;
    struct item_len *lens = wd_arena_alloc(&pp->arena, n * sizeof *lens);
    if (!lens)
        return WD_ENOMEM;
    for (size_t i = 0; i < n; i++)
        lens[i] = (struct item_len){strlen(pp->page.items[i].title),
                                    strlen(pp->page.items[i].body)};
    pp->lens = lens;
    return 0;
}

/* The stories' fingerprints, which dedup decides on.
 * wd_pipeline_fingerprint() makes them, except for a page whose key parse
 * saw lately: finish then finds the page in the store, a duplicate, and
 * needs none; when it does not (the earlier copy was refused, or is in the
 * republish window), it makes them itself. */
static int
fingerprint_items(struct wd_prepared *pp)
{
    size_t n = pp->page.n_items; /* (parse measured them: pp->lens) */
    pp->fps = wd_arena_alloc(&pp->arena, n * sizeof pp->fps[0]);
    if (!pp->fps)
        return WD_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const struct wd_item *it = &pp->page.items[i];
        size_t tlen = pp->lens[i].title, blen = pp->lens[i].body;
        struct wd_fp_story f;
        wd_fp_story(it->title, tlen, it->body, blen, &f);
        wd_dedup_fp_make(&pp->fps[i], &f,
                         it->url ? wd_fp_url_key(it->url, strlen(it->url)) : 0,
                         blen, !it->full || it->truncated);
        pp->fps[i].marker = (uint8_t)wd_dedup_marker(it->title, tlen);
    }
    return 0;
}

bool
wd_pipeline_parse(struct wd_pipeline *p, struct wd_prepared *pp)
{
    if (pp->rc)
        return false;
    ProtobufCAllocator alloc = {arena_pb_alloc, arena_pb_free, &pp->arena};
    Wiredesk__V1__RawPage *raw =
        wiredesk__v1__raw_page__unpack(&alloc, pp->len, pp->frame);
    if (!raw) {
        pp->rc = WD_EPARSE;
        return false;
    }
    pp->raw = raw;
    struct wd_page_input in = {
        .content_type = raw->content_type,
        .body = raw->body.data,
        .len = raw->body.len,
        .fetched_at_ms =
            raw->fetched_at_ms > 0 ? raw->fetched_at_ms : pp->now_ms,
        .url = raw->url,
        .language_later = true,
    };
    /* The source whose boilerplate applies: the scraper's name and the
     * page's host. */
    struct parse_shard *sh = &p->shards[pp->shard];
    char key[512];
    size_t host_len;
    const char *host = url_host(raw->url, &host_len);
    int klen =
        snprintf(key, sizeof key, "%s|%.*s", raw->source, (int)host_len, host);
    in.boiler = sh->boiler;
    in.boiler_slot = wd_boiler_source(sh->boiler, key,
                                      klen < (int)sizeof key ? (size_t)klen
                                                             : sizeof key - 1);
    int rc = wd_page_parse(&in, &pp->arena, &pp->page);
    if (rc) {
        pp->rc = rc;
        return false;
    }
    const char *url = raw->url ? raw->url : "";
    wd_boiler_learn(sh->boiler, in.boiler_slot, XXH3_64bits(url, strlen(url)),
                    pp->page.line_hashes, pp->page.n_line_hashes);
    if (pp->page.n_items == 0)
        return false;
    if (measure_items(pp) != 0) {
        pp->rc = WD_ENOMEM;
        return false;
    }
    pp->page_key = page_key(&pp->page, pp->lens);
    uint64_t *recent = &sh->recent[pp->page_key & (WD_RECENT_PAGES - 1)];
    if (*recent == pp->page_key)
        return false; /* most likely a re-fetch: see fingerprint_items() */
    *recent = pp->page_key;
    /* The language (CLD2, a fifth of a text page's parse) only now: the
     * Article is its only use, and a re-fetch publishes none. */
    wd_lang_fill(&pp->page, &pp->arena);
    pp->need_fps = true;
    return true;
}

void
wd_pipeline_fingerprint(struct wd_prepared *pp)
{
    if (!pp->need_fps)
        return;
    pp->need_fps = false;
    pp->rc = fingerprint_items(pp);
}

void
wd_pipeline_prepare(struct wd_pipeline *p, struct wd_prepared *pp)
{
    wd_pipeline_parse(p, pp);
    wd_pipeline_fingerprint(pp);
}

static void process_items(struct wd_pipeline *p, struct wd_prepared *pp,
                          wd_emit_fn emit, void *ctx,
                          struct wd_page_outcome *out);

static void finish_page(struct wd_pipeline *p, struct wd_prepared *pp,
                        wd_emit_fn emit, void *ctx,
                        struct wd_page_outcome *out);

void
wd_pipeline_finish(struct wd_pipeline *p, struct wd_prepared *pp,
                   wd_emit_fn emit, void *ctx, struct wd_page_outcome *out)
{
    bool first = !pp->finished;
    finish_page(p, pp, emit, ctx, out);
    /* The source's figures: the page once, its articles as they go out. */
    wd_stats_source(p->stats, out->source, first, first && out->rc != 0,
                    out->sent);
}

static void
finish_page(struct wd_pipeline *p, struct wd_prepared *pp, wd_emit_fn emit,
            void *ctx, struct wd_page_outcome *out)
{
    memset(out, 0, sizeof *out);
    bool first = !pp->finished;
    pp->finished = true;
    wd_text_copy(out->url, sizeof out->url, pp->raw ? pp->raw->url : pp->url);
    wd_text_copy(out->source, sizeof out->source,
                 pp->raw ? pp->raw->source : pp->source);
    if (first) {
        p->stats->c[WD_C_PAGES_RECEIVED]++;
        p->stats->c[WD_C_BYTES_IN] += pp->len;
    }
    if (pp->rc) {
        if (first) {
            refuse(p, pp->rc, out);
        } else {
            out->rc = pp->rc;
            out->reason = reason_of(pp->rc);
        }
        return;
    }
    out->items = pp->page.n_items;
    if (first) {
        p->stats->c[WD_C_PAGES_ACCEPTED]++;
        p->stats->c[WD_C_ARTICLES_PARSED] += pp->page.n_items;
        if (pp->page.n_items == 0) {
            p->stats->c[WD_C_PAGES_EMPTY]++;
            int e = pp->page.empty ? pp->page.empty : WD_EMPTY_NO_TEXT;
            if (e > 0 && e < WD_EMPTY__COUNT)
                p->stats->empty[e]++;
        }
    }
    if (pp->page.n_items == 0)
        return;
    wd_arena_reset(&pp->work);
    process_items(p, pp, emit, ctx, out);
}

void
wd_pipeline_page(struct wd_pipeline *p, const uint8_t *frame, size_t len,
                 int64_t now_ms, wd_emit_fn emit, void *ctx,
                 struct wd_page_outcome *out)
{
    struct wd_prepared *pp = wd_prepared_get(p, frame, len, now_ms);
    if (!pp) {
        memset(out, 0, sizeof *out);
        p->stats->c[WD_C_PAGES_RECEIVED]++;
        p->stats->c[WD_C_BYTES_IN] += len;
        refuse(p, WD_ENOMEM, out);
        return;
    }
    wd_pipeline_prepare(p, pp);
    wd_pipeline_finish(p, pp, emit, ctx, out);
    wd_prepared_put(p, pp);
}

/* The page key: the page's stories in order, as parsed, so that a re-fetch
 * whose tickers, dates and counters moved has the same key. */
static uint64_t
page_key(const struct wd_page *page, const struct item_len *lens)
{
    XXH3_state_t st;
    XXH3_64bits_reset(&st);
    for (size_t i = 0; i < page->n_items; i++) {
        XXH3_64bits_update(&st, page->items[i].title, lens[i].title);
        XXH3_64bits_update(&st, "\x1f", 1);
        XXH3_64bits_update(&st, page->items[i].body, lens[i].body);
        XXH3_64bits_update(&st, "\x1e", 1);
    }
    uint64_t h = XXH3_64bits_digest(&st);
    return h ? h : 1;
}

/* Counts a decision in the page's outcome and, unless quiet (a retry of a
 * page counted already), in the worker's figures. */
static void
count_dup(struct wd_pipeline *p, enum wd_dedup_kind kind,
          struct wd_page_outcome *out, bool quiet)
{
    bool dup = kind == WD_DEDUP_KIND_EXACT || kind == WD_DEDUP_KIND_NEAR ||
               kind == WD_DEDUP_KIND_PAGE;
    out->duplicates += dup;
    if (quiet)
        return;
    p->stats->dedup[kind]++;
    p->stats->c[WD_C_ARTICLES_DUPLICATE] += dup;
}

/* Publishes why a story, or a whole page (fp NULL), was dropped, on
 * $dedup. Best effort: an audit line that cannot be packed is skipped. */
static void
emit_dedup(const Wiredesk__V1__RawPage *raw, const char *title,
           const struct wd_story_fp *fp, const char *kind, int64_t now_ms,
           struct wd_arena *a, wd_emit_fn emit, void *ctx)
{
    Wiredesk__V1__DedupDecision dd;
    wiredesk__v1__dedup_decision__init(&dd);
    char sid[WD_ID_LEN + 1] = "", mid[WD_ID_LEN + 1] = "";
    static const uint8_t zero[16];
    if (fp) {
        wd_dedup_id_to_hex(fp->id, sid);
        if (memcmp(fp->matched, zero, 16) != 0)
            wd_dedup_id_to_hex(fp->matched, mid);
        dd.similarity = fp->similarity;
        dd.reason = (char *)wd_dedup_reason_name(fp->reason);
    } else {
        dd.similarity = 1;
        dd.reason = (char *)wd_dedup_reason_name(WD_REASON_PAGE);
    }
    dd.story_id = sid;
    dd.matched_id = mid;
    dd.kind = (char *)kind;
    dd.title = (char *)(title ? title : "");
    dd.page_url = (char *)(raw->url ? raw->url : "");
    dd.source = (char *)(raw->source ? raw->source : "");
    dd.at_ms = now_ms;
    size_t n = wiredesk__v1__dedup_decision__get_packed_size(&dd);
    uint8_t *buf = wd_arena_alloc(a, n ? n : 1);
    if (!buf)
        return;
    wiredesk__v1__dedup_decision__pack(&dd, buf);
    emit(ctx, WD_CHANNEL_DEDUP, buf, n);
}

/* One story ready to go out. */
struct pending {
    struct wd_tags tags;
    uint8_t *buf;
    size_t len;
    enum wd_dedup_kind kind; /* new, upgrade or republish */
    struct wd_story_fp fp;   /* for the claim */
    uint32_t revision;
    size_t item; /* its index in the page */
    char id[WD_ID_LEN + 1];
    uint8_t *ev_buf; /* its event on "$events", or NULL */
    size_t ev_len;
};

/* Groups a story about to be published with its event: the Article gets
 * the event's fields, and r->ev_buf the event to send on "$events" just
 * before it (so that a subscriber of both knows the event an article
 * names). Out of memory, the article goes out without them. */
static void
add_event(struct wd_pipeline *p, struct wd_prepared *pp, struct pending *r)
{
    r->ev_buf = NULL;
    if (!p->cluster)
        return;
    const struct wd_item *it = &pp->page.items[r->item];
    struct wd_cluster_article a = {
        .story_id = r->id,
        .revision = r->revision,
        .title = it->title,
        .tlen = pp->lens[r->item].title,
        .body = it->body,
        .blen = pp->lens[r->item].body,
        .source = pp->raw->source,
        .at_ms = pp->now_ms,
        /* Its own date, unless it lies ahead (a misread date would place
         * it apart from its event). */
        .published_ms =
            it->published_at_ms > 0 &&
                    it->published_at_ms <= pp->now_ms + 24LL * 3600 * 1000
                ? it->published_at_ms
                : 0,
        .tags = &r->tags,
    };
    struct wd_cluster_result res;
    struct wd_cluster_event ev;
    wd_cluster_assign(p->cluster, &a, &res, &ev);
    p->stats->c[res.created ? WD_C_EVENTS_CREATED : WD_C_EVENTS_JOINED]++;
    uint8_t *buf;
    size_t len;
    if (wd_event_pack(&ev, &res, r->id, it->title, pp->now_ms, &pp->work,
                      &r->ev_buf, &r->ev_len) != 0)
        r->ev_buf = NULL;
    if (wd_article_add_event(r->buf, r->len, &res, &pp->work, &buf, &len) ==
        0) {
        r->buf = buf;
        r->len = len;
    }
}

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
process_items(struct wd_pipeline *p, struct wd_prepared *pp, wd_emit_fn emit,
              void *ctx, struct wd_page_outcome *out)
{
    const Wiredesk__V1__RawPage *raw = pp->raw;
    const struct wd_page *page = &pp->page;
    int64_t now_ms = pp->now_ms;
    uint64_t pkey = pp->page_key;
    bool quiet = pp->emitted;
    if (wd_dedup_begin(p->dedup) != 0) {
        store_down(p, out);
        return;
    }
    /* Everything the decisions read first, asked at once (a store across
     * the network: one round trip); a re-fetch's stories are not
     * fingerprinted yet, and its page key is likely all it needs. */
    bool had_fps = pp->fps != NULL;
    if (had_fps)
        wd_dedup_prefetch(p->dedup, pkey, pp->fps, page->n_items);
    bool page_seen = wd_dedup_page_seen(p->dedup, pkey);
    if (wd_dedup_failed(p->dedup)) {
        store_down(p, out);
        return;
    }
    if (page_seen) {
        wd_dedup_abort(p->dedup);
        out->page_duplicate = true;
        out->duplicates = page->n_items;
        if (!quiet) {
            p->stats->dedup[WD_DEDUP_KIND_PAGE]++;
            p->stats->c[WD_C_ARTICLES_DUPLICATE] += page->n_items;
            emit_dedup(raw, NULL, NULL, "page", now_ms, &pp->work, emit, ctx);
        }
        return;
    }
    struct pending *ready =
        wd_arena_alloc(&pp->work, page->n_items * sizeof *ready);
    if (ready && !pp->fps) /* (a re-fetch after all: parse left both) */
        wd_lang_fill(&pp->page, &pp->arena);
    if (!ready || (!pp->fps && fingerprint_items(pp) != 0)) {
        /* Out of memory: refused (rejected:internal), not a store error,
         * and never answered "accepted". */
        wd_dedup_abort(p->dedup);
        refuse(p, WD_ENOMEM, out);
        return;
    }
    if (!had_fps)
        wd_dedup_prefetch(p->dedup, 0, pp->fps, page->n_items);
    size_t n_ready = 0;
    for (size_t i = 0; i < page->n_items; i++) {
        const struct wd_item *it = &page->items[i];
        size_t tlen = pp->lens[i].title, blen = pp->lens[i].body;
        /* A copy: the decision may rewrite the id, and a retry decides
         * again from the page's own. */
        struct wd_story_fp fp = pp->fps[i];
        uint32_t revision;
        enum wd_dup d = wd_dedup_decide(p->dedup, &fp, now_ms, &revision);
        if (d == WD_DUP_EXACT || d == WD_DUP_NEAR) {
            count_dup(
                p, d == WD_DUP_EXACT ? WD_DEDUP_KIND_EXACT : WD_DEDUP_KIND_NEAR,
                out, quiet);
            if (!quiet)
                emit_dedup(raw, it->title, &fp,
                           d == WD_DUP_EXACT ? "exact" : "near", now_ms,
                           &pp->work, emit, ctx);
            continue;
        }
        char id[WD_ID_LEN + 1]; /* an upgrade found by lead has its own */
        wd_dedup_id_to_hex(fp.id, id);
        struct pending *r = &ready[n_ready];
        wd_tagger_tag(p->tagger, it->title, tlen, it->body, blen, &r->tags);
        /* A dateline names the story's place outright. */
        char cc[3];
        if (it->dateline && wd_tagger_place(p->tagger, it->dateline,
                                            strlen(it->dateline), cc) == 0)
            wd_tags_put_place(&r->tags, cc);
        struct wd_article_meta meta = {
            .id = id,
            .source_url = raw->url,
            .source = raw->source,
            .fetched_at_ms = raw->fetched_at_ms,
            .ingested_at_ms = now_ms,
            .simhash = fp.simhash,
            .revision = revision,
            .change = wd_change_name(fp.change),
        };
        if (wd_article_pack(it, &r->tags, &meta, &pp->work, &r->buf, &r->len)) {
            /* Out of memory: drop the batch, so that nothing unpublished
             * is remembered, and refuse the page (rejected:internal). */
            wd_dedup_abort(p->dedup);
            refuse(p, WD_ENOMEM, out);
            return;
        }
        r->kind = d == WD_DUP_UPGRADE && fp.change == WD_CHANGE_CORRECTION
                      ? WD_DEDUP_KIND_CORRECTION
                  : d == WD_DUP_UPGRADE && fp.change == WD_CHANGE_UPDATE
                      ? WD_DEDUP_KIND_UPDATE
                  : d == WD_DUP_UPGRADE   ? WD_DEDUP_KIND_UPGRADE
                  : d == WD_DUP_REPUBLISH ? WD_DEDUP_KIND_REPUBLISH
                                          : WD_DEDUP_KIND_NEW;
        r->fp = fp;
        r->revision = revision;
        r->item = i;
        memcpy(r->id, id, sizeof r->id);
        wd_text_copy(out->last_title, sizeof out->last_title, it->title);
        n_ready++;
    }
    /* A lookup the store did not answer read as "not seen": nothing of
     * this batch may go out. */
    if (wd_dedup_failed(p->dedup)) {
        store_down(p, out);
        return;
    }
    /* Several workers on one store: each story is claimed before it is
     * published (its revision, and a new story's near-duplicate bands; all
     * of the page's at once).
     * When another worker is publishing it, or a near copy, at this very
     * moment, the page waits and is decided again once that worker has
     * committed: then it is a duplicate or an upgrade, decided on what was
     * really published. (A store of one worker grants every claim.) */
    struct wd_dedup_claim_req *claims =
        wd_arena_alloc(&pp->work, (n_ready ? n_ready : 1) * sizeof *claims);
    if (!claims) {
        wd_dedup_abort(p->dedup);
        refuse(p, WD_ENOMEM, out);
        return;
    }
    for (size_t i = 0; i < n_ready; i++)
        claims[i] =
            (struct wd_dedup_claim_req){&ready[i].fp, ready[i].revision,
                                        ready[i].kind == WD_DEDUP_KIND_NEW};
    int crc = wd_dedup_claim_many(p->dedup, claims, n_ready);
    if (crc == WD_EBUSY) {
        wd_dedup_abort(p->dedup);
        out->retry = true;
        out->contended = true;
        return;
    }
    if (crc) {
        store_down(p, out);
        return;
    }
    /* Every story's event made first (the clustering), then every message
     * in one burst, each event just before its article: sent one after
     * another, they wake ZeroMQ's I/O thread about once a page rather than
     * once an article (clustering one article gave it the time to fall
     * asleep again before the next). */
    for (size_t i = 0; i < n_ready && !quiet; i++)
        add_event(p, pp, &ready[i]);
    for (size_t i = 0; i < n_ready; i++) {
        if (!quiet) {
            if (ready[i].ev_buf)
                emit(ctx, WD_CHANNEL_EVENTS, ready[i].ev_buf, ready[i].ev_len);
            emit_all(p, &ready[i].tags, ready[i].buf, ready[i].len, emit, ctx);
            p->stats->c[WD_C_ARTICLES_PUBLISHED]++;
            out->sent++;
        }
        out->published++;
        out->upgrades += ready[i].kind == WD_DEDUP_KIND_UPGRADE ||
                         ready[i].kind == WD_DEDUP_KIND_CORRECTION ||
                         ready[i].kind == WD_DEDUP_KIND_UPDATE;
        count_dup(p, ready[i].kind, out, quiet);
    }
    /* A commit that fails (a full disk, a store that took the batch but
     * whose answer was lost) leaves the stories sent but not remembered:
     * the page is held and its commit tried again (out->retry), without
     * sending them again; it is answered once they are remembered. */
    int rc = p->cfg.before_commit && n_ready
                 ? p->cfg.before_commit(p->cfg.hook_ctx, p->cfg.store)
                 : 0;
    if (rc)
        wd_dedup_abort(p->dedup);
    else
        rc = wd_dedup_commit(p->dedup, pkey, now_ms);
    p->store_failed = rc != 0;
    if (rc) {
        p->stats->c[WD_C_STORE_ERRORS]++;
        pp->emitted = true;
        out->retry = true;
        out->commit_failed = true;
        out->store_rc = rc;
    }
}

size_t
wd_pipeline_busiest_events(const struct wd_pipeline *p,
                           struct wd_cluster_event *out, size_t n)
{
    return p->cluster ? wd_cluster_busiest(p->cluster, out, n) : 0;
}

struct wd_cluster *
wd_pipeline_cluster(struct wd_pipeline *p)
{
    return p->cluster;
}

void
wd_pipeline_events_usage(const struct wd_pipeline *p, size_t *events,
                         size_t *bytes)
{
    *events = *bytes = 0;
    if (p->cluster)
        wd_cluster_usage(p->cluster, events, bytes);
}

void
wd_pipeline_republish(struct wd_pipeline *p, int64_t from_ms, int64_t to_ms)
{
    wd_dedup_republish(p->dedup, from_ms, to_ms);
}

const char *
wd_pipeline_answer(const struct wd_page_outcome *o, char *buf, size_t cap)
{
    if (o->rc) {
        snprintf(buf, cap, "rejected:%s", wd_reject_name(o->reason));
        return buf;
    }
    if (o->published == 0 && (o->page_duplicate || o->duplicates > 0))
        return "duplicate";
    return "accepted";
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
