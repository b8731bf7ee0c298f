/* Blocks of a text page, hard wraps joined. See include/wd/textlines.h for
 * what it does; this comment says how.
 *
 * 1. Each raw line is measured: its indent in columns (tabs to the next
 *    multiple of 8), a list marker or heading mark at its start, the
 *    display width of its text (East Asian wide characters count two, as
 *    the renderers count them, with libunistring's uc_width) and the width
 *    of its first word.
 * 2. The wrap width: every pair of adjacent non-blank lines votes for the
 *    columns W at which the first would have been cut before the second's
 *    first word (end <= W <= end + first word), unless the first ends a
 *    sentence and the second starts with a capital (a page of one
 *    paragraph a line looks like that too); the column with most votes
 *    wins. Fewer than 2 votes, fewer than a tenth of the pairs, or more
 *    than a quarter of the lines wider than W, and the page is not
 *    hard-wrapped.
 * 3. Blocks: a line joins the block above when the page is wrapped, the
 *    line above was full, and the line is neither indented past the text
 *    above nor a list item or heading.
 */
#include "wd/textlines.h"

#include <string.h>
#include <uniwidth.h>

#include "wd/date.h"
#include "wd/err.h"
#include "wd/text.h"

#define MAX_COL 512 /* wider lines vote for no column: not wrapped there */
#define MIN_WRAP 30

struct raw {
    const char *s; /* text after indent and marker, trimmed */
    size_t n;
    uint32_t indent;   /* columns before the marker or text */
    uint32_t textcol;  /* column where the text starts */
    uint32_t width;    /* display width of the text */
    uint32_t first;    /* display width of its first word */
    const char *raw_s; /* the text with its list marker */
    size_t raw_n;
    bool bullet, heading;
    bool ambiguous; /* a list marker that may be text: "-", "12." */
    bool measured;  /* width and first are set */
    uint8_t level;
};

static uint32_t
cp_width(uint32_t cp)
{
    int w = uc_width(cp, "UTF-8");
    return w > 0 ? (uint32_t)w : 0;
}

/* Display width of s[0..n); *first gets the width of its first word. */
static uint32_t
measure(const char *s, size_t n, uint32_t *first)
{
    uint32_t w = 0;
    bool in_first = true;
    *first = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        uint32_t cw;
        /* Past the first word, eight bytes of printable ASCII at once (no
         * byte from 0x80, below 0x20 or 0x7F: each one column). */
        if (!in_first) {
            while (i + 8 <= n) {
                uint64_t x;
                memcpy(&x, s + i, sizeof x);
                if (!wd_ascii8_from_space(x, 0x7F))
                    break;
                w += 8;
                i += 8;
            }
            if (i >= n)
                break;
            c = (unsigned char)s[i];
        }
        if (c < 0x80) {
            /* ASCII, most of most pages: no decoding. */
            if (c == ' ' || c == '\t')
                in_first = false;
            cw = c >= 0x20 && c != 0x7F;
            i++;
        } else {
            uint32_t cp;
            i += wd_utf8_next(s + i, n - i, &cp);
            /* A renderer wraps at spaces, never at a no-break space. */
            if (cp != 0xA0 && cp != 0x202F && cp != 0x2007 &&
                wd_cp_is_blank(cp))
                in_first = false;
            cw = cp_width(cp);
        }
        w += cw;
        if (in_first)
            *first += cw;
    }
    return w;
}

static bool
wide_at_start(const char *s, size_t n)
{
    uint32_t cp;
    wd_utf8_next(s, n, &cp);
    return cp >= 0x2E80 && cp_width(cp) == 2;
}

static bool
wide_at_end(const char *s, size_t n)
{
    size_t p = n - 1;
    while (p > 0 && ((unsigned char)s[p] & 0xC0) == 0x80)
        p--;
    return wide_at_start(s + p, n - p);
}

/* The list marker at the start of s[0..n): its length in bytes including
 * the spaces after it, or 0. A marker needs text after it. */
