#include "wd/htmlpage.h"

#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "wd/author.h"
#include "wd/date.h"
#include "wd/err.h"
#include "wd/htmlbody.h"
#include "wd/htmlstrip.h"
#include "wd/stats.h"
#include "wd/text.h"
#include "wd/textpage.h"
#include "wd/xmlarena.h"

#define MAX_TEASERS 64

/* Metadata found on the page, best source first. */
#define MAX_HEADS 8
struct meta {
    char *title, *author, *canonical, *og_url, *language;
    char *doc_title;        /* <title> as written */
    char *article_body;     /* JSON-LD articleBody, white space folded */
    char *heads[MAX_HEADS]; /* the first <h1> and <h2> texts */
    size_t n_heads, n_h1;
    char *first_h1;
    int64_t published_ms;
    int title_rank, author_rank, date_rank; /* lower is more trusted */
    bool is_article;      /* og:type article or a JSON-LD article */
    const char **authors; /* in the arena: items point at them */
    size_t n_authors;
};

static bool
is_el(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE &&
           xmlStrcasecmp(n->name, BAD_CAST name) == 0;
}

static char *
attr(xmlNode *n, const char *name)
{
    return (char *)xmlGetProp(n, BAD_CAST name);
}

/* Appends the text under n to b, white space collapsed; link text is also
 * counted into *link_len. */
struct tbuf {
    char *p;
    size_t len, cap;
    size_t link_len;
};

static void
tb_add(struct tbuf *b, const char *s, size_t n, bool in_link)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
                     c == '\f' || c == '\v';
        if (space) {
            if (b->len == 0 || b->p[b->len - 1] == ' ')
                continue;
            c = ' ';
        }
        if (b->len + 1 >= b->cap) {
            size_t cap = b->cap ? b->cap * 2 : 256;
            char *p = realloc(b->p, cap);
            if (!p)
                return;
            b->p = p;
            b->cap = cap;
        }
        b->p[b->len++] = c;
        if (in_link && !space)
            b->link_len++;
    }
}

/* A line break, past tb_add's white-space folding. */
static void
tb_raw_newline(struct tbuf *b)
{
    while (b->len && b->p[b->len - 1] == ' ')
        b->len--;
    if (b->len + 2 >= b->cap) {
        size_t cap = b->cap * 2 + 64;
        char *p = realloc(b->p, cap);
        if (!p)
            return;
        b->p = p;
        b->cap = cap;
    }
    b->p[b->len++] = '\n';
}

static void
collect_text(xmlNode *n, struct tbuf *b, bool in_link, int depth)
{
    for (xmlNode *c = n; c && depth < 200; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            const char *t = (const char *)c->content;
            if (t)
                tb_add(b, t, strlen(t), in_link);
        } else if (c->type == XML_ELEMENT_NODE) {
            if (is_el(c, "br"))
                tb_add(b, "\x01", 1, false); /* a line break, see text_of */
            collect_text(c->children, b, in_link || is_el(c, "a"), depth + 1);
        }
    }
}

/* The text of one element, trimmed, into the arena; link characters into
 * *link (may be NULL). */
static char *
text_of_br(xmlNode *n, struct wd_arena *a, size_t *len, size_t *link,
           bool keep_br)
{
    struct tbuf b = {0};
    collect_text(n->children, &b, is_el(n, "a"), 0);
    /* <br> marks (\x01) become spaces unless the caller splits on them. */
    for (size_t i = 0; !keep_br && i < b.len; i++)
        if (b.p[i] == '\x01')
            b.p[i] = ' ';
    while (b.len && (b.p[b.len - 1] == ' ' || b.p[b.len - 1] == '\x01'))
        b.len--;
    char *out = wd_arena_strndup(a, b.p ? b.p : "", b.len);
    free(b.p);
    if (len)
        *len = b.len;
    if (link)
        *link = b.link_len;
    return out;
}

/* The text of one element, trimmed, white space folded, into the arena;
 * link characters into *link (may be NULL). */
static char *
text_of(xmlNode *n, struct wd_arena *a, size_t *len, size_t *link)
{
    return text_of_br(n, a, len, link, false);
}

static void
set_str(char **slot, int *rank, int r, char *v, struct wd_arena *a)
{
    if (!v || !*v || (*slot && *rank <= r))
        return;
    *slot = wd_arena_strndup(a, v, strlen(v));
    *rank = r;
}

