/* libFuzzer harness for the date parser, on an exactly sized copy of the
 * input so that ASan catches any read past its end; the same bytes as a
 * URL (NUL-terminated) for the URL's date. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wd/date.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size ? size : 1);
    char *url = malloc(size + 1);
    if (!buf || !url) {
        free(buf);
        free(url);
        return 0;
    }
    if (size)
        memcpy(buf, data, size);
    memcpy(url, data, size);
    url[size] = 0;
    int64_t v;
    enum wd_date_precision p;
    (void)wd_date_parse(buf, size, 1764000000000LL, &v, &p);
    (void)wd_date_from_url(url, &v);
    free(buf);
    free(url);
    return 0;
}
