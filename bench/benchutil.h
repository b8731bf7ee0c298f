/* Small helpers shared by the benchmark and evaluation tools. */
#ifndef WD_BENCHUTIL_H
#define WD_BENCHUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Seconds of the monotonic clock. */
static inline double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A whole file, NUL-terminated, in a malloc'd buffer; NULL when it cannot
 * be read. */
static inline char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = n >= 0 ? malloc((size_t)n + 1) : NULL;
    *len = b ? fread(b, 1, (size_t)n, f) : 0;
    if (b)
        b[*len] = '\0';
    fclose(f);
    return b;
}

#endif
