/* The text/plain page parser. See include/wd/textpage.h for what it does;
 * this comment says how.
 *
 * 1. Split into blocks (textlines.h), cut renderers' bracketed marks
 *    (textclean.h), trim them, and classify each one from its own shape
 *    (textclass.h): blank, boilerplate, noise, date, prose, short sentence,
 *    headline or short.
 * 2. Group the significant lines into sections: a headline opens a section,
 *    prose lines are its paragraphs, dates and short lines are its metadata.
 * 3. Decide the kind: several sections of exactly one paragraph, teasers cut
 *    with an ellipsis, make a listing; otherwise it is one article whose
 *    title is the headline nearest above the first paragraph and whose body
 *    runs to the last paragraph. What follows the last paragraph (a byline,
 *    a date, navigation words, a counter) is the tail: author and time are
 *    read from it and nothing of it enters the body. The title is chosen
 *    among the headlines above the body (texttitle.h); the body's first
 *    line may open with a wire dateline (dateline.h).
 */
#include "wd/textpage.h"

#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <xxhash.h>

#include "wd/boiler.h"
#include "wd/dateline.h"
#include "wd/date.h"
#include "wd/err.h"
#include "wd/stats.h"
#include "wd/text.h"
#include "wd/textclass.h"
#include "wd/textclean.h"
#include "wd/textlines.h"
#include "wd/texttitle.h"

struct section {
    size_t head;       /* index of the headline, or SIZE_MAX for none */
    size_t first_para; /* index into paras[] */
    size_t n_paras;
    size_t first_meta; /* index into metas[] */
    size_t n_metas;
};

/* Counts how often each trimmed line occurs, in an open-addressing table
 * of hashes sized to the line count. */
static int
count_repeats(struct wd_tcline *lines, size_t n, struct wd_arena *a,
              int *repeats, struct wd_page *out)
{
    size_t cap = 16;
    while (cap < n * 2)
        cap *= 2;
    uint64_t *keys = wd_arena_alloc(a, cap * sizeof *keys);
    int *counts = wd_arena_alloc(a, cap * sizeof *counts);
    size_t *slot_of = wd_arena_alloc(a, (n ? n : 1) * sizeof *slot_of);
    if (!keys || !counts || !slot_of)
        return WD_ENOMEM;
    memset(keys, 0, cap * sizeof *keys);
    memset(counts, 0, cap * sizeof *counts);
    for (size_t i = 0; i < n; i++) {
        if (lines[i].n == 0) {
            slot_of[i] = SIZE_MAX;
            continue;
        }
        uint64_t h = XXH3_64bits(lines[i].s, lines[i].n);
        if (h == 0)
            h = 1;
        lines[i].hash = h;
        size_t j = (size_t)h & (cap - 1);
        while (keys[j] && keys[j] != h)
            j = (j + 1) & (cap - 1);
        keys[j] = h;
        counts[j]++;
        slot_of[i] = j;
    }
    for (size_t i = 0; i < n; i++)
        repeats[i] = slot_of[i] == SIZE_MAX ? 0 : counts[slot_of[i]];
    /* The distinct line hashes, for learning the source's boilerplate. */
    uint64_t *distinct = wd_arena_alloc(a, cap * sizeof *distinct);
    if (!distinct)
        return WD_ENOMEM;
    size_t k = 0;
    for (size_t j = 0; j < cap; j++)
        if (keys[j])
            distinct[k++] = keys[j];
    out->line_hashes = distinct;
    out->n_line_hashes = k;
    return 0;
}

/* What a line adds to the article region around it: text counts for it,
 * the page's frame (menus, lists of links, counters) against it. */
