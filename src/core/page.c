#include "wd/page.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "wd/date.h"
#include "wd/err.h"
#include "wd/text.h"
#include "wd/htmlpage.h"
#include "wd/lang.h"
#include "wd/textpage.h"

static void
copy_lower_token(const char *s, size_t n, char *buf, size_t cap)
{
    size_t o = 0;
    if (cap == 0)
        return;
    while (n > 0 && (*s == ' ' || *s == '\t' || *s == '"')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '"'))
        n--;
    for (size_t i = 0; i < n && o + 1 < cap; i++)
        buf[o++] = (char)tolower((unsigned char)s[i]);
    buf[o] = '\0';
}

void
wd_page_content_type(const char *ct, char *buf, size_t cap, char *cs,
                     size_t cs_cap)
{
    if (cap)
        buf[0] = '\0';
    if (cs_cap)
        cs[0] = '\0';
    if (!ct)
        return;
    const char *semi = strchr(ct, ';');
    size_t n = semi ? (size_t)(semi - ct) : strlen(ct);
    copy_lower_token(ct, n, buf, cap);
    while (semi) {
        const char *p = semi + 1;
        semi = strchr(p, ';');
        size_t len = semi ? (size_t)(semi - p) : strlen(p);
        while (len > 0 && (*p == ' ' || *p == '\t')) {
            p++;
            len--;
        }
        if (len > 8 && strncasecmp(p, "charset=", 8) == 0)
            copy_lower_token(p + 8, len - 8, cs, cs_cap);
    }
}

static bool
is_utf8_name(const char *cs)
{
    return cs[0] == '\0' || strcmp(cs, "utf-8") == 0 ||
           strcmp(cs, "utf8") == 0 || strcmp(cs, "us-ascii") == 0 ||
           strcmp(cs, "ascii") == 0;
}

/* Converts body from charset cs to UTF-8 with iconv (glibc's, which knows
 * every charset a web page names), replacing what cannot be converted with
 * U+FFFD. Returns 0 and the text in the arena, or WD_EUNSUPPORTED for a
 * charset iconv does not know. */
static int
to_utf8(const char *cs, const uint8_t *body, size_t len, struct wd_arena *a,
        char **out, size_t *out_len)
{
    iconv_t cd = iconv_open("UTF-8", cs);
    if (cd == (iconv_t)-1)
        return WD_EUNSUPPORTED;
    size_t cap = len * 4 + 16;
    char *dst = wd_arena_alloc(a, cap);
    if (!dst) {
        iconv_close(cd);
        return WD_ENOMEM;
    }
    char *in = (char *)body, *o = dst;
    size_t in_left = len, out_left = cap - 1;
    while (in_left > 0) {
        size_t r = iconv(cd, &in, &in_left, &o, &out_left);
        if (r != (size_t)-1)
            break;
        if ((errno == EILSEQ || errno == EINVAL) && out_left >= 3) {
            /* One bad byte becomes U+FFFD; conversion goes on after it. */
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            out_left -= 3;
            in++;
            in_left--;
            iconv(cd, NULL, NULL, NULL, NULL);
            continue;
        }
        break; /* E2BIG cannot happen with 4 bytes out per byte in */
    }
    iconv_close(cd);
    *o = '\0';
    *out = dst;
    *out_len = (size_t)(o - dst);
    return 0;
}

/* True for UTF-16 or UTF-32 text, by its BOM or by the charset named. */
static bool
wide_text(const uint8_t *b, size_t n, const char *cs)
{
    if (strncasecmp(cs, "utf-16", 6) == 0 ||
        strncasecmp(cs, "utf-32", 6) == 0 || strncasecmp(cs, "utf16", 5) == 0 ||
        strncasecmp(cs, "utf32", 5) == 0 || strncasecmp(cs, "ucs-", 4) == 0)
        return true;
    return n >= 2 &&
           ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF));
}

/* Every string of every item valid UTF-8 (an Article's strings must be:
 * protobuf readers refuse others), whatever a parser let through. */
static int
repair_items(struct wd_page *out, struct wd_arena *a)
{
    for (size_t i = 0; i < out->n_items; i++) {
        struct wd_item *it = &out->items[i];
        const char **fields[] = {&it->title, &it->body,     &it->author,
                                 &it->url,   &it->language, &it->dateline};
        for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
            if (!*fields[f])
                continue;
            const char *r = wd_utf8_repair(*fields[f], a);
            if (!r)
                return WD_ENOMEM;
            *fields[f] = r;
        }
        if (it->n_authors) {
            bool ok = true;
            for (size_t k = 0; k < it->n_authors && ok; k++)
                ok = wd_utf8_valid(it->authors[k], strlen(it->authors[k]));
            if (!ok) {
                const char **au = wd_arena_alloc(a, it->n_authors * sizeof *au);
                if (!au)
                    return WD_ENOMEM;
                for (size_t k = 0; k < it->n_authors; k++)
                    if (!(au[k] = wd_utf8_repair(it->authors[k], a)))
                        return WD_ENOMEM;
                it->authors = au;
            }
        }
    }
    return 0;
}

