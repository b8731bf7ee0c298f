/* The main text of an HTML page, as the readers that score best find it
 * (readability.js, trafilatura): what is never the story is pruned first
 * (scripts, forms, navigation, hidden elements, and with strip_unlikely the
 * blocks whose class or id name a menu, a sidebar, comments, share bars,
 * related stories, cookie or newsletter boxes, unless they also name the
 * content); every paragraph-like block (a <p>, a <pre>, a <td>, a <div> of
 * inline text) scores for its ancestors (1 + commas + a point per 100
 * characters, shared out to five levels), each ancestor starting from its
 * tag and, with weight_classes, from its class and id; scores are scaled
 * by how little of the text sits in links; the best candidate and the
 * siblings that score near it or read as paragraphs are the story.
 *
 * The caller runs a fallback chain over these (readability.js's flags): a
 * thin result is retried with the unlikely blocks put back, then without
 * weight_classes. The chosen blocks are written as text by htmltext.
 */
#ifndef WD_HTMLBODY_H
#define WD_HTMLBODY_H

#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>

/* The unlikely blocks set aside by a first attempt, to be put back for
 * the next ones without parsing the page again. */
#define WD_HTMLBODY_STASH 1024
struct wd_htmlbody_stash {
    xmlNode *node[WD_HTMLBODY_STASH], *parent[WD_HTMLBODY_STASH],
        *next[WD_HTMLBODY_STASH];
    size_t n;
};

/* Removes under root what is never the story (see above); with st, also
 * unlinks the unlikely blocks into it (at most WD_HTMLBODY_STASH; more
 * stay). */
void wd_htmlbody_prune(xmlNode *root, struct wd_htmlbody_stash *st);

/* Puts the unlikely blocks back where they were. */
void wd_htmlbody_restore(struct wd_htmlbody_stash *st);

/* Frees the blocks still set aside. */
void wd_htmlbody_stash_free(struct wd_htmlbody_stash *st);

/* The main text under root, paragraphs separated by blank lines: a
 * malloc'd string and its length in *len (NULL when out of memory). *best
 * gets the top candidate (NULL when there was none). title and author (may
 * be NULL) keep the page's own headline and byline out of the text. */
char *wd_htmlbody_main(xmlNode *root, bool weight_classes, const char *title,
                       const char *author, size_t *len, xmlNode **best);

#endif
