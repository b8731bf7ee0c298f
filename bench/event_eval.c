/* Event clustering on the development streams, with floors:
 *
 *   event_eval [--fixtures DIR] [--corpora DIR] [--seeds DIR]
 *              [--threshold X] [--undated-threshold X] [--window-hours H]
 *              [--floor KEY=VALUE ...] [--verbose]
 *
 * Each DIR/events/NAME.jsonl is one stream of articles with their event's
 * truth ({"event", "time", "source", "lang", "kind", "title", "body"}); the
 * articles go, in time order, through the worker's tagger (countries) and
 * its clusterer (wd_cluster_assign), as the pipeline sends them. Printed
 * per set: articles, true and found events, and the pairwise precision,
 * recall and F1 (Miranda et al. 2018: over all pairs of articles, a pair
 * is right when both are in one event and truly are). The set "all" is
 * every stream interleaved by time, each article dated (as a live feed's
 * pages are); "all-undated" the same with the teasers' dates taken away
 * (as many listings give none): they join on their words alone, against
 * the stricter undated threshold. "all+corpora" adds the real pages of
 * ../shared/corpora (their truth's title and body, each its own event,
 * the synthetic feature tests left out;
 * spread over the streams' weeks) as distractors.
 *
 * The seeds check: the text pages of ../shared/seeds go through the
 * worker's page parser, all received at one instant, dated when the page
 * dates them, after the streams (a worker that has read the news a
 * while); the stories whose titles DIR/events/seeds.tsv lists under one
 * event must share one event, and no other story may join it. The same
 * check on a cold clusterer (the seeds first) is printed for the record.
 *
 * --scale N feeds N synthetic articles (words drawn with a skewed
 * frequency; a third of them variations of a recent one; one a second, so
 * that events expire) through one clusterer with the default bounds and
 * prints the cost per article and the memory at the end: the bound holds
 * whatever the number of stories.
 *
 * --floor KEY=VALUE (f1, p, r over "all", the streams; seeds=1) exits 1 when a
 * figure falls below; the ctest test event_eval_floor holds the floors of
 * bench/RESULTS.md. Also prints the clusterer's CPU per article. */
#define _GNU_SOURCE /* strptime, timegm */
#include <dirent.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchutil.h"
#include "corpora.h"
#include "wd/arena.h"
#include "wd/cluster.h"
#include "wd/fingerprint.h"
#include "wd/page.h"
#include "wd/tag.h"

struct art {
    char *event;    /* truth */
    int64_t at_ms;  /* received */
    int64_t pub_ms; /* its own date (0: none) */
    bool teaser;
    char *source, *title, *body, *set;
    char found[WD_CLUSTER_ID_LEN + 1];
    float sim, runner_sim; /* the decision's explanation */
};

struct arts {
    struct art *a;
    size_t n, cap;
};

static struct wd_tagger *tagger;
static struct wd_cluster_config ccfg;
static double cpu_s;
static size_t cpu_n;

static void
push(struct arts *v, struct art a)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 256;
        v->a = realloc(v->a, v->cap * sizeof *v->a);
        if (!v->a) {
            fprintf(stderr, "event_eval: out of memory\n");
            exit(2);
        }
    }
    v->a[v->n++] = a;
}

static void
arts_free(struct arts *v)
{
    for (size_t i = 0; i < v->n; i++) {
        free(v->a[i].event);
        free(v->a[i].source);
        free(v->a[i].title);
        free(v->a[i].body);
        free(v->a[i].set);
    }
    free(v->a);
    *v = (struct arts){0};
}

static int64_t
iso_ms(const char *s)
{
    struct tm tm = {0};
    if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
        return 0;
    return (int64_t)timegm(&tm) * 1000;
}

static char *
dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

