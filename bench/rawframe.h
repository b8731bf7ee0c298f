/* A generated page as the RawPage frame a scraper would push, shared by the
 * benchmarks that drive the real worker. */
#ifndef WD_RAWFRAME_H
#define WD_RAWFRAME_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchutil.h"
#include "streamgen.h"
#include "wiredesk.pb-c.h"

struct frame {
    char *text;
    size_t text_len;
    char url[128];
    const char *content_type; /* NULL: text/plain */
};

/* The same page as HTML, as a site would serve it: the first line the
 * headline (<h1>), every other line a paragraph, inside <article>, with a
 * navigation bar and a footer around it. Replaces f->text. */
static inline void
frame_to_html(struct frame *f)
{
    size_t cap = f->text_len * 2 + 1024, n = 0;
    char *h = malloc(cap);
    n += (size_t)snprintf(
        h + n, cap - n,
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
        "<title>News</title></head><body><nav><a href=\"/\">"
        "Home</a> <a href=\"/world\">World</a></nav><article>");
    const char *p = f->text, *end = f->text + f->text_len;
    bool first = true;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = (size_t)((nl ? nl : end) - p);
        if (len > 0 && n + len + 32 < cap)
            n += (size_t)snprintf(h + n, cap - n,
                                  first ? "<h1>%.*s</h1>" : "<p>%.*s</p>",
                                  (int)len, p);
        first = first && len == 0;
        p += len + 1;
    }
    n += (size_t)snprintf(h + n, cap - n,
                          "</article><footer>(c) Example Media</footer>"
                          "</body></html>");
    free(f->text);
    f->text = h;
    f->text_len = n;
    f->content_type = "text/html; charset=utf-8";
}

#ifdef WD_FIXTURES
/* The benchmarks' page generator: seed 42 over the words of a seed page,
 * so that every run renders the same stream. */
static inline struct sg *
bench_stream(void)
{
    FILE *f = fopen(WD_FIXTURES "/seeds/003_b68fa506791f493d.txt", "rb");
    static char corpus[1 << 16];
    size_t clen = f ? fread(corpus, 1, sizeof corpus, f) : 0;
    if (f)
        fclose(f);
    return sg_new(42, corpus, clen);
}
#endif

/* A copy of a generated page as a frame (text malloc'd). */
static inline void
frame_of(struct frame *f, const struct sg_page *pg)
{
    f->text = malloc(pg->len);
    memcpy(f->text, pg->text, pg->len);
    f->text_len = pg->len;
    snprintf(f->url, sizeof f->url, "%s", pg->url);
    f->content_type = NULL;
}

/* A RawPage frame of text (content_type NULL: text/plain) in a malloc'd
 * buffer; returns its length. */
static inline size_t
bench_pack_raw(const char *url, const char *content_type, const char *text,
               size_t len, int64_t fetched_at_ms, const char *source,
               uint8_t **out)
{
    Wiredesk__V1__RawPage raw;
    wiredesk__v1__raw_page__init(&raw);
    raw.url = (char *)url;
    raw.content_type = (char *)(content_type ? content_type : "text/plain");
    raw.body.data = (uint8_t *)text;
    raw.body.len = len;
    raw.fetched_at_ms = fetched_at_ms;
    raw.source = (char *)source;
    size_t n = wiredesk__v1__raw_page__get_packed_size(&raw);
    *out = malloc(n);
    wiredesk__v1__raw_page__pack(&raw, *out);
    return n;
}

/* The frame of f, stamped with the time of packing (fetched_at_ms), in a
 * malloc'd buffer; returns its length. */
static inline size_t
pack(const struct frame *f, uint8_t **out)
{
    return bench_pack_raw(f->url, f->content_type, f->text, f->text_len,
                          wall_ms(), "bench", out);
}

#ifdef WD_PIPELINE_H
/* Text as a page fetched at now_ms through the pipeline's functional core
 * (the evaluations' way in): emit gets its messages, o its outcome. */
static inline void
bench_feed(struct wd_pipeline *p, const char *url, const char *content_type,
           const char *text, size_t len, int64_t now_ms, const char *source,
           wd_emit_fn emit, void *ctx, struct wd_page_outcome *o)
{
    uint8_t *frame;
    size_t n =
        bench_pack_raw(url, content_type, text, len, now_ms, source, &frame);
    wd_pipeline_page(p, frame, n, now_ms, emit, ctx, o);
    free(frame);
}
#endif

#endif
