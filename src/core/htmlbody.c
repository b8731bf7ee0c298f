/* The main text of an HTML page. See include/wd/htmlbody.h for the method;
 * the word lists below are structural words of markup (class and id names
 * that content systems everywhere use for their furniture), not any site's.
 */
#include "wd/htmlbody.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wd/text.h"

#define MAX_DEPTH 400
#define SCORE_LEVELS 5

static bool
is_el(const xmlNode *n, const char *name)
{
    /* libxml2's HTML parser gives element names in lower case: a byte
     * compare, the first byte first. */
    return n && n->type == XML_ELEMENT_NODE && n->name &&
           n->name[0] == (xmlChar)name[0] &&
           strcmp((const char *)n->name, name) == 0;
}

/* An attribute's value without copying it (NULL when absent, "" when not
 * plain text). */
static const char *
attr_text(const xmlNode *n, const char *name)
{
    for (const xmlAttr *p = n->properties; p; p = p->next)
        if (p->name && strcasecmp((const char *)p->name, name) == 0)
            return p->children && p->children->type == XML_TEXT_NODE &&
                           !p->children->next && p->children->content
                       ? (const char *)p->children->content
                       : "";
    return NULL;
}

static bool
is_any(const xmlNode *n, const char *const *names)
{
    for (; *names; names++)
        if (is_el(n, *names))
            return true;
    return false;
}

