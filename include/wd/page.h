/* Page understanding: one scraped page in, the stories on it out.
 *
 * The functional core of the worker. wd_page_parse() checks the page's
 * content type and text, then hands it to the parser for its format
 * (textpage.c for text/plain). Everything it returns lives in the caller's
 * arena.
 */
#ifndef WD_PAGE_H
#define WD_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wd/arena.h"
#include "wd/item.h"

struct wd_boiler;

/* Input limits and context of one parse. */
struct wd_page_input {
    const char *content_type; /* e.g. "text/plain; charset=utf-8" */
    const uint8_t *body;
    size_t len;
    int64_t fetched_at_ms;          /* for relative dates ("2 hours ago") */
    const char *url;                /* the page's URL, may be NULL */
    const struct wd_boiler *boiler; /* learned boilerplate, may be NULL */
    uint32_t boiler_slot;           /* the page's source in it */
    /* The items' language left to the caller (wd_lang_fill() when it needs
     * it): the pipeline detects it only for pages it may publish from. */
    bool language_later;
};

/* Parses one page. Returns 0 and fills *out (possibly with no items), or:
 * WD_EEMPTY (no bytes, or only white space), WD_EUNSUPPORTED (a content type
 * this build cannot read), WD_EUTF8 (text that is not valid UTF-8 in a
 * UTF-8 page), WD_ENUL (a NUL byte in a text page), WD_ENOMEM. Never reads
 * outside body[0..len). */
int wd_page_parse(const struct wd_page_input *in, struct wd_arena *arena,
                  struct wd_page *out);

/* The media type of a Content-Type value, lower-cased, without parameters,
 * into buf ("text/plain"); the charset parameter, lower-cased, into cs (empty
 * when absent). Both always NUL-terminated. */
void wd_page_content_type(const char *content_type, char *buf, size_t cap,
                          char *cs, size_t cs_cap);

#endif