static void
set_date(struct meta *m, int r, const char *v, int64_t now)
{
    int64_t ms;
    if (!v || (m->published_ms && m->date_rank <= r))
        return;
    if (wd_date_parse(v, strlen(v), now, &ms, NULL) == 0) {
        m->published_ms = ms;
        m->date_rank = r;
    }
}

static bool
is_article_type(json_t *t)
{
    static const char *const types[] = {
        "NewsArticle",           "Article",
        "ReportageNewsArticle",  "AnalysisNewsArticle",
        "OpinionNewsArticle",    "BlogPosting",
        "LiveBlogPosting",       "SocialMediaPosting",
        "TechArticle",           "ScholarlyArticle",
        "BackgroundNewsArticle", "Report"};
    if (json_is_array(t)) {
        size_t i;
        json_t *v;
        json_array_foreach(t, i, v) if (is_article_type(v)) return true;
        return false;
    }
    const char *s = json_string_value(t);
    for (size_t i = 0; s && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(s, types[i]) == 0)
            return true;
    return false;
}

/* The people of a byline, from a source of rank r (lower is more
 * trusted): taken when no better source gave one. */
static void
set_authors(struct meta *m, int r, const char *v, struct wd_arena *a)
{
    if (!v || !*v)
        return;
    const char *names[WD_AUTHORS_MAX];
    size_t n = wd_authors_split(v, strlen(v), a, names, WD_AUTHORS_MAX);
    if (!n)
        return;
    /* A less trusted source wins only with more of the same people: the
     * byline that names all three where the meta tag names the first. */
    if (m->n_authors && m->author_rank <= r) {
        if (n <= m->n_authors)
            return;
        for (size_t i = 0; i < m->n_authors; i++) {
            bool in = false;
            for (size_t k = 0; k < n && !in; k++)
                in = strcasecmp(m->authors[i], names[k]) == 0;
            if (!in)
                return;
        }
    }
    const char **list = wd_arena_alloc(a, n * sizeof *list);
    if (!list)
        return;
    memcpy(list, names, n * sizeof names[0]);
    m->authors = list;
    m->n_authors = n;
    m->author_rank = r;
    /* The single author field: the names joined. */
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += strlen(names[i]) + 2;
    char *joined = wd_arena_alloc(a, len + 1);
    if (!joined)
        return;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (i)
            joined[o++] = ',', joined[o++] = ' ';
        memcpy(joined + o, names[i], strlen(names[i]));
        o += strlen(names[i]);
    }
    joined[o] = '\0';
    m->author = joined;
}

/* JSON-LD's author: a name, a Person or Organization, or a list of them,
 * gathered as one byline ("A, B"). */
static void
author_names(json_t *v, char *buf, size_t cap, size_t *len, int depth)
{
    const char *name = NULL;
    if (depth > 3)
        return;
    if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) author_names(x, buf, cap, len, depth + 1);
        return;
    }
    if (json_is_string(v))
        name = json_string_value(v);
    else if (json_is_object(v))
        name = json_string_value(json_object_get(v, "name"));
    if (!name || *len + strlen(name) + 3 > cap)
        return;
    if (*len)
        buf[(*len)++] = ';', buf[(*len)++] = ' ';
    memcpy(buf + *len, name, strlen(name));
    *len += strlen(name);
    buf[*len] = '\0';
}

static void
jsonld(json_t *o, struct meta *m, struct wd_arena *a, int64_t now, int depth)
{
    if (depth > 4)
        return;
    if (json_is_array(o)) {
        size_t i;
        json_t *v;
        json_array_foreach(o, i, v) jsonld(v, m, a, now, depth + 1);
        return;
    }
    if (!json_is_object(o))
        return;
    json_t *graph = json_object_get(o, "@graph");
    if (graph)
        jsonld(graph, m, a, now, depth + 1);
    if (!is_article_type(json_object_get(o, "@type")))
        return;
    m->is_article = true;
    set_str(&m->title, &m->title_rank, 0,
            (char *)json_string_value(json_object_get(o, "headline")), a);
    char byline[512] = "";
    size_t blen = 0;
    author_names(json_object_get(o, "author"), byline, sizeof byline, &blen, 0);
    set_authors(m, 0, byline, a);
    set_date(m, 0, json_string_value(json_object_get(o, "datePublished")), now);
    const char *ab = json_string_value(json_object_get(o, "articleBody"));
    if (ab && !m->article_body)
        m->article_body = wd_arena_strndup(a, ab, strlen(ab));
}