/* "class id" of n, lower-cased, into buf. */
static void
class_id(xmlNode *n, char *buf, size_t cap)
{
    size_t k = 0;
    static const char *const attrs[] = {"class", "id"};
    for (int i = 0; i < 2; i++) {
        const char *v = attr_text(n, attrs[i]);
        for (size_t j = 0; v && v[j] && k + 2 < cap; j++) {
            unsigned char c = (unsigned char)v[j];
            buf[k++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        if (k + 1 < cap)
            buf[k++] = ' ';
    }
    buf[k] = '\0';
}

static bool
has_word(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (strstr(s, *words))
            return true;
    return false;
}

/* Blocks that are never the story, by class or id (readability.js's
 * list, with the boxes every site has: share, newsletter, cookie). */
static const char *const unlikely[] = {
    "-ad-",       "ai2html",    "banner",     "breadcrumb", "combx",
    "comment",    "community",  "cover-wrap", "disqus",     "extra",
    "footer",     "gdpr",       "header",     "legends",    "menu",
    "related",    "remark",     "replies",    "rss",        "shoutbox",
    "sidebar",    "skyscraper", "social",     "sponsor",    "supplemental",
    "ad-break",   "agegate",    "pagination", "pager",      "popup",
    "yom-remote", "share",      "newsletter", "cookie",     "consent",
    "subscribe",  "promo",      NULL};
/* ... unless they also name the content. */
static const char *const maybe[] = {"and",     "article", "body",   "column",
                                    "content", "main",    "shadow", NULL};
static const char *const positive[] = {
    "article", "body", "content", "entry", "hentry", "h-entry", "main",
    "page",    "post", "text",    "blog",  "story",  NULL};
static const char *const negative[] = {
    "-ad-",     "hidden",     "banner",  "combx",    "comment", "com-",
    "contact",  "foot",       "gdpr",    "masthead", "media",   "meta",
    "outbrain", "promo",      "related", "scroll",   "share",   "shoutbox",
    "sidebar",  "skyscraper", "sponsor", "shopping", "tags",    "tool",
    "widget",   NULL};

static const char *const never_tags[] = {
    "script", "style", "noscript", "template", "svg",   "iframe",
    "object", "embed", "button",   "select",   "input", "textarea",
    "nav",    "aside", "footer",   "link",     "meta",  "canvas",
    "video",  "audio", "map",      "dialog",   "head",  NULL};
static const char *const keep_tags[] = {"html",    "body", "main",
                                        "article", "a",    NULL};
static const char *const block_tags[] = {
    "address", "article", "aside",  "blockquote", "dd",         "details",
    "div",     "dl",      "dt",     "fieldset",   "figcaption", "figure",
    "footer",  "form",    "h1",     "h2",         "h3",         "h4",
    "h5",      "h6",      "header", "hr",         "li",         "main",
    "nav",     "ol",      "p",      "pre",        "section",    "table",
    "tbody",   "thead",   "tr",     "ul",         "td",         "th",
    "body",    NULL};

static bool
hidden(xmlNode *n)
{
    if (!n->properties)
        return false;
    bool h = attr_text(n, "hidden") != NULL;
    const char *st = attr_text(n, "style");
    if (st)
        h |= strstr(st, "display:none") || strstr(st, "display: none") ||
             strstr(st, "visibility:hidden") ||
             strstr(st, "visibility: hidden");
    const char *aria = attr_text(n, "aria-hidden");
    return h || (aria && strcmp(aria, "true") == 0);
}

static bool
inside(const xmlNode *n, const char *tag)
{
    for (n = n->parent; n; n = n->parent)
        if (is_el(n, tag))
            return true;
    return false;
}

static bool
unlikely_candidate(xmlNode *n)
{
    if (is_any(n, keep_tags) || inside(n, "table") || inside(n, "code"))
        return false;
    char ci[512];
    class_id(n, ci, sizeof ci);
    if (has_word(ci, unlikely) && !has_word(ci, maybe))
        return true;
    const char *role = attr_text(n, "role");
    static const char *const roles[] = {
        "menu",  "menubar",     "complementary", "navigation",
        "alert", "alertdialog", "dialog",        NULL};
    bool r = false;
    for (size_t i = 0; role && roles[i]; i++)
        r |= strcmp(role, roles[i]) == 0;
    return r;
}

/* Removes what is never the story under n; unlinks the unlikely blocks
 * into st when st is not NULL (their own subtrees pruned first, so that
 * putting them back gives what a fresh parse pruned without them would). */
static void
prune(xmlNode *n, struct wd_htmlbody_stash *st, int depth)
{
    while (n) {
        xmlNode *next = n->next;
        bool drop = n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE;
        if (n->type == XML_ELEMENT_NODE)
            drop = is_any(n, never_tags) ||
                   (!is_el(n, "body") && !is_el(n, "html") && hidden(n));
        if (drop) {
            xmlUnlinkNode(n);
            xmlFreeNode(n);
        } else if (n->type == XML_ELEMENT_NODE && depth < MAX_DEPTH) {
            bool stash = st && unlikely_candidate(n);
            prune(n->children, stash ? NULL : st, depth + 1);
            if (stash && st->n < WD_HTMLBODY_STASH) {
                st->node[st->n] = n;
                st->parent[st->n] = n->parent;
                st->next[st->n] = n->next;
                st->n++;
                xmlUnlinkNode(n);
            }
        }
        n = next;
    }
}

void
wd_htmlbody_prune(xmlNode *root, struct wd_htmlbody_stash *st)
{
    if (root)
        prune(root->children, st, 1);
}

void
wd_htmlbody_restore(struct wd_htmlbody_stash *st)
{
    /* Last unlinked first: each goes back before the sibling that followed
     * it then, or at the end of its parent. */
    while (st->n) {
        st->n--;
        xmlNode *n = st->node[st->n], *next = st->next[st->n];
        if (next)
            xmlAddPrevSibling(next, n);
        else
            xmlAddChild(st->parent[st->n], n);
    }
}

void
wd_htmlbody_stash_free(struct wd_htmlbody_stash *st)
{
    for (size_t i = 0; i < st->n; i++)
        xmlFreeNode(st->node[i]);
    st->n = 0;
}

/* Text measures of a subtree: characters (white space runs counting one),
 * those inside links, and commas (also the CJK ones). */
struct measure {
    size_t len, link, commas;
    bool space;
};

static void
measure(const xmlNode *n, struct measure *m, bool in_link, int depth)
{
    for (; n && depth < MAX_DEPTH; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            const unsigned char *t = n->content;
            for (size_t i = 0; t && t[i]; i++) {
                unsigned char c = t[i];
                bool sp = c == ' ' || c == '\n' || c == '\t' || c == '\r' ||
                          c == '\f';
                if (sp && m->space)
                    continue;
                m->space = sp;
                if ((c & 0xC0) == 0x80)
                    continue; /* count characters, not bytes */
                m->len++;
                m->link += in_link;
                m->commas += c == ',' ||
                             (c == 0xEF && t[i + 1] == 0xBC &&
                              t[i + 2] == 0x8C) || /* ， */
                             (c == 0xE3 && t[i + 1] == 0x80 &&
                              t[i + 2] == 0x81); /* 、 */
            }
        } else if (n->type == XML_ELEMENT_NODE) {
            measure(n->children, m, in_link || is_el(n, "a"), depth + 1);
        }
    }
}

static struct measure
measure_node(const xmlNode *n)
{
    struct measure m = {0, 0, 0, true};
    measure(n->children, &m, is_el(n, "a"), 0);
    return m;
}

static bool
has_block_child(const xmlNode *n)
{
    for (n = n->children; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE &&
            (is_any(n, block_tags) || has_block_child(n)))
            return true;
    return false;
}

/* Scores live in an array; a node's _private holds its index + 1. */
struct cand {
    xmlNode *node;
    double score;
    size_t len, link; /* text and link characters under it */
};

struct cands {
    struct cand *c;
    size_t n, cap;
    bool weight_classes;
};

static double
class_weight(xmlNode *n)
{
    char ci[512];
    class_id(n, ci, sizeof ci);
    double w = 0;
    if (has_word(ci, negative))
        w -= 25;
    if (has_word(ci, positive))
        w += 25;
    return w;
}

static double
tag_weight(const xmlNode *n)
{
    static const char *const plus3[] = {"pre", "td", "blockquote", NULL};
    static const char *const minus3[] = {"address", "ol", "ul",   "dl", "dd",
                                         "dt",      "li", "form", NULL};
    static const char *const minus5[] = {"h1", "h2", "h3", "h4",
                                         "h5", "h6", "th", NULL};
    if (is_el(n, "div"))
        return 5;
    if (is_any(n, plus3))
        return 3;
    if (is_any(n, minus3))
        return -3;
    if (is_any(n, minus5))
        return -5;
    return 0;
}

static struct cand *
cand_of(struct cands *cs, xmlNode *n)
{
    uintptr_t k = (uintptr_t)n->_private;
    if (k && k <= cs->n && cs->c[k - 1].node == n)
        return &cs->c[k - 1];
    if (cs->n == cs->cap) {
        size_t cap = cs->cap ? cs->cap * 2 : 64;
        struct cand *p = realloc(cs->c, cap * sizeof *p);
        if (!p)
            return NULL;
        cs->c = p;
        cs->cap = cap;
    }
    struct cand *c = &cs->c[cs->n++];
    c->node = n;
    c->len = c->link = 0;
    c->score = tag_weight(n) + (cs->weight_classes ? class_weight(n) : 0);
    n->_private = (void *)(uintptr_t)cs->n;
    return c;
}

static void
score_text(struct cands *cs, xmlNode *parent, const struct measure *mp)
{
    struct measure m = *mp;
    if (m.len < 25)
        return;
    double s =
        1 + (double)m.commas + (double)(m.len / 100 < 3 ? m.len / 100 : 3);
    xmlNode *a = parent;
    for (int level = 0;
         a && a->type == XML_ELEMENT_NODE && level < SCORE_LEVELS;
         level++, a = a->parent) {
        struct cand *c = cand_of(cs, a);
        if (!c)
            return;
        c->score += level == 0 ? s : level == 1 ? s / 2 : s / (level * 3);
    }
}

static void
score_block(struct cands *cs, xmlNode *n)
{
    struct measure m = measure_node(n);
    score_text(cs, n->parent, &m);
}

/* The runs of text that stand between the blocks of an element (a story
 * written as text and <br>s in a <div> that also holds pictures or
 * tables): each scores like a paragraph of its own under the element. */
static void
score_runs(struct cands *cs, xmlNode *el)
{
    struct measure run = {0, 0, 0, true};
    for (xmlNode *c = el->children;; c = c->next) {
        bool block = c && c->type == XML_ELEMENT_NODE &&
                     (is_any(c, block_tags) || has_block_child(c));
        if (!c || block) {
            score_text(cs, el, &run);
            run = (struct measure){0, 0, 0, true};
            if (!c)
                break;
            continue;
        }
        xmlNode *next = c->next;
        c->next = NULL; /* measure() walks siblings: this one only */
        measure(c, &run, is_el(c, "a"), 0);
        c->next = next;
    }
}

/* The text measures of every candidate, in one walk. */
static void
measure_cands(struct cands *cs, xmlNode *n, bool in_link, struct measure *m,
              int depth)
{
    for (; n && depth < MAX_DEPTH; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            xmlNode *next = n->next;
            n->next = NULL; /* measure() walks siblings: this one only */
            measure(n, m, in_link, depth);
            n->next = next;
        } else if (n->type == XML_ELEMENT_NODE) {
            struct measure sub = {0, 0, 0, true};
            measure_cands(cs, n->children, in_link || is_el(n, "a"), &sub,
                          depth + 1);
            uintptr_t k = (uintptr_t)n->_private;
            if (k && k <= cs->n && cs->c[k - 1].node == n) {
                cs->c[k - 1].len = sub.len;
                cs->c[k - 1].link = sub.link;
            }
            m->len += sub.len;
            m->link += sub.link;
            m->commas += sub.commas;
            m->space = sub.space;
        }
    }
}

