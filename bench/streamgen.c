#include "streamgen.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_STORIES 4096
#define MAX_WORDS 20000
#define HISTORY 512

struct story {
    char title[256];
    char *body; /* paragraphs separated by '\n' */
    bool seen, seen_full;
    int site;
};

/* A page remembered for re-fetching: how it was made, not its text. */
struct recipe {
    bool article;
    int site;
    int n;
    int stories[SG_MAX_ITEMS];
    int edit_seed; /* 0: the story's own text */
};

struct sg {
    uint64_t rng;
    char **words;
    int n_words;
    struct story *stories; /* grown as needed (indices, never pointers, are
                              kept across new_story) */
    int n_stories, cap_stories, upgrades;
    struct recipe history[HISTORY];
    int n_history;
    char *buf;
    size_t cap;
    int page_no;
    int refetch_pct; /* pages that are re-fetches, percent */
};

static uint64_t
rnd(struct sg *g)
{
    g->rng ^= g->rng << 13;
    g->rng ^= g->rng >> 7;
    g->rng ^= g->rng << 17;
    return g->rng;
}

static int
rnd_int(struct sg *g, int lo, int hi)
{
    return lo + (int)(rnd(g) % (uint64_t)(hi - lo + 1));
}

struct sb {
    char *p;
    size_t len, cap;
};

static void sb_add(struct sb *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#include <stdarg.h>
static void
sb_add(struct sb *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        b->cap = b->cap * 2 + (size_t)n + 64;
        b->p = realloc(b->p, b->cap);
    }
}

static const char *
word(struct sg *g)
{
    return g->words[rnd(g) % (uint64_t)g->n_words];
}

struct sg *
sg_new(uint64_t seed, const char *corpus, size_t len)
{
    struct sg *g = calloc(1, sizeof *g);
    if (g)
        g->refetch_pct = 15;
    g->rng = seed ? seed : 88172645463325252ULL;
    g->words = malloc(MAX_WORDS * sizeof *g->words);
    g->stories = calloc(MIN_STORIES, sizeof *g->stories);
    g->cap_stories = MIN_STORIES;
    /* Words of letters only, lower case, 3 to 14 long, from the corpus. */
    size_t i = 0;
    while (i < len && g->n_words < MAX_WORDS) {
        while (i < len && !isalpha((unsigned char)corpus[i]))
            i++;
        size_t s = i;
        while (i < len && isalpha((unsigned char)corpus[i]))
            i++;
        size_t n = i - s;
        if (n >= 3 && n <= 14) {
            char *w = malloc(n + 1);
            for (size_t k = 0; k < n; k++)
                w[k] = (char)tolower((unsigned char)corpus[s + k]);
            w[n] = '\0';
            g->words[g->n_words++] = w;
        }
    }
    return g;
}

void
sg_free(struct sg *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->n_words; i++)
        free(g->words[i]);
    for (int i = 0; i < g->n_stories; i++)
        free(g->stories[i].body);
    free(g->words);
    free(g->stories);
    free(g->buf);
    free(g);
}

static int
new_story(struct sg *g)
{
    if (g->n_stories == g->cap_stories) {
        size_t cap = (size_t)g->cap_stories * 2;
        struct story *p = realloc(g->stories, cap * sizeof *p);
        if (!p)
            abort();
        g->stories = p;
        g->cap_stories = (int)cap;
    }
    struct story *s = &g->stories[g->n_stories];
    memset(s, 0, sizeof *s);
    struct sb b = {0};
    int tw = rnd_int(g, 5, 10);
    size_t tl = 0;
    for (int k = 0; k < tw; k++) {
        const char *w = word(g);
        tl +=
            (size_t)snprintf(s->title + tl, sizeof s->title - tl, "%s%c%s",
                             k ? " " : "", toupper((unsigned char)w[0]), w + 1);
    }
    snprintf(s->title + tl, sizeof s->title - tl, " %d", g->n_stories);
    int paras = rnd_int(g, 3, 7);
    for (int p = 0; p < paras; p++) {
        int sentences = rnd_int(g, 2, 5);
        for (int k = 0; k < sentences; k++) {
            int n = rnd_int(g, 10, 22);
            for (int w = 0; w < n; w++) {
                const char *x = word(g);
                if (w == 0)
                    sb_add(&b, "%s%c%s", k ? " " : "",
                           toupper((unsigned char)x[0]), x + 1);
                else
                    sb_add(&b, " %s", x);
            }
            sb_add(&b, ".");
        }
        sb_add(&b, "\n");
    }
    s->body = b.p;
    s->site = rnd_int(g, 0, 1);
    return g->n_stories++;
}

/* A copy-edit of a body: a few words replaced, a sentence added, quotes
 * and spacing changed, depending on seed. */
