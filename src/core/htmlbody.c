/* The main text of an HTML page. See include/wd/htmlbody.h for the method;
 * the word lists below are structural words of markup (class and id names
 * that content systems everywhere use for their furniture), not any site's.
 */
#include "wd/htmlbody.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wd/htmlnode.h"
#include "wd/htmltext.h"

#define MAX_DEPTH 400
#define SCORE_LEVELS 5

/* "class id" of n, lower-cased, into buf. */
static void
class_id(xmlNode *n, char *buf, size_t cap)
{
    size_t k = 0;
    static const char *const attrs[] = {"class", "id"};
    for (int i = 0; i < 2; i++) {
        const char *v = wd_htmlnode_attr_text(n, attrs[i]);
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

static bool
hidden(xmlNode *n)
{
    if (!n->properties)
        return false;
    bool h = wd_htmlnode_attr_text(n, "hidden") != NULL;
    const char *st = wd_htmlnode_attr_text(n, "style");
    if (st)
        h |= strstr(st, "display:none") || strstr(st, "display: none") ||
             strstr(st, "visibility:hidden") ||
             strstr(st, "visibility: hidden");
    const char *aria = wd_htmlnode_attr_text(n, "aria-hidden");
    return h || (aria && strcmp(aria, "true") == 0);
}

static bool
inside(const xmlNode *n, const char *tag)
{
    for (n = n->parent; n; n = n->parent)
        if (wd_htmlnode_is(n, tag))
            return true;
    return false;
}

static bool
unlikely_candidate(xmlNode *n)
{
    if (wd_htmlnode_is_any(n, keep_tags) || inside(n, "table") ||
        inside(n, "code"))
        return false;
    char ci[512];
    class_id(n, ci, sizeof ci);
    if (has_word(ci, unlikely) && !has_word(ci, maybe))
        return true;
    const char *role = wd_htmlnode_attr_text(n, "role");
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
            drop = wd_htmlnode_is_any(n, never_tags) ||
                   (!wd_htmlnode_is(n, "body") && !wd_htmlnode_is(n, "html") &&
                    hidden(n));
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
            measure(n->children, m, in_link || wd_htmlnode_is(n, "a"),
                    depth + 1);
        }
    }
}

static struct measure
measure_node(const xmlNode *n)
{
    struct measure m = {0, 0, 0, true};
    measure(n->children, &m, wd_htmlnode_is(n, "a"), 0);
    return m;
}

static bool
has_block_child(const xmlNode *n)
{
    for (n = n->children; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE &&
            (wd_htmlnode_is_block(n) || has_block_child(n)))
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
    if (wd_htmlnode_is(n, "div"))
        return 5;
    if (wd_htmlnode_is_any(n, plus3))
        return 3;
    if (wd_htmlnode_is_any(n, minus3))
        return -3;
    if (wd_htmlnode_is_any(n, minus5))
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
                     (wd_htmlnode_is_block(c) || has_block_child(c));
        if (!c || block) {
            score_text(cs, el, &run);
            run = (struct measure){0, 0, 0, true};
            if (!c)
                break;
            continue;
        }
        xmlNode *next = c->next;
        c->next = NULL; /* measure() walks siblings: this one only */
        measure(c, &run, wd_htmlnode_is(c, "a"), 0);
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
            measure_cands(cs, n->children, in_link || wd_htmlnode_is(n, "a"),
                          &sub, depth + 1);
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
        if (wd_htmlnode_is_any(n, scored)) {
            score_block(cs, n);
            continue;
        }
        /* A <div> (or <section>) of inline text is a paragraph. */
        if ((wd_htmlnode_is(n, "div") || wd_htmlnode_is(n, "section")) &&
            !has_block_child(n)) {
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

static xmlNode *
find_body(xmlNode *root)
{
    for (xmlNode *n = root ? root->children : NULL; n; n = n->next)
        if (wd_htmlnode_is(n, "body"))
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
    if (!wd_htmlnode_is(s, "p"))
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

/* The top candidate and its score, for taking its siblings. */
struct story {
    struct cands *cs;
    xmlNode *top;
    double top_score;
};

static bool
take_sibling(xmlNode *s, void *ctx)
{
    struct story *st = ctx;
    return sibling_belongs(st->cs, s, st->top, st->top_score);
}

/* The node ctx alone (the <body>, when no candidate stands out). */
static bool
take_only(xmlNode *n, void *ctx)
{
    return n == ctx;
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
    char *text;
    if (!top || top == body || !top->parent) {
        text = wd_htmltext_blocks(body, take_only, body, title, author, len);
    } else {
        struct story st = {&cs, top, top_score};
        text = wd_htmltext_blocks(top->parent->children, take_sibling, &st,
                                  title, author, len);
    }
    *best = top;
    if (root)
        clear_private(root, 0);
    free(cs.c);
    return text;
}
