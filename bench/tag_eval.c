/* Tagging evaluation: precision, recall and F1 of the countries and themes
 * the tagger gives a labelled set of articles.
 *
 *   tag_eval [-v] [DIR] [COUNTRY_F1_FLOOR THEME_F1_FLOOR]
 *   tag_eval [-v] -c LABELS.tsv CORPORA [COUNTRY_F1_FLOOR]
 *                           pages of ../shared/corpora (their truth's title
 *                           and body) with country labels kept apart:
 *                           "SET/NAME<TAB>CC CC" lines
 *
 * A story whose body opens with a wire dateline gets the dateline's country
 * first, as the pipeline does (wd_dateline_find, wd_tagger_place).
 * Themes are scored only when some article is labelled with one.
 *   tag_eval -l [DIR]       learn the taxonomy's @cooccur lines from DIR
 *   tag_eval -k K [DIR]     K-fold cross-validation of those lines
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
 *
 * -l prints "@cooccur<TAB>A<TAB>B<TAB>share" lines for taxonomy.tsv: of the
 * articles whose best theme is A, the share also labelled B, smoothed
 * towards B's share of all articles (one pseudo-article). -k K estimates
 * what that learning is worth on articles it has not seen: each K-th of
 * the set is tagged with lines learned from the rest (the taxonomy's own
 * @cooccur lines left out), and the themes' micro P/R/F1 are printed over
 * all the folds.
 */
#include <dirent.h>
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchutil.h"
#include "wd/tag.h"
#include "wd/dateline.h"
#include "wd/textpage.h"

#define MAX_CODES 512
#define MAX_ARTS 4096

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

struct art {
    char *text; /* owns the buffer */
    const char *title, *body;
    size_t tlen, blen;
    char lc[WD_TAG_MAX][40], lt[WD_TAG_MAX][40];
    size_t nlc, nlt;
    char name[256];
};

static void
print_labels(char list[][40], size_t n)
{
    printf("  labels:");
    for (size_t i = 0; i < n; i++)
        printf(" %s", list[i]);
    printf("\n");
}

static struct art arts[MAX_ARTS];
static size_t n_arts;

/* Articles from the corpora: labels from a TSV, texts from the truth
 * files (the pages' text stays in ../shared). */
static int
load_corpus(const char *tsv, const char *root)
{
    size_t len;
    char *labels = slurp(tsv, &len);
    if (!labels) {
        fprintf(stderr, "tag_eval: cannot read %s\n", tsv);
        return 2;
    }
    for (char *line = strtok(labels, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#' || !strchr(line, '\t'))
            continue;
        char *tab = strchr(line, '\t');
        *tab = 0;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.json", root, line);
        json_error_t err;
        json_t *o = json_load_file(path, 0, &err);
        const char *t = json_string_value(json_object_get(o, "title"));
        const char *b = json_string_value(json_object_get(o, "body"));
        if (!o || !b || n_arts == MAX_ARTS) {
            fprintf(stderr, "tag_eval: %s: no truth body\n", path);
            json_decref(o);
            free(labels);
            return 2;
        }
        if (!t)
            t = "";
        struct art *a = &arts[n_arts++];
        size_t tl = strlen(t), bl = strlen(b);
        a->text = malloc(tl + bl + 2);
        memcpy(a->text, t, tl + 1);
        memcpy(a->text + tl + 1, b, bl + 1);
        a->title = a->text;
        a->tlen = tl;
        a->body = a->text + tl + 1;
        a->blen = bl;
        a->nlc = words(tab + 1, a->lc, WD_TAG_MAX);
        a->nlt = 0;
        snprintf(a->name, sizeof a->name, "%s", line);
        json_decref(o);
    }
    free(labels);
    return 0;
}

/* Tags one article as the pipeline does: its dateline's country first. */
static void
tag_article(const struct wd_tagger *tg, const struct art *a,
            struct wd_tags *tags)
{
    wd_tagger_tag(tg, a->title, a->tlen, a->body, a->blen, tags);
    const char *b = a->body;
    size_t n = a->blen;
    while (n && (*b == '\n' || *b == ' '))
        b++, n--;
    const char *eol = memchr(b, '\n', n);
    size_t k = wd_dateline_find(b, eol ? (size_t)(eol - b) : n);
    char cc[3];
    if (k && wd_tagger_place(tg, b, k, cc) == 0)
        wd_tags_put_place(tags, cc);
}

static int
load_set(const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, txt_only, by_name);
    if (n <= 0) {
        fprintf(stderr, "tag_eval: no *.txt in %s\n", dir);
        return 2;
    }
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
        if (n_arts == MAX_ARTS) {
            fprintf(stderr, "tag_eval: more than %d articles\n", MAX_ARTS);
            return 2;
        }
        struct art *a = &arts[n_arts++];
        *l2 = 0;
        *title++ = 0;
        char *body = strchr(title, '\n');
        a->text = text;
        a->title = title;
        a->tlen = body ? (size_t)(body - title) : strlen(title);
        a->body = body ? body + 1 : title + a->tlen;
        a->blen = strlen(a->body);
        a->nlc = words(text + 12, a->lc, WD_TAG_MAX);
        a->nlt = words(l2 + 1 + 9, a->lt, WD_TAG_MAX);
        snprintf(a->name, sizeof a->name, "%s", names[i]->d_name);
        free(names[i]);
    }
    free(names);
    return 0;
}

