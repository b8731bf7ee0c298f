/* The dedup on real pages: the corpora's real pages (../shared/corpora),
 * each as HTML and as three text renderings (w3m, lynx, html2text), through
 * the worker's pipeline on a real LMDB store.
 *
 *   corpus_dedup [--corpora DIR] [--floor MEASURE=VALUE ...]
 *
 * The four renderings of one page are one story told four ways (other
 * line breaks, other boilerplate, other headline detection); two pages are
 * two stories. Each rendering gets a URL of its own, on its page's host
 * (a site's boilerplate is learned across its pages, as a scraper's are),
 * so that only the text can tie it to its page. Three measures:
 *
 *   distinct  every page's HTML in one store: the pages not decided a
 *             duplicate of another page (a share of the pages);
 *   caught    the same store, then every text rendering: the renderings
 *             that publish nothing new, their stories found (duplicates or
 *             upgrades of a story stored);
 *   false     for each rendering, a store of half the pages' HTML, then
 *             that rendering of each page of the other half: the share
 *             tied to a page it is not (a duplicate or an upgrade). Both
 *             halves, each rendering once per store, so that a rendering
 *             can only be tied to another page.
 *
 * --floor distinct=0.99 / caught.w3m=0.5 / false=0.01 (false is a ceiling:
 * the highest share of any rendering) makes it exit 1 when a measure is
 * crossed. The corpora are a development set: never tune a rule to one of
 * their sites, strings or files. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wd/channel.h"
#include "wd/dedup.h"
#include "wd/pipeline.h"
#include "wd/store.h"
#include "corpora.h"
#include "rawframe.h"

#define RENDERINGS 4
static const char *const rendering[RENDERINGS] = {"html", "w3m", "lynx",
                                                  "html2text"};

struct page {
    char *set, *name;
    char host[128];  /* the truth URL's host (its site's boilerplate is
                      * learned together), or one of the page's own */
    uint64_t *grams; /* the truth body's character 8-grams, sorted */
    size_t n_grams;
    char *text[RENDERINGS]; /* NULL: no such rendering */
    size_t len[RENDERINGS];
};

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The distinct hashes of s's 8-byte windows, its white space collapsed (a
 * measure of the truth's text that needs no word boundaries: Chinese has
 * no spaces). */
static size_t
grams_of(const char *s, uint64_t **out)
{
    size_t len = strlen(s), n = 0, k = 0;
    char *t = malloc(len + 1);
    for (size_t i = 0; i < len; i++) {
        bool sp = s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r';
        if (!sp || (k && t[k - 1] != ' '))
            t[k++] = sp ? ' ' : s[i];
    }
    uint64_t *g = malloc((k > 8 ? k - 7 : 1) * sizeof *g);
    for (size_t i = 0; i + 8 <= k; i++)
        g[n++] = bench_mix(*(uint64_t *)memcpy(&(uint64_t){0}, t + i, 8));
    free(t);
    qsort(g, n, sizeof *g, cmp_u64);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || g[m - 1] != g[i])
            g[m++] = g[i];
    *out = g;
    return m;
}

/* The truth says a and b are one story: half the shorter text's windows
 * are in the other (two test suites' copies of one article, or one page
 * saved twice). */
static bool
truth_same(const struct page *a, const struct page *b)
{
    size_t i = 0, j = 0, common = 0;
    while (i < a->n_grams && j < b->n_grams) {
        if (a->grams[i] == b->grams[j])
            common++, i++, j++;
        else if (a->grams[i] < b->grams[j])
            i++;
        else
            j++;
    }
    size_t small = a->n_grams < b->n_grams ? a->n_grams : b->n_grams;
    return small && common * 2 >= small;
}

struct load_ctx {
    const char *root;
    struct page *v;
    size_t n, cap;
};

/* A real page of the corpora, with its renderings (none without HTML). */
static void
load_page(void *ctx, const char *path, const char *set, const char *name,
          json_t *o, size_t i, size_t n)
{
    struct load_ctx *c = ctx;
    (void)path, (void)i, (void)n;
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 256;
        c->v = realloc(c->v, c->cap * sizeof *c->v);
    }
    struct page *p = &c->v[c->n];
    memset(p, 0, sizeof *p);
    for (int r = 0; r < RENDERINGS; r++) {
        char file[8192];
        if (r == 0)
            snprintf(file, sizeof file, "%s/%s/%s.html", c->root, set, name);
        else
            snprintf(file, sizeof file, "%s/%s/text/%s.%s.txt", c->root, set,
                     name, rendering[r]);
        p->text[r] = slurp(file, &p->len[r]);
    }
    if (!p->text[0]) {
        for (int r = 0; r < RENDERINGS; r++)
            free(p->text[r]);
        return;
    }
    const char *body = json_string_value(json_object_get(o, "body"));
    p->n_grams = grams_of(body ? body : "", &p->grams);
    const char *url = json_string_value(json_object_get(o, "url"));
    const char *h = url ? strstr(url, "://") : NULL;
    if (h)
        snprintf(p->host, sizeof p->host, "%.*s", (int)strcspn(h + 3, "/?#"),
                 h + 3);
    else
        snprintf(p->host, sizeof p->host, "%s-%s.invalid", set, name);
    p->set = strdup(set);
    p->name = strdup(name);
    c->n++;
}

