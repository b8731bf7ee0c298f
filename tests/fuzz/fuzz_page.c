/* libFuzzer harness for the page parsers (text and HTML): the first byte
 * picks the content type, the rest is the body, copied into an exactly
 * sized buffer so that any over-read is caught by ASan. With the first
 * byte's high bit set, the body's first line is the URL's path (which the
 * text reader reads for the title). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wd/page.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const types[] = {
        "text/plain",
        "text/plain; charset=utf-8",
        "text/plain; charset=windows-1251",
        "text/plain; charset=latin1",
        "",
        "text/html",
        "text/html; charset=utf-8",
        "text/html; charset=windows-1251",
        "text/html; charset=x-bogus",
    };
    enum { N_TYPES = sizeof types / sizeof types[0] };
    static struct wd_arena arena;
    static int init;
    if (!init) {
        wd_arena_init(&arena, 0);
        init = 1;
    }
    const char *ctype = types[size ? data[0] % N_TYPES : 0];
    size_t skip = size ? 1 : 0;
    char url[256] = "https://fuzz.example/a/b";
    if (size && data[0] & 0x80) {
        const uint8_t *nl = memchr(data + 1, '\n', size - 1);
        size_t ul = nl ? (size_t)(nl - data - 1) : size - 1;
        if (ul > 200)
            ul = 200;
        memcpy(url + 21, data + 1, ul);
        url[21 + ul] = 0; /* a NUL inside ends the URL early, as in C */
        skip += nl ? ul + 1 : ul;
    }
    size_t len = size - skip;
    uint8_t *body = malloc(len ? len : 1);
    if (!body)
        return 0;
    if (len)
        memcpy(body, data + skip, len);
    struct wd_page_input in = {ctype, body, len, 1764000000000LL,
                               url,   NULL, 0,   false};
    struct wd_page page;
    wd_arena_reset(&arena);
    if (wd_page_parse(&in, &arena, &page) == 0) {
        for (size_t i = 0; i < page.n_items; i++) {
            /* Every string the parser returns is a valid C string. */
            volatile size_t n =
                strlen(page.items[i].title) + strlen(page.items[i].body);
            (void)n;
        }
    }
    free(body);
    return 0;
}