static size_t
bullet_len(const char *s, size_t n, uint32_t indent)
{
    static const char *const marks[] = {"*",
                                        "+",
                                        "-",
                                        "\xE2\x80\xA2" /* • */,
                                        "\xE2\x97\xA6" /* ◦ */,
                                        "\xE2\x96\xAA" /* ▪ */,
                                        "\xE2\x96\xA0" /* ■ */,
                                        "\xE2\x96\xA1" /* □ */,
                                        "\xE2\x97\x8B" /* ○ */,
                                        "\xE2\x97\x8F" /* ● */,
                                        "\xE2\x97\x86" /* ◆ */,
                                        "\xE2\x98\x86" /* ☆ */,
                                        "\xE2\x98\x85" /* ★ */,
                                        "\xC2\xB7" /* · */,
                                        "o"};
    size_t k = 0;
    for (size_t i = 0; i < sizeof marks / sizeof marks[0] && !k; i++) {
        /* (Most lines open with none of the marks' first bytes.) */
        if (n < 2 || s[0] != marks[i][0])
            continue;
        size_t m = strlen(marks[i]);
        if (n > m + 1 && memcmp(s, marks[i], m) == 0 && s[m] == ' ')
            k = m;
    }
    /* "o" is a marker only where lynx puts it: indented. */
    if (k == 1 && s[0] == 'o' && indent == 0)
        k = 0;
    if (!k) {
        /* "1. ", "12) " */
        size_t d = 0;
        while (d < n && d < 3 && s[d] >= '0' && s[d] <= '9')
            d++;
        if (d == 0 || d + 2 > n || (s[d] != '.' && s[d] != ')') ||
            s[d + 1] != ' ')
            return 0;
        k = d + 1;
    }
    size_t e = k;
    while (e < n && s[e] == ' ')
        e++;
    return e < n ? e : 0;
}

/* html2text's "***** Title *****" and Markdown's "## Title": the title's
 * bounds, or false. */
static bool
heading_mark(const char **s, size_t *n, uint8_t *level)
{
    const char *p = *s;
    size_t len = *n, k = 0;
    char mark = p[0];
    if (mark != '*' && mark != '#')
        return false;
    while (k < len && p[k] == mark)
        k++;
    if (k < (mark == '*' ? 2u : 1u) || k > 6 || k >= len || p[k] != ' ')
        return false;
    size_t e = len;
    while (e > k && (p[e - 1] == mark || p[e - 1] == ' '))
        e--;
    while (k < e && p[k] == ' ')
        k++;
    if (e <= k)
        return false;
    /* html2text marks <h1> with six stars, <h6> with one. */
    *level = (uint8_t)(mark == '#' ? k : 7 - k);
    *s = p + k;
    *n = e - k;
    return true;
}

/* A line of only '=' or only '-' (3 or more): a Setext underline. */
static bool
underline(const char *s, size_t n)
{
    if (n < 3 || (s[0] != '=' && s[0] != '-'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] != s[0])
            return false;
    return true;
}

static void
measure_line(const char *s, size_t n, struct raw *r)
{
    memset(r, 0, sizeof *r);
    uint32_t col = 0;
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        uint32_t cp;
        size_t len = c < 0x80 ? 1 : wd_utf8_next(s + i, n - i, &cp);
        if (c < 0x80)
            cp = c;
        if (!wd_cp_is_blank(cp) && cp != '\r')
            break;
        col = cp == '\t' ? (col / 8 + 1) * 8 : col + (cp == '\r' ? 0 : 1);
        i += len;
    }
    /* Trailing white space, CR included (s[i] is none). */
    size_t rest = n - i;
    wd_text_strip(s + i, &rest);
    r->indent = col;
    r->s = s + i;
    r->n = rest;
    if (r->n == 0)
        return;
    r->raw_s = r->s;
    r->raw_n = r->n;
    size_t b = bullet_len(r->s, r->n, col);
    if (b) {
        r->ambiguous = r->s[0] == '-' || (r->s[0] >= '0' && r->s[0] <= '9');
        uint32_t fw;
        r->textcol = col + measure(r->s, b, &fw);
        r->s += b;
        r->n -= b;
        r->bullet = true;
    } else {
        r->textcol = col;
        r->heading = heading_mark(&r->s, &r->n, &r->level);
    }
    /* The width is measured later, for the lines that need it. */
}

