/* The text of a text page's title and body, cleaned. See
 * include/wd/textclean.h. */
#include "wd/textclean.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "wd/text.h"

/* Appends s[0..n) to the output buffer with runs of white space collapsed
 * to one space and bracketed shortcodes ("[caption id=...]", "[/caption]")
 * removed: markup of content systems, not text. */

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
        ascii_space[c] = wd_cp_is_blank(c);
        plain[c] = !ascii_space[c] && c != '[';
    }
}

/* Whether the eight bytes at s all stay in a run whose byte before them is
 * plain: ASCII, none below 0x20 (a few plain control bytes are left to the
 * byte-wise loop), no bracket, no two spaces side by side and no space
 * last (the byte after it is not known here). */
static inline bool
run8(const char *s)
{
    const uint64_t L = 0x0101010101010101ULL, H = 0x8080808080808080ULL;
    uint64_t x;
    memcpy(&x, s, sizeof x);
    if (!wd_ascii8_from_space(x, '['))
        return false;
    /* Each byte below 0x80: a byte's sum stays within it. */
    uint64_t e = x ^ (L * ' ');
    uint64_t sp = ~((e + L * 0x7F) | e) & H; /* 0x80 where a space is */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    uint64_t last = 0x80;
#else
    uint64_t last = 0x80ULL << 56;
#endif
    return !((sp & (sp << 8)) | (sp & last));
}

void
wd_textclean_put(struct wd_outbuf *o, const char *s, size_t n)
{
    /* ASCII, most of every page, takes a table instead of a decode and a
     * Unicode class look-up; the answers are wd_cp_is_blank()'s. */
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
            /* A run of ASCII without a bracket, its words one space apart
             * (most of a paragraph), goes in one copy: a space stays in
             * the run when a plain byte follows it. */
            size_t j = i + 1;
            while (j < n) {
                while (j + 8 <= n && run8(s + j))
                    j += 8;
                if (j >= n)
                    break;
                unsigned char d = (unsigned char)s[j];
                bool next = j + 1 < n && plain[(unsigned char)s[j + 1]];
                if (!(plain[d] | ((d == ' ') & next)))
                    break;
                j++;
            }
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
        if (wd_cp_is_blank(cp)) {
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

const char *
wd_textclean_copy(struct wd_arena *a, const char *s, size_t n)
{
    struct wd_outbuf o = {wd_arena_alloc(a, n + 1), 0, n};
    if (!o.p)
        return NULL;
    wd_textclean_put(&o, s, n);
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
const char *
wd_textclean_strip_marks(struct wd_arena *a, const char *s, size_t *n)
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
