/* Wire datelines. See include/wd/dateline.h. */
#include "wd/dateline.h"

#include <stdbool.h>
#include <string.h>
#include <unicase.h>

#include "wd/text.h"

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
size_t
wd_dateline_find(const char *s, size_t n)
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
        const char *seg = wd_text_strip(s + b, &len);
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
