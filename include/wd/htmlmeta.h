/* The metadata of an HTML page: what the page says about its story
 * outside the story's text, read from the whole document before anything
 * is removed.
 *
 * Each field is taken from the most trusted source that gives it: JSON-LD
 * (NewsArticle, Article, BlogPosting ... also inside @graph and when
 * wrapped in CDATA or comments) for headline, authors, datePublished and
 * articleBody; OpenGraph and Twitter meta (og:title, og:type, og:locale,
 * og:url, twitter:title); article:* and the date meta names CMSes use (on
 * property, name or itemprop); <meta name=author> and byline elements;
 * <time datetime>; <link rel=canonical>; <html lang>. The title falls back
 * to <title> with the site's name taken off (as readability.js does), then
 * to the first <h1>; the date to the one written in the URL. Authors go
 * through author.c; a less trusted source replaces a more trusted one only
 * when it names more of the same people.
 */
#ifndef WD_HTMLMETA_H
#define WD_HTMLMETA_H

#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wd/arena.h"

/* Metadata found on the page, best source first. Strings are in the
 * arena; NULL (0) when the page gave none. */
#define WD_HTMLMETA_HEADS 8
struct wd_htmlmeta {
    char *title, *author, *canonical, *og_url, *language;
    char *doc_title;    /* <title> as written */
    char *article_body; /* JSON-LD articleBody, white space folded */
    /* the first <h1> and <h2> texts */
    char *heads[WD_HTMLMETA_HEADS];
    size_t n_heads, n_h1;
    size_t leaves_after_h1; /* tried as a date (htmlmeta.c) */
    int64_t leaf_date_ms;   /* the date one of them reads as, 0: none */
    char *first_h1;
    int64_t published_ms;
    int title_rank, author_rank, date_rank; /* lower is more trusted */
    bool is_article;      /* og:type article or a JSON-LD article */
    const char **authors; /* in the arena: items point at them */
    size_t n_authors;
};

/* Reads the metadata of the document under root (may be NULL) into *m,
 * all of it set; url is the page's own, for a date written in it. */
void wd_htmlmeta_read(xmlNode *root, const char *url, int64_t now,
                      struct wd_arena *a, struct wd_htmlmeta *m);

#endif