/* The @cooccur lines learned from the articles i with i % k != fold (all
 * of them when k is 0), appended to buf. */
static void
learn(const struct wd_tagger *tg, size_t k, size_t fold, char *buf, size_t cap)
{
    const char *const *slugs;
    size_t ns = wd_tagger_theme_slugs(tg, &slugs);
    static unsigned cnt[64][64], tops[64], base[64];
    memset(cnt, 0, sizeof cnt), memset(tops, 0, sizeof tops);
    memset(base, 0, sizeof base);
    unsigned n = 0;
    for (size_t i = 0; i < n_arts; i++) {
        if (k && i % k == fold)
            continue;
        const struct art *a = &arts[i];
        struct wd_tags tags;
        wd_tagger_tag(tg, a->title, a->tlen, a->body, a->blen, &tags);
        n++;
        int top = -1;
        for (size_t s = 0; s < ns && s < 64; s++) {
            if (tags.n_themes && strcmp(tags.themes[0].code, slugs[s]) == 0)
                top = (int)s;
            if (in((char(*)[40])a->lt, a->nlt, slugs[s]))
                base[s]++;
        }
        if (top < 0)
            continue;
        tops[top]++;
        for (size_t s = 0; s < ns && s < 64; s++)
            if ((int)s != top && in((char(*)[40])a->lt, a->nlt, slugs[s]))
                cnt[top][s]++;
    }
    size_t used = strlen(buf);
    for (size_t x = 0; x < ns && x < 64; x++)
        for (size_t y = 0; y < ns && y < 64; y++) {
            if (x == y || n == 0)
                continue;
            double share = (cnt[x][y] + (double)base[y] / n) / (tops[x] + 1.0);
            if (share < 0.005)
                continue;
            int w = snprintf(buf + used, cap - used, "@cooccur\t%s\t%s\t%.3f\n",
                             slugs[x], slugs[y], share);
            if (w < 0 || (size_t)w >= cap - used)
                return;
            used += (size_t)w;
        }
}

/* A tagger from the data directory's files with taxonomy.tsv's @cooccur
 * lines replaced by extra. */
static struct wd_tagger *
build_with(const char *extra)
{
    const char *dir = wd_tagger_default_dir();
    static const char *const gaz[] = {"gazetteer.tsv", "gazetteer-extra.tsv"};
    struct wd_tag_file files[2];
    char *texts[3] = {0};
    size_t n_gaz = 0;
    for (size_t i = 0; i < 2; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, gaz[i]);
        size_t len;
        if ((texts[i] = slurp(path, &len)) != NULL)
            files[n_gaz++] = (struct wd_tag_file){gaz[i], texts[i], len};
    }
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/taxonomy.tsv", dir);
    size_t len;
    char *tax = slurp(path, &len);
    if (!tax)
        return NULL;
    size_t cap = len + strlen(extra) + 2, used = 0;
    texts[2] = malloc(cap);
    for (char *line = tax; line && *line;) {
        char *nl = strchr(line, '\n');
        size_t l = nl ? (size_t)(nl - line + 1) : strlen(line);
        if (strncmp(line, "@cooccur\t", 9) != 0)
            memcpy(texts[2] + used, line, l), used += l;
        line = nl ? nl + 1 : NULL;
    }
    memcpy(texts[2] + used, extra, strlen(extra) + 1);
    struct wd_tag_file tf = {"taxonomy.tsv", texts[2], strlen(texts[2])};
    struct wd_tagger *tg = NULL;
    char err[512];
    if (wd_tagger_build(files, n_gaz, &tf, &tg, err, sizeof err))
        fprintf(stderr, "tag_eval: %s\n", err);
    free(tax);
    for (size_t i = 0; i < 3; i++)
        free(texts[i]);
    return tg;
}

