/* The metadata of an HTML page. See include/wd/htmlmeta.h. */
#include "wd/htmlmeta.h"

#include <jansson.h>
#include <string.h>
#include <strings.h>

#include "wd/author.h"
#include "wd/date.h"
#include "wd/htmlnode.h"
#include "wd/htmltext.h"
#include "wd/text.h"

static void
set_str(char **slot, int *rank, int r, char *v, struct wd_arena *a)
{
    if (!v || !*v || (*slot && *rank <= r))
        return;
    *slot = wd_arena_strndup(a, v, strlen(v));
    *rank = r;
}

/* Whether a date from a source of rank r (lower is more trusted) would be
 * taken. */
static bool
date_wanted(const struct wd_htmlmeta *m, int r)
{
    return !m->published_ms || m->date_rank > r;
}

static void
set_date(struct wd_htmlmeta *m, int r, const char *v, int64_t now)
{
    int64_t ms;
    if (v && date_wanted(m, r) &&
        wd_date_parse(v, strlen(v), now, &ms, NULL) == 0) {
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
set_authors(struct wd_htmlmeta *m, int r, const char *v, struct wd_arena *a)
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
jsonld(json_t *o, struct wd_htmlmeta *m, struct wd_arena *a, int64_t now,
       int depth)
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
        char *v = wd_htmlnode_attr(n, attrs[i]);
        yes = v && (wd_text_contains_ci(v, "author") ||
                    wd_text_contains_ci(v, "byline"));
        xmlFree(v);
    }
    return yes && !wd_htmlnode_is(n, "meta") && !wd_htmlnode_is(n, "link");
}

/* Leaves after the first <h1> tried as a date, when no element says it
 * holds one. */
#define LEAVES_AFTER_H1 12

/* A line of its own: an element without elements inside, not a heading,
 * a link or a word set in a sentence (a tag link "9 мая", "<b>12 May</b>"
 * in a paragraph). */