static long
region_weight(const struct wd_tcline *l)
{
    long w = (long)wd_textclass_words(l);
    switch (l->cls) {
    case WD_TC_PROSE:
        return l->bullet ? w / 2 : w;
    case WD_TC_SENT:
        return l->bullet ? 0 : w / 2;
    case WD_TC_HEAD:
        return l->bullet ? -3 : -1;
    case WD_TC_DATE:
        return -1;
    case WD_TC_SHORT:
        return w >= 6 ? -1 : -2 - w / 4;
    case WD_TC_NOISE:
        return -2;
    case WD_TC_BOILER:
        return -4;
    default:
        return 0;
    }
}

/* Lists the text introduces: a short line ending in a colon ("What you
 * will need:", "Ingredients:") and the list items right under it are the
 * article's, however short the items ("Ruler", "Spoon"); a menu has no
 * such lead-in. */
static void
mark_lists(struct wd_tcline *lines, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct wd_tcline *l = &lines[i];
        uint32_t end = l->n ? wd_text_last_cp(l->s, l->n) : 0;
        if (l->bullet || (end != ':' && end != 0xFF1A /* ： */) ||
            l->cls == WD_TC_BOILER || l->cls == WD_TC_NOISE ||
            l->cls == WD_TC_BLANK || wd_textclass_words(l) > 12)
            continue;
        size_t k = i + 1;
        while (k < n && lines[k].cls == WD_TC_BLANK)
            k++;
        if (k >= n || !lines[k].bullet)
            continue;
        lines[i].listed = true;
        for (; k < n && (lines[k].bullet || lines[k].cls == WD_TC_BLANK); k++)
            lines[k].listed = lines[k].bullet && lines[k].cls != WD_TC_BOILER &&
                              lines[k].cls != WD_TC_NOISE;
        i = k - 1;
    }
}

/* The article region: the run of lines whose weights sum highest (the
 * maximum subarray, as body-text extraction does over tags and words).
 * Frame lines cost more the longer they run: a caption or an advert
 * between paragraphs is bridged, a page's furniture between the article
 * and the next block of text (comments, a live feed, related stories) is
 * not. */
static void
best_region(const struct wd_tcline *lines, size_t n, size_t *from, size_t *to)
{
    long best = LONG_MIN, run = 0, gap = 0;
    size_t start = 0;
    *from = *to = 0;
    for (size_t i = 0; i < n; i++) {
        if (run <= 0) {
            run = 0;
            start = i;
        }
        long w = region_weight(&lines[i]);
        if (lines[i].listed && w < 0)
            w = 0; /* a list the text introduces is the text's */
        if (w < 0 &&
            (lines[i].cls == WD_TC_SHORT || lines[i].cls == WD_TC_HEAD))
            w -= gap++ / 2;
        else if (w > 0)
            gap = 0;
        run += w;
        if (run > best) {
            best = run;
            *from = start;
            *to = i;
        }
    }
}

/* True when s[0..n) opens with a gallery's slide counter: "4/50 ",
 * "12 of 24 ". */
static bool
slide_counter(const char *s, size_t n)
{
    size_t i = 0, d1 = 0, d2 = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, d1++;
    if (!d1 || d1 > 3)
        return false;
    if (i < n && s[i] == '/')
        i++;
    else if (i + 4 <= n && memcmp(s + i, " of ", 4) == 0)
        i += 4;
    else
        return false;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, d2++;
    return d2 && d2 <= 3 && (i == n || s[i] == ' ');
}

/* True for a line of the region that belongs in the body: text, list
 * items that read as text, and sub-headings followed by text. */
static bool
in_body(const struct wd_tcline *lines, size_t i, size_t to)
{
    const struct wd_tcline *l = &lines[i];
    if (l->cls == WD_TC_PROSE || l->cls == WD_TC_SENT || l->listed)
        return true;
    if (l->bullet && l->cls != WD_TC_BOILER && l->cls != WD_TC_NOISE &&
        wd_textclass_words(l) >= 5)
        return true;
    if (l->cls != WD_TC_HEAD)
        return false;
    for (size_t k = i + 1; k <= to; k++) {
        if (lines[k].cls == WD_TC_PROSE || lines[k].cls == WD_TC_SENT)
            return true;
        if (lines[k].cls == WD_TC_HEAD)
            return false;
    }
    return false;
}