int
main(int argc, char **argv)
{
    bool verbose = false, learn_only = false;
    size_t folds = 0;
    if (argc > 1 && strcmp(argv[1], "-v") == 0)
        verbose = true, argc--, argv++;
    else if (argc > 1 && strcmp(argv[1], "-l") == 0)
        learn_only = true, argc--, argv++;
    else if (argc > 2 && strcmp(argv[1], "-k") == 0)
        folds = (size_t)atoi(argv[2]), argc -= 2, argv += 2;
    const char *corpus_tsv = NULL;
    if (argc > 2 && strcmp(argv[1], "-c") == 0)
        corpus_tsv = argv[2], argc -= 2, argv += 2;
    const char *dir = argc > 1 ? argv[1] : WD_FIXTURES "/tagset";
    double floor_c = argc > 2 ? atof(argv[2]) : 0;
    double floor_t = argc > 3 ? atof(argv[3]) : 0;

    struct wd_tagger *tg;
    if (wd_tagger_new(&tg) != 0)
        return 2;
    int rc = corpus_tsv ? load_corpus(corpus_tsv, dir) : load_set(dir);
    if (rc)
        return rc;
    bool themes_labelled = false;
    for (size_t i = 0; i < n_arts; i++)
        themes_labelled |= arts[i].nlt > 0;
    static char buf[1 << 20];
    if (learn_only) {
        learn(tg, 0, 0, buf, sizeof buf);
        fputs(buf, stdout);
        return 0;
    }
    static struct tally tc, tt;
    size_t bad_files = 0;
    /* Stories labelled with no country, and those of them given one. */
    size_t n_none = 0, none_tagged = 0;
    for (size_t f = 0; f < (folds ? folds : 1); f++) {
        struct wd_tagger *use = tg;
        if (folds) {
            buf[0] = 0;
            learn(tg, folds, f, buf, sizeof buf);
            if (!(use = build_with(buf)))
                return 2;
        }
        for (size_t i = 0; i < n_arts; i++) {
            if (folds && i % folds != f)
                continue;
            struct art *a = &arts[i];
            struct wd_tags tags;
            tag_article(use, a, &tags);
            if (!themes_labelled)
                tags.n_themes = 0;
            if (a->nlc == 0) {
                n_none++;
                none_tagged += tags.n_countries > 0;
            }
            bool ok_c =
                score(&tc, a->lc, a->nlc, tags.countries, tags.n_countries);
            bool ok_t = score(&tt, a->lt, a->nlt, tags.themes, tags.n_themes);
            if (ok_c && ok_t)
                continue;
            bad_files++;
            if (!verbose)
                continue;
            printf("%s: %.*s\n", a->name, (int)a->tlen, a->title);
            if (!ok_c) {
                print_labels(a->lc, a->nlc);
                print_tags("countries", tags.countries, tags.n_countries);
            }
            if (!ok_t) {
                print_labels(a->lt, a->nlt);
                print_tags("themes", tags.themes, tags.n_themes);
            }
        }
        if (use != tg)
            wd_tagger_free(use);
    }
    if (folds)
        printf("%zu-fold cross-validation of the @cooccur lines (learned "
               "from the other folds each time):\n",
               folds);
    printf("%zu articles, %zu with a difference\n", n_arts, bad_files);
    double fc = report("countries", &tc);
    printf("no country: %zu stories labelled with none, %zu of them given "
           "one\n",
           n_none, none_tagged);
    double ft = themes_labelled ? report("themes", &tt) : 1;
    if (!themes_labelled)
        printf("themes    (no theme labels in this set)\n");
    wd_tagger_free(tg);
    for (size_t i = 0; i < n_arts; i++)
        free(arts[i].text);
    if (fc < floor_c || ft < floor_t) {
        fprintf(stderr,
                "tag_eval: under the floor (countries F1 %.3f < %.3f "
                "or themes F1 %.3f < %.3f)\n",
                fc, floor_c, ft, floor_t);
        return 1;
    }
    return 0;
}
