/* Page parsing speed: MB/s and pages/s of wd_page_parse on the seed text
 * pages and the HTML extraction corpus, repeated until a few seconds pass.
 *
 *   parse_bench [--only text|html] [SECONDS [HTML_DIR...]]
 *   (default 3 s per format; HTML_DIR: folders of real pages, timed
 *   together, instead of the extraction fixtures, e.g. the three sets of
 *   ../shared/corpora; --only: one format, e.g. under perf) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchutil.h"
#include "wd/page.h"

static void
run(const char *name, const char *ctype, struct bench_file *files, int n,
    double seconds)
{
    struct wd_arena arena;
    wd_arena_init(&arena, 0);
    double t0 = now_s(), bytes = 0;
    long pages = 0, items = 0;
    do { /* at least one pass: SECONDS 0 counts one under callgrind */
        for (int i = 0; i < n; i++) {
            struct wd_page_input in = {ctype,
                                       (const uint8_t *)files[i].data,
                                       files[i].len,
                                       1764000000000LL,
                                       "https://bench.example/p",
                                       NULL,
                                       0,
                                       false};
            struct wd_page page;
            wd_arena_reset(&arena);
            if (wd_page_parse(&in, &arena, &page) == 0)
                items += (long)page.n_items;
            bytes += (double)files[i].len;
            pages++;
        }
    } while (now_s() - t0 < seconds);
    double dt = now_s() - t0;
    printf("%-5s %d files: %.1f MB/s, %.0f pages/s (%.1f us/page), %.2f "
           "items/page\n",
           name, n, bytes / dt / 1e6, (double)pages / dt,
           dt / (double)pages * 1e6, (double)items / (double)pages);
    wd_arena_fini(&arena);
}

int
main(int argc, char **argv)
{
    const char *only = NULL;
    if (argc > 2 && strcmp(argv[1], "--only") == 0) {
        only = argv[2];
        argc -= 2;
        argv += 2;
    }
    double seconds = argc > 1 ? atof(argv[1]) : 3;
    /* A second argument: a folder of real HTML pages to time instead of
     * the extraction fixtures (e.g. ../shared/corpora/readability). */
    static struct bench_file text[64], html[256];
    int nt = bench_load_dir(WD_FIXTURES "/seeds", ".txt", text, 64);
    int nh = 0;
    for (int k = 2; k < argc; k++)
        nh += bench_load_dir(argv[k], ".html", html + nh, 256 - nh);
    if (argc <= 2)
        nh = bench_load_dir(WD_FIXTURES "/extract", ".html", html, 256);
    if (!only || strcmp(only, "text") == 0)
        run("text", "text/plain", text, nt, seconds);
    if (!only || strcmp(only, "html") == 0)
        run("html", "text/html", html, nh, seconds);
    return 0;
}
