#include "wd/lang.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "wd/arena.h"
#include "wd/item.h"
#include "wd/text.h"

/* Languages written in two scripts, with their usual one (CLDR likely
 * subtags): the other gets its subtag. */
static const struct {
    const char *lang, *usual;
} two_scripts[] = {
    {"uz", "Latn"}, {"az", "Latn"}, {"tk", "Latn"},
    {"bs", "Latn"}, {"kk", "Cyrl"}, {"ky", "Cyrl"},
    {"tg", "Cyrl"}, {"sr", "Cyrl"}, {"mn", "Cyrl"},
};

/* The script most of text's letters are in: "Cyrl", "Latn" or NULL.
 * (Latin: A-Z, a-z and U+00C0..U+027F; Cyrillic: U+0400..U+04FF.) */
static const char *
main_script(const char *text, size_t len)
{
    size_t latin = 0, cyrillic = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        i += wd_utf8_next(text + i, len - i, &cp);
        if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')
            latin++;
        else if (cp >= 0xC0 && cp <= 0x27F)
            latin++;
        else if (cp >= 0x400 && cp <= 0x4FF)
            cyrillic++;
    }
    if (latin == 0 && cyrillic == 0)
        return NULL;
    return cyrillic > latin ? "Cyrl" : "Latn";
}

/* The end of the last whole UTF-8 character at or before n. */
static size_t
utf8_cut(const char *s, size_t n)
{
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

const char *
wd_lang_detect(const char *text, size_t len, struct wd_arena *a)
{
    if (!text || len == 0)
        return NULL;
    if (len > WD_LANG_SAMPLE)
        len = utf8_cut(text, WD_LANG_SAMPLE);
    /* CLD2 reads past the end of an invalid sequence: never give it one. */
    if (!wd_utf8_valid(text, len))
        return NULL;
    int reliable = 0;
    const char *code = wd_lang_cld2(text, (int)len, &reliable);
    if (!reliable || !code || !code[0] || strcmp(code, "un") == 0)
        return NULL;
    char tag[32];
    wd_text_copy(tag, sizeof tag, code);
    for (size_t i = 0; i < sizeof two_scripts / sizeof two_scripts[0]; i++) {
        if (strcmp(code, two_scripts[i].lang) != 0)
            continue;
        const char *script = main_script(text, len);
        if (script && strcmp(script, two_scripts[i].usual) != 0)
            snprintf(tag, sizeof tag, "%s-%s", code, script);
        break;
    }
    return wd_arena_strndup(a, tag, strlen(tag));
}

/* Appends s (and a newline) to buf while it has room. */
static size_t
append(char *buf, size_t n, size_t cap, const char *s)
{
    if (!s || n + 1 >= cap)
        return n;
    size_t k = strlen(s);
    if (n + k + 1 > cap)
        k = utf8_cut(s, cap - n - 1 > k ? k : cap - n - 1);
    memcpy(buf + n, s, k);
    n += k;
    if (n < cap)
        buf[n++] = '\n';
    return n;
}

void
wd_lang_fill(struct wd_page *page, struct wd_arena *a)
{
    bool missing = false;
    for (size_t i = 0; i < page->n_items && !missing; i++)
        missing = page->items[i].language == NULL;
    if (!missing)
        return;
    char sample[WD_LANG_SAMPLE + 1];
    size_t n = 0;
    for (size_t i = 0; i < page->n_items && n + 1 < sizeof sample; i++) {
        n = append(sample, n, sizeof sample, page->items[i].title);
        n = append(sample, n, sizeof sample, page->items[i].body);
    }
    const char *lang = wd_lang_detect(sample, n, a);
    if (!lang)
        return;
    for (size_t i = 0; i < page->n_items; i++)
        if (!page->items[i].language)
            page->items[i].language = lang;
}