/* "en_GB" (og:locale) or "en-GB" (lang) as a BCP 47 tag, into the arena;
 * NULL when it does not look like one. */
static char *
locale_tag(const char *v, struct wd_arena *a)
{
    size_t n = v ? strlen(v) : 0;
    if (n < 2 || n > 35)
        return NULL;
    char *t = wd_arena_strndup(a, v, n);
    for (size_t i = 0; t && i < n; i++) {
        char c = t[i];
        if (c == '_')
            t[i] = '-';
        else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                   (c >= '0' && c <= '9') || c == '-'))
            return NULL;
    }
    return t;
}

/* An element that holds the byline: class, itemprop or rel "author" or
 * "byline" (schema.org and microformats spell it so on most sites). */
static bool
byline_element(xmlNode *n)
{
    static const char *const attrs[] = {"class", "itemprop", "rel"};
    bool yes = false;
    for (size_t i = 0; i < 3 && !yes; i++) {
        char *v = attr(n, attrs[i]);
        yes = v && (wd_text_contains_ci(v, "author") ||
                    wd_text_contains_ci(v, "byline"));
        xmlFree(v);
    }
    return yes && !is_el(n, "meta") && !is_el(n, "link");
}

/* Reads metadata from the whole document (before anything is removed). */
static void
read_meta(xmlNode *n, struct meta *m, struct wd_arena *a, int64_t now)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (is_el(n, "script")) {
            char *type = attr(n, "type");
            if (type && strcasecmp(type, "application/ld+json") == 0) {
                xmlChar *txt = xmlNodeGetContent(n);
                /* The JSON between its first bracket and its last: pages
                 * wrap it in "<![CDATA[ ... ]]>" or comments. */
                json_error_t err;
                json_t *o = NULL;
                const char *js = txt ? (const char *)txt : NULL;
                const char *cdata = js ? strstr(js, "<![CDATA[") : NULL;
                if (cdata && cdata < strpbrk(js, "{[") + 16)
                    js = cdata + 9;
                js = js ? strpbrk(js, "{[") : NULL;
                if (js) {
                    size_t e = strlen(js);
                    const char *end = cdata ? strstr(js, "]]>") : NULL;
                    if (end)
                        e = (size_t)(end - js);
                    while (e && js[e - 1] != '}' && js[e - 1] != ']')
                        e--;
                    o = json_loadb(js, e, 0, &err);
                }
                if (o)
                    jsonld(o, m, a, now, 0);
                json_decref(o);
                xmlFree(txt);
            }
            xmlFree(type);
            continue;
        }
        if (is_el(n, "meta")) {
            char *prop = attr(n, "property"), *name = attr(n, "name"),
                 *content = attr(n, "content"), *ip = attr(n, "itemprop");
            const char *k = prop ? prop : name ? name : ip;
            /* Publication dates under the names CMSes give them, on any of
             * the three attributes (htmldate's list, the common part). */
            static const char *const date_keys[] = {"og:published_time",
                                                    "pubdate",
                                                    "publishdate",
                                                    "publish-date",
                                                    "publish_date",
                                                    "date",
                                                    "dc.date",
                                                    "dc.date.issued",
                                                    "dc.date.created",
                                                    "dcterms.created",
                                                    "dcterms.date",
                                                    "dcterms.issued",
                                                    "sailthru.date",
                                                    "parsely-pub-date",
                                                    "article.published",
                                                    "publication_date",
                                                    "citation_publication_date",
                                                    "citation_date",
                                                    "originalpublicationdate",
                                                    "date_published",
                                                    "datecreated",
                                                    "article:published",
                                                    "published_time"};
            const char *keys[3] = {prop, name, ip};
            for (int q = 0; q < 3 && content; q++)
                for (size_t d = 0;
                     keys[q] && d < sizeof date_keys / sizeof date_keys[0]; d++)
                    if (strcasecmp(keys[q], date_keys[d]) == 0)
                        set_date(m, 2, content, now);
            if (ip && content && strcasecmp(ip, "datePublished") == 0)
                set_date(m, 1, content, now);
            if (k && content) {
                if (strcasecmp(k, "og:title") == 0)
                    set_str(&m->title, &m->title_rank, 1, content, a);
                else if (strcasecmp(k, "og:type") == 0 &&
                         strcasecmp(content, "article") == 0)
                    m->is_article = true;
                else if (strcasecmp(k, "twitter:title") == 0)
                    set_str(&m->title, &m->title_rank, 2, content, a);
                else if (strcasecmp(k, "article:published_time") == 0 ||
                         strcasecmp(k, "datePublished") == 0)
                    set_date(m, 1, content, now);
                else if (strcasecmp(k, "author") == 0 ||
                         strcasecmp(k, "article:author") == 0)
                    set_authors(m, 2, content, a);
                else if (strcasecmp(k, "og:locale") == 0 && !m->language)
                    m->language = locale_tag(content, a);
                else if (strcasecmp(k, "og:url") == 0 && !m->og_url)
                    m->og_url = wd_arena_strndup(a, content, strlen(content));
            }
            xmlFree(prop);
            xmlFree(name);
            xmlFree(content);
            xmlFree(ip);
        } else if (is_el(n, "link")) {
            char *rel = attr(n, "rel"), *href = attr(n, "href");
            if (rel && href && strcasecmp(rel, "canonical") == 0 &&
                !m->canonical)
                m->canonical = wd_arena_strndup(a, href, strlen(href));
            xmlFree(rel);
            xmlFree(href);
        } else if (byline_element(n)) {
            set_authors(m, 3, text_of(n, a, NULL, NULL), a);
        } else if (is_el(n, "time")) {
            char *dt = attr(n, "datetime");
            set_date(m, 3, dt, now);
            xmlFree(dt);
        } else if (is_el(n, "title")) {
            if (!m->doc_title)
                m->doc_title = text_of(n, a, NULL, NULL);
        } else if (is_el(n, "h1") || is_el(n, "h2")) {
            char *t = text_of(n, a, NULL, NULL);
            if (t && m->n_heads < MAX_HEADS)
                m->heads[m->n_heads++] = t;
            if (is_el(n, "h1") && t && *t) {
                m->n_h1++;
                if (!m->first_h1)
                    m->first_h1 = t;
            }
        }
        read_meta(n->children, m, a, now);
    }
}

