/* libFuzzer harness, differential: wd_text_stats (text.h), which counts
 * sixteen bytes of ASCII at a time, against the plain count over code
 * points of textref.h, on any bytes (invalid UTF-8, NULs, controls). A
 * difference aborts, with both counts said. Each input is also counted
 * from every starting offset below sixteen, so that block boundaries fall
 * everywhere in it. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../textref.h"

static void
compare(const char *s, size_t n)
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (size_t off = 0; off < 16 && off <= size; off++)
        compare((const char *)data + off, size - off);
    return 0;
}
