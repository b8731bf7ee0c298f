#include "wd/htmlstrip.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

static bool
is_name_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '-' || c == ':' || c == '_';
}

/* The end of the raw text that began at s + i: where "</NAME" starts
 * (NAME in any case, then white space, "/" or ">"), n when none does. */
static size_t
raw_text_end(const char *s, size_t n, size_t i, const char *name)
{
    size_t k = strlen(name);
    while (i < n) {
        const char *p = memchr(s + i, '<', n - i);
        if (!p)
            return n;
        i = (size_t)(p - s);
        if (i + 2 + k < n && s[i + 1] == '/' &&
            strncasecmp(s + i + 2, name, k) == 0 &&
            !is_name_char((unsigned char)s[i + 2 + k]))
            return i;
        i++;
    }
    return n;
}

/* Where "-->" starts in s[0..n), NULL when nowhere. */
static const char *
comment_end(const char *s, size_t n)
{
    size_t i = 0;
    const char *p;
    while (i < n && (p = memchr(s + i, '>', n - i)) != NULL) {
        size_t k = (size_t)(p - s);
        if (k >= 2 && s[k - 1] == '-' && s[k - 2] == '-')
            return p - 2;
        i = k + 1;
    }
    return NULL;
}

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Where the (WD_HTMLSTRIP_MAX_ATTRS + 1)-th attribute of the tag whose
 * attributes are s[from..end) starts (end: its closing "/" or ">"), or end
 * when it has no more. Attributes as the tokenizer reads them: a name,
 * then optionally "=" and a quoted or bare value. */
static size_t
attrs_cut(const char *s, size_t from, size_t end)
{
    size_t i = from;
    for (int n = 0;; n++) {
        while (i < end && (is_space(s[i]) || s[i] == '/'))
            i++;
        if (i >= end || n == WD_HTMLSTRIP_MAX_ATTRS)
            return i;
        while (i < end && !is_space(s[i]) && s[i] != '=' && s[i] != '/')
            i++;
        size_t k = i;
        while (k < end && is_space(s[k]))
            k++;
        if (k >= end || s[k] != '=')
            continue;
        i = k + 1;
        while (i < end && is_space(s[i]))
            i++;
        if (i < end && (s[i] == '"' || s[i] == '\'')) {
            const char *q = memchr(s + i + 1, s[i], end - i - 1);
            i = q ? (size_t)(q - s) + 1 : end;
        } else {
            while (i < end && !is_space(s[i]))
                i++;
        }
    }
}

size_t
wd_htmlstrip(const char *s, size_t len, char *out)
{
    size_t i = 0, o = 0;
    while (i < len) {
        const char *p = memchr(s + i, '<', len - i);
        size_t k = p ? (size_t)(p - s) : len;
        memcpy(out + o, s + i, k - i);
        o += k - i;
        i = k;
        if (i >= len)
            break;
        if (i + 4 <= len && memcmp(s + i, "<!--", 4) == 0) {
            const char *e = comment_end(s + i + 4, len - i - 4);
            if (!e)
                break; /* the rest is copied below */
            i = (size_t)(e - s) + 3;
            continue;
        }
        size_t nb = i + 1 + (i + 1 < len && s[i + 1] == '/'), ne = nb;
        while (ne < len && is_name_char((unsigned char)s[ne]))
            ne++;
        if (ne == nb || !((s[nb] | 0x20) >= 'a' && (s[nb] | 0x20) <= 'z')) {
            /* "a < b", "<3", "<!DOCTYPE": not a tag to read here */
            out[o++] = '<';
            i++;
            continue;
        }
        bool end_tag = nb > i + 1;
        bool script =
            !end_tag && ne - nb == 6 && strncasecmp(s + nb, "script", 6) == 0;
        bool style =
            !end_tag && ne - nb == 5 && strncasecmp(s + nb, "style", 5) == 0;
        /* Every tag is copied whole, so that a "<script>" inside a quoted
         * attribute value is no script. Its end: quotes count after "="
         * only. */
        size_t j = ne;
        while (j < len) {
            while (j < len && s[j] != '>' && s[j] != '"' && s[j] != '\'')
                j++;
            if (j >= len || s[j] == '>')
                break;
            size_t b = j; /* the character before the quote, spaces aside */
            while (b > ne && s[b - 1] && strchr(" \t\r\n", s[b - 1]))
                b--;
            const char *q = b > ne && s[b - 1] == '='
                                ? memchr(s + j + 1, s[j], len - j - 1)
                                : s + j;
            j = q ? (size_t)(q - s) + 1 : len;
        }
        if (j >= len)
            break;
        /* A tag of more attributes than any page needs keeps its first
         * WD_HTMLSTRIP_MAX_ATTRS: libxml2 compares each attribute with all
         * the ones before it (100 000 of them took 29 s). Looked at only in
         * a long tag. */
        size_t cut = j + 1;
        if (j - ne > 8 * WD_HTMLSTRIP_MAX_ATTRS) {
            size_t close = s[j - 1] == '/' && j - 1 > ne ? j - 1 : j;
            cut = attrs_cut(s, ne, close);
        }
        if (cut <= j) {
            memcpy(out + o, s + i, cut - i);
            o += cut - i;
            if (s[j - 1] == '/' && j - 1 >= cut)
                out[o++] = '/';
            out[o++] = '>';
        } else {
            memcpy(out + o, s + i, j + 1 - i);
            o += j + 1 - i;
        }
        if (!script && !style) {
            i = j + 1;
            continue;
        }
        bool keep = false;
        for (size_t t = ne; script && t + 7 <= j && !keep; t++)
            keep = strncasecmp(s + t, "ld+json", 7) == 0;
        size_t body = j + 1;
        if (s[j - 1] == '/' && !keep) { /* <script/> holds nothing */
            i = body;
            continue;
        }
        size_t end = raw_text_end(s, len, body, script ? "script" : "style");
        if (end >= len) {
            i = body;
            break;
        }
        if (keep) {
            memcpy(out + o, s + body, end - body);
            o += end - body;
        }
        i = end;
    }
    memcpy(out + o, s + i, len - i);
    return o + len - i;
}
