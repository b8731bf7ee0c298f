#include "wd/author.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "wd/text.h"

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Punctuation that frames a name: "— Maria Lopez ·", "Lopez:" */
static size_t
frame_len_front(const char *s, size_t n)
{
    static const char *const marks[] = {
        "\xE2\x80\x94", "\xE2\x80\x93", "\xC2\xB7", "-", ":", ".", "|", "*",
        "\xE2\x80\xA2"};
    return wd_text_starts_any(s, n, marks, sizeof marks / sizeof marks[0]);
}

static size_t
frame_len_back(const char *s, size_t n)
{
    static const char *const marks[] = {"\xE2\x80\x94",
                                        "\xE2\x80\x93",
                                        "\xC2\xB7",
                                        "-",
                                        ":",
                                        "|",
                                        "*",
                                        "\xE2\x80\xA2",
                                        ","};
    return wd_text_ends_any(s, n, marks, sizeof marks / sizeof marks[0]);
}

/* Trims white space and framing punctuation at both ends. */
static const char *
trim_name(const char *s, size_t *n)
{
    for (bool again = true; again && *n;) {
        again = false;
        while (*n && is_space(*s))
            s++, (*n)--;
        while (*n && is_space(s[*n - 1]))
            (*n)--;
        size_t k = frame_len_front(s, *n);
        if (k) {
            s += k, *n -= k, again = true;
            continue;
        }
        k = frame_len_back(s, *n);
        if (k)
            *n -= k, again = true;
    }
    return s;
}

/* The length of a leading "By " in its common forms, or 0. */
static size_t
by_len(const char *s, size_t n)
{
    static const char *const bys[] = {
        "written by ",
        "posted by ",
        "by: ",
        "by ",
        "von ",
        "par ",
        "por ",
        "di ",
        "door ",
        "av ",
        "af ",
        "autor: ",
        "author: ",
        "autor ",
        "\xD0\xB0\xD0\xB2\xD1\x82\xD0\xBE\xD1\x80: " /* автор: */};
    for (size_t i = 0; i < sizeof bys / sizeof bys[0]; i++) {
        size_t k = strlen(bys[i]);
        if (n > k && strncasecmp(s, bys[i], k) == 0)
            return k;
    }
    return 0;
}

/* A separator of a list of names at s[0..n): its length, or 0. */
static size_t
sep_len(const char *s, size_t n)
{
    static const char *const seps[] = {"  ",
                                       "\n",
                                       ",",
                                       ";",
                                       " | ",
                                       " / ",
                                       " & ",
                                       " and ",
                                       " und ",
                                       " et ",
                                       " y ",
                                       " e ",
                                       " i ",
                                       " ve ",
                                       " \xD0\xB8 " /* и */,
                                       "\xEF\xBC\x8C" /* ， */,
                                       "\xE3\x80\x81" /* 、 */};
    for (size_t i = 0; i < sizeof seps / sizeof seps[0]; i++) {
        size_t k = strlen(seps[i]);
        if (n >= k && strncasecmp(s, seps[i], k) == 0)
            return k;
    }
    return 0;
}

/* Words of a newsroom, not of a person ("WebMD Health News", "Metro
 * Desk"), and of a job title after a name ("Ben Silverman, Games
 * Editor"): English, the language most bylines carry them in. */
static const char *const org_words[] = {
    "news", "newsroom", "press",   "agency", "media", "staff",
    "desk", "team",     "editors", "online", NULL};
static const char *const role_words[] = {
    "editor",      "correspondent", "reporter", "writer",
    "contributor", "columnist",     "producer", "photographer",
    "journalist",  "senior",        "chief",    "deputy",
    "associate",   "contributing",  "staff",    "special",
    "games",       "political",     "business", "science",
    "technology",  "health",        "sports",   NULL};

static bool
word_in(const char *w, size_t n, const char *const *list)
{
    for (; *list; list++)
        if (strlen(*list) == n && strncasecmp(w, *list, n) == 0)
            return true;
    return false;
}

