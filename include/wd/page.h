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

enum wd_page_kind {
    WD_PAGE_UNKNOWN = 0,
    WD_PAGE_LISTING = 1, /* an index of teasers: title + teaser pairs */
    WD_PAGE_ARTICLE = 2, /* one story in full */
};

/* One story found on a page. Strings are NUL-terminated UTF-8 in the arena;
 * optional ones are NULL when unknown. */
struct wd_item {
    const char *title;
    const char *body;           /* paragraphs separated by "\n\n" */
    const char *author;         /* NULL when unknown; several: "A, B" */
    const char *const *authors; /* each person, n_authors of them */
    size_t n_authors;
    const char *url;         /* the story's own URL, NULL when unknown */
    const char *language;    /* BCP 47 ("en", "ru-RU"), NULL when unknown */
    const char *dateline;    /* the place of the story's dateline ("HOUSTON",
                                "BAKU, Azerbaijan"), NULL when none */
    int64_t published_at_ms; /* UTC, 0 when unknown */
    bool truncated;          /* the site cut the text ("...") */
    bool full;               /* from an article page, not a teaser */
};

struct wd_page {
    enum wd_page_kind kind;
    struct wd_item *items;
    size_t n_items;
    /* Text pages: the distinct hashes of the page's lines, for learning
     * the source's boilerplate (boiler.h). */
    const uint64_t *line_hashes;
    size_t n_line_hashes;
    /* Why there is no item (enum wd_empty of stats.h), 0 when there are. */
    int empty;
};

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
