/* The text/plain page parser. See include/wd/textpage.h for what it does;
 * this comment says how.
 *
 * 1. Split into lines, trim them, and classify each one from its own shape:
 *    blank, boilerplate (a short line repeated on the page: tickers, menus),
 *    noise (mostly digits and symbols, or more numbers than words:
 *    "KGS/USD = 0.01 0%", "Viewing results 1 - 6 of 16", view counts), a
 *    date, prose (a long sentence-like line), a headline (a short line that
 *    starts upper case and does not end like a sentence), or short (the
 *    rest: "Home", "Read more").
 * 2. Group the significant lines into sections: a headline opens a section,
 *    prose lines are its paragraphs, dates and short lines are its metadata.
 * 3. Decide the kind: several sections of exactly one paragraph, teasers cut
 *    with an ellipsis, make a listing; otherwise it is one article whose
 *    title is the headline nearest above the first paragraph and whose body
 *    runs to the last paragraph. What follows the last paragraph (a byline,
 *    a date, navigation words, a counter) is the tail: author and time are
 *    read from it and nothing of it enters the body.
 */
#include "wd/textpage.h"

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <unicase.h>
#include <xxhash.h>

#include "wd/boiler.h"
#include "wd/date.h"
#include "wd/err.h"
#include "wd/stats.h"
#include "wd/text.h"
#include "wd/textlines.h"

enum line_class {
    L_BLANK,
    L_BOILER,
    L_NOISE,
    L_DATE,
    L_SHORT,
    L_SENT, /* a short sentence: "He declined to comment." */
    L_HEAD,
    L_PROSE,
};

struct line {
    const char *s;
    size_t n;
    enum line_class cls;
    bool ellipsis; /* ends with "..." or "…": the site cut the text */
    int64_t date_ms;
    uint64_t hash;
    bool bullet;     /* a list item */
    bool heading;    /* marked as a heading by the page itself */
    bool twice_head; /* a headline printed 2-4 times (then L_BOILER) */
    bool listed;     /* a list's lead-in ("You will need:") or its item */
    uint8_t level;   /* its level, 1 to 6 */
    uint32_t indent; /* columns before its text */
    struct wd_text_stats st;
};

struct section {
    size_t head;       /* index of the headline, or SIZE_MAX for none */
    size_t first_para; /* index into paras[] */
    size_t n_paras;
    size_t first_meta; /* index into metas[] */
    size_t n_metas;
};

/* Words a prose line needs; a shorter line is prose only when it is a cut
 * teaser of at least ELLIPSIS_PROSE_WORDS. */
#define PROSE_WORDS 15
#define PROSE_WORDS_ANY_END 25
#define ELLIPSIS_PROSE_WORDS 6
#define HEAD_MAX_WORDS 30
#define SENT_WORDS 3
#define BOILER_MAX_WORDS 20

static bool
is_space_cp(uint32_t cp)
{
    return wd_cp_is_space(cp) || cp == 0xFEFF || cp == 0x200B;
}

/* Trims Unicode white space at both ends of s[0..*n). */
static const char *
trim(const char *s, size_t *n)
{
    size_t b = 0, e = *n;
    while (b < e) {
        uint32_t cp;
        size_t len = wd_utf8_next(s + b, e - b, &cp);
        if (!is_space_cp(cp))
            break;
        b += len;
    }
    while (e > b) {
        /* Step back to the start of the last code point. */
        size_t p = e - 1;
        while (p > b && ((unsigned char)s[p] & 0xC0) == 0x80)
            p--;
        uint32_t cp;
        wd_utf8_next(s + p, e - p, &cp);
        if (!is_space_cp(cp))
            break;
        e = p;
    }
    *n = e - b;
    return s + b;
}

/* The last code point of s[0..n), n > 0. */
static uint32_t
last_cp(const char *s, size_t n)
{
    size_t p = n - 1;
    while (p > 0 && ((unsigned char)s[p] & 0xC0) == 0x80)
        p--;
    uint32_t cp;
    wd_utf8_next(s + p, n - p, &cp);
    return cp;
}

/* Length of a trailing ellipsis ("...", "…", "[...]", "[…]") or 0. */
static size_t
ellipsis_len(const char *s, size_t n)
{
    static const char *const forms[] = {"[...]", "[\xE2\x80\xA6]", "...",
                                        "\xE2\x80\xA6"};
    return wd_text_ends_any(s, n, forms, sizeof forms / sizeof forms[0]);
}

static bool
ends_like_sentence(const char *s, size_t n)
{
    uint32_t cp = last_cp(s, n);
    return cp == '.' || cp == '!' || cp == '?' || cp == '"' || cp == ')' ||
           cp == 0x201D || cp == 0x2019 || cp == 0x2026 || cp == ']' ||
           cp == ';' || cp == ':' ||
           /* 。！？）」』． (CJK), ۔ (Urdu), । (Devanagari), ။ (Burmese) */
           cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F || cp == 0xFF09 ||
           cp == 0x300D || cp == 0x300F || cp == 0xFF0E || cp == 0x06D4 ||
           cp == 0x0964 || cp == 0x104B;
}

