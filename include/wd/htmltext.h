/* The text of an HTML tree, written out in the three shapes the HTML
 * modules need:
 *
 * - one element's text on one line (a title, a byline, a heading, a
 *   link's words): white space folded, <br> a space, trimmed;
 * - blocks as paragraphs (the story htmlbody chose, a teaser's text):
 *   inline runs as paragraphs, table cells as words of one line, two <br>
 *   in a row a paragraph break; left out are link-heavy blocks, <time>-only
 *   lines, the byline, a heading that repeats the page's title, and before
 *   the first paragraph the lead picture's caption and a date-and-source
 *   line;
 * - the page's text a line a block, for the text parser when the markup
 *   gave no story.
 *
 * One growing buffer serves all three. Pure: no I/O.
 */
#ifndef WD_HTMLTEXT_H
#define WD_HTMLTEXT_H

#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wd/arena.h"

/* The text of one element, trimmed, white space folded, into the arena;
 * its length into *len (may be NULL). */
char *wd_htmltext_element(xmlNode *n, struct wd_arena *a, size_t *len);

/* The date an element prints (a <time> without datetime, a date element):
 * its text, when short (under 100 bytes) and read as a date (wd_date_parse,
 * now for relative forms). True and *ms set, or false. */
bool wd_htmltext_date(xmlNode *n, int64_t now, struct wd_arena *a, int64_t *ms);

/* Whether wd_htmltext_blocks() writes node n; ctx is the caller's. */
typedef bool wd_htmltext_take_fn(xmlNode *n, void *ctx);

/* The text blocks of the nodes from first on (and their descendants) that
 * take() accepts (all of them when take is NULL), paragraphs separated by
 * blank lines: a malloc'd string and its length in *len (NULL when out of
 * memory). title and author (may be NULL) keep the page's own headline
 * and byline out of the text. */
char *wd_htmltext_blocks(xmlNode *first, wd_htmltext_take_fn *take, void *ctx,
                         const char *title, const char *author, size_t *len);

/* The text of the nodes from first on (and their descendants), a line
 * break at every block's start and end, for the text parser: a malloc'd
 * string to free and its length in *len (NULL with *len 0 when empty; cut
 * short when memory runs out). */
char *wd_htmltext_lines(xmlNode *first, size_t *len);

#endif