/* The highest date line among the three non-blank lines above line i
 * (blank lines between them aside), or SIZE_MAX. */
static size_t
date_above(const struct wd_tcline *lines, size_t i)
{
    size_t p = i;
    for (size_t seen = 0; p > 0 && seen < 3;)
        seen += lines[--p].cls != WD_TC_BLANK;
    for (; p < i; p++)
        if (lines[p].cls == WD_TC_DATE)
            return p;
    return SIZE_MAX;
}

/* Byline and date: looked for between the title and the body, then just
 * after the body (the trailer of a wire story or a blog post). */
#define META_AFTER 12
static void
find_meta(const struct wd_tcline *lines, size_t n, size_t title, size_t from,
          size_t to, struct wd_arena *a, struct wd_item *it)
{
    size_t lo = title != SIZE_MAX && title < from ? title + 1 : from;
    size_t ranges[2][2] = {{lo, from + 3 < to ? from + 3 : to},
                           {to + 1, to + 1 + META_AFTER}};
    for (int r = 0; r < 2; r++) {
        for (size_t i = ranges[r][0]; i <= ranges[r][1] && i < n; i++) {
            const struct wd_tcline *l = &lines[i];
            if (l->cls == WD_TC_DATE && !it->published_at_ms)
                it->published_at_ms = l->date_ms;
            if ((l->cls == WD_TC_SHORT || l->cls == WD_TC_HEAD) &&
                !it->author) {
                size_t nl = 0;
                const char *name = wd_textclass_byline(l, &nl);
                /* Only a marked byline ("By ...") in the body's own lines. */
                if (name && (l->n > nl || r == 1 || i < from))
                    it->author = wd_arena_strndup(a, name, nl);
            }
        }
    }
    /* Else a date just above the headline ("Nov 7, 2023 2:00 AM"). */
    size_t d =
        date_above(lines, title != SIZE_MAX && title < from ? title : lo);
    if (!it->published_at_ms && d != SIZE_MAX)
        it->published_at_ms = lines[d].date_ms;
}

/* The dateline of the first of lines[from..to] that holds text. */
static const char *
find_dateline(const struct wd_tcline *lines, size_t from, size_t to,
              struct wd_arena *a)
{
    for (size_t i = from; i <= to; i++) {
        if (lines[i].cls == WD_TC_BLANK || lines[i].cls == WD_TC_BOILER)
            continue;
        size_t k = wd_dateline_find(lines[i].s, lines[i].n);
        return k ? wd_arena_strndup(a, lines[i].s, k) : NULL;
    }
    return NULL;
}

/* A page without a paragraph may still be news: a wire brief of one short
 * line ("Qtly div 12 cts vs 12 cts prior"), a table of figures ("Shr 66
 * cts vs 18 cts" / "Net 1.2 mln vs 900,000"). Its title is the first
 * headline; its body everything after it but the frame, when that holds a
 * few words. A bare menu has no headline followed by text; an error page
 * is titled with its status ("404 Not Found"). */
