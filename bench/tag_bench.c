/* Tagging speed: the labelled set's articles tagged over and over on one
 * thread, and the cost of building the tagger (what a SIGHUP reload costs).
 *
 *   tag_bench [-r ROUNDS] [SECONDS] [DIR]
 *
 * Prints MB/s of article text (title + body) and microseconds per article.
 * -r runs exactly ROUNDS passes over the set instead of SECONDS, for
 * instruction counts under valgrind --tool=callgrind.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchutil.h"
#include "wd/tag.h"

struct art {
    char *text;
    const char *title, *body;
    size_t tlen, blen;
};

static int
txt_only(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return n > 4 && strcmp(d->d_name + n - 4, ".txt") == 0;
}

int
main(int argc, char **argv)
{
    long fixed_rounds = 0;
    if (argc > 2 && strcmp(argv[1], "-r") == 0) {
        fixed_rounds = atol(argv[2]);
        argc -= 2, argv += 2;
    }
    double seconds = argc > 1 ? atof(argv[1]) : 3.0;
    const char *dir = argc > 2 ? argv[2] : WD_FIXTURES "/tagset";

    double t0 = now_s();
    struct wd_tagger *tg;
    if (wd_tagger_new(&tg) != 0)
        return 2;
    double build_ms = (now_s() - t0) * 1e3;
    size_t patterns, slots;
    wd_tagger_size(tg, &patterns, &slots);

    struct dirent **names;
    int n = scandir(dir, &names, txt_only, alphasort);
    if (n <= 0) {
        fprintf(stderr, "tag_bench: no *.txt in %s\n", dir);
        return 2;
    }
    struct art *arts = calloc((size_t)n, sizeof *arts);
    size_t bytes = 0;
    for (int i = 0; i < n; i++) {
        char path[4096];
        size_t len;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        free(names[i]);
        char *text = slurp(path, &len);
        if (!text)
            return 2;
        /* Skip the two label lines: the title is the third line. */
        char *p = text;
        for (int k = 0; k < 2 && p; k++)
            p = strchr(p, '\n'), p = p ? p + 1 : NULL;
        if (!p)
            return 2;
        char *nl = strchr(p, '\n');
        arts[i].text = text;
        arts[i].title = p;
        arts[i].tlen = nl ? (size_t)(nl - p) : strlen(p);
        arts[i].body = nl ? nl + 1 : p + arts[i].tlen;
        arts[i].blen = strlen(arts[i].body);
        bytes += arts[i].tlen + arts[i].blen;
    }
    free(names);

    size_t tagged = 0, rounds = 0, sink = 0;
    double start = now_s(), el;
    do {
        for (int i = 0; i < n; i++) {
            struct wd_tags tags;
            wd_tagger_tag(tg, arts[i].title, arts[i].tlen, arts[i].body,
                          arts[i].blen, &tags);
            sink += tags.n_countries + tags.n_themes;
        }
        tagged += (size_t)n;
        rounds++;
        el = now_s() - start;
    } while (fixed_rounds ? (long)rounds < fixed_rounds : el < seconds);

    printf("tagger: %zu names and phrases, %zu trie slots, built in "
           "%.1f ms\n",
           patterns, slots, build_ms);
    printf("tagged %zu articles (%d distinct, %.1f kB average) in %.2f s: "
           "%.1f MB/s, %.2f us per article (%zu tags)\n",
           tagged, n, (double)bytes / n / 1e3, el,
           (double)bytes * (double)rounds / el / 1e6, el / (double)tagged * 1e6,
           sink);
    for (int i = 0; i < n; i++)
        free(arts[i].text);
    free(arts);
    wd_tagger_free(tg);
    return 0;
}