/* Drops job-title words at the end of a name; false when a newsroom word
 * is in it. */
static bool
drop_roles(const char *s, size_t *n)
{
    for (size_t i = 0; i < *n;) {
        while (i < *n && s[i] == ' ')
            i++;
        size_t e = i;
        while (e < *n && s[e] != ' ')
            e++;
        if (e > i && word_in(s + i, e - i, org_words))
            return false;
        i = e;
    }
    for (;;) {
        size_t e = *n;
        while (e && s[e - 1] == ' ')
            e--;
        size_t b = e;
        while (b && s[b - 1] != ' ')
            b--;
        if (b == 0 || !word_in(s + b, e - b, role_words))
            break;
        *n = b;
        while (*n && s[*n - 1] == ' ')
            (*n)--;
    }
    return true;
}

/* True when s[0..n) can be a person's name. */
static bool
person(const char *s, size_t n)
{
    if (n < 2 || n > 80 || memchr(s, '@', n) || memchr(s, '\0', n))
        return false;
    for (size_t i = 0; i + 3 <= n; i++)
        if (memcmp(s + i, "://", 3) == 0 || strncasecmp(s + i, "www.", 4) == 0)
            return false;
    struct wd_text_stats st;
    wd_text_stats(s, n, &st);
    if (st.digits || st.alpha_words == 0 || st.words > 5 || st.letters < 2)
        return false;
    if (st.words == 1) {
        /* One word: a name only when it is not short nor an acronym
         * ("CNN", "AFP", "MA", "PhD"). */
        size_t upper = 0;
        for (size_t i = 0; i < n;) {
            uint32_t cp;
            i += wd_utf8_next(s + i, n - i, &cp);
            upper += wd_cp_is_upper(cp);
        }
        if (st.letters <= 3 || upper == st.letters)
            return false;
    }
    return true;
}

size_t
wd_authors_split(const char *s, size_t n, struct wd_arena *a, const char **out,
                 size_t max)
{
    s = trim_name(s, &n);
    size_t k = by_len(s, n);
    s += k, n -= k;
    size_t count = 0;
    for (size_t b = 0; b < n && count < max;) {
        /* The next part ends at a separator or a parenthesis. */
        size_t e = b, depth = 0;
        while (e < n) {
            if (s[e] == '(' || s[e] == '[')
                depth++;
            else if ((s[e] == ')' || s[e] == ']') && depth)
                depth--;
            else if (!depth && sep_len(s + e, n - e))
                break;
            e++;
        }
        /* The part without its asides in brackets. */
        char buf[128];
        size_t bl = 0;
        depth = 0;
        for (size_t i = b; i < e && bl + 1 < sizeof buf; i++) {
            if (s[i] == '(' || s[i] == '[')
                depth++;
            else if ((s[i] == ')' || s[i] == ']') && depth)
                depth--;
            else if (!depth)
                buf[bl++] = s[i];
        }
        size_t pl = bl;
        const char *p = trim_name(buf, &pl);
        k = by_len(p, pl);
        p += k, pl -= k;
        static const char *const leading[] = {"and ", "& "};
        for (size_t i = 0; i < 2; i++)
            if (pl > strlen(leading[i]) &&
                strncasecmp(p, leading[i], strlen(leading[i])) == 0)
                p += strlen(leading[i]), pl -= strlen(leading[i]);
        p = trim_name(p, &pl);
        if (!drop_roles(p, &pl))
            pl = 0;
        bool dup = false;
        for (size_t i = 0; i < count && !dup; i++)
            dup = strlen(out[i]) == pl && strncasecmp(out[i], p, pl) == 0;
        if (!dup && person(p, pl)) {
            const char *name = wd_arena_strndup(a, p, pl);
            if (!name)
                return 0;
            out[count++] = name;
        }
        b = e < n ? e + sep_len(s + e, n - e) : n;
    }
    return count;
}