static void
score_tree(struct cands *cs, xmlNode *n, int depth)
{
    static const char *const scored[] = {"p", "pre", "td", NULL};
    for (; n && depth < MAX_DEPTH; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (is_any(n, scored)) {
            score_block(cs, n);
            continue;
        }
        /* A <div> (or <section>) of inline text is a paragraph. */
        if ((is_el(n, "div") || is_el(n, "section")) && !has_block_child(n)) {
            score_block(cs, n);
            continue;
        }
        score_runs(cs, n);
        score_tree(cs, n->children, depth + 1);
    }
}

static void
clear_private(xmlNode *n, int depth)
{
    for (; n && depth < MAX_DEPTH; n = n->next) {
        n->_private = NULL;
        if (n->type == XML_ELEMENT_NODE)
            clear_private(n->children, depth + 1);
    }
}

static double
score_of(struct cands *cs, xmlNode *n)
{
    uintptr_t k = (uintptr_t)n->_private;
    return k && k <= cs->n && cs->c[k - 1].node == n ? cs->c[k - 1].score
                                                     : -1e9;
}

/* The text of blocks, written into a growing buffer. */
struct buf {
    char *p;
    size_t len, cap;
    bool oom;
};

static void
put(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* One paragraph being gathered: its text with white space folded (<br>
 * kept as \x01) and how much of it is link text. */
struct para {
    struct buf t;
    size_t link;
    size_t untimed; /* characters outside <time>: a bare date is no text */
};

static void
para_text(struct para *p, const char *s, size_t n, bool in_link, bool in_time)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool sp = c == ' ' || c == '\n' || c == '\t' || c == '\r' ||
                  c == '\f' || c == '\v';
        if (sp) {
            if (p->t.len == 0 || p->t.p[p->t.len - 1] == ' ' ||
                p->t.p[p->t.len - 1] == '\x01')
                continue;
            c = ' ';
        }
        put(&p->t, &c, 1);
        p->link += in_link && !sp && ((unsigned char)c & 0xC0) != 0x80;
        p->untimed += !in_time && !sp;
    }
}

