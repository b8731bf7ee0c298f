/* What reading a page gives: the page's kind and its items (the stories
 * on it, with their metadata), in the caller's arena. Types only, shared by
 * the page module and the parsers it dispatches to (textpage, htmlpage),
 * so that none of them includes another's header back. */
#ifndef WD_ITEM_H
#define WD_ITEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

#endif