static int
load_jsonl(const char *path, const char *set, struct arts *v)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int lineno = 0;
    while ((n = getline(&line, &cap, f)) > 0) {
        lineno++;
        json_error_t err;
        json_t *o = json_loadb(line, (size_t)n, 0, &err);
        if (!o) {
            fprintf(stderr, "%s:%d: %s\n", path, lineno, err.text);
            continue;
        }
        const char *kind = json_string_value(json_object_get(o, "kind"));
        struct art a = {
            .event =
                dup_or_empty(json_string_value(json_object_get(o, "event"))),
            .at_ms = iso_ms(json_string_value(json_object_get(o, "time"))),
            .teaser = kind && strcmp(kind, "teaser") == 0,
            .source =
                dup_or_empty(json_string_value(json_object_get(o, "source"))),
            .title =
                dup_or_empty(json_string_value(json_object_get(o, "title"))),
            .body = dup_or_empty(json_string_value(json_object_get(o, "body"))),
            .set = strdup(set),
        };
        a.pub_ms = a.at_ms; /* published as it comes */
        push(v, a);
        json_decref(o);
    }
    free(line);
    fclose(f);
    return 0;
}

static int cmp_str(const void *a, const void *b);

struct corpora_ctx {
    int64_t from, to;
    struct arts *v;
};

static void
corpora_page(void *ctx, const char *path, const char *set, const char *name,
             json_t *o, size_t i, size_t n)
{
    struct corpora_ctx *c = ctx;
    (void)set, (void)name;
    const char *title = json_string_value(json_object_get(o, "title"));
    const char *body = json_string_value(json_object_get(o, "body"));
    if (!title || !body || !*body)
        return;
    char ev[64];
    snprintf(ev, sizeof ev, "corpora-%zu", i);
    int64_t at = c->from + (c->to - c->from) * (int64_t)i / (int64_t)n;
    push(c->v, (struct art){
                   .event = strdup(ev),
                   .at_ms = at,
                   .pub_ms = at,
                   .source = strdup(path),
                   .title = strdup(title),
                   .body = strdup(body),
                   .set = strdup("corpora"),
               });
}

/* The corpora's real pages: each its own event, spread over [from, to). */
static void
load_corpora(const char *root, int64_t from, int64_t to, struct arts *v)
{
    struct corpora_ctx c = {from, to, v};
    bench_corpora_each(root, corpora_page, &c);
}

static int
by_time(const void *x, const void *y)
{
    const struct art *a = x, *b = y;
    if (a->at_ms != b->at_ms)
        return a->at_ms < b->at_ms ? -1 : 1;
    return a < b ? -1 : a > b; /* stable: qsort of indexes below */
}

static void
cluster_one(struct wd_cluster *c, struct art *a)
{
    size_t tl = strlen(a->title), bl = strlen(a->body);
    struct wd_tags tags;
    wd_tagger_tag(tagger, a->title, tl, a->body, bl, &tags);
    char id[WD_ID_LEN + 1];
    wd_fp_story_id(a->title, tl, a->body, bl, id);
    struct wd_cluster_article in = {
        .story_id = id,
        .revision = 1,
        .title = a->title,
        .tlen = tl,
        .body = a->body,
        .blen = bl,
        .source = a->source,
        .at_ms = a->at_ms,
        .published_ms = a->pub_ms,
        .tags = &tags,
    };
    struct wd_cluster_result r;
    double t0 = now_s();
    wd_cluster_assign(c, &in, &r, NULL);
    cpu_s += now_s() - t0;
    cpu_n++;
    memcpy(a->found, r.event_id, sizeof a->found);
    a->sim = r.created ? 0 : r.similarity;
    a->runner_sim = r.runner_up_similarity;
}

struct pair_counts {
    double tp, found, truth;
};

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Pairs within groups of equal keys (keys sorted). */
static double
pairs_of(char **keys, size_t n)
{
    qsort(keys, n, sizeof *keys, cmp_str);
    double p = 0;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && strcmp(keys[i], keys[j]) == 0; j++)
            ;
        double k = (double)(j - i);
        p += k * (k - 1) / 2;
    }
    return p;
}

static size_t
groups_of(char **keys, size_t n)
{
    qsort(keys, n, sizeof *keys, cmp_str);
    size_t g = 0;
    for (size_t i = 0; i < n; i++)
        g += i == 0 || strcmp(keys[i], keys[i - 1]) != 0;
    return g;
}

struct score {
    double p, r, f1;
};

/* Clusters v's articles in time order with a fresh clusterer; prints and
 * returns the pairwise scores. */
