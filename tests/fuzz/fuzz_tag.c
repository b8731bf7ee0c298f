/* libFuzzer harness for the tagger: the input up to the first newline is
 * the title, the rest the body, each in an exactly sized buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wd/tag.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct wd_tagger *t;
    if (!t && wd_tagger_new(&t) != 0)
        abort();
    const uint8_t *nl = memchr(data, '\n', size);
    size_t tlen = nl ? (size_t)(nl - data) : size;
    size_t blen = nl ? size - tlen - 1 : 0;
    char *title = malloc(tlen ? tlen : 1), *body = malloc(blen ? blen : 1);
    if (title && body) {
        memcpy(title, data, tlen);
        if (blen)
            memcpy(body, nl + 1, blen);
        struct wd_tags tags;
        wd_tagger_tag(t, title, tlen, body, blen, &tags);
    }
    free(title);
    free(body);
    return 0;
}
