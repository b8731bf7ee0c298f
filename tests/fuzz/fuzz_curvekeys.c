/* libFuzzer harness for CURVE key files and allow-lists
 * (wd_curve_parse_keys) and the ZAP handler's verdicts on requests cut
 * from the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wd/curve.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size ? size : 1); /* exactly sized */
    if (!text)
        return 0;
    memcpy(text, data, size);
    struct wd_curve_allow a = {0};
    char err[256];
    int rc = wd_curve_parse_keys("fuzz.pub", text, size, &a, err, sizeof err);
    if (rc != 0 && !memchr(err, '\0', sizeof err))
        abort();
    wd_curve_allow_finish(&a);
    for (size_t i = 0; i < a.n; i++) {
        if (!wd_curve_allowed(&a, a.keys[i]))
            abort();
        if (i > 0 && memcmp(a.keys[i - 1], a.keys[i], 32) >= 0)
            abort(); /* sorted, no duplicates */
    }
    /* The input as a ZAP request: frames split at '\n'. */
    struct wd_zap_frame f[9];
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= size && n < 9; i++)
        if (i == size || text[i] == '\n') {
            f[n++] = (struct wd_zap_frame){text + start, i - start};
            start = i + 1;
        }
    struct wd_zap_verdict v;
    wd_curve_zap_decide(&a, f, n, &v);
    if (strcmp(v.status, "200") == 0 &&
        (n != 7 || f[6].len != 32 || !wd_curve_allowed(&a, f[6].data)))
        abort();
    if (!memchr(v.domain, '\0', sizeof v.domain) ||
        !memchr(v.address, '\0', sizeof v.address))
        abort();
    wd_curve_allow_free(&a);
    free(text);
    return 0;
}
