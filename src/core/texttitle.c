/* A text page's title. See include/wd/texttitle.h. */
#include "wd/texttitle.h"

#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <xxhash.h>

#include "wd/err.h"
#include "wd/text.h"

#define TITLE_LOOKBACK 80

static uint64_t
word_hash(const char *w, size_t n)
{
    uint64_t h = XXH3_64bits(w, n);
    return h ? h : 1;
}

static void
wordset_add(struct wd_wordset *ws, uint64_t h)
{
    size_t j = (size_t)h & (ws->cap - 1);
    while (ws->keys[j] && ws->keys[j] != h)
        j = (j + 1) & (ws->cap - 1);
    ws->keys[j] = h;
}

static bool
wordset_has(const struct wd_wordset *ws, uint64_t h)
{
    size_t j = (size_t)h & (ws->cap - 1);
    while (ws->keys[j]) {
        if (ws->keys[j] == h)
            return true;
        j = (j + 1) & (ws->cap - 1);
    }
    return false;
}

/* An empty set for the words of about n bytes of text, from the arena;
 * false when out of memory. */
static bool
wordset_init(struct wd_wordset *ws, struct wd_arena *a, size_t n)
{
    size_t cap = 64;
    while (cap < n)
        cap *= 2;
    ws->keys = wd_arena_alloc(a, cap * sizeof *ws->keys);
    ws->cap = ws->keys ? cap : 0;
    if (ws->keys)
        memset(ws->keys, 0, cap * sizeof *ws->keys);
    return ws->keys != NULL;
}

/* Calls fn for each word of the matching key of s[0..n) (case-folded
 * letters and digits, text.h), in a buffer from the arena. */
static int
each_word(const char *s, size_t n, struct wd_arena *a,
          void (*fn)(void *ctx, const char *w, size_t len), void *ctx)
{
    size_t cap = n * 3 + 8;
    char *key = wd_arena_alloc(a, cap);
    if (!key)
        return WD_ENOMEM;
    size_t k = wd_text_key(s, n, key, cap);
    for (size_t i = 0; i < k;) {
        size_t e = i;
        while (e < k && key[e] != ' ')
            e++;
        fn(ctx, key + i, e - i);
        i = e + 1;
    }
    return 0;
}

static void
add_word(void *ctx, const char *w, size_t len)
{
    wordset_add(ctx, word_hash(w, len));
}

struct overlap {
    const struct wd_wordset *ws;
    size_t words, found;
};

static void
count_word(void *ctx, const char *w, size_t len)
{
    struct overlap *o = ctx;
    if (len < 3)
        return; /* "a", "of", "to": no evidence */
    o->words++;
    o->found += wordset_has(o->ws, word_hash(w, len));
}

struct slug {
    struct wd_wordset set;
    size_t words;
};

static void
add_slug_word(void *ctx, const char *w, size_t len)
{
    static const char *const common[] = {"html",  "htm",     "php",   "aspx",
                                         "shtml", "index",   "www",   "amp",
                                         "news",  "article", "story", "com"};
    struct slug *sl = ctx;
    if (len < 3)
        return;
    for (size_t c = 0; c < sizeof common / sizeof *common; c++)
        if (strlen(common[c]) == len && memcmp(common[c], w, len) == 0)
            return;
    wordset_add(&sl->set, word_hash(w, len));
    sl->words++;
}

/* The words of a URL's path ("/2014/12/most-popular-food-searches.html"):
 * sites write the headline there, so a line that shares them reads as the
 * title. Path words of any site ("news", "html") are left out; a path of
 * fewer than three words (an id, a section) gives none. */
void
wd_texttitle_slug(const char *url, struct wd_arena *a, struct wd_wordset *ws)
{
    ws->keys = NULL;
    ws->cap = 0;
    const char *p = url ? strstr(url, "://") : NULL;
    p = p ? strchr(p + 3, '/') : NULL;
    if (!p)
        return;
    size_t n = strcspn(p, "?#");
    struct slug sl = {{NULL, 0}, 0};
    if (!wordset_init(&sl.set, a, n) || each_word(p, n, a, add_slug_word, &sl))
        return;
    if (sl.words >= 3)
        *ws = sl.set;
}

static long
title_score(const struct wd_tcline *lines, size_t n, size_t i, size_t dist,
            uint32_t body_indent, const struct wd_wordset *body,
            const struct wd_wordset *slug, struct wd_arena *a)
{
    const struct wd_tcline *l = &lines[i];
    long w = (long)wd_textclass_words(l);
    long sc = (w > 10 ? 10 : w) * 2 - (long)dist / 3;
    if (wd_textclass_meta_follows(lines, n, i))
        sc += 6;
    size_t nl;
    if (wd_textclass_byline(l, &nl) && l->n > nl)
        sc -= 30; /* "By ..." */
    if (l->heading)
        sc += l->level <= 1 ? 12 : 2;
    if (l->indent < body_indent)
        sc += 6;
    struct overlap o = {body, 0, 0};
    if (body->cap && each_word(l->s, l->n, a, count_word, &o) == 0 && o.words)
        sc += (long)(20 * o.found / o.words);
    struct overlap u = {slug, 0, 0};
    if (slug->cap && each_word(l->s, l->n, a, count_word, &u) == 0 && u.words)
        sc += (long)(20 * u.found / u.words);
    return sc;
}

size_t
wd_texttitle_find(const struct wd_tcline *lines, size_t from, size_t to,
                  const char *body, const struct wd_wordset *slug,
                  struct wd_arena *a)
{
    uint32_t body_indent = 0;
    for (size_t i = from; i <= to; i++)
        if (lines[i].cls == WD_TC_PROSE) {
            body_indent = lines[i].indent;
            break;
        }
    struct wd_wordset ws;
    size_t blen = strlen(body);
    if (wordset_init(&ws, a, blen / 2) &&
        each_word(body, blen, a, add_word, &ws) != 0)
        ws.cap = 0;
    size_t seen = 0, best = SIZE_MAX;
    long best_score = LONG_MIN;
    for (size_t i = from; i-- > 0 && seen < TITLE_LOOKBACK;) {
        if (lines[i].cls == WD_TC_BLANK)
            continue;
        seen++;
        if ((lines[i].cls != WD_TC_HEAD && !lines[i].twice_head) ||
            lines[i].bullet)
            continue;
        long sc =
            title_score(lines, to + 1, i, seen, body_indent, &ws, slug, a);
        if (sc > best_score) {
            best_score = sc;
            best = i;
        }
    }
    /* A headline that opens the region competes too. */
    for (size_t i = from; i <= to && lines[i].cls != WD_TC_PROSE; i++) {
        if (lines[i].cls != WD_TC_HEAD)
            continue;
        long sc = title_score(lines, to + 1, i, 1, body_indent, &ws, slug, a);
        if (sc > best_score) {
            best_score = sc;
            best = i;
        }
        break;
    }
    return best;
}
