/* Listing pages. See include/wd/htmllisting.h. */
#include "wd/htmllisting.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wd/date.h"
#include "wd/err.h"
#include "wd/htmlnode.h"
#include "wd/htmltext.h"

#define MAX_TEASERS 64

static void
find_all(xmlNode *n, const char *tag, xmlNode **found, size_t *k, size_t max,
         int depth)
{
    for (; n && *k < max && depth < 400; n = n->next) {
        if (wd_htmlnode_is(n, tag)) {
            found[(*k)++] = n;
            continue;
        }
        if (n->type == XML_ELEMENT_NODE)
            find_all(n->children, tag, found, k, max, depth + 1);
    }
}

/* A teaser's date: its first <time> (datetime, else its text), else the
 * first element whose class names a date (wd_htmlnode_is_date) and whose
 * text reads as one; 0 when none. */
static int64_t
teaser_date(xmlNode *n, int64_t now, struct wd_arena *a, int depth)
{
    int64_t ms = 0;
    for (; n && depth < 400 && !ms; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        bool is_time = wd_htmlnode_is(n, "time");
        if (is_time) {
            char *dt = wd_htmlnode_attr(n, "datetime");
            if (!dt || wd_date_parse(dt, strlen(dt), now, &ms, NULL) != 0)
                ms = 0;
            xmlFree(dt);
        }
        if (!ms && (is_time || wd_htmlnode_is_date(n)) &&
            !wd_htmltext_date(n, now, a, &ms))
            ms = 0;
        if (!ms)
            ms = teaser_date(n->children, now, a, depth + 1);
    }
    return ms;
}

/* The link of a teaser's heading: one to another page (not "#anchor" or
 * "javascript:") whose text is most of the heading's ("Story title", not
 * "Section title [edit]"). NULL when there is none. */
static xmlNode *
story_link(xmlNode *heading, struct wd_arena *a)
{
    xmlNode *links[4];
    size_t k = 0;
    find_all(heading->children, "a", links, &k, 4, 0);
    size_t hlen = 0;
    wd_htmltext_element(heading, a, &hlen);
    for (size_t i = 0; i < k; i++) {
        char *href = wd_htmlnode_attr(links[i], "href");
        bool page =
            href && href[0] != '#' && strncasecmp(href, "javascript:", 11) != 0;
        xmlFree(href);
        size_t llen = 0;
        wd_htmltext_element(links[i], a, &llen);
        if (page && 2 * llen >= hlen)
            return links[i];
    }
    return NULL;
}

static void
linked_headings(xmlNode *n, xmlNode **found, size_t *k, size_t max,
                struct wd_arena *arena, int depth)
{
    for (; n && *k < max && depth < 400; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (wd_htmlnode_is(n, "h2") || wd_htmlnode_is(n, "h3") ||
            wd_htmlnode_is(n, "h4")) {
            if (story_link(n, arena))
                found[(*k)++] = n;
            continue;
        }
        linked_headings(n->children, found, k, max, arena, depth + 1);
    }
}

/* Teasers without <article>: blocks (a <div>, an <li>) each holding a
 * heading with a link, three or more of them side by side under one
 * parent. Returns how many went to blocks[]. */
static size_t
teaser_blocks(xmlNode *root, xmlNode **blocks, size_t max, struct wd_arena *a)
{
    xmlNode *heads[MAX_TEASERS * 2];
    size_t nh = 0;
    linked_headings(root, heads, &nh, MAX_TEASERS * 2, a, 0);
    xmlNode *best_parent = NULL;
    size_t best_count = 0;
    for (size_t i = 0; i < nh; i++) {
        xmlNode *block = heads[i]->parent;
        if (!block || !block->parent || wd_htmlnode_is(block, "body"))
            continue;
        size_t count = 0;
        for (size_t j = 0; j < nh; j++)
            count +=
                heads[j]->parent && heads[j]->parent->parent == block->parent;
        if (count > best_count) {
            best_count = count;
            best_parent = block->parent;
        }
    }
    size_t k = 0;
    for (size_t i = 0; best_count >= 3 && i < nh && k < max; i++)
        if (heads[i]->parent && heads[i]->parent->parent == best_parent)
            blocks[k++] = heads[i]->parent;
    return k;
}