static char *
resolve(const char *href, const char *base, struct wd_arena *a)
{
    if (!href)
        return NULL;
    xmlChar *u = xmlBuildURI(BAD_CAST href, BAD_CAST(base ? base : ""));
    char *out = u ? wd_arena_strndup(a, (char *)u, strlen((char *)u))
                  : wd_arena_strndup(a, href, strlen(href));
    xmlFree(u);
    return out;
}

static void
find_all(xmlNode *n, const char *tag, xmlNode **found, size_t *k, size_t max,
         int depth)
{
    for (; n && *k < max && depth < 400; n = n->next) {
        if (is_el(n, tag)) {
            found[(*k)++] = n;
            continue;
        }
        if (n->type == XML_ELEMENT_NODE)
            find_all(n->children, tag, found, k, max, depth + 1);
    }
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
    text_of(heading, a, &hlen, NULL);
    for (size_t i = 0; i < k; i++) {
        char *href = attr(links[i], "href");
        bool page =
            href && href[0] != '#' && strncasecmp(href, "javascript:", 11) != 0;
        xmlFree(href);
        size_t llen = 0;
        text_of(links[i], a, &llen, NULL);
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
        if (is_el(n, "h2") || is_el(n, "h3") || is_el(n, "h4")) {
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
        if (!block || !block->parent || is_el(block, "body"))
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
        if (is_el(n, "h1") || is_el(n, "h2") || is_el(n, "h3") ||
            is_el(n, "h4")) {
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

/* A listing: several <article> elements, each a heading with a link. */
static int
listing(xmlNode *root, const char *base, const char *listing_lang, int64_t now,
        xmlNode *best, size_t article_len, bool is_article, struct wd_arena *a,
        struct wd_page *out)
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
        it->title = text_of(h, a, NULL, NULL);
        char *href = attr(link, "href");
        it->url = resolve(href, base, a);
        xmlFree(href);
        struct tbuf b = {0};
        /* The heading is the teaser's title, not its text. */
        b.p = wd_htmlbody_text(arts[i]->children, it->title, NULL, &b.len);
        if (!b.p)
            return WD_ENOMEM;
        size_t len = b.len;
        while (len && b.p[len - 1] == ' ')
            len--;
        if (len >= 3 && memcmp(b.p + len - 3, "...", 3) == 0) {
            it->truncated = true;
            len -= 3;
        } else if (len >= 3 && memcmp(b.p + len - 3, "\xE2\x80\xA6", 3) == 0) {
            it->truncated = true;
            len -= 3;
        }
        while (len && b.p[len - 1] == ' ')
            len--;
        it->body = wd_arena_strndup(a, b.p ? b.p : "", len);
        free(b.p);
        xmlNode *times[1];
        size_t tk = 0;
        find_all(arts[i]->children, "time", times, &tk, 1, 0);
        if (tk) {
            char *dt = attr(times[0], "datetime");
            int64_t ms;
            if (dt && wd_date_parse(dt, strlen(dt), now, &ms, NULL) == 0)
                it->published_at_ms = ms;
            xmlFree(dt);
        }
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

static bool
is_block(const xmlNode *n)
{
    static const char *const tags[] = {
        "p",       "div",        "br",  "h1", "h2", "h3",
        "h4",      "h5",         "h6",  "li", "tr", "section",
        "article", "blockquote", "pre", "ul", "ol", "table"};
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
        if (is_el(n, tags[i]))
            return true;
    return false;
}

/* The text under n with a line break at every block boundary, for the
 * text parser. */
static void
collect_lines(xmlNode *n, struct tbuf *b, int depth)
{
    for (xmlNode *c = n; c && depth < 200; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            const char *t = (const char *)c->content;
            if (t)
                tb_add(b, t, strlen(t), false);
        } else if (c->type == XML_ELEMENT_NODE) {
            bool block = is_block(c);
            if (block)
                tb_raw_newline(b);
            collect_lines(c->children, b, depth + 1);
            if (block)
                tb_raw_newline(b);
        }
    }
}

static size_t
word_count(const char *s, size_t n)
{
    size_t w = 0;
    bool in = false;
    for (size_t i = 0; i < n; i++) {
        bool sp = s[i] == ' ';
        w += !sp && !in;
        in = !sp;
    }
    return w;
}

/* The separators of a title's parts: "Story | Site", "Site - Story",
 * "Site » Section » Story". */
static size_t
separator_at(const char *s, size_t n, size_t i, bool *hierarchical)
{
    static const char *const seps[] = {
        " | ", " - ", " \xE2\x80\x93 ", " \xE2\x80\x94 ", " \\ ",
        " / ", " > ", " \xC2\xBB "};
    for (size_t k = 0; k < sizeof seps / sizeof seps[0]; k++) {
        size_t l = strlen(seps[k]);
        if (i + l <= n && memcmp(s + i, seps[k], l) == 0) {
            *hierarchical = k >= 4;
            return l;
        }
    }
    return 0;
}

/* The story's title from <title>, the site's name taken off as readers
 * do (readability.js): before the last separator, or after the first when
 * that leaves under three words; after a colon when the part before is a
 * section name; the single <h1> when <title> is far too short or long;
 * the whole <title> when what is left is four words or fewer. */
static char *
clean_doc_title(const struct meta *m, struct wd_arena *a)
{
    const char *t = m->doc_title;
    size_t n = strlen(t);
    const char *cur = t;
    size_t cur_n = n;
    bool hier = false, any_sep = false;
    size_t first = SIZE_MAX, last = SIZE_MAX, first_len = 0, n_seps = 0;
    for (size_t i = 0; i < n; i++) {
        bool h;
        size_t l = separator_at(t, n, i, &h);
        if (!l)
            continue;
        any_sep = true;
        hier |= h;
        if (first == SIZE_MAX)
            first = i, first_len = l;
        last = i;
        n_seps++;
    }
    const char *colon = strstr(t, ": ");
    if (any_sep) {
        cur_n = last;
        if (word_count(cur, cur_n) < 3) {
            cur = t + first + first_len;
            cur_n = n - (first + first_len);
        }
    } else if (colon) {
        bool heading = false;
        for (size_t i = 0; i < m->n_heads; i++)
            heading |= strcmp(m->heads[i], t) == 0;
        if (!heading) {
            const char *lc = t;
            for (const char *p = colon; p; p = strstr(p + 1, ": "))
                lc = p;
            cur = lc + 2;
            cur_n = n - (size_t)(cur - t);
            if (word_count(cur, cur_n) < 3) {
                cur = colon + 2;
                cur_n = n - (size_t)(cur - t);
            } else if (word_count(t, (size_t)(colon - t)) > 5) {
                cur = t;
                cur_n = n;
            }
        }
    } else if ((n > 150 || n < 15) && m->n_h1 == 1) {
        cur = m->first_h1;
        cur_n = strlen(cur);
    }
    while (cur_n && cur[cur_n - 1] == ' ')
        cur_n--;
    while (cur_n && *cur == ' ')
        cur++, cur_n--;
    size_t words = word_count(cur, cur_n);
    /* (a separator counts as a word of <title>) */
    if (words <= 4 && (!hier || words + 1 != word_count(t, n) - n_seps)) {
        cur = t;
        cur_n = n;
    }
    return wd_arena_strndup(a, cur, cur_n);
}

/* s with white space runs as one space, trimmed, in the arena. */
static char *
fold_space(const char *s, size_t n, struct wd_arena *a)
{
    char *o = wd_arena_alloc(a, n + 1);
    if (!o)
        return NULL;
    size_t k = 0;
    bool sp = true;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool w = c == ' ' || c == '\n' || c == '\t' || c == '\r';
        if (w) {
            if (!sp)
                o[k++] = ' ';
            sp = true;
        } else {
            o[k++] = c;
            sp = false;
        }
    }
    while (k && o[k - 1] == ' ')
        k--;
    o[k] = '\0';
    return o;
}

/* The JSON-LD articleBody as the body (paragraphs at its line breaks),
 * when it is at least a third longer than body[0..len), holds body's
 * start, and is no teaser; else NULL. */
static char *
use_article_body(const char *ab, const char *body, size_t len,
                 struct wd_arena *a)
{
    size_t n = strlen(ab);
    while (n && (ab[n - 1] == ' ' || ab[n - 1] == '\n'))
        n--;
    if (n < 200 || 3 * n < 4 * len ||
        (n >= 3 && (memcmp(ab + n - 3, "...", 3) == 0 ||
                    memcmp(ab + n - 3, "\xE2\x80\xA6", 3) == 0)))
        return NULL;
    char *fab = fold_space(ab, n, a);
    char *fb = fold_space(body ? body : "", len, a);
    if (!fab || !fb)
        return NULL;
    size_t lead = strlen(fb) < 60 ? strlen(fb) : 60;
    while (lead && ((unsigned char)fb[lead] & 0xC0) == 0x80)
        lead--;
    fb[lead] = '\0';
    if (lead && !strstr(fab, fb))
        return NULL;
    /* Paragraphs: each line break of the articleBody starts one. */
    char *out = wd_arena_alloc(a, 2 * n + 1);
    if (!out)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        size_t e = i;
        while (e < n && ab[e] != '\n')
            e++;
        char *para = fold_space(ab + i, e - i, a);
        if (para && *para) {
            if (k)
                out[k++] = '\n', out[k++] = '\n';
            size_t pl = strlen(para);
            memcpy(out + k, para, pl);
            k += pl;
        }
        i = e + 1;
    }
    out[k] = '\0';
    return k ? out : NULL;
}

/* Bytes of text in the <p> elements under n. */
static size_t
paragraph_text(xmlNode *n, int depth)
{
    size_t total = 0;
    for (; n && depth < 400; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (is_el(n, "p")) {
            xmlChar *t = xmlNodeGetContent(n);
            total += t ? (size_t)xmlStrlen(t) : 0;
            xmlFree(t);
            continue;
        }
        total += paragraph_text(n->children, depth + 1);
    }
    return total;
}

static void
quiet(void *ctx, const char *msg, ...)
{
}

void
wd_htmlpage_init(void)
{
    wd_xmlarena_install(); /* before libxml2 allocates anything */
    xmlInitParser();
}

/* With the page's libxml2 memory in wd_xmlarena the tree goes at once in
 * wd_xmlarena_end(); freeing it node by node is only for malloc. */
static _Thread_local bool tree_in_arena;

static void
drop_doc(htmlDocPtr doc)
{
    if (!tree_in_arena)
        xmlFreeDoc(doc);
}

static int parse_page(const char *body, size_t len, const char *charset,
                      const char *url, int64_t now, struct wd_arena *a,
                      struct wd_page *out);

int
wd_htmlpage_parse(const char *body, size_t len, const char *charset,
                  const char *url, int64_t now, struct wd_arena *a,
                  struct wd_page *out)
{
    memset(out, 0, sizeof *out);
    if (len > INT32_MAX)
        return WD_ETOOBIG;
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, wd_htmlpage_init);
    char *lean = malloc(len ? len : 1);
    if (!lean)
        return WD_ENOMEM;
    size_t lean_len = wd_htmlstrip(body, len, lean);
    tree_in_arena = wd_xmlarena_begin();
    int rc = parse_page(lean, lean_len, charset, url, now, a, out);
    wd_xmlarena_end();
    free(lean);
    return rc;
}

