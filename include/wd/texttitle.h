/* The title: the headline above the region (or opening it) that reads
 * most like this body's title. Candidates are scored: longer headlines (a
 * caption or a section name is short), nearer ones, a page's own top-level
 * heading mark, a line set out to the left of the body (lynx indents text,
 * not headings) and above all a headline whose words recur in the body
 * (a menu's or a related story's do not).
 *
 * Pure: no I/O, memory from the caller's arena.
 */
#ifndef WD_TEXTTITLE_H
#define WD_TEXTTITLE_H

#include <stddef.h>
#include <stdint.h>

#include "wd/arena.h"
#include "wd/textclass.h"

/* A set of word hashes (open addressing, in an arena); cap 0: empty. */
struct wd_wordset {
    uint64_t *keys;
    size_t cap;
};

/* The words of a URL's path ("/2014/12/most-popular-food-searches.html"):
 * sites write the headline there. Path words of any site ("news", "html")
 * are left out; a path of fewer than three words gives an empty set. */
void wd_texttitle_slug(const char *url, struct wd_arena *a,
                       struct wd_wordset *ws);

/* The title line for the article region lines[from..to] whose body text is
 * body: the best-scored headline above the region or opening it, or
 * SIZE_MAX. slug: wd_texttitle_slug() of the page's URL. */
size_t wd_texttitle_find(const struct wd_tcline *lines, size_t from, size_t to,
                         const char *body, const struct wd_wordset *slug,
                         struct wd_arena *a);

#endif
