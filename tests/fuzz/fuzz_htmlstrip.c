/* libFuzzer harness for the raw-text cutter of HTML pages (htmlstrip.c):
 * on any bytes, the output fits the input's length and is a subsequence
 * of it (only cut, never invented), and no read or write leaves the
 * exactly sized buffers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wd/htmlstrip.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = calloc(size ? size : 1, 1), *out = calloc(size ? size : 1, 1);
    if (!in || !out) {
        free(in);
        free(out);
        return 0;
    }
    if (size)
        memcpy(in, data, size);
    size_t n = wd_htmlstrip(in, size, out);
    if (n > size)
        abort();
    size_t k = 0; /* out is a subsequence of in */
    for (size_t i = 0; i < size && k < n; i++)
        if (in[i] == out[k])
            k++;
    if (k != n)
        abort();
    free(in);
    free(out);
    return 0;
}