/* The real pages (not the synthetic feature tests) of every set under
 * root, in name order. */
static size_t
load(const char *root, struct page **out)
{
    struct load_ctx c = {root, NULL, 0, 0};
    bench_corpora_each(root, load_page, &c);
    *out = c.v;
    return c.n;
}

/* The stories a store holds, by id: the page whose rendering published
 * each. */
struct owner {
    char id[WD_ID_LEN + 1];
    size_t page, feed;
};

#define DROPS_MAX 64

struct drop {
    char id[WD_ID_LEN + 1]; /* the story it was dropped for ("": none) */
    char why[128];          /* its reason, similarity and title */
};

struct run {
    char dir[32];
    struct wd_store store;
    struct wd_stats stats;
    struct wd_pipeline *p;
    struct owner *owners;
    size_t n_owners, cap_owners;
    size_t feeding; /* the page being fed */
    size_t feeds;   /* feeds so far, the one under way included */
    long tied_to;   /* the page a story of it was dropped for, -1: none */
    char why[128];  /* the first tie's drop (reason, similarity, title) */
    struct drop drops[DROPS_MAX];
    size_t n_drops;
    size_t fresh;   /* stories it published under new ids */
    size_t foreign; /* stories it dropped for, or published again as, a
                     * story of another page (or one no drop names) */
};

/* The page that published story id (-1: none); *now, whether that was
 * the feed under way. */
static long
owner_of(const struct run *r, const char *id, bool *now)
{
    for (size_t i = 0; i < r->n_owners; i++)
        if (strcmp(r->owners[i].id, id) == 0) {
            *now = r->owners[i].feed == r->feeds;
            return (long)r->owners[i].page;
        }
    *now = false;
    return -1;
}

/* Notes who published each story, and which story each drop names. */
static int
watch(void *ctx, const char *channel, const uint8_t *buf, size_t len)
{
    struct run *r = ctx;
    if (strcmp(channel, "all") == 0) {
        Wiredesk__V1__Article *a =
            wiredesk__v1__article__unpack(NULL, len, buf);
        if (!a)
            return 0;
        bool now;
        long was = owner_of(r, a->id, &now);
        if (was >= 0 && !now) {
            r->foreign++; /* an upgrade of another page's story */
            if (r->tied_to < 0)
                r->tied_to = was;
        }
        r->fresh += was < 0;
        if (was < 0 && strlen(a->id) <= WD_ID_LEN) {
            if (r->n_owners == r->cap_owners) {
                r->cap_owners = r->cap_owners ? 2 * r->cap_owners : 256;
                r->owners =
                    realloc(r->owners, r->cap_owners * sizeof *r->owners);
            }
            struct owner *o = &r->owners[r->n_owners++];
            snprintf(o->id, sizeof o->id, "%s", a->id);
            o->page = r->feeding;
            o->feed = r->feeds;
        }
        wiredesk__v1__article__free_unpacked(a, NULL);
    } else if (strcmp(channel, WD_CHANNEL_DEDUP) == 0 &&
               r->n_drops < DROPS_MAX) {
        /* Resolved when the page is done: its own articles go out after
         * its drops. */
        Wiredesk__V1__DedupDecision *d =
            wiredesk__v1__dedup_decision__unpack(NULL, len, buf);
        if (!d)
            return 0;
        struct drop *x = &r->drops[r->n_drops++];
        snprintf(x->id, sizeof x->id, "%s", d->matched_id);
        snprintf(x->why, sizeof x->why, "%s %.2f \"%.60s\"", d->reason,
                 d->similarity, d->title);
        wiredesk__v1__dedup_decision__free_unpacked(d, NULL);
    }
    return 0;
}

static int
run_open(struct run *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->dir, sizeof r->dir, "/tmp/wd-cdedup-XXXXXX");
    if (!mkdtemp(r->dir) || wd_store_open_lmdb(&r->store, r->dir, 1024) != 0)
        return 1;
    struct wd_pipeline_config cfg = {.max_page_bytes = 8 << 20,
                                     .store = &r->store};
    return wd_pipeline_new(&r->p, &cfg, &r->stats) != 0;
}