static char *
edit_body(struct sg *g, const char *body, int seed)
{
    uint64_t save = g->rng;
    g->rng = (uint64_t)seed * 0x9E3779B97F4A7C15ULL + 1;
    struct sb b = {0};
    int mode = seed % 3;
    /* Half the copies are re-syndicated under another headline with a word
     * of the lead changed too: then the story id differs and only the
     * near-duplicate detector can tell. */
    bool relead = (seed / 3) % 2 == 0;
    const char *p = body;
    int wordno = 0;
    while (*p) {
        /* Replace the next word: the fourth one when re-leading, a few
         * deep in the text for a copy-edit. */
        if (*p == ' ' && ((relead && wordno == 3) ||
                          (mode == 0 && rnd(g) % 60 == 0 && wordno > 20))) {
            p++;
            while (*p && *p != ' ' && *p != '.' && *p != '\n')
                p++;
            sb_add(&b, " %s", word(g));
            wordno++;
            continue;
        }
        if (*p == ' ') {
            wordno++;
            sb_add(&b, mode == 2 && rnd(g) % 7 == 0 ? "  " : " ");
        } else {
            sb_add(&b, "%c", *p);
        }
        p++;
    }
    if (mode == 1) {
        sb_add(&b, "Officials said more details would follow later in the "
                   "week, according to a statement.\n");
    }
    g->rng = save;
    return b.p;
}

/* The headline of a copy: re-syndicated ones get a new one. */
static void
edit_title(const char *title, int seed, char *out, size_t cap)
{
    if (seed && (seed / 3) % 2 == 0)
        snprintf(out, cap, "Report: %s", title);
    else
        snprintf(out, cap, "%s", title);
}

static void
ticker(struct sg *g, struct sb *b)
{
    static const char *const pairs[] = {"EUR/USD", "GBP/USD", "JPY/USD",
                                        "CNY/USD", "INR/USD"};
    for (int r = 0; r < 6; r++)
        for (int k = 0; k < 5; k++)
            sb_add(b, "  \xE2\x80\xA2 %s = %d.%04d %s%d.%02d%%\n", pairs[k],
                   rnd_int(g, 0, 2), rnd_int(g, 0, 9999), rnd(g) & 1 ? "-" : "",
                   rnd_int(g, 0, 1), rnd_int(g, 0, 99));
}

static void
date_line(struct sg *g, struct sb *b, bool iso)
{
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int d = rnd_int(g, 1, 28), m = rnd_int(g, 0, 11), h = rnd_int(g, 0, 23),
        mi = rnd_int(g, 0, 59);
    if (iso)
        sb_add(b, "2025-%02d-%02dT%02d:%02d:00Z\n", m + 1, d, h, mi);
    else
        sb_add(b, "%02d %s 2025 %02d:%02d\n", d, mon[m], h, mi);
}

/* The teaser: the opening words of the first paragraph, cut. */
static void
teaser(struct sb *b, const char *body, int words)
{
    const char *p = body;
    int n = 0;
    while (*p && *p != '\n' && n < words) {
        if (*p == ' ')
            n++;
        if (n < words)
            sb_add(b, "%c", *p);
        p++;
    }
    sb_add(b, "...\n");
}

static void
render(struct sg *g, const struct recipe *r, struct sg_page *out)
{
    struct sb b = {g->buf, 0, g->cap};
    if (!b.p) {
        b.cap = 1 << 16;
        b.p = malloc(b.cap);
    }
    if (!r->article) {
        if (r->site == 0) {
            ticker(g, &b);
            date_line(g, &b, false);
            sb_add(&b, "\nViewing results 1 - %d of %d\n\n", r->n,
                   rnd_int(g, 20, 90));
            for (int i = 0; i < r->n; i++) {
                const struct story *s = &g->stories[r->stories[i]];
                sb_add(&b, "%s\n\n", s->title);
                teaser(&b, s->body, 45);
                sb_add(&b, "\n");
            }
        } else {
            sb_add(&b, "News | World | Business | Sport\nLatest stories\n");
            for (int i = 0; i < r->n; i++) {
                const struct story *s = &g->stories[r->stories[i]];
                sb_add(&b, "%s\n", s->title);
                date_line(g, &b, true);
                teaser(&b, s->body, 35);
            }
            sb_add(&b,
                   "Page %d of %d\n(c) 2025 The Daily Example. All "
                   "rights reserved.\n",
                   rnd_int(g, 1, 9), rnd_int(g, 10, 40));
        }
    } else {
        const struct story *s = &g->stories[r->stories[0]];
        char *body =
            r->edit_seed ? edit_body(g, s->body, r->edit_seed) : s->body;
        char title[300];
        edit_title(s->title, r->edit_seed, title, sizeof title);
        if (r->site == 0) {
            sb_add(&b, "%s\n%s", title, body);
            sb_add(&b, "%s %s\nHome\n", "Anna", "Karimova");
            date_line(g, &b, false);
            sb_add(&b, "%d\n", rnd_int(g, 10, 5000));
        } else {
            sb_add(&b, "Menu\nSearch\n\n%s\nBy %s\n", title, "John Walker");
            date_line(g, &b, true);
            sb_add(&b, "\n");
            for (const char *p = body; *p; p++) {
                if (*p == '\n')
                    sb_add(&b, "\n\n");
                else
                    sb_add(&b, "%c", *p);
            }
            sb_add(&b, "Share\nTweet\nRelated stories\n");
        }
        if (body != s->body)
            free(body);
    }
    g->buf = b.p;
    g->cap = b.cap;
    out->text = b.p;
    out->len = b.len;
}

