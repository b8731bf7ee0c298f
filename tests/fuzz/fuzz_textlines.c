/* libFuzzer harness for the block reader of text pages (textlines.c): any
 * valid UTF-8 input is split into blocks whose text lies inside the input
 * or the arena, with no block longer than the input. Invalid UTF-8 is
 * refused before this module is called (page.c), so it is skipped here. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wd/text.h"
#include "wd/textlines.h"

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
    char *text = malloc(size ? size : 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    wd_arena_reset(&arena);
    struct wd_tline *t;
    size_t n;
    uint32_t wrap;
    if (wd_textlines_split(text, size, &arena, &t, &n, &wrap) == 0) {
        size_t total = 0;
        for (size_t i = 0; i < n; i++) {
            total += t[i].n;
            if (t[i].n > size || !wd_utf8_valid(t[i].s, t[i].n))
                abort();
        }
        if (total > size + n)
            abort();
    }
    free(text);
    return 0;
}