/* Measures a line's display width once. */
static void
measure_width(struct raw *r)
{
    if (!r->measured) {
        r->width = measure(r->s, r->n, &r->first);
        r->measured = true;
    }
}

static bool
sentence_break(const struct raw *a, const struct raw *b)
{
    char last = a->s[a->n - 1];
    bool ends =
        last == '.' || last == '!' || last == '?' || last == '"' || last == ':';
    uint32_t cp;
    wd_utf8_next(b->s, b->n, &cp);
    return ends && wd_cp_is_upper(cp);
}

/* The wrap width by vote (see the top of the file), 0 for none. */
static uint32_t
wrap_width(struct raw *r, size_t n, uint32_t *votes_at)
{
    uint32_t *counts_at = votes_at + MAX_COL + 1;
    memset(votes_at, 0, 2 * (MAX_COL + 1) * sizeof *votes_at);
    size_t pairs = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        const struct raw *a = &r[i], *b = &r[i + 1];
        if (!a->n || !b->n || b->bullet || b->heading || a->heading)
            continue;
        pairs++;
        /* A sentence's end before a capital is as likely a page of one
         * paragraph a line as a wrap: only pairs cut mid-sentence vote. */
        if (sentence_break(a, b))
            continue;
        uint32_t end = a->textcol + a->width;
        uint32_t hi = end + b->first;
        if (end >= MAX_COL)
            continue;
        if (hi > MAX_COL)
            hi = MAX_COL;
        /* A difference array: +end on [end, hi] (a wrapped line is long:
         * short lines that happen to agree weigh less), and a count. */
        votes_at[end] += end;
        counts_at[end]++;
        if (hi + 1 <= MAX_COL) {
            votes_at[hi + 1] -= end;
            counts_at[hi + 1]--;
        }
    }
    uint32_t best = 0, best_weight = 0, best_votes = 0, run = 0, count = 0;
    for (uint32_t c = 0; c <= MAX_COL; c++) {
        run += votes_at[c];
        count += counts_at[c];
        if (c >= MIN_WRAP && run > best_weight) {
            best_weight = run;
            best_votes = count;
            best = c;
        }
    }
    if (best_votes < 2 || best_votes * 10 < pairs)
        return 0;
    /* The width itself: the longest of the lines that voted for it (the
     * columns past it that tie hold no line). */
    uint32_t w = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        const struct raw *a = &r[i], *b = &r[i + 1];
        if (!a->n || !b->n || b->bullet || b->heading || a->heading ||
            sentence_break(a, b))
            continue;
        uint32_t end = a->textcol + a->width;
        if (end <= best && end + b->first >= best && end > w)
            w = end;
    }
    best = w;
    /* Text wrapped at W has few lines past W (a long address, inline
     * data, a table): a page of one paragraph a line has many. */
    size_t lines = 0, over = 0;
    for (size_t i = 0; i < n; i++) {
        if (!r[i].n)
            continue;
        lines++;
        /* Bytes are never fewer than columns: measure only what may be
         * wider. */
        if (r[i].textcol + r[i].n > best + 2) {
            measure_width(&r[i]);
            over += r[i].textcol + r[i].width > best + 2;
        }
    }
    if (over * 4 > lines)
        return 0;
    return best;
}

/* True when a line is full at wrap width w: the first word of the line
 * after it would not have fit. */
static bool
full(const struct raw *a, const struct raw *b, uint32_t w)
{
    return b && b->n && a->textcol + a->width + b->first + 1 >= w;
}

/* Capitalised words of four letters or more in s[0..n), and all of
 * them, for the test caps * 5 >= words * 4 ("most of them"): the count
 * stops where the rest of the line, all capitalised words of four
 * letters, could not pass it any more (a story's paragraph, read to its
 * end, failed it the same). */