#define BRIEF_MIN_WORDS 4
static int
brief(const struct wd_tcline *lines, size_t nlines, size_t n,
      struct wd_arena *a, struct wd_page *out)
{
    size_t title = SIZE_MAX;
    for (size_t i = 0; i < nlines && title == SIZE_MAX; i++)
        if (lines[i].cls == WD_TC_HEAD && lines[i].st.alpha_words >= 2)
            title = i;
    out->empty = WD_EMPTY_NO_TEXT;
    if (title == SIZE_MAX)
        return 0;
    const struct wd_tcline *t = &lines[title];
    if (t->n >= 4 && (t->s[0] == '4' || t->s[0] == '5') && t->s[1] >= '0' &&
        t->s[1] <= '9' && t->s[2] >= '0' && t->s[2] <= '9' && t->s[3] == ' ') {
        out->empty = WD_EMPTY_ERROR_PAGE; /* "404 Not Found" */
        return 0;
    }
    struct wd_outbuf o = {wd_arena_alloc(a, n + 2 * nlines + 1), 0,
                          n + 2 * nlines};
    if (!o.p)
        return WD_ENOMEM;
    size_t words = 0;
    bool blank = false;
    for (size_t i = title + 1; i < nlines; i++) {
        const struct wd_tcline *l = &lines[i];
        if (l->cls == WD_TC_BLANK) {
            blank = true;
            continue;
        }
        if (l->cls == WD_TC_BOILER)
            continue;
        if (o.len) {
            o.p[o.len++] = '\n';
            if (blank)
                o.p[o.len++] = '\n';
        }
        blank = false;
        wd_textclean_put(&o, l->s, l->n);
        words += l->st.words;
    }
    o.p[o.len] = '\0';
    wd_arena_shrink(a, o.p, o.len + 1);
    if (words < BRIEF_MIN_WORDS)
        return 0;
    out->empty = WD_EMPTY_NONE;
    out->kind = WD_PAGE_ARTICLE;
    out->items = wd_arena_alloc(a, sizeof *out->items);
    if (!out->items)
        return WD_ENOMEM;
    struct wd_item *it = &out->items[0];
    memset(it, 0, sizeof *it);
    it->full = true;
    it->body = o.p;
    it->title = wd_textclean_copy(a, t->s, t->n);
    if (!it->title)
        return WD_ENOMEM;
    find_meta(lines, nlines, title, title + 1, nlines - 1, a, it);
    it->dateline = find_dateline(lines, title + 1, nlines - 1, a);
    out->n_items = 1;
    return 0;
}

/* True for the header of a comment thread ("13 Comments", "Leave a
 * Reply", "There are 5 comments", "Comentarios (12)", "7 Responses to"):
 * a short line of a comment word and only filler words or numbers around
 * it (a sharing bar, "Share Tweet Comment", is not one). */
static bool
comment_header(const struct wd_tcline *l)
{
    static const char *const stems[] = {"comment",  "komment",  "comentar",
                                        "commenti", "komentar", "reactie"};
    static const char *const filler[] = {
        "there",      "are",  "is",     "leave",     "a",       "an",
        "post",       "add",  "your",   "show",      "view",    "all",
        "read",       "no",   "yet",    "reply",     "join",    "the",
        "discussion", "de",   "los",    "les",       "des",     "be",
        "first",      "to",   "on",     "responses", "replies", "thoughts",
        "one",        "user", "reader", "readers"};
    if (l->cls == WD_TC_PROSE || l->cls == WD_TC_SENT || l->bullet ||
        l->n > 80 || (l->n && (l->s[l->n - 1] == ':' || l->s[l->n - 1] == ']')))
        return false;
    bool stem_seen = false, number = false, thread = false;
    size_t words = 0;
    for (size_t i = 0; i < l->n;) {
        while (i < l->n &&
               !((l->s[i] | 0x20) >= 'a' && (l->s[i] | 0x20) <= 'z') &&
               !(l->s[i] >= '0' && l->s[i] <= '9') &&
               (unsigned char)l->s[i] < 0x80) {
            if (strchr("|/.", l->s[i]))
                return false;
            i++;
        }
        size_t k = i;
        while (k < l->n && l->s[k] != ' ' && l->s[k] != '(' && l->s[k] != ')' &&
               l->s[k] != ':')
            k++;
        if (k == i)
            break;
        if (++words > 6)
            return false;
        char w[16];
        size_t wl = k - i < sizeof w - 1 ? k - i : sizeof w - 1;
        for (size_t j = 0; j < wl; j++)
            w[j] = (char)((l->s[i + j] >= 'A' && l->s[i + j] <= 'Z')
                              ? l->s[i + j] | 0x20
                              : l->s[i + j]);
        w[wl] = 0;
        bool ok = false;
        if (w[0] >= '0' && w[0] <= '9')
            ok = number = true;
        for (size_t j = 0; !ok && j < sizeof stems / sizeof *stems; j++)
            if (strncmp(w, stems[j], strlen(stems[j])) == 0)
                ok = stem_seen = true;
        for (size_t j = 0; !ok && j < sizeof filler / sizeof *filler; j++)
            ok = strcmp(w, filler[j]) == 0;
        thread |= strcmp(w, "responses") == 0 || strcmp(w, "thoughts") == 0;
        if (!ok)
            return false;
        i = k;
    }
    return stem_seen || (number && thread && words >= 2 && words <= 4);
}

