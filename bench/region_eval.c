/* The region's languages: title, date, language, kind and countries of
 * labelled pages in Russian, Kazakh, Uzbek (both scripts), Turkish,
 * Kyrgyz, ... as text captures and HTML, against their truth.
 *
 *   region_eval [-v] [DIR] [--floor KEY=VALUE ...] [--each KEY=VALUE ...]
 *
 * DIR (default tests/fixtures/region) holds one folder per language; each
 * page NAME.txt or NAME.html has its truth in NAME.json: {"title", "date"
 * (YYYY-MM-DD), "language" (BCP 47), "countries" (ISO codes), "kind"
 * ("article" or "listing": then the truth is the first teaser's)}. The
 * pages are read as the worker reads them (wd_page_parse, fetched on
 * 2025-11-24 12:00 UTC) and tagged as the pipeline tags them (the
 * tagger, and a dateline's place first).
 *
 * Prints per language: pages, title, date, language (primary subtag and
 * script: "kk-KZ" = "kk", "uz-Cyrl" != "uz"), kind, and the countries'
 * micro P/R/F1, and where the truth has "themes" (slugs) the themes'
 * micro F1. --floor applies to the "all" row, --each to every language's
 * row (the targets hold per language): title, date, lang, kind,
 * countries (F1), themes (F1, rows with labelled pages only); exit 1 when
 * one is crossed. -v lists each miss. */
#include <ctype.h>
#include <dirent.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "benchutil.h"
#include "wd/arena.h"
#include "wd/date.h"
#include "wd/page.h"
#include "wd/tag.h"

#define FETCHED_MS 1763985600000LL /* 2025-11-24T12:00:00Z */

struct row {
    char lang[16];
    int pages, title, date, language, kind;
    int tp, fp, fn;
    int themed, ttp, tfp, tfn; /* pages with theme labels, and their scores */
};

static bool verbose;

/* "kk-KZ" -> "kk", "uz-Cyrl-UZ" -> "uz-cyrl": the language and its
 * script, lower case. */
static void
lang_key(const char *tag, char *out, size_t cap)
{
    size_t o = 0;
    int part = 0;
    out[0] = '\0';
    for (const char *p = tag ? tag : ""; *p && o + 1 < cap;) {
        size_t n = strcspn(p, "-_");
        bool keep =
            part == 0 || (part >= 1 && n == 4 && isalpha((unsigned char)p[0]));
        if (keep) {
            if (o && o + 1 < cap)
                out[o++] = '-';
            for (size_t i = 0; i < n && o + 1 < cap; i++)
                out[o++] = (char)tolower((unsigned char)p[i]);
        }
        p += n;
        if (*p)
            p++;
        part++;
    }
    out[o] = '\0';
}

/* Titles compared without case (ASCII), outer space and runs of space. */
static bool
same_title(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    while (isspace((unsigned char)*a))
        a++;
    while (isspace((unsigned char)*b))
        b++;
    while (*a && *b) {
        if (isspace((unsigned char)*a) && isspace((unsigned char)*b)) {
            while (isspace((unsigned char)*a))
                a++;
            while (isspace((unsigned char)*b))
                b++;
            continue;
        }
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
        a++;
        b++;
    }
    while (isspace((unsigned char)*a))
        a++;
    while (isspace((unsigned char)*b))
        b++;
    return !*a && !*b;
}