static void
capitalised(const char *s, size_t n, size_t *caps, size_t *words)
{
    *caps = *words = 0;
    for (size_t i = 0; i < n;) {
        while (i < n && s[i] == ' ')
            i++;
        size_t b = i, letters = 0;
        uint32_t first = 0;
        while (i < n && s[i] != ' ') {
            uint32_t cp = (unsigned char)s[i];
            if (cp < 0x80)
                i++;
            else
                i += wd_utf8_next(s + i, n - i, &cp);
            if (wd_cp_is_alpha(cp) && !letters++)
                first = cp;
        }
        if (i > b && letters >= 4) {
            (*words)++;
            *caps += wd_cp_is_upper(first);
            /* Each word still to come takes five bytes at least (four
             * letters and the space before it); passing needs 4 * words
             * - 5 * caps of them, all capitalised. */
            if (4 * *words > 5 * *caps && 4 * *words - 5 * *caps > (n - i) / 5)
                return;
        }
    }
}

/* A headline: a line in title case ("Strategic Alignment Between the
 * South Caucasus and Central Asia") that does not end a sentence. */
static bool
title_case(const struct raw *a)
{
    char last = a->s[a->n - 1];
    if (last == '.' || last == ',' || last == ';')
        return false;
    size_t caps, words;
    capitalised(a->s, a->n, &caps, &words);
    return words >= 3 && caps * 5 >= words * 4;
}

/* Most of the longer words of a line capitalised, or none there. */
static bool
title_like(const struct raw *b)
{
    size_t caps, words;
    capitalised(b->s, b->n, &caps, &words);
    return caps * 5 >= words * 4;
}

/* A line that is a date and nothing else ("20 қараша 2025, 17:25"): a
 * line of its own under a headline, never the rest of a wrapped one. */
static bool
date_line(const struct raw *b)
{
    int64_t ms;
    return b->n <= 48 && b->n >= 6 && b->s[0] != '-' &&
           wd_date_parse(b->s, b->n, 0, &ms, NULL) == 0;
}

/* True when raw line r[j] continues the block whose last line is r[j-1]
 * (first: the block's first line). */
static bool
continues(const struct raw *r, size_t n, size_t j, size_t first, uint32_t wrap)
{
    const struct raw *a = &r[j - 1], *b = &r[j];
    const struct raw *c = j + 1 < n ? &r[j + 1] : NULL;
    if (!wrap || !a->n || !b->n || b->heading || a->heading)
        return false;
    /* "20. Record April 1." after a full line is the sentence going on, not
     * a numbered list; "- the fastest pace" a dash, not a list item. */
    if (b->bullet && !(b->ambiguous && full(a, b, wrap)))
        return false;
    if (b->indent > a->textcol)
        return false; /* an indent opens a paragraph */
    if (!full(a, b, wrap))
        return false;
    uint32_t cp;
    wd_utf8_next(b->raw_s, b->raw_n, &cp);
    bool capital = wd_cp_is_upper(cp);
    /* A headline as long as the width, over its story's first line (a
     * headline's own second line is in title case too). */
    if (j - 1 == first && capital && a->indent <= b->indent && title_case(a) &&
        !title_like(b))
        return false;
    /* A sentence ends at the wrap and a short line that is no sentence
     * follows ("Page 1 of 12"): a line of its own. */
    if (sentence_break(a, b) && !full(b, c, wrap)) {
        char last = b->s[b->n - 1];
        if (last != '.' && last != '!' && last != '?' && last != '"')
            return false;
    }
    /* (Last: a date is parsed only for a line that would join.) */
    return !date_line(b);
}