static struct score
run_set(const char *name, struct art *arts, size_t n, bool verbose)
{
    struct art **ord = malloc(n * sizeof *ord);
    for (size_t i = 0; i < n; i++)
        ord[i] = &arts[i];
    /* Time order, ties in file order. */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && by_time(ord[j - 1], ord[j]) > 0; j--) {
            struct art *t = ord[j];
            ord[j] = ord[j - 1];
            ord[j - 1] = t;
        }
    struct wd_cluster *c;
    if (wd_cluster_new(&c, &ccfg) != 0) {
        fprintf(stderr, "event_eval: cannot make a clusterer\n");
        exit(2);
    }
    for (size_t i = 0; i < n; i++)
        cluster_one(c, ord[i]);
    wd_cluster_free(c);
    char **k = malloc(n * sizeof *k);
    size_t kl = 0;
    for (size_t i = 0; i < n; i++)
        kl = kl > strlen(arts[i].event) ? kl : strlen(arts[i].event);
    char *both = malloc(n * (kl + WD_CLUSTER_ID_LEN + 2));
    for (size_t i = 0; i < n; i++)
        k[i] = arts[i].event;
    double truth = pairs_of(k, n);
    size_t n_truth = groups_of(k, n);
    for (size_t i = 0; i < n; i++)
        k[i] = arts[i].found;
    double found = pairs_of(k, n);
    size_t n_found = groups_of(k, n);
    for (size_t i = 0; i < n; i++) {
        k[i] = both + i * (kl + WD_CLUSTER_ID_LEN + 2);
        sprintf(k[i], "%s|%s", arts[i].found, arts[i].event);
    }
    double tp = pairs_of(k, n);
    struct score s = {
        .p = found > 0 ? tp / found : 1,
        .r = truth > 0 ? tp / truth : 1,
    };
    s.f1 = s.p + s.r > 0 ? 2 * s.p * s.r / (s.p + s.r) : 0;
    printf("%-14s %8zu %8zu %8zu %9.0f %9.0f %7.3f %7.3f %7.3f\n", name, n,
           n_truth, n_found, truth, found, s.p, s.r, s.f1);
    if (verbose) {
        /* Each wrong pair's two titles, for reading. */
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++) {
                bool same_f = strcmp(arts[i].found, arts[j].found) == 0;
                bool same_t = strcmp(arts[i].event, arts[j].event) == 0;
                if (same_f != same_t)
                    printf("  %s %s/%s: %.60s | %.60s\n",
                           same_f ? "MERGED" : "SPLIT ", arts[i].event,
                           arts[j].event, arts[i].title, arts[j].title);
            }
    }
    free(both);
    free(k);
    free(ord);
    return s;
}

/* The seeds check, on a clusterer that has seen the warm articles first
 * (a worker that has run a while: its word frequencies know the news;
 * their events are long closed when the seeds come): returns 1 when it
 * holds, 0 when not, -1 when it cannot run (no seeds or no truth). */
