/* Plain references for text.c's paths that take ASCII a block at a time:
 * one code point at a time through the same character classes (slow on
 * purpose). Used by test_core and by fuzz_textref. */
#ifndef WD_TEST_TEXTREF_H
#define WD_TEST_TEXTREF_H

#include <stdbool.h>
#include <string.h>
#include <unicase.h>
#include <unictype.h>
#include <unistr.h>

#include "wd/text.h"

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

/* wd_text_key: words lower-cased and joined by one space; an apostrophe
 * inside a word dropped; a letter of a script written without spaces a word
 * of its own; cut at a word's start when cap is reached. (The code-point
 * loop that wd_text_key was before its ASCII runs went through a table.) */
static inline size_t
ref_text_key(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0, i = 0, word_start_o = 0;
    bool in_word = false, truncated = false;
    if (cap == 0)
        return 0;
    while (i < n && !truncated) {
        uint32_t cp;
        size_t len = wd_utf8_next(s + i, n - i, &cp);
        if (wd_cp_is_alnum(cp)) {
            /* A letter of a script written without spaces (Chinese,
             * Japanese, Thai) is a word of its own, so that shingles and
             * leads are over characters there. */
            if (in_word && wd_cp_unspaced(cp))
                in_word = false;
            if (!in_word && o > 0) {
                if (o + 1 >= cap) {
                    truncated = true;
                    break;
                }
                out[o++] = ' ';
            }
            if (!in_word)
                word_start_o = o;
            in_word = true;
            uint8_t buf[16];
            if (cp < 0x80) {
                buf[0] = (uint8_t)((cp >= 'A' && cp <= 'Z') ? cp + 32 : cp);
                len = 1;
                if (o + 1 >= cap) {
                    truncated = true;
                    break;
                }
                out[o++] = (char)buf[0];
            } else {
                ucs4_t folded = uc_tolower(cp);
                int w = u8_uctomb(buf, folded, sizeof buf);
                if (w <= 0 || o + (size_t)w >= cap) {
                    truncated = true;
                    break;
                }
                memcpy(out + o, buf, (size_t)w);
                o += (size_t)w;
                if (wd_cp_unspaced(cp))
                    in_word = false;
            }
        } else if (in_word && (cp == '\'' || cp == 0x2019 || cp == 0x02BC) &&
                   i + len < n) {
            /* Skip the apostrophe itself; the word goes on if a letter
             * follows. */
            uint32_t next;
            wd_utf8_next(s + i + len, n - i - len, &next);
            if (!wd_cp_is_alnum(next))
                in_word = false;
        } else {
            in_word = false;
        }
        i += len;
    }
    if (truncated) {
        /* Cut on a word boundary so that the key never ends mid-word. */
        o = word_start_o;
        while (o > 0 && out[o - 1] == ' ')
            o--;
    }
    out[o] = '\0';
    return o;
}

#endif
