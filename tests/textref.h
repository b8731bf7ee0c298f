/* Plain references for the paths of text.c and textclean.c that take
 * ASCII a block at a time: one code point at a time through the same
 * character classes (slow on purpose). Used by test_core and by
 * fuzz_textref. */
#ifndef WD_TEST_TEXTREF_H
#define WD_TEST_TEXTREF_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <unictype.h>
#include <unistr.h>

#include "wd/text.h"
#include "wd/textclean.h"

/* wd_text_stats: words as runs of alphanumerics, each with or without a
 * letter; the first word's case. */
static inline void
ref_stats(const char *s, size_t n, struct wd_text_stats *st)
{
    memset(st, 0, sizeof *st);
    bool seen = false;
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t len = wd_utf8_next(s + i, n - i, &cp);
        if (!wd_cp_is_alnum(cp) && !wd_cp_is_alpha(cp)) {
            if (!wd_cp_is_space(cp)) {
                st->other++;
                bool skip = (cp && cp < 0x80 && strchr("\"'([-*", (int)cp)) ||
                            cp == 0x201C || cp == 0x2018 || cp == 0xAB ||
                            cp == 0x2022;
                if (!seen && !skip)
                    seen = true;
            }
            i += len;
            continue;
        }
        /* A word: to the next code point that is no letter or digit. */
        bool letter = false;
        while (i < n) {
            len = wd_utf8_next(s + i, n - i, &cp);
            bool alpha = wd_cp_is_alpha(cp);
            if (!alpha && !wd_cp_is_alnum(cp))
                break;
            if (!seen) {
                seen = true;
                st->first_upper =
                    !alpha || uc_is_upper(cp) || uc_is_property_titlecase(cp);
            }
            letter |= alpha;
            if (alpha)
                st->letters++;
            else
                st->digits++;
            i += len;
        }
        st->words++;
        if (letter)
            st->alpha_words++;
        else
            st->num_words++;
    }
}

/* wd_text_key, in two passes rather than one: the words first (runs of
 * letters and digits, lower-cased; an apostrophe between two of them
 * dropped; a letter of a script written without spaces a word of its
 * own), then joined by single spaces for as long as each word, and the
 * space before it, leave room for the NUL in cap. A word that does not fit
 * is cut whole, as is the word before a space that does not fit (then the
 * trailing space goes too). */
static inline size_t
ref_text_key(const char *s, size_t n, char *out, size_t cap)
{
    if (cap == 0)
        return 0;
    /* Pass 1: words, each its bytes in words[] and its end in ends[]. */
    uint8_t *words = malloc(n * 4 + 1);
    size_t *ends = malloc((n + 1) * sizeof *ends), nw = 0, wb = 0;
    bool open = false;
    for (size_t i = 0; i < n;) {
        uint32_t cp, next = 0;
        size_t len = wd_utf8_next(s + i, n - i, &cp);
        bool apostrophe = cp == '\'' || cp == 0x2019 || cp == 0x02BC;
        if (apostrophe && open && i + len < n)
            wd_utf8_next(s + i + len, n - i - len, &next);
        if (wd_cp_is_alnum(cp)) {
            if (open && wd_cp_unspaced(cp))
                ends[nw++] = wb, open = false;
            ucs4_t lower = cp < 0x80 ? (cp >= 'A' && cp <= 'Z' ? cp + 32 : cp)
                                     : uc_tolower(cp);
            int w = u8_uctomb(words + wb, lower, 4);
            if (w <= 0) { /* (the key ends before this word) */
                wb = nw ? ends[nw - 1] : 0;
                open = false;
                break;
            }
            wb += (size_t)w;
            open = true;
            if (cp >= 0x80 && wd_cp_unspaced(cp))
                ends[nw++] = wb, open = false;
        } else if (!(apostrophe && open && wd_cp_is_alnum(next))) {
            if (open)
                ends[nw++] = wb, open = false;
        }
        i += len;
    }
    if (open)
        ends[nw++] = wb;
    /* Pass 2: joined while they fit. */
    size_t o = 0, prev_start = 0;
    for (size_t k = 0; k < nw; k++) {
        size_t b = k ? ends[k - 1] : 0, len = ends[k] - b;
        if (o > 0 && o + 1 >= cap) { /* no room for the space */
            o = prev_start;
            break;
        }
        if (o > 0)
            out[o++] = ' ';
        if (o + len >= cap) /* no room for the word (its space goes below) */
            break;
        prev_start = o;
        memcpy(out + o, words + b, len);
        o += len;
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
    free(words);
    free(ends);
    return o;
}

/* wd_textclean_put on text without '[' (its shortcodes are not what this
 * checks): each code point copied whole when it fits, a blank one written
 * as one space unless the output just had one or starts a line (empty or
 * after a newline); trailing spaces trimmed. */
static inline void
ref_textclean_put(struct wd_outbuf *o, const char *s, size_t n)
{
    /* Where a line starts, or after a blank, a blank adds nothing. */
    bool after_blank = o->len == 0 || o->p[o->len - 1] == '\n';
    for (size_t i = 0, len; i < n; i += len) {
        uint32_t cp;
        len = wd_utf8_next(s + i, n - i, &cp);
        bool blank = wd_cp_is_blank(cp);
        /* The unit this code point writes: itself, a space, or nothing. */
        const char *unit = blank ? " " : s + i;
        size_t k = blank ? !after_blank : len;
        bool fits = o->len + k <= o->cap;
        if (fits) {
            memcpy(o->p + o->len, unit, k);
            o->len += k;
        }
        after_blank = blank || (after_blank && !fits);
    }
    size_t end = o->len;
    while (end > 0 && o->p[end - 1] == ' ')
        end--;
    o->len = end;
}

#endif