static xmlNode *
first_heading_link(xmlNode *n, xmlNode **link, struct wd_arena *a, int depth)
{
    for (; n && depth < 50; n = n->next) {
        if (wd_htmlnode_is(n, "h1") || wd_htmlnode_is(n, "h2") ||
            wd_htmlnode_is(n, "h3") || wd_htmlnode_is(n, "h4")) {
            *link = story_link(n, a);
            return n;
        }
        if (n->type == XML_ELEMENT_NODE) {
            xmlNode *h = first_heading_link(n->children, link, a, depth + 1);
            if (h)
                return h;
        }
    }
    return NULL;
}

/* True when a is b or one of b's ancestors. */
static bool
is_ancestor(const xmlNode *a, const xmlNode *b)
{
    for (; b; b = b->parent)
        if (a == b)
            return true;
    return false;
}

int
wd_htmllisting_read(xmlNode *root, const char *base, const char *listing_lang,
                    int64_t now, xmlNode *best, size_t article_len,
                    bool is_article, struct wd_arena *a, struct wd_page *out)
{
    /* A page that declares itself one article (og:type, JSON-LD) with a
     * main text is one, whatever lists of linked headings it holds (a
     * "21 best films" story, a live blog). */
    if (is_article && article_len >= 200)
        return 0;
    xmlNode *arts[MAX_TEASERS];
    size_t k = 0;
    find_all(root, "article", arts, &k, MAX_TEASERS, 0);
    if (k < 3)
        k = teaser_blocks(root, arts, MAX_TEASERS, a);
    if (k < 3)
        return 0;
    struct wd_item *items = wd_arena_alloc(a, k * sizeof *items);
    if (!items)
        return WD_ENOMEM;
    size_t n = 0;
    xmlNode *item_nodes[MAX_TEASERS];
    for (size_t i = 0; i < k; i++) {
        xmlNode *link = NULL;
        xmlNode *h = first_heading_link(arts[i]->children, &link, a, 0);
        if (!h || !link)
            continue;
        struct wd_item *it = &items[n];
        memset(it, 0, sizeof *it);
        it->title = wd_htmltext_element(h, a, NULL);
        char *href = wd_htmlnode_attr(link, "href");
        it->url = wd_htmlnode_resolve(href, base, a);
        xmlFree(href);
        size_t len = 0;
        /* The heading is the teaser's title, not its text. */
        char *text = wd_htmltext_blocks(arts[i]->children, NULL, NULL,
                                        it->title, NULL, &len);
        if (!text)
            return WD_ENOMEM;
        while (len && text[len - 1] == ' ')
            len--;
        if (len >= 3 && memcmp(text + len - 3, "...", 3) == 0) {
            it->truncated = true;
            len -= 3;
        } else if (len >= 3 && memcmp(text + len - 3, "\xE2\x80\xA6", 3) == 0) {
            it->truncated = true;
            len -= 3;
        }
        while (len && text[len - 1] == ' ')
            len--;
        it->body = wd_arena_strndup(a, text, len);
        free(text);
        it->published_at_ms = teaser_date(arts[i]->children, now, a, 0);
        int64_t ud;
        if (!it->published_at_ms && it->url &&
            wd_date_from_url(it->url, &ud) == 0)
            it->published_at_ms = ud;
        it->language = listing_lang;
        if (it->title[0] && it->body[0])
            item_nodes[n++] = arts[i];
    }
    if (n < 3)
        return 0;
    /* <article> teasers beside a main text are the related stories of an
     * article page, not a listing: when the best text block stands outside
     * every teaser and holds few of them, or is much longer than all of
     * them together. */
    size_t teasers = 0, under_best = 0;
    bool best_in_item = false;
    for (size_t i = 0; i < n; i++) {
        under_best += best && is_ancestor(best, item_nodes[i]);
        best_in_item |= best && is_ancestor(item_nodes[i], best);
    }
    for (size_t i = 0; i < n; i++)
        teasers += strlen(items[i].body);
    bool main_outside = best && !best_in_item && 2 * under_best < n;
    if ((main_outside && article_len >= 200) ||
        (article_len >= 500 && article_len > 2 * teasers))
        return 0;
    out->kind = WD_PAGE_LISTING;
    out->items = items;
    out->n_items = n;
    return 1;
}