static int
seeds_check(const char *seeds, const char *truth_path, bool verbose,
            const struct arts *warm)
{
    size_t tlen;
    char *truth = slurp(truth_path, &tlen);
    DIR *d = opendir(seeds);
    if (!truth || !d) {
        free(truth);
        if (d)
            closedir(d);
        return -1;
    }
    char *files[256];
    size_t nf = 0;
    struct dirent *e;
    while ((e = readdir(d)) && nf < 256)
        if (e->d_name[0] != '.')
            files[nf++] = strdup(e->d_name);
    closedir(d);
    qsort(files, nf, sizeof *files, cmp_str);
    struct arts v = {0};
    struct wd_arena arena;
    wd_arena_init(&arena, 0);
    const int64_t now_ms = 1767225600000LL; /* 2026-01-01 */
    for (size_t i = 0; i < nf; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", seeds, files[i]);
        size_t len = 0;
        char *body = slurp(p, &len);
        struct wd_page page;
        struct wd_page_input in = {.content_type = "text/plain; charset=utf-8",
                                   .body = (const uint8_t *)body,
                                   .len = len,
                                   .fetched_at_ms = now_ms};
        if (body && wd_page_parse(&in, &arena, &page) == 0)
            for (size_t k = 0; k < page.n_items; k++) {
                const struct wd_item *it = &page.items[k];
                /* The truth's event name for this title, or its own. */
                char ev[256];
                snprintf(ev, sizeof ev, "seed-%zu-%zu", i, k);
                for (char *l = truth; l && *l;) {
                    char *nl = strchr(l, '\n');
                    size_t ll = nl ? (size_t)(nl - l) : strlen(l);
                    char *tab = memchr(l, '\t', ll);
                    if (tab && l[0] != '#' &&
                        strlen(it->title) >= ll - (size_t)(tab + 1 - l) &&
                        strncmp(it->title, tab + 1,
                                ll - (size_t)(tab + 1 - l)) == 0 &&
                        (size_t)(tab - l) < sizeof ev)
                        snprintf(ev, sizeof ev, "%.*s", (int)(tab - l), l);
                    l = nl ? nl + 1 : NULL;
                }
                push(&v, (struct art){
                             .event = strdup(ev),
                             /* Received together; dated when the page
                              * gives the story's date. */
                             .at_ms = now_ms,
                             .pub_ms = it->published_at_ms,
                             .source = strdup(files[i]),
                             .title = strdup(it->title),
                             .body = strdup(it->body),
                             .set = strdup("seeds"),
                         });
            }
        free(body);
        wd_arena_reset(&arena);
    }
    wd_arena_fini(&arena);
    struct art *mix = malloc((warm->n + v.n) * sizeof *mix);
    if (!mix) {
        fprintf(stderr, "event_eval: out of memory\n");
        exit(2);
    }
    if (warm->n)
        memcpy(mix, warm->a, warm->n * sizeof *mix);
    memcpy(mix + warm->n, v.a, v.n * sizeof *mix);
    if (warm->n)
        run_set("streams+seeds", mix, warm->n + v.n, false);
    else
        run_set("seeds (cold)", mix, v.n, false);
    memcpy(v.a, mix + warm->n, v.n * sizeof *mix);
    free(mix);
    /* Named events: one found event each, holding nothing else. */
    int ok = 1;
    size_t named = 0;
    for (size_t i = 0; i < v.n; i++) {
        bool is_named = strncmp(v.a[i].event, "seed-", 5) != 0;
        named += is_named;
        if (verbose)
            printf("  seed %-16s %s %.3f %.3f %lld %.60s\n", v.a[i].event,
                   v.a[i].found, v.a[i].sim, v.a[i].runner_sim,
                   (long long)(v.a[i].at_ms / 86400000), v.a[i].title);
        for (size_t j = 0; j < v.n; j++) {
            bool same_t = strcmp(v.a[i].event, v.a[j].event) == 0;
            bool same_f = strcmp(v.a[i].found, v.a[j].found) == 0;
            if (is_named && same_t != same_f)
                ok = 0;
        }
    }
    printf("seeds%s: %zu stories, %zu in named events: %s\n",
           warm->n ? "" : " (cold)", v.n, named, ok && named ? "PASS" : "FAIL");
    arts_free(&v);
    for (size_t i = 0; i < nf; i++)
        free(files[i]);
    free(truth);
    return ok && named;
}

/* A synthetic word: one of 60 000, drawn with a skewed (Zipf-like)
 * frequency, spelled in lower-case letters. */
static size_t
synth_word(uint64_t *x, char *out)
{
    *x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
    double u = (double)(*x >> 11) / 9007199254740992.0;
    unsigned w = (unsigned)(60000 * u * u * u);
    size_t k = 0;
    out[k++] = (char)('b' + w % 20);
    for (w /= 20; w; w /= 23)
        out[k++] = (char)('a' + w % 23);
    out[k++] = 'o';
    return k;
}

/* --scale: n synthetic articles, one a second, a third of them a variation
 * of one of the last hundred (half their words kept), the rest new. */