int
wd_textlines_split(const char *s, size_t n, struct wd_arena *a,
                   struct wd_tline **out, size_t *n_out, uint32_t *wrap)
{
    *out = NULL;
    *n_out = 0;
    *wrap = 0;
    size_t nraw = 1;
    for (size_t i = 0; i < n; i++)
        nraw += s[i] == '\n';
    struct raw *r = wd_arena_alloc(a, nraw * sizeof *r);
    struct wd_tline *t = wd_arena_alloc(a, nraw * sizeof *t);
    uint32_t *votes = wd_arena_alloc(a, 2 * (MAX_COL + 1) * sizeof *votes);
    if (!r || !t || !votes)
        return WD_ENOMEM;
    size_t k = 0;
    for (size_t b = 0; b <= n && k < nraw;) {
        const char *nl = memchr(s + b, '\n', n - b);
        size_t e = nl ? (size_t)(nl - s) : n;
        measure_line(s + b, e - b, &r[k]);
        /* A Setext underline makes the line above a heading. */
        if (k > 0 && r[k].n && !r[k].bullet && underline(r[k].s, r[k].n) &&
            r[k - 1].n && !r[k - 1].bullet && !r[k - 1].heading) {
            r[k - 1].heading = true;
            r[k - 1].level = r[k].s[0] == '=' ? 1 : 2;
            r[k].n = 0;
        }
        k++;
        if (!nl)
            break;
        b = e + 1;
    }
    nraw = k;
    /* "-" and "12." open list items only in a list: alone they are text. */
    for (size_t i = 0; i < nraw; i++) {
        if (!r[i].bullet || !r[i].ambiguous)
            continue;
        bool list =
            (i > 0 && r[i - 1].bullet) || (i + 1 < nraw && r[i + 1].bullet);
        if (!list) {
            r[i].s = r[i].raw_s;
            r[i].n = r[i].raw_n;
            r[i].textcol = r[i].indent;
            r[i].measured = false;
            r[i].bullet = r[i].ambiguous = false;
        }
    }
    /* Only a line next to another can be wrapped or continued: those are
     * measured now, the others (paragraphs between blank lines) not. */
    for (size_t i = 0; i < nraw; i++)
        if (r[i].n && ((i > 0 && r[i - 1].n) || (i + 1 < nraw && r[i + 1].n)))
            measure_width(&r[i]);
    uint32_t w = wrap_width(r, nraw, votes);
    *wrap = w;

    size_t nt = 0;
    for (size_t i = 0; i < nraw;) {
        size_t j = i + 1, bytes = r[i].n;
        while (j < nraw && continues(r, nraw, j, i, w)) {
            /* A list marker taken for one was text after all. */
            if (r[j].bullet) {
                r[j].s = r[j].raw_s;
                r[j].n = r[j].raw_n;
                r[j].bullet = false;
            }
            bytes += 1 + r[j].n;
            j++;
        }
        struct wd_tline *l = &t[nt++];
        memset(l, 0, sizeof *l);
        l->indent = r[i].indent;
        l->raw = (uint32_t)i;
        l->joined = (uint16_t)(j - i > 65535 ? 65535 : j - i);
        l->bullet = r[i].bullet;
        l->heading = r[i].heading;
        l->level = r[i].level;
        if (j == i + 1) {
            l->s = r[i].s;
            l->n = r[i].n;
        } else {
            char *p = wd_arena_alloc(a, bytes + 1);
            if (!p)
                return WD_ENOMEM;
            size_t o = 0;
            for (size_t q = i; q < j; q++) {
                /* "trans-" + "port": a word cut at the wrap is one word. */
                bool cut = o >= 2 && p[o - 1] == '-' && p[o - 2] >= 'a' &&
                           p[o - 2] <= 'z' && r[q].n && r[q].s[0] >= 'a' &&
                           r[q].s[0] <= 'z';
                /* Chinese and Japanese put no space between words: a
                 * wrap between two wide characters is no word break. */
                if (o && r[q].n && wide_at_end(p, o) &&
                    wide_at_start(r[q].s, r[q].n))
                    cut = true;
                if (o && !cut)
                    p[o++] = ' ';
                memcpy(p + o, r[q].s, r[q].n);
                o += r[q].n;
            }
            p[o] = '\0';
            l->s = p;
            l->n = o;
        }
        i = j;
    }
    *out = t;
    *n_out = nt;
    return 0;
}
