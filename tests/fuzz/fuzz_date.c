/* libFuzzer harness for the date parser, on an exactly sized copy of the
 * input so that ASan catches any read past its end. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wd/date.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    if (size)
        memcpy(buf, data, size);
    int64_t v;
    enum wd_date_precision p;
    (void)wd_date_parse(buf, size, 1764000000000LL, &v, &p);
    free(buf);
    return 0;
}
