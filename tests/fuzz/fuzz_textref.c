/* libFuzzer harness, differential, on any bytes (invalid UTF-8, NULs,
 * controls) against the plain references of textref.h:
 *  - wd_text_stats, which counts sixteen bytes of ASCII at a time, from
 *    every starting offset below sixteen, so that block boundaries fall
 *    everywhere in the input;
 *  - wd_text_key, whose ASCII runs go through a table, with caps of 1, 2,
 *    7, 64 and 300 bytes and one past the longest key (each an exactly
 *    sized buffer, so that a write past it is caught).
 * A difference aborts, with both results said. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../textref.h"

static void
compare_stats(const char *s, size_t n)
{
    struct wd_text_stats got, ref;
    wd_text_stats(s, n, &got);
    ref_stats(s, n, &ref);
    if (got.words == ref.words && got.alpha_words == ref.alpha_words &&
        got.num_words == ref.num_words && got.letters == ref.letters &&
        got.digits == ref.digits && got.other == ref.other &&
        got.first_upper == ref.first_upper)
        return;
    fprintf(stderr,
            "wd_text_stats differs on %zu bytes: words %zu/%zu alpha %zu/%zu "
            "num %zu/%zu letters %zu/%zu digits %zu/%zu other %zu/%zu upper "
            "%d/%d\n",
            n, got.words, ref.words, got.alpha_words, ref.alpha_words,
            got.num_words, ref.num_words, got.letters, ref.letters, got.digits,
            ref.digits, got.other, ref.other, got.first_upper, ref.first_upper);
    abort();
}

static void
compare_key(const char *s, size_t n, size_t cap)
{
    char *got = malloc(cap), *ref = malloc(cap);
    if (!got || !ref)
        abort();
    size_t g = wd_text_key(s, n, got, cap), r = ref_text_key(s, n, ref, cap);
    if (g != r || memcmp(got, ref, g + 1) != 0) {
        fprintf(stderr,
                "wd_text_key differs on %zu bytes, cap %zu: \"%.*s\" (%zu) "
                "against \"%.*s\" (%zu)\n",
                n, cap, (int)g, got, g, (int)r, ref, r);
        abort();
    }
    free(got);
    free(ref);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    for (size_t off = 0; off < 16 && off <= size; off++)
        compare_stats(s + off, size - off);
    /* A key is at most twice the text (a case fold can grow a letter),
     * plus the spaces between words and its NUL. */
    const size_t caps[] = {1, 2, 7, 64, 300, size * 4 + 2};
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++)
        compare_key(s, size, caps[i]);
    return 0;
}
