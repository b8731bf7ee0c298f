/* libFuzzer harness for the byline splitter (author.c): any bytes (as the
 * page parsers pass it: valid UTF-8) give at most WD_AUTHORS_MAX names,
 * each non-empty, valid UTF-8 and no longer than the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wd/author.h"
#include "wd/text.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct wd_arena arena;
    static int init;
    if (!init) {
        wd_arena_init(&arena, 0);
        init = 1;
    }
    if (!wd_utf8_valid((const char *)data, size))
        return 0;
    char *s = malloc(size ? size : 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    wd_arena_reset(&arena);
    const char *names[WD_AUTHORS_MAX];
    size_t n = wd_authors_split(s, size, &arena, names, WD_AUTHORS_MAX);
    if (n > WD_AUTHORS_MAX)
        abort();
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(names[i]);
        if (l == 0 || l > size || !wd_utf8_valid(names[i], l))
            abort();
    }
    free(s);
    return 0;
}