static bool
leaf_line(const xmlNode *n)
{
    static const char *const inline_or_head[] = {
        "h1", "h2", "h3", "a", "b", "strong", "i", "em", "u", "label", NULL};
    for (const xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return false;
    return !wd_htmlnode_is_any(n, inline_or_head) &&
           !(n->parent && (wd_htmlnode_is(n->parent, "p") ||
                           wd_htmlnode_is(n->parent, "a")));
}

/* Whether s holds four digits in a row (a year), ASCII, Persian or
 * Arabic-Indic. */
static bool
has_year(const char *s)
{
    size_t n = strlen(s);
    int run = 0, v;
    for (size_t i = 0; i < n;) {
        size_t k = wd_date_digit(s + i, n - i, &v);
        run = k ? run + 1 : 0;
        if (run == 4)
            return true;
        i += k ? k : 1;
    }
    return false;
}

/* None of the rest (metadata, <time>, a date-classed element; tried only
 * while none of them has given a date, which it would beat): the first
 * of the line leaves just after the headline whose whole text is a date
 * with its year (the line under a headline, whatever its element is
 * called: "pub", "when"), or a relative one ("3 hours ago") when it is
 * the very first line. Used only when the URL has no date either. */
static void
leaf_date(xmlNode *n, struct wd_htmlmeta *m, struct wd_arena *a, int64_t now)
{
    bool first = m->leaves_after_h1++ == 0;
    size_t len;
    char *t = wd_htmltext_element(n, a, &len);
    int64_t ms;
    if (t && len < 100 && (first || has_year(t)) &&
        wd_date_parse(t, len, now, &ms, NULL) == 0)
        m->leaf_date_ms = ms;
}

/* A visible date: the text of a <time> without a datetime, or of a date
 * element, when it is short and reads as a date. After the page's first
 * <h1> (rank 4) it beats one before it (rank 5: a sidebar's, a ticker's);
 * either loses to any metadata. */
static void
visible_date(xmlNode *n, struct wd_htmlmeta *m, struct wd_arena *a, int64_t now)
{
    int r = m->n_h1 ? 4 : 5;
    int64_t ms;
    if (date_wanted(m, r) && wd_htmltext_date(n, now, a, &ms)) {
        m->published_ms = ms;
        m->date_rank = r;
    }
}

/* Reads metadata from the whole document (before anything is removed). */
static void
read_meta(xmlNode *n, struct wd_htmlmeta *m, struct wd_arena *a, int64_t now)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (wd_htmlnode_is(n, "script")) {
            char *type = wd_htmlnode_attr(n, "type");
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
        if (wd_htmlnode_is(n, "meta")) {
            char *prop = wd_htmlnode_attr(n, "property"),
                 *name = wd_htmlnode_attr(n, "name"),
                 *content = wd_htmlnode_attr(n, "content"),
                 *ip = wd_htmlnode_attr(n, "itemprop");
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
        } else if (wd_htmlnode_is(n, "link")) {
            char *rel = wd_htmlnode_attr(n, "rel"),
                 *href = wd_htmlnode_attr(n, "href");
            if (rel && href && strcasecmp(rel, "canonical") == 0 &&
                !m->canonical)
                m->canonical = wd_arena_strndup(a, href, strlen(href));
            xmlFree(rel);
            xmlFree(href);
        } else if (byline_element(n)) {
            set_authors(m, 3, wd_htmltext_element(n, a, NULL), a);
        } else if (wd_htmlnode_is(n, "time")) {
            char *dt = wd_htmlnode_attr(n, "datetime");
            if (dt)
                set_date(m, 3, dt, now);
            else
                visible_date(n, m, a, now);
            xmlFree(dt);
        } else if (wd_htmlnode_is(n, "title")) {
            if (!m->doc_title)
                m->doc_title = wd_htmltext_element(n, a, NULL);
        } else if (wd_htmlnode_is(n, "h1") || wd_htmlnode_is(n, "h2")) {
            char *t = wd_htmltext_element(n, a, NULL);
            if (t && m->n_heads < WD_HTMLMETA_HEADS)
                m->heads[m->n_heads++] = t;
            if (wd_htmlnode_is(n, "h1") && t && *t) {
                m->n_h1++;
                if (!m->first_h1)
                    m->first_h1 = t;
            }
        }
        /* (The class test only while a visible date could still count.) */
        if (date_wanted(m, m->n_h1 ? 4 : 5) && wd_htmlnode_is_date(n))
            visible_date(n, m, a, now);
        else if (!m->published_ms && m->n_h1 &&
                 m->leaves_after_h1 < LEAVES_AFTER_H1 && !m->leaf_date_ms &&
                 leaf_line(n))
            leaf_date(n, m, a, now);
        read_meta(n->children, m, a, now);
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
clean_doc_title(const struct wd_htmlmeta *m, struct wd_arena *a)
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

void
wd_htmlmeta_read(xmlNode *root, const char *url, int64_t now,
                 struct wd_arena *a, struct wd_htmlmeta *m)
{
    memset(m, 0, sizeof *m);
    if (root) {
        /* <html lang> outranks og:locale. */
        char *lang = wd_htmlnode_attr(root, "lang");
        m->language = locale_tag(lang, a);
        xmlFree(lang);
        read_meta(root, m, a, now);
    }
    /* The title: JSON-LD, OpenGraph, Twitter, then <title> without the
     * site's name, then the first <h1>. */
    if (!m->title && m->doc_title && *m->doc_title)
        m->title = clean_doc_title(m, a);
    if (!m->title)
        m->title = m->first_h1;
    /* The page's one <h1> that is the metadata's title and a subtitle
     * after it ("Title: subtitle", "Title — subtitle"): the metadata cut it
     * short; the headline is the <h1>. */
    if (m->title && m->first_h1 && m->n_h1 == 1 && m->title != m->first_h1) {
        size_t k = strlen(m->title);
        const char *h = m->first_h1;
        if (k >= 10 && strncmp(h, m->title, k) == 0 &&
            (strncmp(h + k, ": ", 2) == 0 ||
             strncmp(h + k, " \xE2\x80\x94 ", 5) == 0 ||
             strncmp(h + k, " \xE2\x80\x93 ", 5) == 0))
            m->title = m->first_h1;
    }
    /* The URL's date, when nothing on the page gave one. */
    int64_t ud;
    if (!m->published_ms && (wd_date_from_url(m->canonical, &ud) == 0 ||
                             wd_date_from_url(m->og_url, &ud) == 0 ||
                             wd_date_from_url(url, &ud) == 0))
        m->published_ms = ud;
    if (!m->published_ms)
        m->published_ms = m->leaf_date_ms;
}