/* True when line i reads as a story's headline: a headline of four words
 * or more with a date or byline under it, then the story's text, as
 * deep as the headline or deeper (not a teaser list: headline, date,
 * headline, date ..., nor a list item's headline). */
static bool
story_head(const struct wd_tcline *lines, size_t to, size_t i)
{
    const struct wd_tcline *h = &lines[i];
    if (h->cls != WD_TC_HEAD || h->bullet || wd_textclass_words(h) < 4 ||
        !wd_textclass_meta_follows(lines, to + 1, i))
        return false;
    if (date_above(lines, i) != SIZE_MAX) /* the previous teaser's */
        return false;
    size_t heads = 0, metas = 0;
    for (size_t k = i + 1; k <= to; k++) {
        switch (lines[k].cls) {
        case WD_TC_PROSE:
            return lines[k].indent >= h->indent && heads <= 1 && metas <= 3;
        case WD_TC_HEAD:
            heads++;
            break;
        case WD_TC_DATE:
        case WD_TC_SHORT:
        case WD_TC_SENT:
            metas++;
            break;
        default:
            break;
        }
    }
    return false;
}

/* One article: the best region's text under the title above it. */
static int
article(const struct wd_tcline *lines, size_t nlines, size_t n, const char *url,
        struct wd_arena *a, struct wd_page *out)
{
    size_t from, to;
    /* A comment thread below the article is not part of it, however long
     * it runs: the region ends at its header when text came before. */
    size_t upto = nlines, prose = 0;
    for (size_t i = 0; i < nlines && upto == nlines; i++) {
        if (lines[i].cls == WD_TC_PROSE)
            prose++;
        else if (prose >= 2 && comment_header(&lines[i]))
            upto = i;
    }
    best_region(lines, upto, &from, &to);
    /* A story's headline inside the region, with its date or byline under
     * it, starts the story: the text above it (a consent notice, a sign-in
     * box, a teaser) is the page's, when it is less than what follows. */
    size_t words_total = 0;
    for (size_t i = from; i <= to; i++)
        words_total +=
            lines[i].cls == WD_TC_PROSE ? wd_textclass_words(&lines[i]) : 0;
    for (size_t i = from, before = 0; i <= to && 2 * before < words_total;
         i++) {
        if (before && story_head(lines, to, i)) {
            from = i;
            break;
        }
        if (lines[i].cls == WD_TC_PROSE)
            before += wd_textclass_words(&lines[i]);
    }
    out->kind = WD_PAGE_ARTICLE;
    out->items = wd_arena_alloc(a, sizeof *out->items);
    struct wd_outbuf o = {wd_arena_alloc(a, n + 2 * nlines + 1), 0,
                          n + 2 * nlines};
    if (!out->items || !o.p)
        return WD_ENOMEM;
    struct wd_item *it = &out->items[0];
    memset(it, 0, sizeof *it);
    it->full = true;
    /* The body's words first, for the title's score: the paragraphs only. */
    size_t title = SIZE_MAX;
    struct wd_wordset slug;
    wd_texttitle_slug(url, a, &slug);
    for (int pass = 0; pass < 2; pass++) {
        o.len = 0;
        bool slide = false;
        for (size_t i = from; i <= to; i++) {
            /* A gallery's slide ("4/50 Caption title", then one paragraph
             * of caption) inside the story is not the story. */
            bool counter = false;
            if (lines[i].cls == WD_TC_HEAD || lines[i].cls == WD_TC_SHORT)
                slide = counter = slide_counter(lines[i].s, lines[i].n);
            bool caption = slide && lines[i].cls == WD_TC_PROSE;
            if (caption)
                slide = false;
            if (counter || caption || i == title || !in_body(lines, i, to) ||
                (pass == 0 && lines[i].cls != WD_TC_PROSE))
                continue;
            size_t len = lines[i].n;
            if (lines[i].ellipsis && i == to)
                len -= wd_textclass_ellipsis(lines[i].s, lines[i].n);
            if (o.len)
                o.p[o.len++] = '\n', o.p[o.len++] = '\n';
            wd_textclean_put(&o, lines[i].s, len);
        }
        o.p[o.len] = '\0';
        if (pass == 0)
            title = wd_texttitle_find(lines, from, to, o.p, &slug, a);
    }
    it->body = o.p;
    it->truncated = lines[to].ellipsis;
    it->title = title == SIZE_MAX
                    ? ""
                    : wd_textclean_copy(a, lines[title].s, lines[title].n);
    if (!it->title)
        return WD_ENOMEM;
    find_meta(lines, nlines, title, from, to, a, it);
    it->dateline = find_dateline(
        lines, title != SIZE_MAX && title < from ? title + 1 : from, to, a);
    out->n_items = 1;
    return 0;
}