/* Strips "By", "Author:", "Written by" from a byline; returns the name or
 * NULL when the line does not look like a person's name: 2 to 5 words, all
 * of letters, each starting upper case. */
static const char *
byline_name(const struct line *l, size_t *name_len)
{
    static const char *const prefixes[] = {"written by ", "by ",
                                           "author: ", "author "};
    const char *s = l->s;
    size_t n = l->n;
    bool prefixed = false;
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t k = strlen(prefixes[i]);
        if (n > k && strncasecmp(s, prefixes[i], k) == 0) {
            s += k;
            n -= k;
            prefixed = true;
            break;
        }
    }
    s = trim(s, &n);
    if (n == 0 || n > 80)
        return NULL;
    struct wd_text_stats st;
    wd_text_stats(s, n, &st);
    if (st.num_words > 0 || st.alpha_words < (prefixed ? 1u : 2u) ||
        st.words > 5 || st.letters < 4)
        return NULL;
    /* Each word upper case first: "Irina Khalturina", not "read more". */
    bool at_word_start = true;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = wd_utf8_next(s + i, n - i, &cp);
        if (wd_cp_is_alpha(cp)) {
            if (at_word_start) {
                struct wd_text_stats one;
                wd_text_stats(s + i, len, &one);
                if (!one.first_upper)
                    return NULL;
            }
            at_word_start = false;
        } else if (cp == ' ' || cp == '-') {
            at_word_start = cp == ' ';
        } else if (cp != '.' && cp != '\'' && cp != 0x2019) {
            return NULL; /* "Home | Contact", "Share:" */
        }
        i += len;
    }
    *name_len = n;
    return s;
}

/* Words of a line; in a script written without spaces (Chinese,
 * Japanese, Thai) one word per three letters. */
static size_t
line_words(const struct line *l)
{
    const struct wd_text_stats *st = &l->st;
    if (st->letters > 12 * st->words)
        return st->letters / 3;
    return st->words;
}

/* True when the first letter is upper case or of a script without case. */
static bool
starts_upper(const struct line *l)
{
    if (l->st.first_upper)
        return true;
    for (size_t i = 0; i < l->n;) {
        uint32_t cp;
        i += wd_utf8_next(l->s + i, l->n - i, &cp);
        if (wd_cp_is_alpha(cp))
            return uc_tolower(cp) == cp && uc_toupper(cp) == cp;
    }
    return false;
}

/* The longest run of ASCII without a space: an address, inline data
 * (scripts written without spaces do not count). */
static size_t
long_token(const char *s, size_t n)
{
    size_t best = 0, run = 0;
    for (size_t i = 0; i < n; i++) {
        run = s[i] == ' ' || (unsigned char)s[i] >= 0x80 ? 0 : run + 1;
        if (run > best)
            best = run;
    }
    return best >= 40 ? best : 0;
}

static void
classify(struct line *l, int repeats, int64_t now_ms)
{
    const struct wd_text_stats *st = &l->st;
    if (l->n == 0) {
        l->cls = L_BLANK;
        return;
    }
    if (repeats > 1 && line_words(l) <= BOILER_MAX_WORDS) {
        l->cls = L_BOILER;
        return;
    }
    if (st->words <= 12 &&
        wd_date_parse(l->s, l->n, now_ms, &l->date_ms, NULL) == 0) {
        l->cls = L_DATE;
        return;
    }
    /* A live feed's entries: list items that open with a clock time
     * ("14:44 Title of the update"). */
    if (l->bullet && l->n >= 5 && l->s[0] >= '0' && l->s[0] <= '2' &&
        ((l->s[1] == ':' && l->s[2] >= '0' && l->s[2] <= '5') ||
         (l->s[1] >= '0' && l->s[1] <= '9' && l->s[2] == ':' &&
          l->s[3] >= '0' && l->s[3] <= '5'))) {
        l->cls = L_NOISE;
        return;
    }
    /* Tickers, counters and pagination: more digits and symbols than
     * letters, or at least as many bare numbers as words. */
    if (st->alpha_words == 0 || st->letters < st->digits + st->other ||
        st->other * 4 > st->letters || /* markup debris, addresses */
        /* (long words on average first: a cheap test before a scan) */
        (st->words * 8 < l->n && long_token(l->s, l->n) * 5 > l->n * 2) ||
        (st->num_words >= 2 && st->num_words >= st->alpha_words &&
         st->words <= 12)) {
        l->cls = L_NOISE;
        return;
    }
    /* "By Maria Lopez" is metadata, though it is shaped like a headline. */
    size_t name_len;
    if (st->words <= 6 && (l->s[0] == 'B' || l->s[0] == 'b') &&
        byline_name(l, &name_len) && l->n > name_len) {
        l->cls = L_SHORT;
        return;
    }
    l->ellipsis = ellipsis_len(l->s, l->n) > 0;
    size_t words = line_words(l);
    bool sentence = ends_like_sentence(l->s, l->n);
    if (l->heading && words <= HEAD_MAX_WORDS) {
        l->cls = L_HEAD; /* marked so by the page */
        return;
    }
    if ((words >= PROSE_WORDS && sentence) || words >= PROSE_WORDS_ANY_END ||
        (l->ellipsis && words >= ELLIPSIS_PROSE_WORDS)) {
        l->cls = L_PROSE;
        return;
    }
    bool upper = starts_upper(l);
    uint32_t end = last_cp(l->s, l->n);
    if (!l->bullet && (st->alpha_words >= 2 || words >= 3) &&
        words <= HEAD_MAX_WORDS && upper && end != '.' && end != ',' &&
        end != ';' && end != ':' && end != 0x3002 /* 。 */ &&
        end != 0xFF0C /* ， */) {
        l->cls = L_HEAD;
        return;
    }
    l->cls = sentence && upper && end != ':' && words >= SENT_WORDS ? L_SENT
                                                                    : L_SHORT;
}