struct writer {
    struct buf out;
    struct para cur;
    const char *title, *author;
    bool cur_heading; /* the paragraph is a heading's text */
    bool caption;     /* inside a figure's caption */
    bool cur_caption; /* the paragraph is a caption's text */
};

/* A heading that repeats the page's title: three quarters of its words
 * (case aside) are the title's ("Harbour strike enters third week" under
 * "Harbour Strike Enters Third Week as Talks Stall"). */
static bool
repeats_title(const char *heading, const char *title)
{
    size_t words = 0, found = 0, tl = strlen(title);
    for (const char *p = heading; *p;) {
        while (*p == ' ')
            p++;
        const char *e = p;
        while (*e && *e != ' ')
            e++;
        if (e == p)
            break;
        size_t n = (size_t)(e - p);
        words++;
        for (size_t i = 0; i + n <= tl; i++)
            if (strncasecmp(title + i, p, n) == 0 &&
                (i == 0 || title[i - 1] == ' ') &&
                (i + n == tl || title[i + n] == ' ')) {
                found++;
                break;
            }
        p = e;
    }
    return words && found * 4 >= words * 3;
}

/* A short line of date and source: a year, a time or a bar or colon, at
 * most fifteen words, and no sentence's end. */
static bool
date_line(const char *s, size_t n)
{
    size_t words = 1;
    bool year = false, mark = false;
    for (size_t i = 0; i < n; i++) {
        words += s[i] == ' ';
        mark |= s[i] == '|' || s[i] == ':';
        if (i + 4 <= n && (i == 0 || s[i - 1] < '0' || s[i - 1] > '9') &&
            (i + 4 == n || s[i + 4] < '0' || s[i + 4] > '9')) {
            int y = 0;
            bool digits = true;
            for (size_t k = 0; k < 4 && digits; k++) {
                digits = s[i + k] >= '0' && s[i + k] <= '9';
                y = y * 10 + (s[i + k] - '0');
            }
            year |= digits && y >= 1990 && y <= 2039;
        }
    }
    char last = n ? s[n - 1] : '.';
    return year && mark && words <= 15 && last != '.' && last != '!' &&
           last != '?' && last != '"';
}

