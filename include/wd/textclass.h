/* The classes of a text page's lines, read from each line's own shape.
 *
 * The text page parser (textpage.c) splits a page into blocks
 * (textlines.h), trims them and gives each a class here: blank,
 * boilerplate (a short line repeated on the page: tickers, menus), noise
 * (mostly digits and symbols, or more numbers than words: "KGS/USD = 0.01
 * 0%", "Viewing results 1 - 6 of 16", view counts), a date, prose (a long
 * sentence-like line), a short sentence, a headline (a short line that
 * starts upper case and does not end like a sentence), or short (the rest:
 * "Home", "Read more"). The parser then finds the article region, the
 * title (texttitle.h) and the metadata from these classes.
 *
 * Pure: no I/O.
 */
#ifndef WD_TEXTCLASS_H
#define WD_TEXTCLASS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wd/text.h"

enum wd_tcls {
    WD_TC_BLANK,
    WD_TC_BOILER,
    WD_TC_NOISE,
    WD_TC_DATE,
    WD_TC_SHORT,
    WD_TC_SENT, /* a short sentence: "He declined to comment." */
    WD_TC_HEAD,
    WD_TC_PROSE,
};

struct wd_tcline {
    const char *s;
    size_t n;
    enum wd_tcls cls;
    bool ellipsis; /* ends with "..." or "…": the site cut the text */
    int64_t date_ms;
    uint64_t hash;
    bool bullet;     /* a list item */
    bool heading;    /* marked as a heading by the page itself */
    bool twice_head; /* a headline printed 2-4 times (then WD_TC_BOILER) */
    bool listed;     /* a list's lead-in ("You will need:") or its item */
    uint8_t level;   /* its level, 1 to 6 */
    uint32_t indent; /* columns before its text */
    struct wd_text_stats st;
};

/* Sets l->cls (and l->ellipsis, l->date_ms) from the line's text and
 * stats (l->s, l->n, l->st, l->bullet, l->heading must be set); repeats:
 * how often the page has the same line. now_ms: the fetch time, for
 * relative dates. */
void wd_textclass_classify(struct wd_tcline *l, int repeats, int64_t now_ms);

/* Words of a line; in a script written without spaces (Chinese, Japanese,
 * Thai) one word per three letters. */
size_t wd_textclass_words(const struct wd_tcline *l);

/* The name of a byline ("By Maria Lopez", "Author: ...", or a bare name of
 * two to five capitalised words): its start, *name_len its length; NULL
 * when the line does not read as one. */
const char *wd_textclass_byline(const struct wd_tcline *l, size_t *name_len);

/* True when a date or a byline follows line i of lines[0..n) closely: the
 * metadata block under a story's headline. */
bool wd_textclass_meta_follows(const struct wd_tcline *lines, size_t n,
                               size_t i);

/* Length of a trailing ellipsis ("...", "…", "[...]", "[…]") or 0. */
size_t wd_textclass_ellipsis(const char *s, size_t n);

#endif