/* After a format's parser: the items' strings made valid, then the
 * language of those that declare none (unless in leaves it for later). */
static int
finish(int rc, const struct wd_page_input *in, struct wd_page *out,
       struct wd_arena *a)
{
    if (rc == 0)
        rc = repair_items(out, a);
    if (rc == 0 && !in->language_later)
        wd_lang_fill(out, a);
    return rc;
}

int
wd_page_parse(const struct wd_page_input *in, struct wd_arena *arena,
              struct wd_page *out)
{
    char type[64], cs[64];
    memset(out, 0, sizeof *out);
    wd_page_content_type(in->content_type, type, sizeof type, cs, sizeof cs);

    /* A page with no content type is read as text; one that names another
     * type is refused rather than guessed at. */
    bool text = type[0] == '\0' || strcmp(type, "text/plain") == 0;
    bool html = strcmp(type, "text/html") == 0 ||
                strcmp(type, "application/xhtml+xml") == 0;
    if (!text && !html)
        return WD_EUNSUPPORTED;
    if (html) {
        if (in->len == 0)
            return WD_EEMPTY;
        /* HTML holds no NUL byte unless it is UTF-16 or UTF-32 (a BOM or
         * the content type says so): anything else with one is binary data
         * under a text label, not a page to guess at. */
        if (!wide_text(in->body, in->len, cs) &&
            memchr(in->body, '\0', in->len))
            return WD_ENUL;
        /* libxml2 finds the encoding (the content type's, else <meta
         * charset>, else a sniff) and converts to UTF-8 itself. Bytes that
         * are valid UTF-8 with some non-ASCII in them are UTF-8 whatever
         * the page's <meta> says (a page re-saved by a CMS keeps its old
         * declaration; text in another encoding is almost never valid
         * UTF-8 by chance), as browsers' detectors decide. */
        /* A page said to be UTF-8 that is not: the charset its own <meta>
         * names, or libxml2's sniff, reads it better than one that turns
         * every other byte into U+FFFD. */
        if (cs[0] && is_utf8_name(cs) &&
            !wd_utf8_valid((const char *)in->body, in->len))
            cs[0] = '\0';
        if (!cs[0] && !wide_text(in->body, in->len, cs)) {
            const char *b = (const char *)in->body;
            size_t k = wd_ascii_span(b, in->len);
            if (k < in->len && wd_utf8_valid(b + k, in->len - k))
                snprintf(cs, sizeof cs, "utf-8");
        }
        return finish(wd_htmlpage_parse((const char *)in->body, in->len, cs,
                                        in->url, in->fetched_at_ms, arena, out),
                      in, out, arena);
    }

    if (in->len == 0)
        return WD_EEMPTY;
    const char *s = (const char *)in->body;
    size_t n = in->len;
    if (is_utf8_name(cs)) {
        if (memchr(s, '\0', n))
            return WD_ENUL;
        if (!wd_utf8_valid(s, n))
            return WD_EUTF8;
    } else {
        char *conv;
        size_t conv_len;
        int rc = to_utf8(cs, in->body, in->len, arena, &conv, &conv_len);
        if (rc)
            return rc;
        if (memchr(conv, '\0', conv_len))
            return WD_ENUL;
        s = conv;
        n = conv_len;
    }
    /* Skip a byte-order mark. */
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3;
        n -= 3;
    }
    bool blank = true;
    for (size_t i = 0; i < n && blank; i++)
        blank = isspace((unsigned char)s[i]) != 0;
    if (blank)
        return WD_EEMPTY;
    int rc = wd_textpage_parse(s, n, in->fetched_at_ms, in->url, in->boiler,
                               in->boiler_slot, arena, out);
    /* An article whose text gave no date has its URL's, when it has one. */
    int64_t ud;
    if (rc == 0 && out->kind == WD_PAGE_ARTICLE && out->n_items == 1 &&
        !out->items[0].published_at_ms && wd_date_from_url(in->url, &ud) == 0)
        out->items[0].published_at_ms = ud;
    return finish(rc, in, out, arena);
}
