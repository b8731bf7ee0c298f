/* libFuzzer harness for the configuration file's parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wd/config.h"

static const struct option opts[] = {
    {"ingest", required_argument, 0, 'i'},
    {"max-page-bytes", required_argument, 0, 'm'},
    {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0},
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size ? size : 1); /* exactly sized */
    if (!text)
        return 0;
    memcpy(text, data, size);
    char **args = NULL, err[256];
    size_t n = 0;
    if (wd_config_parse("fuzz.conf", text, size, opts, &args, &n, err,
                        sizeof err) != 0 &&
        !memchr(err, '\0', sizeof err))
        abort();
    for (size_t i = 0; i < n; i++)
        if (strncmp(args[i], "--", 2) != 0 || !strchr(args[i], '='))
            abort();
    wd_config_free((int)n, args);
    free(text);
    return 0;
}