static void
run_close(struct run *r)
{
    wd_pipeline_free(r->p);
    wd_store_close(&r->store);
    free(r->owners);
    bench_remove_dir(r->dir);
}

/* What a rendering of a page did to the store. */
enum tie {
    TIE_NONE,  /* stories published as new, none tied to a stored one */
    TIE_WHOLE, /* nothing new: its stories tied to stored ones */
    TIE_PART,  /* some stories tied, some new */
    TIE_EMPTY, /* no story read */
};

static enum tie
feed(struct run *r, const struct page *pages, size_t i, int rend)
{
    const struct page *pg = &pages[i];
    r->feeding = i;
    r->feeds++;
    r->tied_to = -1;
    r->why[0] = '\0';
    r->fresh = r->foreign = r->n_drops = 0;
    char url[512];
    snprintf(url, sizeof url, "https://%s/eval/%s/%s/%s", pg->host, pg->set,
             pg->name, rendering[rend]);
    struct wd_page_outcome o;
    bench_feed(r->p, url, rend == 0 ? "text/html" : NULL, pg->text[rend],
               pg->len[rend], 1764000000000LL, "eval", watch, r, &o);
    for (size_t k = 0; k < r->n_drops; k++) {
        bool now;
        long was = owner_of(r, r->drops[k].id, &now);
        /* A drop for a story of this feed (a page that lists one twice) is
         * not a tie. */
        if (now)
            continue;
        r->foreign++;
        if (!r->why[0])
            memcpy(r->why, r->drops[k].why, sizeof r->why);
        if (was >= 0 && r->tied_to < 0)
            r->tied_to = was;
    }
    if (r->foreign && !r->fresh)
        return TIE_WHOLE;
    if (r->foreign)
        return TIE_PART;
    return r->fresh ? TIE_NONE : TIE_EMPTY;
}

/* Whether rendering rend of page i ties to page j's HTML alone. */
static bool
ties_alone(const struct page *pages, size_t i, int rend, size_t j)
{
    struct run r;
    if (run_open(&r) != 0)
        return false;
    feed(&r, pages, j, 0);
    enum tie t = feed(&r, pages, i, rend);
    run_close(&r);
    return t == TIE_WHOLE || t == TIE_PART;
}

/* Prints a tie of rendering rend of page i to page j and says whether the
 * truth makes it right. j -1: the drop named no story (a page seen whole
 * before): then the stored pages (from, from + step, ... < until) that
 * the truth makes one story with i are tried alone. */
static bool
tie_right(const struct page *pages, size_t i, int rend, enum tie t, long j,
          const char *why, size_t from, size_t step, size_t until)
{
    for (size_t k = from; j < 0 && k < until; k += step)
        if (k != i && truth_same(&pages[i], &pages[k]) &&
            ties_alone(pages, i, rend, k))
            j = (long)k;
    bool right = j >= 0 && truth_same(&pages[i], &pages[j]);
    printf("  %s%s: %s/%s (%s) tied to %s%s%s (%s)\n",
           right ? "one story" : "false", t == TIE_WHOLE ? "" : ", in part",
           pages[i].set, pages[i].name, rendering[rend],
           j >= 0 ? pages[j].set : "(a story it does not name)",
           j >= 0 ? "/" : "", j >= 0 ? pages[j].name : "",
           why[0] ? why : "upgrade");
    return right;
}

struct floor {
    const char *name;
    double value;
};

