/* The text of an HTML tree. See include/wd/htmltext.h. */
#include "wd/htmltext.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wd/date.h"
#include "wd/htmlnode.h"
#include "wd/text.h"

#define MAX_DEPTH 400

/* Text written into a growing buffer, kept NUL-terminated; oom once an
 * append failed. */
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

/* Appends s[0..n) to b, white space runs as one space and none at the
 * start. */
static void
add_folded(struct buf *b, const char *s, size_t n)
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
        put(b, &c, 1);
    }
}

/* A line break, past add_folded's white-space folding. */
static void
raw_newline(struct buf *b)
{
    while (b->len && b->p[b->len - 1] == ' ')
        b->len--;
    put(b, "\n", 1);
}

/* The elements a line of the page's text starts and ends at. */
static bool
breaks_line(const xmlNode *n)
{
    static const char *const tags[] = {
        "p",   "div", "br", "h1",    "h2",      "h3",      "h4",
        "h5",  "h6",  "li", "tr",    "section", "article", "blockquote",
        "pre", "ul",  "ol", "table", NULL};
    return wd_htmlnode_is_any(n, tags);
}

/* The text under n (and its siblings) into b, white space folded: with
 * lines, a line break at every block boundary, for the text parser; else
 * each <br> as a \x01 mark (see wd_htmltext_element). */
static void
collect(xmlNode *n, struct buf *b, bool lines, int depth)
{
    for (xmlNode *c = n; c && depth < 200; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            const char *t = (const char *)c->content;
            if (t)
                add_folded(b, t, strlen(t));
        } else if (c->type == XML_ELEMENT_NODE) {
            bool block = lines && breaks_line(c);
            if (!lines && wd_htmlnode_is(c, "br"))
                add_folded(b, "\x01", 1);
            if (block)
                raw_newline(b);
            collect(c->children, b, lines, depth + 1);
            if (block)
                raw_newline(b);
        }
    }
}

char *
wd_htmltext_element(xmlNode *n, struct wd_arena *a, size_t *len)
{
    struct buf b = {0};
    collect(n->children, &b, false, 0);
    /* <br> marks (\x01) become spaces. */
    for (size_t i = 0; i < b.len; i++)
        if (b.p[i] == '\x01')
            b.p[i] = ' ';
    while (b.len && b.p[b.len - 1] == ' ')
        b.len--;
    char *out = wd_arena_strndup(a, b.p ? b.p : "", b.len);
    free(b.p);
    if (len)
        *len = b.len;
    return out;
}

char *
wd_htmltext_lines(xmlNode *first, size_t *len)
{
    struct buf b = {0};
    collect(first, &b, true, 0);
    *len = b.len;
    return b.p;
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
    if (wd_htmlnode_is(n, "br")) {
        put(&w->cur.t, "\x01", 1);
        return;
    }
    bool block = wd_htmlnode_is_block(n);
    bool cell = wd_htmlnode_is(n, "td") || wd_htmlnode_is(n, "th");
    if (block && !cell)
        flush(w);
    if (cell)
        para_text(&w->cur, " ", 1, false, false);
    if (block && (wd_htmlnode_is(n, "h1") || wd_htmlnode_is(n, "h2") ||
                  wd_htmlnode_is(n, "h3")))
        w->cur_heading = true;
    bool was_caption = w->caption;
    if (wd_htmlnode_is(n, "figcaption"))
        w->caption = true;
    else if (!w->caption && n->properties) {
        const char *cls = wd_htmlnode_attr_text(n, "class");
        w->caption = cls && strstr(cls, "caption");
    }
    for (xmlNode *c = n->children; c; c = c->next) {
        if (w->caption && c->type == XML_TEXT_NODE)
            w->cur_caption = true;
        write_node(w, c, in_link || wd_htmlnode_is(n, "a"),
                   in_time || wd_htmlnode_is(n, "time"), depth + 1);
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
wd_htmltext_blocks(xmlNode *first, wd_htmltext_take_fn *take, void *ctx,
                   const char *title, const char *author, size_t *len)
{
    struct writer w = {.title = title, .author = author};
    for (xmlNode *n = first; n; n = n->next)
        if (!take || take(n, ctx))
            write_node(&w, n, false, false, 0);
    return finish(&w, len);
}

bool
wd_htmltext_date(xmlNode *n, int64_t now, struct wd_arena *a, int64_t *ms)
{
    size_t len;
    char *t = wd_htmltext_element(n, a, &len);
    return t && len < 100 && wd_date_parse(t, len, now, ms, NULL) == 0;
}
