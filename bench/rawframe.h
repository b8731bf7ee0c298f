/* A generated page as the RawPage frame a scraper would push, shared by the
 * benchmarks that drive the real worker. */
#ifndef WD_RAWFRAME_H
#define WD_RAWFRAME_H

#include <stdint.h>
#include <stdlib.h>

#include "benchutil.h"
#include "wiredesk.pb-c.h"

struct frame {
    char *text;
    size_t text_len;
    char url[128];
};

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