static int
parse_page(const char *body, size_t len, const char *charset, const char *url,
           int64_t now, struct wd_arena *a, struct wd_page *out)
{
    xmlSetGenericErrorFunc(NULL, quiet);
    int opts = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
               HTML_PARSE_NONET | HTML_PARSE_COMPACT;
    htmlDocPtr doc = htmlReadMemory(body, (int)len, url,
                                    charset && *charset ? charset : NULL, opts);
    if (!doc && charset && *charset) /* a charset libxml2 does not know */
        doc = htmlReadMemory(body, (int)len, url, NULL, opts);
    if (!doc)
        return WD_EPARSE;
    xmlNode *root = xmlDocGetRootElement(doc);
    int rc = 0;
    struct meta m = {0};
    if (root) {
        /* <html lang> outranks og:locale. */
        char *lang = attr(root, "lang");
        m.language = locale_tag(lang, a);
        xmlFree(lang);
        read_meta(root, &m, a, now);
    }
    /* The title: JSON-LD, OpenGraph, Twitter, then <title> without the
     * site's name, then the first <h1>. */
    if (!m.title && m.doc_title && *m.doc_title)
        m.title = clean_doc_title(&m, a);
    if (!m.title)
        m.title = m.first_h1;
    const char *base = m.canonical ? m.canonical : url;
    /* The URL's date, when nothing on the page gave one. */
    int64_t ud;
    if (!m.published_ms && (wd_date_from_url(m.canonical, &ud) == 0 ||
                            wd_date_from_url(m.og_url, &ud) == 0 ||
                            wd_date_from_url(url, &ud) == 0))
        m.published_ms = ud;
    /* The main text through a fallback chain (readability.js's): a thin
     * result (under 250 characters, while the page's paragraphs hold more
     * than twice as much) is tried again on a fresh parse, first keeping
     * the blocks whose names look unlikely, then without class weights
     * (readability.js retries under 500 characters; a short news item is
     * often longer than 250 and a retry costs two parses). The chosen
     * attempt's tree stays for the listing test. */
    struct tbuf b = {0};
    xmlNode *best = NULL;
    struct wd_htmlbody_stash *stash = malloc(sizeof *stash);
    if (!stash) {
        drop_doc(doc);
        return WD_ENOMEM;
    }
    stash->n = 0;
    int won = -1, tried = 0;
    for (int attempt = 0; attempt < 3 && root; attempt++) {
        if (attempt == 0) {
            wd_htmlbody_prune(root, stash);
        } else if (attempt == 1) {
            wd_htmlbody_restore(stash);
            /* A short result that holds most of the page's paragraph text
             * is the whole story, not a miss. */
            if (2 * b.len >= paragraph_text(root, 0))
                break;
        }
        tried++;
        size_t n = 0;
        xmlNode *top = NULL;
        char *t =
            wd_htmlbody_main(root, attempt < 2, m.title, m.author, &n, &top);
        if (!t) {
            wd_htmlbody_stash_free(stash);
            free(stash);
            free(b.p);
            drop_doc(doc);
            return WD_ENOMEM;
        }
        /* A later attempt's text is taken only when it holds what the
         * first found (it goes on with the story), or when that was next
         * to nothing: a longer comment thread is no better story. */
        bool extends = b.len < 250 && n > b.len; /* next to nothing */
        if (!extends && n > b.len) {
            char lead[64];
            size_t k = b.len < sizeof lead - 1 ? b.len : sizeof lead - 1;
            while (k && ((unsigned char)b.p[k] & 0xC0) == 0x80)
                k--;
            memcpy(lead, b.p, k);
            lead[k] = '\0';
            extends = strstr(t, lead) != NULL;
        }
        if (attempt == 0 || extends) {
            free(b.p);
            b.p = t;
            b.len = n;
            b.cap = n + 1;
            best = top;
            won = attempt;
        } else {
            free(t);
        }
        if (b.len >= 250)
            break;
    }
    /* The listing test reads the winning attempt's tree: the first one's
     * is without the unlikely blocks. */
    if (won == 0 && tried > 1)
        wd_htmlbody_prune(root, stash);

    if (root && (rc = listing(root, base, m.language, now, best, b.len,
                              m.is_article, a, out)) != 0) {
        wd_htmlbody_stash_free(stash);
        free(stash);
        free(b.p);
        drop_doc(doc);
        return rc < 0 ? rc : 0;
    }
    /* The blocks set aside go before the tree they came from. */
    wd_htmlbody_stash_free(stash);
    free(stash);
    /* JSON-LD's articleBody as evidence: when it is much longer than what
     * the page's markup gave and goes on from it (the rest of the story is
     * loaded by script, or hidden behind a "read more"), it is the body; a
     * teaser ("...") is not. */
    if (m.article_body) {
        char *alt = use_article_body(m.article_body, b.p, b.len, a);
        if (alt) {
            free(b.p);
            b.len = strlen(alt);
            b.p = malloc(b.len + 1);
            if (!b.p) {
                drop_doc(doc);
                return WD_ENOMEM;
            }
            memcpy(b.p, alt, b.len + 1);
            b.cap = b.len + 1;
        }
    }
    /* A few characters ("x" under a 600 kB attribute, one word under
     * 100 000 nested elements) are no story: the text reader decides. */
    size_t chars = 0;
    for (size_t i = 0; i < b.len; i++)
        chars += ((unsigned char)b.p[i] & 0xC0) != 0x80;
    if (chars < 12)
        b.len = 0;
    if (b.len == 0) {
        /* No paragraphs: read the page's text, one line per block, as a
         * text page; the page's metadata still wins over what the text
         * parser guesses. */
        free(b.p);
        b.p = NULL;
        struct tbuf t = {0};
        if (root)
            collect_lines(root->children, &t, 0);
        rc =
            wd_textpage_parse(t.p ? t.p : "", t.len, now, url, NULL, 0, a, out);
        out->n_line_hashes = 0; /* HTML frames are not learned (yet) */
        if (rc == 0 && out->n_items == 0 && out->empty == WD_EMPTY_NO_TEXT)
            out->empty = WD_EMPTY_NO_ARTICLE;
        free(t.p);
        if (rc == 0 && out->kind == WD_PAGE_ARTICLE && out->n_items == 1) {
            struct wd_item *one = &out->items[0];
            if (m.title)
                one->title = m.title;
            if (m.author) {
                one->author = m.author;
                one->authors = m.authors;
                one->n_authors = m.n_authors;
            }
            if (m.published_ms)
                one->published_at_ms = m.published_ms;
            if (m.canonical)
                one->url = resolve(m.canonical, url, a);
            one->language = m.language;
        }
        drop_doc(doc);
        return rc;
    }
    struct wd_item *it = wd_arena_alloc(a, sizeof *it);
    if (!it) {
        free(b.p);
        drop_doc(doc);
        return WD_ENOMEM;
    }
    memset(it, 0, sizeof *it);
    it->body = wd_arena_strndup(a, b.p, b.len);
    free(b.p);
    it->title = m.title ? m.title : "";
    it->author = m.author;
    it->authors = m.authors;
    it->n_authors = m.n_authors;
    it->published_at_ms = m.published_ms;
    it->url = m.canonical ? resolve(m.canonical, url, a)
              : m.og_url  ? resolve(m.og_url, url, a)
                          : NULL;
    it->full = true;
    it->language = m.language;
    out->kind = WD_PAGE_ARTICLE;
    out->items = it;
    out->n_items = 1;
    drop_doc(doc);
    return 0;
}
