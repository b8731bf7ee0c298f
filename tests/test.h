/* A tiny test harness: typed asserts that print both values, a runner that
 * counts, and a closing "N passed, N failed" line. Each test file defines
 * static void test_x(void) functions and lists them in main() with RUN().
 */
#ifndef WD_TEST_H
#define WD_TEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wd/err.h"

static int wd_test_failed_checks;
static int wd_test_passed, wd_test_failed;

#define WD_FAIL_(...)                                                          \
    do {                                                                       \
        fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                        \
        fprintf(stderr, __VA_ARGS__);                                          \
        fputc('\n', stderr);                                                   \
        wd_test_failed_checks++;                                               \
    } while (0)

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond))                                                           \
            WD_FAIL_("CHECK(%s) failed", #cond);                               \
    } while (0)

#define CHECK_INT(a, op, b)                                                    \
    do {                                                                       \
        long long a_ = (long long)(a), b_ = (long long)(b);                    \
        if (!(a_ op b_))                                                       \
            WD_FAIL_("CHECK_INT(%s %s %s): %lld vs %lld", #a, #op, #b, a_,     \
                     b_);                                                      \
    } while (0)

#define CHECK_OK(expr)                                                         \
    do {                                                                       \
        int r_ = (expr);                                                       \
        if (r_ != 0)                                                           \
            WD_FAIL_("CHECK_OK(%s): %d %s (%s)", #expr, r_, wd_err_name(r_),   \
                     wd_strerror(r_));                                         \
    } while (0)

#define CHECK_STR(a, b)                                                        \
    do {                                                                       \
        const char *a_ = (a), *b_ = (b);                                       \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                                 \
            WD_FAIL_(                                                          \
                "CHECK_STR(%s, %s):\n  got      \"%s\"\n  expected \"%s\"",    \
                #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)");               \
    } while (0)

#define CHECK_CONTAINS(hay, needle)                                            \
    do {                                                                       \
        const char *h_ = (hay), *n_ = (needle);                                \
        if (!h_ || !strstr(h_, n_))                                            \
            WD_FAIL_("CHECK_CONTAINS(%s, \"%s\") failed", #hay, n_);           \
    } while (0)

#define CHECK_NOT_CONTAINS(hay, needle)                                        \
    do {                                                                       \
        const char *h_ = (hay), *n_ = (needle);                                \
        if (h_ && strstr(h_, n_))                                              \
            WD_FAIL_("CHECK_NOT_CONTAINS(%s, \"%s\") failed", #hay, n_);       \
    } while (0)

#define RUN(fn)                                                                \
    do {                                                                       \
        int before_ = wd_test_failed_checks;                                   \
        fn();                                                                  \
        if (wd_test_failed_checks == before_) {                                \
            wd_test_passed++;                                                  \
            fprintf(stderr, "ok   %s\n", #fn);                                 \
        } else {                                                               \
            wd_test_failed++;                                                  \
            fprintf(stderr, "FAIL %s\n", #fn);                                 \
        }                                                                      \
    } while (0)

#define TEST_DONE()                                                            \
    (printf("%d passed, %d failed\n", wd_test_passed, wd_test_failed),         \
     wd_test_failed ? 1 : 0)

/* Reads a whole file into a NUL-terminated heap buffer; aborts on error
 * because a missing fixture is a broken test, not a failed check. */
static inline char *
wd_test_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open fixture %s\n", path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "cannot read fixture %s\n", path);
        exit(2);
    }
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

#endif