/* Marks the truth of each item of a fresh (not re-fetched) page. */
static void
truth(struct sg *g, const struct recipe *r, struct sg_page *out)
{
    out->n_items = r->n;
    for (int i = 0; i < r->n; i++) {
        struct story *s = &g->stories[r->stories[i]];
        struct sg_item *it = &out->items[i];
        it->story = r->stories[i];
        it->kind = !r->article ? SG_TEASER : r->edit_seed ? SG_EDIT : SG_FULL;
        edit_title(s->title, r->article ? r->edit_seed : 0, it->title,
                   sizeof it->title);
        bool full = it->kind != SG_TEASER;
        if (!s->seen)
            it->expect_publish = true;
        else if (full && !s->seen_full && it->kind == SG_FULL) {
            it->expect_publish = true;
            g->upgrades++;
        } else
            it->expect_publish = false;
        s->seen = true;
        s->seen_full |= full;
    }
}

static int
recent_story(struct sg *g)
{
    int lo = g->n_stories > 300 ? g->n_stories - 300 : 0;
    return rnd_int(g, lo, g->n_stories - 1);
}

void
sg_set_refetch(struct sg *g, int percent)
{
    g->refetch_pct = percent < 0 ? 0 : percent > 90 ? 90 : percent;
}

void
sg_next(struct sg *g, struct sg_page *out)
{
    memset(out, 0, sizeof *out);
    struct recipe r = {0};
    int roll = rnd_int(g, 0, 99);
    g->page_no++;
    if (g->n_history > 20 && roll < g->refetch_pct) {
        /* A re-fetch: same stories, new ticker, date and counters. */
        r = g->history[rnd(g) % (uint64_t)(g->n_history < HISTORY ? g->n_history
                                                                  : HISTORY)];
        render(g, &r, out);
        out->refetch = true;
        out->n_items = r.n;
        for (int i = 0; i < r.n; i++) {
            out->items[i].story = r.stories[i];
            out->items[i].kind = !r.article    ? SG_TEASER
                                 : r.edit_seed ? SG_EDIT
                                               : SG_FULL;
            out->items[i].expect_publish = false;
            edit_title(g->stories[r.stories[i]].title,
                       r.article ? r.edit_seed : 0, out->items[i].title,
                       sizeof out->items[i].title);
        }
        snprintf(out->url, sizeof out->url, "https://site%d.example/p/%d",
                 r.site, g->page_no);
        return;
    }
    if (g->n_stories < 10 || roll < 55) {
        /* A listing of six: new stories and recent ones. */
        r.article = false;
        r.site = rnd_int(g, 0, 1);
        r.n = 6;
        for (int i = 0; i < r.n; i++) {
            int s;
            bool dup;
            do {
                s = g->n_stories < 10 || rnd(g) % 2 ? new_story(g)
                                                    : recent_story(g);
                dup = false;
                for (int k = 0; k < i; k++)
                    dup |= r.stories[k] == s;
            } while (dup);
            r.stories[i] = s;
        }
    } else if (roll < 90) {
        r.article = true;
        r.n = 1;
        int pick = rnd_int(g, 0, 9);
        r.stories[0] = pick < 7 ? recent_story(g) : new_story(g);
        r.site = g->stories[r.stories[0]].site;
    } else {
        /* A copy-edited re-post of a story already told in full. */
        r.article = true;
        r.n = 1;
        r.stories[0] = recent_story(g);
        if (!g->stories[r.stories[0]].seen_full)
            r.edit_seed = 0; /* nothing to copy yet: the full text */
        else
            r.edit_seed = rnd_int(g, 1, 1 << 30);
        r.site = 1 - g->stories[r.stories[0]].site;
    }
    render(g, &r, out);
    truth(g, &r, out);
    snprintf(out->url, sizeof out->url, "https://site%d.example/p/%d", r.site,
             g->page_no);
    g->history[g->n_history % HISTORY] = r;
    g->n_history++;
}

int
sg_stories(const struct sg *g)
{
    return g->n_stories;
}

int
sg_upgrades(const struct sg *g)
{
    return g->upgrades;
}
