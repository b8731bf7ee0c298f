/* The classes of a text page's lines. See include/wd/textclass.h. */
#include "wd/textclass.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <unicase.h>

#include "wd/date.h"
#include "wd/text.h"

/* Words a prose line needs; a shorter line is prose only when it is a cut
 * teaser of at least ELLIPSIS_PROSE_WORDS. */
#define PROSE_WORDS 15
#define PROSE_WORDS_ANY_END 25
#define ELLIPSIS_PROSE_WORDS 6
#define HEAD_MAX_WORDS 30
#define SENT_WORDS 3
#define BOILER_MAX_WORDS 20

/* Length of a trailing ellipsis ("...", "…", "[...]", "[…]") or 0. */
size_t
wd_textclass_ellipsis(const char *s, size_t n)
{
    static const char *const forms[] = {"[...]", "[\xE2\x80\xA6]", "...",
                                        "\xE2\x80\xA6"};
    return wd_text_ends_any(s, n, forms, sizeof forms / sizeof forms[0]);
}

static bool
ends_like_sentence(const char *s, size_t n)
{
    uint32_t cp = wd_text_last_cp(s, n);
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
const char *
wd_textclass_byline(const struct wd_tcline *l, size_t *name_len)
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
    s = wd_text_strip(s, &n);
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
size_t
wd_textclass_words(const struct wd_tcline *l)
{
    const struct wd_text_stats *st = &l->st;
    if (st->letters > 12 * st->words)
        return st->letters / 3;
    return st->words;
}

/* True when the first letter is upper case or of a script without case. */
static bool
starts_upper(const struct wd_tcline *l)
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

void
wd_textclass_classify(struct wd_tcline *l, int repeats, int64_t now_ms)
{
    const struct wd_text_stats *st = &l->st;
    if (l->n == 0) {
        l->cls = WD_TC_BLANK;
        return;
    }
    /* A date first: teasers of one day repeat it down a section page. */
    if (st->words <= 12 &&
        wd_date_parse(l->s, l->n, now_ms, &l->date_ms, NULL) == 0) {
        l->cls = WD_TC_DATE;
        return;
    }
    if (repeats > 1 && wd_textclass_words(l) <= BOILER_MAX_WORDS) {
        l->cls = WD_TC_BOILER;
        return;
    }
    /* A live feed's entries: list items that open with a clock time
     * ("14:44 Title of the update"). */
    if (l->bullet && l->n >= 5 && l->s[0] >= '0' && l->s[0] <= '2' &&
        ((l->s[1] == ':' && l->s[2] >= '0' && l->s[2] <= '5') ||
         (l->s[1] >= '0' && l->s[1] <= '9' && l->s[2] == ':' &&
          l->s[3] >= '0' && l->s[3] <= '5'))) {
        l->cls = WD_TC_NOISE;
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
        l->cls = WD_TC_NOISE;
        return;
    }
    /* "By Maria Lopez" is metadata, though it is shaped like a headline. */
    size_t name_len;
    if (st->words <= 6 && (l->s[0] == 'B' || l->s[0] == 'b') &&
        wd_textclass_byline(l, &name_len) && l->n > name_len) {
        l->cls = WD_TC_SHORT;
        return;
    }
    l->ellipsis = wd_textclass_ellipsis(l->s, l->n) > 0;
    size_t words = wd_textclass_words(l);
    bool sentence = ends_like_sentence(l->s, l->n);
    if (l->heading && words <= HEAD_MAX_WORDS) {
        l->cls = WD_TC_HEAD; /* marked so by the page */
        return;
    }
    if ((words >= PROSE_WORDS && sentence) || words >= PROSE_WORDS_ANY_END ||
        (l->ellipsis && words >= ELLIPSIS_PROSE_WORDS)) {
        l->cls = WD_TC_PROSE;
        return;
    }
    bool upper = starts_upper(l);
    uint32_t end = wd_text_last_cp(l->s, l->n);
    if (!l->bullet && (st->alpha_words >= 2 || words >= 3) &&
        words <= HEAD_MAX_WORDS && upper && end != '.' && end != ',' &&
        end != ';' && end != ':' && end != 0x3002 /* 。 */ &&
        end != 0xFF0C /* ， */) {
        l->cls = WD_TC_HEAD;
        return;
    }
    l->cls = sentence && upper && end != ':' && words >= SENT_WORDS
                 ? WD_TC_SENT
                 : WD_TC_SHORT;
}

/* True when a date or a byline follows line i closely: the metadata block
 * under a story's headline. */
bool
wd_textclass_meta_follows(const struct wd_tcline *lines, size_t n, size_t i)
{
    size_t seen = 0;
    for (size_t k = i + 1; k < n && seen < 3; k++) {
        if (lines[k].cls == WD_TC_BLANK)
            continue;
        seen++;
        size_t nl;
        if (lines[k].cls == WD_TC_DATE ||
            (lines[k].cls == WD_TC_SHORT &&
             wd_textclass_byline(&lines[k], &nl) && lines[k].n > nl))
            return true;
        if (lines[k].cls == WD_TC_PROSE)
            return false;
    }
    return false;
}
