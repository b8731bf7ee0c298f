/* libFuzzer harness, differential, on any bytes (invalid UTF-8, NULs,
 * controls) against the plain references of textref.h:
 *  - wd_text_stats, which counts sixteen bytes of ASCII at a time, from
 *    every starting offset below sixteen, so that block boundaries fall
 *    everywhere in the input;
 *  - wd_text_key, whose ASCII runs go through a table, with caps of 1, 2,
 *    7, 64 and 300 bytes and one past the longest key (each an exactly
 *    sized buffer, so that a write past it is caught);
 *  - wd_textclean_put, whose runs of plain ASCII are copied eight bytes
 *    at a time, on the input with its '[' made '(' (shortcodes are not
 *    what this checks), after outputs that are empty, end a line, end a
 *    word or end a space, with room for none, some or all of it.
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

static void
compare_clean(const char *s, size_t n, const char *before, size_t room)
{
    size_t pre = strlen(before), cap = pre + room;
    char *got = malloc(cap + 1), *ref = malloc(cap + 1);
    if (!got || !ref)
        abort();
    memcpy(got, before, pre);
    memcpy(ref, before, pre);
    struct wd_outbuf g = {got, pre, cap}, r = {ref, pre, cap};
    wd_textclean_put(&g, s, n);
    ref_textclean_put(&r, s, n);
    if (g.len != r.len || memcmp(got, ref, g.len) != 0) {
        size_t at = 0; /* the first byte that differs, said with 40 around */
        while (at < g.len && at < r.len && got[at] == ref[at])
            at++;
        size_t from = at > 40 ? at - 40 : 0;
        int gl = (int)((g.len - from < 80) ? g.len - from : 80);
        int rl = (int)((r.len - from < 80) ? r.len - from : 80);
        fprintf(stderr,
                "wd_textclean_put differs on %zu bytes after \"%s\", room "
                "%zu, at byte %zu of %zu against %zu: \"%.*s\" against "
                "\"%.*s\"\n",
                n, before, room, at, g.len, r.len, gl, got + from, rl,
                ref + from);
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
    char *plain = malloc(size + 1);
    if (!plain)
        abort();
    for (size_t i = 0; i < size; i++)
        plain[i] = s[i] == '[' ? '(' : s[i];
    const char *const befores[] = {"", "x\n", "word", "word "};
    const size_t rooms[] = {0, 1, 7, 64, size / 2, size + 8};
    for (size_t b = 0; b < sizeof befores / sizeof befores[0]; b++)
        for (size_t k = 0; k < sizeof rooms / sizeof rooms[0]; k++)
            compare_clean(plain, size, befores[b], rooms[k]);
    free(plain);
    return 0;
}