/* Counts how often each trimmed line occurs, in an open-addressing table
 * of hashes sized to the line count. */
static int
count_repeats(struct line *lines, size_t n, struct wd_arena *a, int *repeats,
              struct wd_page *out)
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

/* Appends s[0..n) to the output buffer with runs of white space collapsed
 * to one space and bracketed shortcodes ("[caption id=...]", "[/caption]")
 * removed: markup of content systems, not text. */
struct outbuf {
    char *p;
    size_t len, cap;
};

static size_t
shortcode_len(const char *s, size_t n)
{
    size_t i = 1;
    if (n < 3 || s[0] != '[')
        return 0;
    if (s[i] == '/')
        i++;
    size_t name = i;
    while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
        i++;
    if (i == name || i - name > 20 || i >= n || (s[i] != ']' && s[i] != ' '))
        return 0;
    while (i < n && i < 400 && s[i] != ']' && s[i] != '[')
        i++;
    return i < n && s[i] == ']' ? i + 1 : 0;
}

static bool ascii_space[128], plain[256]; /* plain: ASCII, no space, no [ */
static pthread_once_t out_once = PTHREAD_ONCE_INIT;

static void
out_init(void)
{
    for (uint32_t c = 0; c < 128; c++) {
        ascii_space[c] = is_space_cp(c);
        plain[c] = !ascii_space[c] && c != '[';
    }
}

static void
out_text(struct outbuf *o, const char *s, size_t n)
{
    /* ASCII, most of every page, takes a table instead of a decode and a
     * Unicode class look-up; the answers are is_space_cp()'s. */
    pthread_once(&out_once, out_init);
    bool space = o->len > 0 && o->p[o->len - 1] != '\n' ? false : true;
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80 && c != '[') {
            if (ascii_space[c]) {
                if (!space && o->len < o->cap)
                    o->p[o->len++] = ' ';
                space = true;
                i++;
                continue;
            }
            /* A run of ASCII that is neither space nor a bracket goes in
             * one copy. */
            size_t j = i + 1;
            while (j < n && plain[(unsigned char)s[j]])
                j++;
            size_t k = j - i;
            if (k > o->cap - o->len)
                k = o->cap - o->len;
            memcpy(o->p + o->len, s + i, k);
            o->len += k;
            space = false;
            i = j;
            continue;
        }
        size_t sc = s[i] == '[' ? shortcode_len(s + i, n - i) : 0;
        if (sc) {
            i += sc;
            if (!space && o->len < o->cap)
                o->p[o->len++] = ' ', space = true;
            continue;
        }
        uint32_t cp;
        size_t len = wd_utf8_next(s + i, n - i, &cp);
        if (is_space_cp(cp)) {
            if (!space && o->len < o->cap)
                o->p[o->len++] = ' ';
            space = true;
        } else if (o->len + len <= o->cap) {
            memcpy(o->p + o->len, s + i, len);
            o->len += len;
            space = false;
        }
        i += len;
    }
    while (o->len > 0 && o->p[o->len - 1] == ' ')
        o->len--;
}

static const char *
clean_copy(struct wd_arena *a, const char *s, size_t n)
{
    struct outbuf o = {wd_arena_alloc(a, n + 1), 0, n};
    if (!o.p)
        return NULL;
    out_text(&o, s, n);
    o.p[o.len] = '\0';
    return o.p;
}

/* A renderer's marks in brackets, one token without spaces: an image
 * ("[img]", "[logo.jpg]", "[http://...]"), a form field, a footnote. */
static size_t
mark_len(const char *s, size_t n)
{
    if (n < 2 || s[0] != '[')
        return 0;
    bool spaced = false, address = false;
    for (size_t i = 1; i < n && i < 2048; i++) {
        if (s[i] == ']')
            return !spaced || address ? i + 1 : 0;
        if (s[i] == '[')
            return 0;
        spaced |= s[i] == ' ';
        /* An address the renderer wrapped: "[http://x/a?b= c]" */
        address |= s[i] == '=' || (s[i] == '/' && i + 1 < n && s[i + 1] == '/');
    }
    return 0;
}

