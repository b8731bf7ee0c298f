/* A generated page as the RawPage frame a scraper would push, shared by the
 * benchmarks that drive the real worker. */
#ifndef WD_RAWFRAME_H
#define WD_RAWFRAME_H

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
};

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

/* A copy of a generated page as a frame (text malloc'd). */
static inline void
frame_of(struct frame *f, const struct sg_page *pg)
{
    f->text = malloc(pg->len);
    memcpy(f->text, pg->text, pg->len);
    f->text_len = pg->len;
    snprintf(f->url, sizeof f->url, "%s", pg->url);
}

/* The frame of f, stamped with the time of packing (fetched_at_ms), in a
 * malloc'd buffer; returns its length. */
static inline size_t
pack(const struct frame *f, uint8_t **out)
{
    Wiredesk__V1__RawPage raw;
    wiredesk__v1__raw_page__init(&raw);
    raw.url = (char *)f->url;
    raw.content_type = "text/plain";
    raw.body.data = (uint8_t *)f->text;
    raw.body.len = f->text_len;
    raw.fetched_at_ms = wall_ms();
    raw.source = "bench";
    size_t n = wiredesk__v1__raw_page__get_packed_size(&raw);
    *out = malloc(n);
    wiredesk__v1__raw_page__pack(&raw, *out);
    return n;
}

#endif