int
wd_textpage_parse(const char *s, size_t n, int64_t fetched_at_ms,
                  const char *url, const struct wd_boiler *boiler,
                  uint32_t slot, struct wd_arena *a, struct wd_page *out)
{
    memset(out, 0, sizeof *out);

    /* Blocks: hard wraps joined, list markers and heading marks taken off
     * (textlines.h). */
    struct wd_tline *tl;
    size_t nlines;
    uint32_t wrap;
    int trc = wd_textlines_split(s, n, a, &tl, &nlines, &wrap);
    if (trc)
        return trc;
    if (nlines == 0)
        return 0;
    struct wd_tcline *lines = wd_arena_alloc(a, nlines * sizeof *lines);
    int *repeats = wd_arena_alloc(a, nlines * sizeof *repeats);
    if (!lines || !repeats)
        return WD_ENOMEM;
    for (size_t i = 0; i < nlines; i++) {
        memset(&lines[i], 0, sizeof lines[i]);
        size_t len = tl[i].n;
        const char *ls = tl[i].s;
        if (memchr(ls, '[', len)) {
            ls = wd_textclean_strip_marks(a, ls, &len);
            if (!ls)
                return WD_ENOMEM;
        }
        lines[i].s = wd_text_strip(ls, &len);
        lines[i].n = len;
        lines[i].bullet = tl[i].bullet;
        lines[i].heading = tl[i].heading;
        lines[i].level = tl[i].level;
        lines[i].indent = tl[i].indent;
        wd_text_stats(lines[i].s, lines[i].n, &lines[i].st);
    }
    int rc = count_repeats(lines, nlines, a, repeats, out);
    if (rc)
        return rc;
    for (size_t i = 0; i < nlines; i++) {
        wd_textclass_classify(&lines[i], repeats[i], fetched_at_ms);
        /* A headline a page prints two to four times (a breadcrumb, a
         * share box or a "most read" box besides the story's own heading)
         * stays a title candidate. */
        if (repeats[i] <= 4 && lines[i].cls == WD_TC_BOILER &&
            wd_textclass_words(&lines[i]) >= 4) {
            struct wd_tcline probe = lines[i];
            wd_textclass_classify(&probe, 1, fetched_at_ms);
            lines[i].twice_head = probe.cls == WD_TC_HEAD;
        }
        /* What the source repeats on most of its pages is its frame. */
        if (boiler && lines[i].cls != WD_TC_BLANK &&
            wd_boiler_is(boiler, slot, lines[i].hash))
            lines[i].cls = WD_TC_BOILER;
    }

    mark_lists(lines, nlines);

    /* Sections: a headline opens one; prose lines are its paragraphs; dates
     * and short lines are its metadata. Section 0 is the preamble before the
     * first headline. */
    size_t max_sections = nlines + 1;
    struct section *secs = wd_arena_alloc(a, max_sections * sizeof *secs);
    size_t *paras = wd_arena_alloc(a, nlines * sizeof *paras);
    size_t *metas = wd_arena_alloc(a, nlines * sizeof *metas);
    if (!secs || !paras || !metas)
        return WD_ENOMEM;
    size_t nsec = 1, npara = 0, nmeta = 0;
    secs[0] = (struct section){SIZE_MAX, 0, 0, 0, 0};
    for (size_t i = 0; i < nlines; i++) {
        struct section *cur = &secs[nsec - 1];
        switch (lines[i].cls) {
        case WD_TC_HEAD:
            secs[nsec++] = (struct section){i, npara, 0, nmeta, 0};
            break;
        case WD_TC_PROSE:
            paras[npara++] = i;
            cur->n_paras++;
            break;
        case WD_TC_SENT:
            /* Under a headline and its date, before any paragraph, a
             * sentence is the story's first paragraph (a teaser in a
             * language of long words is one short sentence). */
            if (cur->head != SIZE_MAX && cur->n_paras == 0 &&
                cur->n_metas > 0 && lines[metas[nmeta - 1]].cls == WD_TC_DATE) {
                paras[npara++] = i;
                cur->n_paras++;
                break;
            }
            /* fall through */
        case WD_TC_DATE:
        case WD_TC_SHORT:
            metas[nmeta++] = i;
            cur->n_metas++;
            break;
        default:
            break; /* blank, boilerplate and noise carry nothing */
        }
    }

    /* The kind, from the shape of the sections. */
    size_t single = 0, multi = 0, cut = 0, with_paras = 0, with_metas = 0;
    size_t last = SIZE_MAX;
    for (size_t j = 0; j < nsec; j++) {
        if (secs[j].n_paras == 0)
            continue;
        last = j;
        if (secs[j].head == SIZE_MAX)
            continue;
        with_paras++;
        with_metas += secs[j].n_metas > 0;
        if (secs[j].n_paras == 1)
            single++;
        else
            multi++;
        if (lines[paras[secs[j].first_para + secs[j].n_paras - 1]].ellipsis)
            cut++;
    }
    if (last == SIZE_MAX)
        return brief(lines, nlines, n, a, out);
    /* Sections of one paragraph each make a listing, unless only the last
     * one carries metadata: then that is an article's tail (byline, date)
     * after sub-headed paragraphs. */
    bool tail_only = with_metas == 1 && secs[last].n_metas > 0;
    /* An article with sub-headed paragraphs may quote a cut line or two;
     * a listing is made of them. */
    bool listing = (cut >= 2 && cut * 2 >= with_paras) ||
                   (cut >= 1 && single >= 2 && multi == 0) ||
                   (single >= 3 && multi == 0 && !tail_only);

    if (!listing)
        return article(lines, nlines, n, url, a, out);
    out->kind = WD_PAGE_LISTING;
    out->items = wd_arena_alloc(a, with_paras * sizeof *out->items);
    if (!out->items)
        return WD_ENOMEM;

    /* Upper bound of a body: every byte of the page plus separators. */
    size_t body_cap = n + 2 * npara + 2 * nsec + 1;
    size_t first = SIZE_MAX;
    for (size_t j = 0; j < nsec; j++) {
        if (secs[j].n_paras == 0)
            continue;
        if (!listing && first != SIZE_MAX)
            continue;
        if (listing && secs[j].head == SIZE_MAX)
            continue; /* prose before any headline is not a teaser */
        if (first == SIZE_MAX)
            first = j;

        struct wd_item *it = &out->items[out->n_items];
        memset(it, 0, sizeof *it);
        it->full = !listing;

        /* The body: this section's paragraphs, and for an article every
         * later section's headline and paragraphs up to the last paragraph
         * of the page. */
        struct wd_outbuf o = {wd_arena_alloc(a, body_cap + 1), 0, body_cap};
        if (!o.p)
            return WD_ENOMEM;
        size_t j_end = listing ? j : last;
        bool is_cut = false;
        for (size_t jj = j; jj <= j_end; jj++) {
            const struct section *sc = &secs[jj];
            if (jj != j && sc->head != SIZE_MAX && sc->n_paras > 0) {
                if (o.len)
                    o.p[o.len++] = '\n', o.p[o.len++] = '\n';
                wd_textclean_put(&o, lines[sc->head].s, lines[sc->head].n);
            }
            for (size_t p = 0; p < sc->n_paras; p++) {
                const struct wd_tcline *pl = &lines[paras[sc->first_para + p]];
                size_t plen = pl->n;
                is_cut = pl->ellipsis;
                if (is_cut)
                    plen -= wd_textclass_ellipsis(pl->s, pl->n);
                if (o.len)
                    o.p[o.len++] = '\n', o.p[o.len++] = '\n';
                wd_textclean_put(&o, pl->s, plen);
            }
        }
        o.p[o.len] = '\0';
        wd_arena_shrink(a, o.p, o.len + 1);
        it->body = o.p;
        it->truncated = is_cut;

        if (secs[j].head != SIZE_MAX) {
            const struct wd_tcline *h = &lines[secs[j].head];
            it->title = wd_textclean_copy(a, h->s, h->n);
        } else {
            /* No headline above the text: the last short line before it,
             * else nothing (the caller decides what an untitled story is). */
            for (size_t m = 0; m < secs[j].n_metas; m++) {
                const struct wd_tcline *ml =
                    &lines[metas[secs[j].first_meta + m]];
                if (ml->cls == WD_TC_SHORT && ml->st.alpha_words >= 2)
                    it->title = wd_textclean_copy(a, ml->s, ml->n);
            }
            if (!it->title)
                it->title = "";
        }
        if (!it->title)
            return WD_ENOMEM;

        /* Metadata: this section's own lines, and for an article the tail
         * after the last paragraph (sections without paragraphs). */
        size_t meta_from = j, meta_to = listing ? j : nsec - 1;
        for (size_t jj = meta_from; jj <= meta_to; jj++) {
            const struct section *sc = &secs[jj];
            if (jj > j && sc->n_paras > 0 && jj != last)
                continue; /* metadata inside the body is not the byline */
            if (jj > last && sc->head != SIZE_MAX && !it->author) {
                size_t nl = 0;
                const char *name = wd_textclass_byline(&lines[sc->head], &nl);
                if (name)
                    it->author = wd_arena_strndup(a, name, nl);
            }
            for (size_t m = 0; m < sc->n_metas; m++) {
                const struct wd_tcline *ml = &lines[metas[sc->first_meta + m]];
                if (ml->cls == WD_TC_DATE && !it->published_at_ms)
                    it->published_at_ms = ml->date_ms;
                if (ml->cls == WD_TC_SHORT && !it->author) {
                    size_t nl = 0;
                    const char *name = wd_textclass_byline(ml, &nl);
                    if (name)
                        it->author = wd_arena_strndup(a, name, nl);
                }
            }
        }
        out->n_items++;
    }
    return 0;
}