int
main(int argc, char **argv)
{
    const char *root = WD_SHARED "/corpora";
    struct floor floors[16];
    int n_floors = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--corpora") && i + 1 < argc) {
            root = argv[++i];
        } else if (!strcmp(argv[i], "--floor") && i + 1 < argc &&
                   n_floors < 16 && strchr(argv[i + 1], '=')) {
            char *eq = strchr(argv[++i], '=');
            *eq = '\0';
            floors[n_floors++] = (struct floor){argv[i], atof(eq + 1)};
        } else {
            fprintf(stderr, "usage: corpus_dedup [--corpora DIR] "
                            "[--floor MEASURE=VALUE ...]\n");
            return 2;
        }
    }
    struct page *pages;
    size_t n = load(root, &pages);
    if (n < 2) {
        fprintf(stderr, "corpus_dedup: no real pages under %s\n", root);
        return 2;
    }
    double t0 = now_s();
    double measure[1 + 2 * RENDERINGS] = {0}; /* distinct, caught[], false[] */
    struct run r;

    /* distinct and caught: one store with every page. */
    if (run_open(&r) != 0)
        return 1;
    size_t merged = 0, twins = 0;
    for (size_t i = 0; i < n; i++)
        if (feed(&r, pages, i, 0) == TIE_WHOLE) {
            if (tie_right(pages, i, 0, TIE_WHOLE, r.tied_to, r.why, 0, 1, i))
                twins++;
            else
                merged++;
        }
    measure[0] = 1.0 - (double)merged / (double)(n - twins);
    printf("real pages: %zu, of which %zu one story with an earlier page (the "
           "truth's bodies); the other pages' HTML kept distinct: %zu of %zu "
           "(%.4f)\n",
           n, twins, n - twins - merged, n - twins, measure[0]);
    printf("%-10s %7s %7s %7s %7s %7s %7s %9s\n", "rendering", "pages", "whole",
           "part", "none", "empty", "other", "caught");
    for (int rend = 1; rend < RENDERINGS; rend++) {
        size_t c[4] = {0}, total = 0, other = 0;
        for (size_t i = 0; i < n; i++) {
            if (!pages[i].text[rend])
                continue;
            enum tie t = feed(&r, pages, i, rend);
            total++;
            /* Tied, but to another story: not caught. */
            if (r.tied_to >= 0 && !truth_same(&pages[i], &pages[r.tied_to]) &&
                (t == TIE_WHOLE || t == TIE_PART) && r.tied_to != (long)i) {
                other++;
                tie_right(pages, i, rend, t, r.tied_to, r.why, 0, 1, n);
            } else {
                c[t]++;
            }
        }
        measure[rend] = total ? (double)c[TIE_WHOLE] / (double)total : 0;
        printf("%-10s %7zu %7zu %7zu %7zu %7zu %7zu %9.4f\n", rendering[rend],
               total, c[TIE_WHOLE], c[TIE_PART], c[TIE_NONE], c[TIE_EMPTY],
               other, measure[rend]);
    }
    run_close(&r);

    /* false: half the pages stored, the other half's renderings fed. A
     * rendering tied whole to another story is a story lost; one tied in
     * part published its story, and some other item of it (most often
     * a site's chrome read as an item) was dropped for another page's. */
    printf("%-10s %7s %7s %7s %9s   (tied to another story's page)\n",
           "rendering", "pages", "whole", "part", "false");
    double worst = 0;
    for (int rend = 0; rend < RENDERINGS; rend++) {
        size_t whole = 0, part = 0, total = 0, right = 0;
        for (size_t half = 0; half < 2; half++) {
            if (run_open(&r) != 0)
                return 1;
            for (size_t i = half; i < n; i += 2)
                feed(&r, pages, i, 0);
            for (size_t i = 1 - half; i < n; i += 2) {
                if (!pages[i].text[rend])
                    continue;
                enum tie t = feed(&r, pages, i, rend);
                total++;
                if (t != TIE_WHOLE && t != TIE_PART)
                    continue;
                if (tie_right(pages, i, rend, t, r.tied_to, r.why, half, 2, n))
                    right++;
                else if (t == TIE_WHOLE)
                    whole++;
                else
                    part++;
            }
            run_close(&r);
        }
        double share = total ? (double)whole / (double)total : 0;
        measure[RENDERINGS + rend] = share;
        if (share > worst)
            worst = share;
        printf("%-10s %7zu %7zu %7zu %9.4f   (and %zu tied to their story's "
               "other page)\n",
               rendering[rend], total, whole, part, share, right);
    }
    printf("(%.1f s)\n", now_s() - t0);

    int rc = 0;
    for (int f = 0; f < n_floors; f++) {
        const char *m = floors[f].name;
        double got = -1;
        bool ceiling = false;
        if (!strcmp(m, "distinct"))
            got = measure[0];
        else if (!strcmp(m, "false"))
            got = worst, ceiling = true;
        for (int rend = 1; rend < RENDERINGS; rend++)
            if (!strncmp(m, "caught.", 7) && !strcmp(m + 7, rendering[rend]))
                got = measure[rend];
        if (got < 0) {
            fprintf(stderr, "corpus_dedup: no measure %s\n", m);
            rc = 2;
        } else if (ceiling ? got > floors[f].value : got < floors[f].value) {
            printf("FLOOR CROSSED: %s %.4f (%s %.4f)\n", m, got,
                   ceiling ? "at most" : "at least", floors[f].value);
            rc = rc ? rc : 1;
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(pages[i].set);
        free(pages[i].name);
        free(pages[i].grams);
        for (int rend = 0; rend < RENDERINGS; rend++)
            free(pages[i].text[rend]);
    }
    free(pages);
    return rc;
}
