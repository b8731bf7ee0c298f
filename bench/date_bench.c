/* wd_date_parse alone, as a text page's line classifier asks it: every
 * line of at most 12 words of the given files (by default the seed
 * fixtures: the .txt files of tests/fixtures/seeds), parsed again and again for
 * SECONDS; nanoseconds a line and how many lines are dates.
 *
 *   date_bench [SECONDS [FILE...]]      (default 2 s)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchutil.h"
#include "wd/date.h"

#define MAX_LINES 200000

struct line {
    const char *s;
    size_t n;
};

static size_t
words_of(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        w += s[i] != ' ' && (i == 0 || s[i - 1] == ' ');
    return w;
}

/* The short lines of text[0..len) appended to lines. */
static size_t
short_lines(const char *text, size_t len, struct line *lines, size_t n)
{
    for (size_t i = 0; i < len && n < MAX_LINES;) {
        const char *e = memchr(text + i, '\n', len - i);
        size_t l = e ? (size_t)(e - (text + i)) : len - i;
        if (l && words_of(text + i, l) <= 12)
            lines[n++] = (struct line){text + i, l};
        i += l + 1;
    }
    return n;
}

/* The short lines of file path appended to lines[0..n); the new count, or
 * 0 when it cannot be read. */
static size_t
add_file(const char *path, struct line *lines, size_t n)
{
    size_t len;
    char *text = slurp(path, &len); /* (kept to the end) */
    if (!text) {
        fprintf(stderr, "date_bench: cannot read %s\n", path);
        return 0;
    }
    return short_lines(text, len, lines, n);
}

int
main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 2;
    struct line *lines = malloc(MAX_LINES * sizeof *lines);
    size_t n = 0;
    for (int f = 2; f < argc && lines; f++)
        if ((n = add_file(argv[f], lines, n)) == 0)
            return 1;
    if (argc <= 2 && lines) { /* the seed fixtures (kept to the end) */
        static struct bench_file seeds[64];
        int k = bench_load_dir(WD_FIXTURES "/seeds", ".txt", seeds, 64);
        for (int i = 0; i < k; i++)
            n = short_lines(seeds[i].data, seeds[i].len, lines, n);
    }
    if (!lines || n == 0) {
        fprintf(stderr, "date_bench: no lines\n");
        return 1;
    }
    const int64_t now = 1765000000000LL; /* 2025-12-06 */
    size_t dates = 0, passes = 0;
    double t0 = now_s(), t;
    do {
        dates = 0;
        for (size_t i = 0; i < n; i++) {
            int64_t ms;
            dates += wd_date_parse(lines[i].s, lines[i].n, now, &ms, NULL) == 0;
        }
        passes++;
    } while ((t = now_s() - t0) < secs);
    printf("%zu short lines, %.0f ns a line, %zu dates (%zu passes)\n", n,
           t / (double)(n * passes) * 1e9, dates, passes);
    free(lines);
    return 0;
}
