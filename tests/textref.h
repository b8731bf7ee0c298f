/* A plain count over code points, the reference wd_text_stats (text.h)
 * must agree with: words as runs of alphanumerics, each with or without a
 * letter; the first word's case. Slow on purpose: one code point at a time,
 * through the same character classes. Used by test_core and by
 * fuzz_textstats. */
#ifndef WD_TEST_TEXTREF_H
#define WD_TEST_TEXTREF_H

#include <stdbool.h>
#include <string.h>
#include <unictype.h>

#include "wd/text.h"

static void
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

#endif
