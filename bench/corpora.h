/* The development corpora's pages with truth (../shared/corpora: SET/NAME.html
 * beside SET/NAME.json), walked once for the evaluations that read them. */
#ifndef WD_BENCH_CORPORA_H
#define WD_BENCH_CORPORA_H

#include <dirent.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline int
bench_corpora_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A page's truth, real (not a synthetic feature test: those share their
 * lorem ipsum): path is ROOT/SET/NAME.json, i its place among the n truths
 * of every set in name order (synthetic ones counted). */
typedef void (*bench_corpora_fn)(void *ctx, const char *path, const char *set,
                                 const char *name, json_t *truth, size_t i,
                                 size_t n);

/* fn for every real page under root, in name order. */
static inline void
bench_corpora_each(const char *root, bench_corpora_fn fn, void *ctx)
{
    char *names[4096]; /* SET/NAME.json */
    size_t n = 0;
    DIR *d = opendir(root);
    struct dirent *e;
    while (d && (e = readdir(d)) && n < 4096) {
        if (e->d_name[0] == '.')
            continue;
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", root, e->d_name);
        DIR *s = opendir(sub);
        struct dirent *f;
        while (s && (f = readdir(s)) && n < 4096) {
            size_t k = strlen(f->d_name);
            if (k > 5 && strcmp(f->d_name + k - 5, ".json") == 0) {
                char p[8192];
                snprintf(p, sizeof p, "%s/%s", e->d_name, f->d_name);
                names[n++] = strdup(p);
            }
        }
        if (s)
            closedir(s);
    }
    if (d)
        closedir(d);
    qsort(names, n, sizeof *names, bench_corpora_cmp);
    for (size_t i = 0; i < n; i++) {
        char path[8192], set[4096];
        snprintf(path, sizeof path, "%s/%s", root, names[i]);
        json_error_t err;
        json_t *o = json_load_file(path, 0, &err);
        char *slash = strchr(names[i], '/');
        if (o && slash && !json_is_true(json_object_get(o, "synthetic"))) {
            snprintf(set, sizeof set, "%.*s", (int)(slash - names[i]),
                     names[i]);
            slash[strlen(slash) - 5] = '\0'; /* NAME, without .json */
            fn(ctx, path, set, slash + 1, o, i, n);
        }
        json_decref(o);
        free(names[i]);
    }
}

#endif