/* Ends the paragraph being gathered: kept unless empty, mostly links, the
 * byline or the page's own headline. */
static void
flush(struct writer *w)
{
    struct para *p = &w->cur;
    size_t len = p->t.len;
    while (len && (p->t.p[len - 1] == ' ' || p->t.p[len - 1] == '\x01'))
        len--;
    size_t chars = 0;
    for (size_t i = 0; i < len; i++)
        chars += ((unsigned char)p->t.p[i] & 0xC0) != 0x80;
    bool keep =
        len > 0 && (double)p->link <= 0.5 * (double)chars && p->untimed > 0;
    if (keep && len) {
        p->t.p[len] = '\0';
        size_t words = 1;
        for (size_t i = 0; i < len; i++)
            words += p->t.p[i] == ' ';
        if (w->author && *w->author && len <= 100 && words <= 12 &&
            wd_text_contains_ci(p->t.p, w->author))
            keep = false; /* "By Maria Lopez" */
        if (w->cur_heading && w->title && repeats_title(p->t.p, w->title))
            keep = false;
        /* Before the story's first paragraph: the lead picture's caption,
         * and a line of date and source ("23. März 2017, 15:43 Uhr |
         * Quelle: ..."), are no part of it. */
        if (w->out.len == 0 && (w->cur_caption || date_line(p->t.p, len)))
            keep = false;
    }
    if (keep) {
        /* Two or more <br> in a row part paragraphs; one is a space. */
        if (w->out.len)
            put(&w->out, "\n\n", 2);
        for (size_t i = 0; i < len;) {
            if (p->t.p[i] != '\x01') {
                size_t j = i;
                while (j < len && p->t.p[j] != '\x01')
                    j++;
                put(&w->out, p->t.p + i, j - i);
                i = j;
                continue;
            }
            int marks = 0;
            while (i < len && (p->t.p[i] == '\x01' || p->t.p[i] == ' '))
                marks += p->t.p[i++] == '\x01';
            put(&w->out, marks >= 2 ? "\n\n" : " ", marks >= 2 ? 2 : 1);
        }
    }
    p->t.len = 0;
    if (p->t.p)
        p->t.p[0] = '\0';
    p->link = 0;
    p->untimed = 0;
    w->cur_heading = false;
    w->cur_caption = false;
}

