/* Small questions about one node of libxml2's HTML tree, asked by every
 * HTML module (htmlmeta, htmllisting, htmltext, htmlbody, htmlpage): is it
 * this element, is it a block, what does an attribute say; and a link's
 * address made absolute. One copy, so that the modules agree on what an
 * element and a block are.
 *
 * Pure: no I/O; what is copied goes to the caller's arena or to libxml2's
 * allocator, as each function says.
 */
#ifndef WD_HTMLNODE_H
#define WD_HTMLNODE_H

#include <libxml/tree.h>
#include <stdbool.h>

#include "wd/arena.h"

/* True when n is an element called name (in lower case, as libxml2's
 * HTML parser gives every element name). */
bool wd_htmlnode_is(const xmlNode *n, const char *name);

/* True when n is an element called one of names (a NULL-ended list). */
bool wd_htmlnode_is_any(const xmlNode *n, const char *const *names);

/* True when n is a block element (a paragraph, a heading, a list, a table
 * and its cells, a <div> ...): the main text's paragraphs break at them. */
bool wd_htmlnode_is_block(const xmlNode *n);

/* An attribute's value without copying it (NULL when absent, "" when not
 * plain text). */
const char *wd_htmlnode_attr_text(const xmlNode *n, const char *name);

/* An attribute's value as libxml2 reads it (entities and all), a copy to
 * xmlFree(); NULL when absent. */
char *wd_htmlnode_attr(xmlNode *n, const char *name);

/* href made absolute against base (may be NULL), into the arena; href as
 * it is when libxml2 cannot resolve it, NULL when href is NULL. */
char *wd_htmlnode_resolve(const char *href, const char *base,
                          struct wd_arena *a);

/* An element a page prints a date in: a class, id or itemprop naming a
 * date or a time ("date", "post-date", "article__time", "published",
 * "posted"); not <meta>, <time> (read by its datetime), <script>, <style>.
 * htmldate's way of finding a visible date. */
bool wd_htmlnode_is_date(xmlNode *n);

#endif
