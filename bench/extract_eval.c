/* HTML extraction evaluation: every page of a corpus directory
 * (NAME.html + NAME.json with the expected title, author, date, body) goes
 * through wd_page_parse; prints token-level precision, recall and F1 of the
 * body (bags of case-folded words, as the public article-extraction
 * benchmarks score) and exact-match rates of title, author and date.
 *
 *   extract_eval [DIR]   (default tests/fixtures/extract)
 * Exits 1 when body F1 < 0.92 or title/date exact match < 0.95. */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchutil.h"
#include "wd/date.h"
#include "wd/page.h"
#include "wd/text.h"

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The words of s, case-folded, sorted; returns their count. */
static size_t
words(const char *s, char **key, char ***out)
{
    size_t n = strlen(s);
    *key = malloc(n * 2 + 2);
    size_t klen = wd_text_key(s, n, *key, n * 2 + 2);
    size_t cnt = 0;
    for (size_t i = 0; i < klen; i++)
        cnt += (*key)[i] == ' ';
    cnt += klen > 0;
    *out = malloc((cnt ? cnt : 1) * sizeof **out);
    size_t k = 0;
    char *save = NULL;
    for (char *w = strtok_r(*key, " ", &save); w;
         w = strtok_r(NULL, " ", &save))
        (*out)[k++] = w;
    qsort(*out, k, sizeof **out, cmp_str);
    return k;
}

/* Size of the multiset intersection of two sorted word lists. */
static size_t
common(char **a, size_t na, char **b, size_t nb)
{
    size_t i = 0, j = 0, c = 0;
    while (i < na && j < nb) {
        int r = strcmp(a[i], b[j]);
        if (r == 0) {
            c++;
            i++;
            j++;
        } else if (r < 0) {
            i++;
        } else {
            j++;
        }
    }
    return c;
}

int
main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : WD_FIXTURES "/extract";
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "cannot open %s\n", dir);
        return 2;
    }
    struct wd_arena arena;
    wd_arena_init(&arena, 0);
    struct dirent *e;
    int pages = 0, title_ok = 0, author_ok = 0, date_ok = 0;
    double sum_p = 0, sum_r = 0, sum_f = 0;
    char *names[256];
    int n_names = 0;
    while ((e = readdir(d)) != NULL && n_names < 256) {
        size_t l = strlen(e->d_name);
        if (l > 5 && strcmp(e->d_name + l - 5, ".html") == 0)
            names[n_names++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n_names, sizeof names[0], cmp_str);
    printf("%-22s %6s %6s %6s  title author date\n", "page", "P", "R", "F1");
    for (int i = 0; i < n_names; i++) {
        char path[1024], jpath[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        snprintf(jpath, sizeof jpath, "%.*s.json", (int)(strlen(path) - 5),
                 path);
        size_t len = 0, jlen = 0;
        char *html = slurp(path, &len), *js = slurp(jpath, &jlen);
        json_error_t err;
        json_t *truth = js ? json_loads(js, 0, &err) : NULL;
        if (!html || !truth) {
            fprintf(stderr, "%s: missing page or truth\n", names[i]);
            return 2;
        }
        struct wd_page_input in = {"text/html",
                                   (const uint8_t *)html,
                                   len,
                                   1764000000000LL,
                                   "https://corpus.example/page",
                                   NULL,
                                   0,
                                   false};
        struct wd_page page;
        wd_arena_reset(&arena);
        int rc = wd_page_parse(&in, &arena, &page);
        const struct wd_item *it =
            rc == 0 && page.n_items == 1 ? &page.items[0] : NULL;
        const char *body = it ? it->body : "";
        char *k1, *k2, **w1, **w2;
        size_t n1 = words(body, &k1, &w1);
        size_t n2 =
            words(json_string_value(json_object_get(truth, "body")), &k2, &w2);
        size_t c = common(w1, n1, w2, n2);
        double p = n1 ? (double)c / (double)n1 : 0,
               r = n2 ? (double)c / (double)n2 : 0;
        double f = p + r > 0 ? 2 * p * r / (p + r) : 0;
        const char *want_date =
            json_string_value(json_object_get(truth, "date"));
        int64_t want_ms = 0;
        wd_date_parse(want_date, strlen(want_date), 0, &want_ms, NULL);
        bool t_ok = it && strcmp(it->title, json_string_value(json_object_get(
                                                truth, "title"))) == 0;
        bool a_ok =
            it && it->author &&
            strcmp(it->author,
                   json_string_value(json_object_get(truth, "author"))) == 0;
        bool d_ok = it && it->published_at_ms == want_ms;
        printf("%-22s %6.3f %6.3f %6.3f  %-5s %-6s %s\n", names[i], p, r, f,
               t_ok ? "ok" : "MISS", a_ok ? "ok" : "MISS",
               d_ok ? "ok" : "MISS");
        pages++;
        sum_p += p;
        sum_r += r;
        sum_f += f;
        title_ok += t_ok;
        author_ok += a_ok;
        date_ok += d_ok;
        free(k1);
        free(k2);
        free(w1);
        free(w2);
        free(html);
        free(js);
        json_decref(truth);
        free(names[i]);
    }
    wd_arena_fini(&arena);
    if (pages == 0)
        return 2;
    double f1 = sum_f / pages, tm = (double)title_ok / pages,
           dm = (double)date_ok / pages;
    printf("pages %d  body P %.3f R %.3f F1 %.3f  title %.3f  author %.3f  "
           "date %.3f\n",
           pages, sum_p / pages, sum_r / pages, f1, tm,
           (double)author_ok / pages, dm);
    bool pass = f1 >= 0.92 && tm >= 0.95 && dm >= 0.95;
    printf("floor (F1 >= 0.92, title and date >= 0.95): %s\n",
           pass ? "PASS" : "FAIL");
    return pass ? 0 : 1;
}