static void
write_node(struct writer *w, xmlNode *n, bool in_link, bool in_time, int depth)
{
    if (depth >= MAX_DEPTH)
        return;
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
        if (n->content)
            para_text(&w->cur, (const char *)n->content,
                      strlen((const char *)n->content), in_link, in_time);
        return;
    }
    if (n->type != XML_ELEMENT_NODE)
        return;
    if (is_el(n, "br")) {
        put(&w->cur.t, "\x01", 1);
        return;
    }
    bool block = is_any(n, block_tags);
    bool cell = is_el(n, "td") || is_el(n, "th");
    if (block && !cell)
        flush(w);
    if (cell)
        para_text(&w->cur, " ", 1, false, false);
    if (block && (is_el(n, "h1") || is_el(n, "h2") || is_el(n, "h3")))
        w->cur_heading = true;
    bool was_caption = w->caption;
    if (is_el(n, "figcaption"))
        w->caption = true;
    else if (!w->caption && n->properties) {
        const char *cls = attr_text(n, "class");
        w->caption = cls && strstr(cls, "caption");
    }
    for (xmlNode *c = n->children; c; c = c->next) {
        if (w->caption && c->type == XML_TEXT_NODE)
            w->cur_caption = true;
        write_node(w, c, in_link || is_el(n, "a"), in_time || is_el(n, "time"),
                   depth + 1);
    }
    w->caption = was_caption;
    if (block && !cell)
        flush(w);
}

static char *
finish(struct writer *w, size_t *len)
{
    flush(w);
    free(w->cur.t.p);
    if (w->out.oom || w->cur.t.oom) {
        free(w->out.p);
        *len = 0;
        return NULL;
    }
    if (!w->out.p)
        put(&w->out, "", 0);
    *len = w->out.len;
    return w->out.p;
}

char *
wd_htmlbody_text(xmlNode *first, const char *title, const char *author,
                 size_t *len)
{
    struct writer w = {.title = title, .author = author};
    for (xmlNode *n = first; n; n = n->next)
        write_node(&w, n, false, false, 0);
    return finish(&w, len);
}

static xmlNode *
find_body(xmlNode *root)
{
    for (xmlNode *n = root ? root->children : NULL; n; n = n->next)
        if (is_el(n, "body"))
            return n;
    return root;
}

/* A sibling of the top candidate that belongs to the story. */
static bool
sibling_belongs(struct cands *cs, xmlNode *s, xmlNode *top, double top_score)
{
    if (s == top)
        return true;
    if (s->type != XML_ELEMENT_NODE)
        return false;
    double threshold = top_score * 0.2 > 10 ? top_score * 0.2 : 10;
    double bonus = 0;
    xmlChar *c1 = xmlGetProp(s, (const xmlChar *)"class"),
            *c2 = xmlGetProp(top, (const xmlChar *)"class");
    if (c1 && c2 && *c1 && xmlStrcmp(c1, c2) == 0)
        bonus = top_score * 0.2;
    xmlFree(c1);
    xmlFree(c2);
    if (score_of(cs, s) + bonus >= threshold)
        return true;
    if (!is_el(s, "p"))
        return false;
    struct measure m = measure_node(s);
    double ld = m.len ? (double)m.link / (double)m.len : 0;
    if (m.len > 80 && ld < 0.25)
        return true;
    if (m.len > 0 && m.len <= 80 && m.link == 0) {
        xmlChar *t = xmlNodeGetContent(s);
        bool sentence = t && (strstr((char *)t, ". ") ||
                              (xmlStrlen(t) && t[xmlStrlen(t) - 1] == '.'));
        xmlFree(t);
        return sentence;
    }
    return false;
}