static int
scale(long n)
{
    struct wd_cluster *c;
    if (wd_cluster_new(&c, NULL) != 0)
        return 2;
    long anon0 = proc_status_kb(0, "RssAnon:");
    enum { RECENT = 100, WORDS = 160 };
    static char recent[RECENT][WORDS * 12];
    char text[WORDS * 12], id[40];
    uint64_t x = 88172645463325252ull;
    double busy = 0;
    size_t founded = 0;
    for (long i = 0; i < n; i++) {
        size_t len = 0;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        const char *base =
            x % 3 == 0 && i >= RECENT ? recent[(x >> 8) % RECENT] : NULL;
        for (int w = 0; w < WORDS; w++) {
            char word[16];
            size_t k = synth_word(&x, word);
            if (base && (x & 1)) { /* keep the base's w-th word */
                const char *p = base;
                for (int j = 0; j < w && p; j++) {
                    p = strchr(p, ' ');
                    p = p ? p + 1 : NULL;
                }
                if (p) {
                    const char *e = strchr(p, ' ');
                    k = e ? (size_t)(e - p) : strlen(p);
                    if (k > sizeof word)
                        k = sizeof word;
                    memcpy(word, p, k);
                }
            }
            if (w == 0 || w % 17 == 0)
                word[0] = (char)(word[0] - 'a' + 'A'); /* a name */
            memcpy(text + len, word, k);
            len += k;
            text[len++] = w % 12 == 11 ? '.' : ' ';
            if (w % 12 == 11)
                text[len++] = ' ';
        }
        text[len] = '\0';
        memcpy(recent[i % RECENT], text, len + 1);
        snprintf(id, sizeof id, "s%ld", i);
        struct wd_cluster_article in = {
            .story_id = id,
            .revision = 1,
            .title = text,
            .tlen = 60,
            .body = text + 60,
            .blen = len - 60,
            .source = i % 7 ? "a" : "b",
            .at_ms = 1760000000000LL + i * 1000LL,
        };
        struct wd_cluster_result r;
        double t0 = now_s();
        wd_cluster_assign(c, &in, &r, NULL);
        busy += now_s() - t0;
        founded += r.created;
    }
    size_t live, bytes;
    wd_cluster_usage(c, &live, &bytes);
    long anon = proc_status_kb(0, "RssAnon:");
    printf("scale: %ld articles (one a second), %.1f us an article, %zu "
           "events founded, %zu live at the end, clusterer %.1f MiB at most, "
           "RssAnon %+.1f MiB over the start\n",
           n, busy * 1e6 / (double)n, founded, live, (double)bytes / (1 << 20),
           (double)(anon - anon0) / 1024.0);
    wd_cluster_free(c);
    return 0;
}