static void
day_of(int64_t ms, char out[32])
{
    int64_t days = ms / 86400000LL;
    /* Howard Hinnant's civil_from_days. */
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned doe = (unsigned)(days - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    snprintf(out, 32, "%04lld-%02u-%02u", (long long)(y + (m <= 2)), m, d);
}

static void
eval_page(const struct wd_tagger *tg, const char *dir, const char *lang,
          const char *name, struct row *r, struct wd_arena *arena)
{
    char path[1024], tpath[1024];
    snprintf(path, sizeof path, "%s/%s/%s", dir, lang, name);
    const char *dot = strrchr(name, '.');
    snprintf(tpath, sizeof tpath, "%s/%s/%.*s.json", dir, lang,
             (int)(dot - name), name);
    json_error_t jerr;
    json_t *truth = json_load_file(tpath, 0, &jerr);
    if (!truth) {
        fprintf(stderr, "region_eval: %s: %s\n", tpath, jerr.text);
        return;
    }
    size_t len;
    char *body = slurp(path, &len);
    if (!body) {
        json_decref(truth);
        return;
    }
    bool html = strcmp(dot, ".html") == 0;
    char url[512];
    snprintf(url, sizeof url, "https://news.example/%s/%s", lang, name);
    struct wd_page_input in = {html ? "text/html" : "text/plain; charset=utf-8",
                               (const uint8_t *)body,
                               len,
                               FETCHED_MS,
                               url,
                               NULL,
                               0,
                               false};
    struct wd_page page;
    wd_arena_reset(arena);
    int rc = wd_page_parse(&in, arena, &page);
    const char *t_title = json_string_value(json_object_get(truth, "title"));
    const char *t_date = json_string_value(json_object_get(truth, "date"));
    const char *t_lang = json_string_value(json_object_get(truth, "language"));
    const char *t_kind = json_string_value(json_object_get(truth, "kind"));
    bool listing = t_kind && strcmp(t_kind, "listing") == 0;
    const struct wd_item *it = NULL;
    if (rc == 0 && page.n_items) {
        it = &page.items[0];
        if (!listing)
            for (size_t i = 1; i < page.n_items; i++)
                if (strlen(page.items[i].body) > strlen(it->body))
                    it = &page.items[i];
    }
    r->pages++;
    bool ok_title = it && same_title(it->title, t_title);
    char got_day[32] = "-";
    if (it && it->published_at_ms)
        day_of(it->published_at_ms, got_day);
    bool ok_date = t_date && strcmp(got_day, t_date) == 0;
    char gk[32], tk[32];
    lang_key(it ? it->language : NULL, gk, sizeof gk);
    lang_key(t_lang, tk, sizeof tk);
    bool ok_lang = tk[0] && strcmp(gk, tk) == 0;
    bool ok_kind = rc == 0 && (listing ? page.kind == WD_PAGE_LISTING
                                       : page.kind == WD_PAGE_ARTICLE);
    r->title += ok_title;
    r->date += ok_date;
    r->language += ok_lang;
    r->kind += ok_kind;

    struct wd_tags tags = {0};
    if (it) {
        wd_tagger_tag(tg, it->title, strlen(it->title), it->body,
                      strlen(it->body), &tags);
        char cc[3];
        if (it->dateline &&
            wd_tagger_place(tg, it->dateline, strlen(it->dateline), cc) == 0)
            wd_tags_put_place(&tags, cc);
    }
    json_t *tc = json_object_get(truth, "countries");
    char got[256] = "", want[256] = "";
    int tp = 0, fp = 0, fn = 0;
    for (size_t i = 0; i < tags.n_countries; i++) {
        const char *c = tags.countries[i].code;
        bool in_truth = false;
        for (size_t k = 0; k < json_array_size(tc); k++)
            in_truth |=
                strcmp(c, json_string_value(json_array_get(tc, k))) == 0;
        tp += in_truth;
        fp += !in_truth;
        snprintf(got + strlen(got), sizeof got - strlen(got), " %s", c);
    }
    for (size_t k = 0; k < json_array_size(tc); k++) {
        const char *c = json_string_value(json_array_get(tc, k));
        bool found = false;
        for (size_t i = 0; i < tags.n_countries; i++)
            found |= strcmp(c, tags.countries[i].code) == 0;
        fn += !found;
        snprintf(want + strlen(want), sizeof want - strlen(want), " %s", c);
    }
    r->tp += tp;
    r->fp += fp;
    r->fn += fn;
    /* Themes, where the truth has them. */
    json_t *tt = json_object_get(truth, "themes");
    char tgot[256] = "", twant[256] = "";
    int ttp = 0, tfp = 0, tfn = 0;
    if (json_is_array(tt)) {
        r->themed++;
        for (size_t i = 0; i < tags.n_themes; i++) {
            const char *c = tags.themes[i].code;
            bool in_truth = false;
            for (size_t k = 0; k < json_array_size(tt); k++)
                in_truth |=
                    strcmp(c, json_string_value(json_array_get(tt, k))) == 0;
            ttp += in_truth;
            tfp += !in_truth;
            snprintf(tgot + strlen(tgot), sizeof tgot - strlen(tgot), " %s", c);
        }
        for (size_t k = 0; k < json_array_size(tt); k++) {
            const char *c = json_string_value(json_array_get(tt, k));
            bool found = false;
            for (size_t i = 0; i < tags.n_themes; i++)
                found |= strcmp(c, tags.themes[i].code) == 0;
            tfn += !found;
            snprintf(twant + strlen(twant), sizeof twant - strlen(twant), " %s",
                     c);
        }
        r->ttp += ttp;
        r->tfp += tfp;
        r->tfn += tfn;
    }
    if (verbose && (!ok_title || !ok_date || !ok_lang || !ok_kind || fp || fn ||
                    tfp || tfn)) {
        printf("%s/%s:", lang, name);
        if (rc)
            printf(" parse error %d;", rc);
        if (!ok_kind)
            printf(" kind %s;", rc                             ? "-"
                                : page.kind == WD_PAGE_LISTING ? "listing"
                                : page.kind == WD_PAGE_ARTICLE ? "article"
                                                               : "unknown");
        if (!ok_title)
            printf(" title \"%s\" (want \"%s\");", it ? it->title : "-",
                   t_title ? t_title : "");
        if (!ok_date)
            printf(" date %s (want %s);", got_day, t_date ? t_date : "");
        if (!ok_lang)
            printf(" lang %s (want %s);", gk[0] ? gk : "-", tk);
        if (fp || fn)
            printf(" countries%s (want%s);", got[0] ? got : " -",
                   want[0] ? want : " -");
        if (tfp || tfn)
            printf(" themes%s (want%s);", tgot[0] ? tgot : " -",
                   twant[0] ? twant : " -");
        printf("\n");
    }
    free(body);
    json_decref(truth);
}

static int
by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of path (sorted) that end with one of the suffixes, or are
 * folders when suffixes is NULL. */
static size_t
list(const char *path, const char *const *suffixes, char ***out)
{
    DIR *d = opendir(path);
    size_t n = 0, cap = 0;
    *out = NULL;
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        bool keep = !suffixes && e->d_type == DT_DIR;
        for (size_t i = 0; suffixes && suffixes[i]; i++) {
            size_t k = strlen(suffixes[i]), m = strlen(e->d_name);
            keep |= m > k && strcmp(e->d_name + m - k, suffixes[i]) == 0;
        }
        if (!keep)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            *out = realloc(*out, cap * sizeof **out);
        }
        (*out)[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(*out, n, sizeof **out, by_name);
    return n;
}

static double
share(int k, int n)
{
    return n ? (double)k / n : 0.0;
}

static double
f1_of(int tp, int fp, int fn)
{
    double p = share(tp, tp + fp), rc = share(tp, tp + fn);
    return p + rc > 0 ? 2 * p * rc / (p + rc) : 0.0;
}

static void
print_row(const struct row *r)
{
    double p = share(r->tp, r->tp + r->fp), rc = share(r->tp, r->tp + r->fn);
    printf("%-8s %5d %6.3f %6.3f %6.3f %6.3f   %5.3f %5.3f %5.3f", r->lang,
           r->pages, share(r->title, r->pages), share(r->date, r->pages),
           share(r->language, r->pages), share(r->kind, r->pages), p, rc,
           f1_of(r->tp, r->fp, r->fn));
    if (r->themed)
        printf("   %5.3f (%d)", f1_of(r->ttp, r->tfp, r->tfn), r->themed);
    printf("\n");
}

/* The key's index of a floor "KEY=VALUE" and its value; -1 (said) when
 * it is none. */
static const char *const floor_keys[6] = {"title", "date",      "lang",
                                          "kind",  "countries", "themes"};

static int
parse_floor(const char *spec, double *v)
{
    char key[32];
    if (sscanf(spec, "%31[^=]=%lf", key, v) != 2) {
        fprintf(stderr, "region_eval: bad floor %s\n", spec);
        return -1;
    }
    for (int k = 0; k < 6; k++)
        if (strcmp(key, floor_keys[k]) == 0)
            return k;
    fprintf(stderr, "region_eval: no such floor %s\n", key);
    return -1;
}

/* 1 when row r is under floor k at v (printed), 0 when not. Themes count
 * only where some page is labelled. */
static int
check_floor(const struct row *r, int k, double v)
{
    double got[6] = {
        share(r->title, r->pages),    share(r->date, r->pages),
        share(r->language, r->pages), share(r->kind, r->pages),
        f1_of(r->tp, r->fp, r->fn),   f1_of(r->ttp, r->tfp, r->tfn)};
    if ((k == 5 && r->themed == 0) || (k == 4 && r->tp + r->fp + r->fn == 0))
        return 0; /* nothing to score: no labels, no tags */
    if (got[k] < v) {
        printf("FLOOR: %s %s %.3f < %.3f\n", r->lang, floor_keys[k], got[k], v);
        return 1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    const char *dir = WD_FIXTURES "/region";
    const char *floors[16];
    bool each[16]; /* --each: every language's row, else "all" */
    int n_floors = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0)
            verbose = true;
        else if ((strcmp(argv[i], "--floor") == 0 ||
                  strcmp(argv[i], "--each") == 0) &&
                 i + 1 < argc && n_floors < 16) {
            each[n_floors] = argv[i][2] == 'e';
            floors[n_floors++] = argv[++i];
        } else if (argv[i][0] != '-')
            dir = argv[i];
        else {
            fprintf(stderr,
                    "usage: region_eval [-v] [DIR] [--floor KEY=VALUE ...] "
                    "[--each KEY=VALUE ...]\n");
            return 2;
        }
    }
    /* A bad floor is said before the run, not after it. */
    int fkey[16];
    double fval[16];
    for (int f = 0; f < n_floors; f++)
        if ((fkey[f] = parse_floor(floors[f], &fval[f])) < 0)
            return 2;
    struct wd_tagger *tg;
    if (wd_tagger_new(&tg) != 0)
        return 1;
    struct wd_arena arena;
    wd_arena_init(&arena, 1 << 20);
    char **langs;
    size_t n_langs = list(dir, NULL, &langs);
    if (n_langs == 0) {
        fprintf(stderr, "region_eval: no language folders in %s\n", dir);
        return 1;
    }
    struct row all = {.lang = "all"};
    struct row rows[64];
    size_t n_rows = 0;
    for (size_t l = 0; l < n_langs && n_rows < 64; l++) {
        struct row *r = &rows[n_rows++];
        memset(r, 0, sizeof *r);
        snprintf(r->lang, sizeof r->lang, "%s", langs[l]);
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, langs[l]);
        static const char *const pages[] = {".txt", ".html", NULL};
        char **names;
        size_t n = list(path, pages, &names);
        for (size_t i = 0; i < n; i++) {
            eval_page(tg, dir, langs[l], names[i], r, &arena);
            free(names[i]);
        }
        free(names);
        all.pages += r->pages;
        all.title += r->title;
        all.date += r->date;
        all.language += r->language;
        all.kind += r->kind;
        all.tp += r->tp;
        all.fp += r->fp;
        all.fn += r->fn;
        all.themed += r->themed;
        all.ttp += r->ttp;
        all.tfp += r->tfp;
        all.tfn += r->tfn;
        free(langs[l]);
    }
    free(langs);
    printf("%-8s %5s %6s %6s %6s %6s   %5s %5s %5s   %s\n", "language", "pages",
           "title", "date", "lang", "kind", "cP", "cR", "cF1",
           "themes F1 (pages labelled)");
    for (size_t i = 0; i < n_rows; i++)
        print_row(&rows[i]);
    print_row(&all);
    int failed = 0;
    for (int f = 0; f < n_floors; f++) {
        if (each[f])
            for (size_t i = 0; i < n_rows; i++)
                failed |= check_floor(&rows[i], fkey[f], fval[f]);
        else
            failed |= check_floor(&all, fkey[f], fval[f]);
    }
    if (n_floors)
        printf("floor: %s\n", failed ? "FAIL" : "PASS");
    wd_arena_fini(&arena);
    wd_tagger_free(tg);
    return failed;
}