char *
wd_htmlbody_main(xmlNode *root, bool weight_classes, const char *title,
                 const char *author, size_t *len, xmlNode **best)
{
    *best = NULL;
    struct cands cs = {.weight_classes = weight_classes};
    xmlNode *body = find_body(root);
    if (root)
        clear_private(root, 0);
    if (body)
        score_tree(&cs, body->children, 0);
    /* Scores scaled by how little of each candidate is links (measured in
     * one walk of the page). */
    if (root) {
        struct measure all = {0, 0, 0, true};
        measure_cands(&cs, root->children, false, &all, 0);
        uintptr_t k = (uintptr_t)root->_private;
        if (k && k <= cs.n && cs.c[k - 1].node == root) {
            cs.c[k - 1].len = all.len;
            cs.c[k - 1].link = all.link;
        }
    }
    xmlNode *top = NULL;
    double top_score = -1e9;
    for (size_t i = 0; i < cs.n; i++) {
        double ld =
            cs.c[i].len ? (double)cs.c[i].link / (double)cs.c[i].len : 0;
        cs.c[i].score *= 1 - ld;
        if (cs.c[i].score > top_score) {
            top_score = cs.c[i].score;
            top = cs.c[i].node;
        }
    }
    /* A story split into several blocks (text between galleries, ads,
     * pull quotes): when at least three of the next best candidates score
     * near the top one and share an ancestor with it, that ancestor is the
     * story (readability.js's alternative candidates). */
    if (top) {
        struct cand *alt[5];
        size_t n_alt = 0;
        for (size_t i = 0; i < cs.n; i++) {
            struct cand *c = &cs.c[i];
            if (c->node == top || c->score < 0.75 * top_score)
                continue;
            if (n_alt < 5) {
                alt[n_alt++] = c;
                continue;
            }
            size_t worst = 0;
            for (size_t k = 1; k < 5; k++)
                if (alt[k]->score < alt[worst]->score)
                    worst = k;
            if (c->score > alt[worst]->score)
                alt[worst] = c;
        }
        for (xmlNode *anc = top->parent;
             n_alt >= 3 && anc && anc != body && anc->type == XML_ELEMENT_NODE;
             anc = anc->parent) {
            size_t under = 0;
            for (size_t k = 0; k < n_alt; k++) {
                const xmlNode *x = alt[k]->node;
                while (x && x != anc)
                    x = x->parent;
                under += x == anc;
            }
            if (under >= 3) {
                top = anc;
                struct cand *c = cand_of(&cs, anc);
                if (c && c->score > top_score)
                    top_score = c->score;
                break;
            }
        }
    }
    /* A parent that scores higher holds more of the story. */
    while (top && top->parent && top->parent != body &&
           top->parent->type == XML_ELEMENT_NODE) {
        double ps = score_of(&cs, top->parent);
        if (ps < top_score / 3 || ps <= top_score)
            break;
        top = top->parent;
        top_score = ps;
    }
    /* An only child is no smaller than its parent. */
    while (top && top->parent && top->parent != body &&
           top->parent->type == XML_ELEMENT_NODE) {
        size_t kids = 0;
        for (xmlNode *c = top->parent->children; c; c = c->next)
            kids += c->type == XML_ELEMENT_NODE;
        if (kids != 1)
            break;
        top = top->parent;
    }
    struct writer w = {.title = title, .author = author};
    if (!top || top == body || !top->parent) {
        if (body)
            write_node(&w, body, false, false, 0);
    } else {
        for (xmlNode *s = top->parent->children; s; s = s->next)
            if (sibling_belongs(&cs, s, top, top_score))
                write_node(&w, s, false, false, 0);
    }
    *best = top;
    if (root)
        clear_private(root, 0);
    free(cs.c);
    return finish(&w, len);
}
