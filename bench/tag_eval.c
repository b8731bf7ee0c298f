/* Tagging evaluation: precision, recall and F1 of the countries and themes
 * the tagger gives a labelled set of articles.
 *
 *   tag_eval [-v] [DIR] [COUNTRY_F1_FLOOR THEME_F1_FLOOR]
 *
 * DIR (default tests/fixtures/tagset) holds one article per *.txt file:
 *
 *   # countries: KZ AZ
 *   # themes: diplomacy energy
 *   Title
 *
 *   Body ...
 *
 * Prints micro and macro P/R/F1 per tag family (macro: the mean over the
 * tags that occur in the labels or the output). With floors, exits 1 when a
 * micro F1 is under its floor (ctest keeps one). -v lists every article
 * whose tags differ from its labels.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchutil.h"
#include "wd/tag.h"

#define MAX_CODES 512

struct tally {
    char code[MAX_CODES][40];
    unsigned tp[MAX_CODES], fp[MAX_CODES], fn[MAX_CODES];
    size_t n;
};

static size_t
slot(struct tally *t, const char *code)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->code[i], code) == 0)
            return i;
    if (t->n == MAX_CODES)
        return MAX_CODES - 1;
    snprintf(t->code[t->n], sizeof t->code[0], "%s", code);
    return t->n++;
}

/* Splits "A B C" into words (at most max, each < 40 bytes). */
static size_t
words(const char *s, char out[][40], size_t max)
{
    size_t n = 0;
    while (*s && n < max) {
        while (*s == ' ')
            s++;
        size_t k = strcspn(s, " \n");
        if (k == 0)
            break;
        snprintf(out[n++], 40, "%.*s", (int)(k < 39 ? k : 39), s);
        s += k;
    }
    return n;
}

static bool
in(char list[][40], size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], code) == 0)
            return true;
    return false;
}

/* Counts one article's tags against its labels; returns true on a match. */
static bool
score(struct tally *t, char labels[][40], size_t nl, const struct wd_tag *tags,
      size_t nt)
{
    char got[WD_TAG_MAX][40];
    bool same = true;
    for (size_t i = 0; i < nt; i++) {
        snprintf(got[i], 40, "%s", tags[i].code);
        size_t k = slot(t, got[i]);
        if (in(labels, nl, got[i]))
            t->tp[k]++;
        else
            t->fp[k]++, same = false;
    }
    for (size_t i = 0; i < nl; i++)
        if (!in(got, nt, labels[i]))
            t->fn[slot(t, labels[i])]++, same = false;
    return same;
}

static double
f1(double p, double r)
{
    return p + r > 0 ? 2 * p * r / (p + r) : 0;
}

static double
report(const char *family, const struct tally *t)
{
    unsigned tp = 0, fp = 0, fn = 0;
    double mp = 0, mr = 0, mf = 0;
    for (size_t i = 0; i < t->n; i++) {
        tp += t->tp[i], fp += t->fp[i], fn += t->fn[i];
        double p =
            t->tp[i] + t->fp[i] ? (double)t->tp[i] / (t->tp[i] + t->fp[i]) : 0;
        double r =
            t->tp[i] + t->fn[i] ? (double)t->tp[i] / (t->tp[i] + t->fn[i]) : 0;
        mp += p, mr += r, mf += f1(p, r);
    }
    double p = tp + fp ? (double)tp / (tp + fp) : 0;
    double r = tp + fn ? (double)tp / (tp + fn) : 0;
    size_t n = t->n ? t->n : 1;
    printf("%-9s micro P %.3f R %.3f F1 %.3f | macro P %.3f R %.3f F1 %.3f "
           "(%zu tags, tp %u fp %u fn %u)\n",
           family, p, r, f1(p, r), mp / n, mr / n, mf / n, t->n, tp, fp, fn);
    return f1(p, r);
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int
txt_only(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return n > 4 && strcmp(d->d_name + n - 4, ".txt") == 0;
}

static void
print_tags(const char *what, const struct wd_tag *tags, size_t n)
{
    printf("  %s:", what);
    for (size_t i = 0; i < n; i++)
        printf(" %s(%.2f)", tags[i].code, tags[i].score);
    printf("\n");
}

int
main(int argc, char **argv)
{
    bool verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
    if (verbose)
        argc--, argv++;
    const char *dir = argc > 1 ? argv[1] : WD_FIXTURES "/tagset";
    double floor_c = argc > 3 ? atof(argv[2]) : 0;
    double floor_t = argc > 3 ? atof(argv[3]) : 0;

    struct wd_tagger *tg;
    if (wd_tagger_new(&tg) != 0)
        return 2;
    struct dirent **names;
    int n = scandir(dir, &names, txt_only, by_name);
    if (n <= 0) {
        fprintf(stderr, "tag_eval: no *.txt in %s\n", dir);
        return 2;
    }
    static struct tally tc, tt;
    size_t bad_files = 0;
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        size_t len;
        char *text = slurp(path, &len);
        if (!text || strncmp(text, "# countries:", 12) != 0) {
            fprintf(stderr, "tag_eval: %s: no '# countries:' line\n", path);
            return 2;
        }
        char *l2 = strchr(text, '\n');
        if (!l2 || strncmp(l2 + 1, "# themes:", 9) != 0) {
            fprintf(stderr, "tag_eval: %s: no '# themes:' line\n", path);
            return 2;
        }
        char *title = strchr(l2 + 1, '\n');
        if (!title) {
            fprintf(stderr, "tag_eval: %s: no title\n", path);
            return 2;
        }
        *l2 = 0;
        *title++ = 0;
        char *body = strchr(title, '\n');
        size_t tlen = body ? (size_t)(body - title) : strlen(title);
        body = body ? body + 1 : title + tlen;
        char lc[WD_TAG_MAX][40], lt[WD_TAG_MAX][40];
        size_t nlc = words(text + 12, lc, WD_TAG_MAX);
        size_t nlt = words(l2 + 1 + 9, lt, WD_TAG_MAX);

        struct wd_tags tags;
        wd_tagger_tag(tg, title, tlen, body, strlen(body), &tags);
        bool ok_c = score(&tc, lc, nlc, tags.countries, tags.n_countries);
        bool ok_t = score(&tt, lt, nlt, tags.themes, tags.n_themes);
        if (!ok_c || !ok_t) {
            bad_files++;
            if (verbose) {
                printf("%s: %.*s\n", names[i]->d_name, (int)tlen, title);
                if (!ok_c) {
                    printf("  labels: %s\n", text + 12);
                    print_tags("countries", tags.countries, tags.n_countries);
                }
                if (!ok_t) {
                    printf("  labels: %s\n", l2 + 1 + 9);
                    print_tags("themes", tags.themes, tags.n_themes);
                }
            }
        }
        free(text);
        free(names[i]);
    }
    free(names);
    printf("%d articles, %zu with a difference\n", n, bad_files);
    double fc = report("countries", &tc);
    double ft = report("themes", &tt);
    wd_tagger_free(tg);
    if (fc < floor_c || ft < floor_t) {
        fprintf(stderr,
                "tag_eval: under the floor (countries F1 %.3f < %.3f "
                "or themes F1 %.3f < %.3f)\n",
                fc, floor_c, ft, floor_t);
        return 1;
    }
    return 0;
}