int
main(int argc, char **argv)
{
    const char *fixtures = WD_FIXTURES, *corpora = WD_SHARED "/corpora",
               *seeds = WD_SHARED "/seeds";
    double floor_f1 = 0, floor_p = 0, floor_r = 0;
    bool floor_seeds = false, verbose = false;
    long scale_n = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--fixtures") && i + 1 < argc)
            fixtures = argv[++i];
        else if (!strcmp(a, "--corpora") && i + 1 < argc)
            corpora = argv[++i];
        else if (!strcmp(a, "--seeds") && i + 1 < argc)
            seeds = argv[++i];
        else if (!strcmp(a, "--threshold") && i + 1 < argc)
            ccfg.threshold = atof(argv[++i]);
        else if (!strcmp(a, "--undated-threshold") && i + 1 < argc)
            ccfg.undated_threshold = atof(argv[++i]);
        else if (!strcmp(a, "--window-hours") && i + 1 < argc)
            ccfg.window_ms = (int64_t)(atof(argv[++i]) * 3600e3);
        else if (!strcmp(a, "--verbose"))
            verbose = true;
        else if (!strcmp(a, "--scale") && i + 1 < argc)
            scale_n = atol(argv[++i]);
        else if (!strcmp(a, "--floor") && i + 1 < argc) {
            const char *f = argv[++i];
            if (!strncmp(f, "f1=", 3))
                floor_f1 = atof(f + 3);
            else if (!strncmp(f, "p=", 2))
                floor_p = atof(f + 2);
            else if (!strncmp(f, "r=", 2))
                floor_r = atof(f + 2);
            else if (!strcmp(f, "seeds=1"))
                floor_seeds = true;
            else {
                fprintf(stderr, "event_eval: unknown floor %s\n", f);
                return 2;
            }
        } else {
            fprintf(stderr,
                    "usage: event_eval [--fixtures DIR] [--corpora DIR] "
                    "[--seeds DIR] [--threshold X] [--undated-threshold X] "
                    "[--window-hours H] "
                    "[--floor f1|p|r=X] [--floor seeds=1] [--verbose] "
                    "[--scale N]\n");
            return 2;
        }
    }
    if (scale_n > 0)
        return scale(scale_n);
    if (wd_tagger_new(&tagger) != 0)
        return 2;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/events", fixtures);
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "event_eval: cannot read %s\n", dir);
        return 2;
    }
    char *names[64];
    size_t nn = 0;
    struct dirent *e;
    while ((e = readdir(d)) && nn < 64) {
        size_t k = strlen(e->d_name);
        if (k > 6 && strcmp(e->d_name + k - 6, ".jsonl") == 0)
            names[nn++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, nn, sizeof *names, cmp_str);
    printf("%-14s %8s %8s %8s %9s %9s %7s %7s %7s\n", "set", "articles",
           "events", "found", "pairs", "found_pr", "P", "R", "F1");
    struct arts all = {0};
    for (size_t i = 0; i < nn; i++) {
        struct arts v = {0};
        char p[8192], set[64];
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        snprintf(set, sizeof set, "%.*s", (int)(strlen(names[i]) - 6),
                 names[i]);
        if (load_jsonl(p, set, &v) != 0 || v.n == 0) {
            fprintf(stderr, "event_eval: cannot read %s\n", p);
            return 2;
        }
        run_set(set, v.a, v.n, verbose);
        for (size_t k = 0; k < v.n; k++)
            push(&all, v.a[k]);
        free(v.a);
    }
    if (all.n == 0) {
        fprintf(stderr, "event_eval: no articles in %s\n", dir);
        return 2;
    }
    struct score s = run_set("all", all.a, all.n, verbose);
    /* The same, the teasers without their dates (as listings often give
     * them): they join on their words alone. */
    for (size_t i = 0; i < all.n; i++)
        if (all.a[i].teaser)
            all.a[i].pub_ms = 0;
    run_set("all-undated", all.a, all.n, false);
    for (size_t i = 0; i < all.n; i++)
        all.a[i].pub_ms = all.a[i].at_ms;
    int64_t from = all.a[0].at_ms, to = all.a[0].at_ms;
    for (size_t i = 0; i < all.n; i++) {
        from = all.a[i].at_ms < from ? all.a[i].at_ms : from;
        to = all.a[i].at_ms > to ? all.a[i].at_ms : to;
    }
    size_t before = all.n;
    load_corpora(corpora, from, to, &all);
    if (all.n > before)
        run_set("all+corpora", all.a, all.n, verbose);
    printf("clusterer: %.1f us an article (%zu articles)\n",
           cpu_n ? cpu_s * 1e6 / (double)cpu_n : 0.0, cpu_n);
    char tpath[8192];
    snprintf(tpath, sizeof tpath, "%s/seeds.tsv", dir);
    int seeds_ok = seeds_check(seeds, tpath, verbose, &all);
    /* For the record: a worker that starts on the seeds (its word
     * frequencies from 24 stories) does not tell them apart. */
    struct arts none = {0};
    seeds_check(seeds, tpath, false, &none);
    int rc = 0;
    if (s.f1 < floor_f1 || s.p < floor_p || s.r < floor_r) {
        printf("FLOOR: F1 %.3f P %.3f R %.3f below f1=%.3f p=%.3f r=%.3f\n",
               s.f1, s.p, s.r, floor_f1, floor_p, floor_r);
        rc = 1;
    }
    if (floor_seeds && seeds_ok != 1) {
        printf("FLOOR: the seeds check does not hold\n");
        rc = 1;
    }
    arts_free(&all);
    for (size_t i = 0; i < nn; i++)
        free(names[i]);
    wd_tagger_free(tagger);
    return rc;
}
