/* Listing pages in HTML: a home page or a section front, several
 * teasers, each a heading whose link leads to the story. Such a page
 * yields one item per teaser (its heading as the title, its text as the
 * body, its link as the URL, its <time> as the date), not one story.
 *
 * The teasers are three or more <article> elements, or else three or more
 * sibling blocks (a <div>, an <li>) each holding a linked <h2>-<h4>; a
 * heading's link counts when it leads to another page and carries at
 * least half of the heading's text. It is no listing when the page
 * declares itself one article and has a main text, or when a main text
 * stands outside the teasers (they are its related stories) or is much
 * longer than all of them together.
 */
#ifndef WD_HTMLLISTING_H
#define WD_HTMLLISTING_H

#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wd/arena.h"
#include "wd/item.h"

/* Reads the tree under root as a listing. base resolves the teasers'
 * links; listing_lang is every item's language; best (may be NULL) is the
 * block the main text came from and article_len that text's length;
 * is_article tells that the page's metadata calls it an article. Returns
 * 1 with out's kind and items set when the page is a listing, 0 when it
 * is not (out untouched), or WD_ENOMEM. */
int wd_htmllisting_read(xmlNode *root, const char *base,
                        const char *listing_lang, int64_t now, xmlNode *best,
                        size_t article_len, bool is_article, struct wd_arena *a,
                        struct wd_page *out);

#endif