/* s[0..*n) without its bracketed marks, in the arena. */
static const char *
strip_marks(struct wd_arena *a, const char *s, size_t *n)
{
    char *o = wd_arena_alloc(a, *n + 1);
    if (!o)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < *n;) {
        size_t m = s[i] == '[' ? mark_len(s + i, *n - i) : 0;
        if (m) {
            i += m;
            continue;
        }
        o[k++] = s[i++];
    }
    o[k] = '\0';
    *n = k;
    return o;
}

/* What a line adds to the article region around it: text counts for it,
 * the page's frame (menus, lists of links, counters) against it. */
static long
region_weight(const struct line *l)
{
    long w = (long)line_words(l);
    switch (l->cls) {
    case L_PROSE:
        return l->bullet ? w / 2 : w;
    case L_SENT:
        return l->bullet ? 0 : w / 2;
    case L_HEAD:
        return l->bullet ? -3 : -1;
    case L_DATE:
        return -1;
    case L_SHORT:
        return w >= 6 ? -1 : -2 - w / 4;
    case L_NOISE:
        return -2;
    case L_BOILER:
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
mark_lists(struct line *lines, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct line *l = &lines[i];
        uint32_t end = l->n ? last_cp(l->s, l->n) : 0;
        if (l->bullet || (end != ':' && end != 0xFF1A /* ： */) ||
            l->cls == L_BOILER || l->cls == L_NOISE || l->cls == L_BLANK ||
            line_words(l) > 12)
            continue;
        size_t k = i + 1;
        while (k < n && lines[k].cls == L_BLANK)
            k++;
        if (k >= n || !lines[k].bullet)
            continue;
        lines[i].listed = true;
        for (; k < n && (lines[k].bullet || lines[k].cls == L_BLANK); k++)
            lines[k].listed = lines[k].bullet && lines[k].cls != L_BOILER &&
                              lines[k].cls != L_NOISE;
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
best_region(const struct line *lines, size_t n, size_t *from, size_t *to)
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
        if (w < 0 && (lines[i].cls == L_SHORT || lines[i].cls == L_HEAD))
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
in_body(const struct line *lines, size_t i, size_t to)
{
    const struct line *l = &lines[i];
    if (l->cls == L_PROSE || l->cls == L_SENT || l->listed)
        return true;
    if (l->bullet && l->cls != L_BOILER && l->cls != L_NOISE &&
        line_words(l) >= 5)
        return true;
    if (l->cls != L_HEAD)
        return false;
    for (size_t k = i + 1; k <= to; k++) {
        if (lines[k].cls == L_PROSE || lines[k].cls == L_SENT)
            return true;
        if (lines[k].cls == L_HEAD)
            return false;
    }
    return false;
}

/* The title: the headline above the region (or opening it) that reads
 * most like this body's title. Candidates are scored: longer headlines (a
 * caption or a section name is short), nearer ones, a page's own top-level
 * heading mark, a line set out to the left of the body (lynx indents text,
 * not headings) and above all a headline whose words recur in the body
 * (a menu's or a related story's do not). */
#define TITLE_LOOKBACK 80

struct wordset {
    uint64_t *keys;
    size_t cap;
};

static uint64_t
word_hash(const char *w, size_t n)
{
    uint64_t h = XXH3_64bits(w, n);
    return h ? h : 1;
}

static void
wordset_add(struct wordset *ws, uint64_t h)
{
    size_t j = (size_t)h & (ws->cap - 1);
    while (ws->keys[j] && ws->keys[j] != h)
        j = (j + 1) & (ws->cap - 1);
    ws->keys[j] = h;
}

static bool
wordset_has(const struct wordset *ws, uint64_t h)
{
    size_t j = (size_t)h & (ws->cap - 1);
    while (ws->keys[j]) {
        if (ws->keys[j] == h)
            return true;
        j = (j + 1) & (ws->cap - 1);
    }
    return false;
}

/* An empty set for the words of about n bytes of text, from the arena;
 * false when out of memory. */
static bool
wordset_init(struct wordset *ws, struct wd_arena *a, size_t n)
{
    size_t cap = 64;
    while (cap < n)
        cap *= 2;
    ws->keys = wd_arena_alloc(a, cap * sizeof *ws->keys);
    ws->cap = ws->keys ? cap : 0;
    if (ws->keys)
        memset(ws->keys, 0, cap * sizeof *ws->keys);
    return ws->keys != NULL;
}

/* Calls fn for each word of the matching key of s[0..n) (case-folded
 * letters and digits, text.h), in a buffer from the arena. */
static int
each_word(const char *s, size_t n, struct wd_arena *a,
          void (*fn)(void *ctx, const char *w, size_t len), void *ctx)
{
    size_t cap = n * 3 + 8;
    char *key = wd_arena_alloc(a, cap);
    if (!key)
        return WD_ENOMEM;
    size_t k = wd_text_key(s, n, key, cap);
    for (size_t i = 0; i < k;) {
        size_t e = i;
        while (e < k && key[e] != ' ')
            e++;
        fn(ctx, key + i, e - i);
        i = e + 1;
    }
    return 0;
}

static void
add_word(void *ctx, const char *w, size_t len)
{
    wordset_add(ctx, word_hash(w, len));
}

struct overlap {
    const struct wordset *ws;
    size_t words, found;
};

static void
count_word(void *ctx, const char *w, size_t len)
{
    struct overlap *o = ctx;
    if (len < 3)
        return; /* "a", "of", "to": no evidence */
    o->words++;
    o->found += wordset_has(o->ws, word_hash(w, len));
}

struct slug {
    struct wordset set;
    size_t words;
};

static void
add_slug_word(void *ctx, const char *w, size_t len)
{
    static const char *const common[] = {"html",  "htm",     "php",   "aspx",
                                         "shtml", "index",   "www",   "amp",
                                         "news",  "article", "story", "com"};
    struct slug *sl = ctx;
    if (len < 3)
        return;
    for (size_t c = 0; c < sizeof common / sizeof *common; c++)
        if (strlen(common[c]) == len && memcmp(common[c], w, len) == 0)
            return;
    wordset_add(&sl->set, word_hash(w, len));
    sl->words++;
}

/* The words of a URL's path ("/2014/12/most-popular-food-searches.html"):
 * sites write the headline there, so a line that shares them reads as the
 * title. Path words of any site ("news", "html") are left out; a path of
 * fewer than three words (an id, a section) gives none. */
static void
slug_words(const char *url, struct wd_arena *a, struct wordset *ws)
{
    ws->keys = NULL;
    ws->cap = 0;
    const char *p = url ? strstr(url, "://") : NULL;
    p = p ? strchr(p + 3, '/') : NULL;
    if (!p)
        return;
    size_t n = strcspn(p, "?#");
    struct slug sl = {{NULL, 0}, 0};
    if (!wordset_init(&sl.set, a, n) || each_word(p, n, a, add_slug_word, &sl))
        return;
    if (sl.words >= 3)
        *ws = sl.set;
}

/* True when a date or a byline follows line i closely: the metadata block
 * under a story's headline. */
static bool
meta_follows(const struct line *lines, size_t n, size_t i)
{
    size_t seen = 0;
    for (size_t k = i + 1; k < n && seen < 3; k++) {
        if (lines[k].cls == L_BLANK)
            continue;
        seen++;
        size_t nl;
        if (lines[k].cls == L_DATE ||
            (lines[k].cls == L_SHORT && byline_name(&lines[k], &nl) &&
             lines[k].n > nl))
            return true;
        if (lines[k].cls == L_PROSE)
            return false;
    }
    return false;
}

static long
title_score(const struct line *lines, size_t n, size_t i, size_t dist,
            uint32_t body_indent, const struct wordset *body,
            const struct wordset *slug, struct wd_arena *a)
{
    const struct line *l = &lines[i];
    long w = (long)line_words(l);
    long sc = (w > 10 ? 10 : w) * 2 - (long)dist / 3;
    if (meta_follows(lines, n, i))
        sc += 6;
    size_t nl;
    if (byline_name(l, &nl) && l->n > nl)
        sc -= 30; /* "By ..." */
    if (l->heading)
        sc += l->level <= 1 ? 12 : 2;
    if (l->indent < body_indent)
        sc += 6;
    struct overlap o = {body, 0, 0};
    if (body->cap && each_word(l->s, l->n, a, count_word, &o) == 0 && o.words)
        sc += (long)(20 * o.found / o.words);
    struct overlap u = {slug, 0, 0};
    if (slug->cap && each_word(l->s, l->n, a, count_word, &u) == 0 && u.words)
        sc += (long)(20 * u.found / u.words);
    return sc;
}

static size_t
find_title(const struct line *lines, size_t from, size_t to, const char *body,
           const struct wordset *slug, struct wd_arena *a)
{
    uint32_t body_indent = 0;
    for (size_t i = from; i <= to; i++)
        if (lines[i].cls == L_PROSE) {
            body_indent = lines[i].indent;
            break;
        }
    struct wordset ws;
    size_t blen = strlen(body);
    if (wordset_init(&ws, a, blen / 2) &&
        each_word(body, blen, a, add_word, &ws) != 0)
        ws.cap = 0;
    size_t seen = 0, best = SIZE_MAX;
    long best_score = LONG_MIN;
    for (size_t i = from; i-- > 0 && seen < TITLE_LOOKBACK;) {
        if (lines[i].cls == L_BLANK)
            continue;
        seen++;
        if ((lines[i].cls != L_HEAD && !lines[i].twice_head) || lines[i].bullet)
            continue;
        long sc =
            title_score(lines, to + 1, i, seen, body_indent, &ws, slug, a);
        if (sc > best_score) {
            best_score = sc;
            best = i;
        }
    }
    /* A headline that opens the region competes too. */
    for (size_t i = from; i <= to && lines[i].cls != L_PROSE; i++) {
        if (lines[i].cls != L_HEAD)
            continue;
        long sc = title_score(lines, to + 1, i, 1, body_indent, &ws, slug, a);
        if (sc > best_score) {
            best_score = sc;
            best = i;
        }
        break;
    }
    return best;
}

/* The highest date line among the three non-blank lines above line i
 * (blank lines between them aside), or SIZE_MAX. */
static size_t
date_above(const struct line *lines, size_t i)
{
    size_t p = i;
    for (size_t seen = 0; p > 0 && seen < 3;)
        seen += lines[--p].cls != L_BLANK;
    for (; p < i; p++)
        if (lines[p].cls == L_DATE)
            return p;
    return SIZE_MAX;
}

/* Byline and date: looked for between the title and the body, then just
 * after the body (the trailer of a wire story or a blog post). */
#define META_AFTER 12
static void
find_meta(const struct line *lines, size_t n, size_t title, size_t from,
          size_t to, struct wd_arena *a, struct wd_item *it)
{
    size_t lo = title != SIZE_MAX && title < from ? title + 1 : from;
    size_t ranges[2][2] = {{lo, from + 3 < to ? from + 3 : to},
                           {to + 1, to + 1 + META_AFTER}};
    for (int r = 0; r < 2; r++) {
        for (size_t i = ranges[r][0]; i <= ranges[r][1] && i < n; i++) {
            const struct line *l = &lines[i];
            if (l->cls == L_DATE && !it->published_at_ms)
                it->published_at_ms = l->date_ms;
            if ((l->cls == L_SHORT || l->cls == L_HEAD) && !it->author) {
                size_t nl = 0;
                const char *name = byline_name(l, &nl);
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

/* Datelines: "HOUSTON, March 3 -", "ALMATY (Reuters) -", "BAKU,
 * Azerbaijan —", "Astana, 24 October 2025 /Kazinform/ -", "KEENE, N.H.,
 * March 3 -". The place is one to four comma-separated names of capitalised
 * words before a date, an agency in brackets or slashes and a dash; with
 * neither date nor agency it must be in capitals or name two parts (city,
 * country), so that "The company said - ..." is no dateline. */
#define DATELINE_MAX 120

/* The dash that ends a dateline in s[0..n): its offset, or 0. */
static size_t
dateline_dash(const char *s, size_t n)
{
    /* "--" glued to both words is the typewriter's em dash ("NEW
     * YORK--Verizon ..."). */
    static const char *const dashes[] = {
        " -- ", " - ", " \xE2\x80\x94", " \xE2\x80\x93", "\xE2\x80\x94 ", "--"};
    size_t lim = n < DATELINE_MAX ? n : DATELINE_MAX, best = 0;
    for (size_t d = 0; d < sizeof dashes / sizeof dashes[0]; d++) {
        size_t k = strlen(dashes[d]);
        for (size_t i = 1; i + k <= lim; i++)
            if (memcmp(s + i, dashes[d], k) == 0) {
                if (!best || i < best)
                    best = i;
                break;
            }
    }
    /* A dateline alone on its line: "KEENE, N.H., March 3 -" */
    if (!best && n >= 3 && n <= DATELINE_MAX && s[n - 1] == '-' &&
        s[n - 2] == ' ')
        best = n - 2;
    return best;
}

/* True when s[0..n) is a name: capitalised words (or of a script without
 * case), abbreviations ("N.H."), at most four words. */
static bool
place_name(const char *s, size_t n, bool *caps)
{
    size_t words = 0;
    bool at_start = true, any_lower = false;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = wd_utf8_next(s + i, n - i, &cp);
        if (cp == ' ') {
            at_start = true;
        } else if (wd_cp_is_alpha(cp)) {
            bool upper = wd_cp_is_upper(cp) || uc_tolower(cp) == cp;
            if (at_start) {
                words++;
                if (!upper && words > 0)
                    return false;
            } else if (!wd_cp_is_upper(cp) && uc_toupper(cp) != cp) {
                any_lower = true;
            }
            at_start = false;
        } else if (cp != '.' && cp != '-' && cp != '\'' && cp != 0x2019) {
            return false;
        } else {
            at_start = cp == '-' ? false : at_start;
        }
        i += len;
    }
    *caps = !any_lower;
    return words >= 1 && words <= 4;
}

/* The place of a dateline opening s[0..n): its length, or 0. */
static size_t
dateline_place(const char *s, size_t n)
{
    size_t dash = dateline_dash(s, n);
    if (!dash)
        return 0;
    size_t end = dash;
    bool agency = false, date = false;
    for (size_t i = 0; i < dash; i++)
        if (s[i] == '(' || s[i] == '/') {
            end = i;
            agency = true;
            break;
        }
    size_t place_end = 0, parts = 0;
    bool caps = false;
    for (size_t b = 0; b < end;) {
        size_t e = b;
        while (e < end && s[e] != ',')
            e++;
        size_t len = e - b;
        const char *seg = trim(s + b, &len);
        if (len == 0)
            return 0;
        bool digits = false;
        for (size_t i = 0; i < len; i++)
            digits |= seg[i] >= '0' && seg[i] <= '9';
        if (digits) {
            date = true; /* the date: nothing but it may follow */
            break;
        }
        bool seg_caps;
        if (!place_name(seg, len, &seg_caps))
            return 0;
        if (parts == 0)
            caps = seg_caps;
        parts++;
        place_end = (size_t)(seg + len - s);
        b = e + 1;
    }
    if (parts == 0 || parts > 3)
        return 0;
    if (!date && !agency && !caps && parts < 2)
        return 0;
    return place_end;
}

size_t
wd_textpage_dateline(const char *s, size_t n)
{
    return dateline_place(s, n);
}

/* The dateline of the first of lines[from..to] that holds text. */
static const char *
find_dateline(const struct line *lines, size_t from, size_t to,
              struct wd_arena *a)
{
    for (size_t i = from; i <= to; i++) {
        if (lines[i].cls == L_BLANK || lines[i].cls == L_BOILER)
            continue;
        size_t k = dateline_place(lines[i].s, lines[i].n);
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
brief(const struct line *lines, size_t nlines, size_t n, struct wd_arena *a,
      struct wd_page *out)
{
    size_t title = SIZE_MAX;
    for (size_t i = 0; i < nlines && title == SIZE_MAX; i++)
        if (lines[i].cls == L_HEAD && lines[i].st.alpha_words >= 2)
            title = i;
    out->empty = WD_EMPTY_NO_TEXT;
    if (title == SIZE_MAX)
        return 0;
    const struct line *t = &lines[title];
    if (t->n >= 4 && (t->s[0] == '4' || t->s[0] == '5') && t->s[1] >= '0' &&
        t->s[1] <= '9' && t->s[2] >= '0' && t->s[2] <= '9' && t->s[3] == ' ') {
        out->empty = WD_EMPTY_ERROR_PAGE; /* "404 Not Found" */
        return 0;
    }
    struct outbuf o = {wd_arena_alloc(a, n + 2 * nlines + 1), 0,
                       n + 2 * nlines};
    if (!o.p)
        return WD_ENOMEM;
    size_t words = 0;
    bool blank = false;
    for (size_t i = title + 1; i < nlines; i++) {
        const struct line *l = &lines[i];
        if (l->cls == L_BLANK) {
            blank = true;
            continue;
        }
        if (l->cls == L_BOILER)
            continue;
        if (o.len) {
            o.p[o.len++] = '\n';
            if (blank)
                o.p[o.len++] = '\n';
        }
        blank = false;
        out_text(&o, l->s, l->n);
        words += l->st.words;
    }
    o.p[o.len] = '\0';
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
    it->title = clean_copy(a, t->s, t->n);
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
comment_header(const struct line *l)
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
    if (l->cls == L_PROSE || l->cls == L_SENT || l->bullet || l->n > 80 ||
        (l->n && (l->s[l->n - 1] == ':' || l->s[l->n - 1] == ']')))
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
story_head(const struct line *lines, size_t to, size_t i)
{
    const struct line *h = &lines[i];
    if (h->cls != L_HEAD || h->bullet || line_words(h) < 4 ||
        !meta_follows(lines, to + 1, i))
        return false;
    if (date_above(lines, i) != SIZE_MAX) /* the previous teaser's */
        return false;
    size_t heads = 0, metas = 0;
    for (size_t k = i + 1; k <= to; k++) {
        switch (lines[k].cls) {
        case L_PROSE:
            return lines[k].indent >= h->indent && heads <= 1 && metas <= 3;
        case L_HEAD:
            heads++;
            break;
        case L_DATE:
        case L_SHORT:
        case L_SENT:
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
article(const struct line *lines, size_t nlines, size_t n, const char *url,
        struct wd_arena *a, struct wd_page *out)
{
    size_t from, to;
    /* A comment thread below the article is not part of it, however long
     * it runs: the region ends at its header when text came before. */
    size_t upto = nlines, prose = 0;
    for (size_t i = 0; i < nlines && upto == nlines; i++) {
        if (lines[i].cls == L_PROSE)
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
        words_total += lines[i].cls == L_PROSE ? line_words(&lines[i]) : 0;
    for (size_t i = from, before = 0; i <= to && 2 * before < words_total;
         i++) {
        if (before && story_head(lines, to, i)) {
            from = i;
            break;
        }
        if (lines[i].cls == L_PROSE)
            before += line_words(&lines[i]);
    }
    out->kind = WD_PAGE_ARTICLE;
    out->items = wd_arena_alloc(a, sizeof *out->items);
    struct outbuf o = {wd_arena_alloc(a, n + 2 * nlines + 1), 0,
                       n + 2 * nlines};
    if (!out->items || !o.p)
        return WD_ENOMEM;
    struct wd_item *it = &out->items[0];
    memset(it, 0, sizeof *it);
    it->full = true;
    /* The body's words first, for the title's score: the paragraphs only. */
    size_t title = SIZE_MAX;
    struct wordset slug;
    slug_words(url, a, &slug);
    for (int pass = 0; pass < 2; pass++) {
        o.len = 0;
        bool slide = false;
        for (size_t i = from; i <= to; i++) {
            /* A gallery's slide ("4/50 Caption title", then one paragraph
             * of caption) inside the story is not the story. */
            bool counter = false;
            if (lines[i].cls == L_HEAD || lines[i].cls == L_SHORT)
                slide = counter = slide_counter(lines[i].s, lines[i].n);
            bool caption = slide && lines[i].cls == L_PROSE;
            if (caption)
                slide = false;
            if (counter || caption || i == title || !in_body(lines, i, to) ||
                (pass == 0 && lines[i].cls != L_PROSE))
                continue;
            size_t len = lines[i].n;
            if (lines[i].ellipsis && i == to)
                len -= ellipsis_len(lines[i].s, lines[i].n);
            if (o.len)
                o.p[o.len++] = '\n', o.p[o.len++] = '\n';
            out_text(&o, lines[i].s, len);
        }
        o.p[o.len] = '\0';
        if (pass == 0)
            title = find_title(lines, from, to, o.p, &slug, a);
    }
    it->body = o.p;
    it->truncated = lines[to].ellipsis;
    it->title =
        title == SIZE_MAX ? "" : clean_copy(a, lines[title].s, lines[title].n);
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
    struct line *lines = wd_arena_alloc(a, nlines * sizeof *lines);
    int *repeats = wd_arena_alloc(a, nlines * sizeof *repeats);
    if (!lines || !repeats)
        return WD_ENOMEM;
    for (size_t i = 0; i < nlines; i++) {
        memset(&lines[i], 0, sizeof lines[i]);
        size_t len = tl[i].n;
        const char *ls = tl[i].s;
        if (memchr(ls, '[', len)) {
            ls = strip_marks(a, ls, &len);
            if (!ls)
                return WD_ENOMEM;
        }
        lines[i].s = trim(ls, &len);
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
        classify(&lines[i], repeats[i], fetched_at_ms);
        /* A headline a page prints two to four times (a breadcrumb, a
         * share box or a "most read" box besides the story's own heading)
         * stays a title candidate. */
        if (repeats[i] <= 4 && lines[i].cls == L_BOILER &&
            line_words(&lines[i]) >= 4) {
            struct line probe = lines[i];
            classify(&probe, 1, fetched_at_ms);
            lines[i].twice_head = probe.cls == L_HEAD;
        }
        /* What the source repeats on most of its pages is its frame. */
        if (boiler && lines[i].cls != L_BLANK &&
            wd_boiler_is(boiler, slot, lines[i].hash))
            lines[i].cls = L_BOILER;
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
        case L_HEAD:
            secs[nsec++] = (struct section){i, npara, 0, nmeta, 0};
            break;
        case L_PROSE:
            paras[npara++] = i;
            cur->n_paras++;
            break;
        case L_DATE:
        case L_SHORT:
        case L_SENT:
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
        struct outbuf o = {wd_arena_alloc(a, body_cap + 1), 0, body_cap};
        if (!o.p)
            return WD_ENOMEM;
        size_t j_end = listing ? j : last;
        bool is_cut = false;
        for (size_t jj = j; jj <= j_end; jj++) {
            const struct section *sc = &secs[jj];
            if (jj != j && sc->head != SIZE_MAX && sc->n_paras > 0) {
                if (o.len)
                    o.p[o.len++] = '\n', o.p[o.len++] = '\n';
                out_text(&o, lines[sc->head].s, lines[sc->head].n);
            }
            for (size_t p = 0; p < sc->n_paras; p++) {
                const struct line *pl = &lines[paras[sc->first_para + p]];
                size_t plen = pl->n;
                is_cut = pl->ellipsis;
                if (is_cut)
                    plen -= ellipsis_len(pl->s, pl->n);
                if (o.len)
                    o.p[o.len++] = '\n', o.p[o.len++] = '\n';
                out_text(&o, pl->s, plen);
            }
        }
        o.p[o.len] = '\0';
        it->body = o.p;
        it->truncated = is_cut;

        if (secs[j].head != SIZE_MAX) {
            const struct line *h = &lines[secs[j].head];
            it->title = clean_copy(a, h->s, h->n);
        } else {
            /* No headline above the text: the last short line before it,
             * else nothing (the caller decides what an untitled story is). */
            for (size_t m = 0; m < secs[j].n_metas; m++) {
                const struct line *ml = &lines[metas[secs[j].first_meta + m]];
                if (ml->cls == L_SHORT && ml->st.alpha_words >= 2)
                    it->title = clean_copy(a, ml->s, ml->n);
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
                const char *name = byline_name(&lines[sc->head], &nl);
                if (name)
                    it->author = wd_arena_strndup(a, name, nl);
            }
            for (size_t m = 0; m < sc->n_metas; m++) {
                const struct line *ml = &lines[metas[sc->first_meta + m]];
                if (ml->cls == L_DATE && !it->published_at_ms)
                    it->published_at_ms = ml->date_ms;
                if (ml->cls == L_SHORT && !it->author) {
                    size_t nl = 0;
                    const char *name = byline_name(ml, &nl);
                    if (name)
                        it->author = wd_arena_strndup(a, name, nl);
                }
            }
        }
        out->n_items++;
    }
    return 0;
}
