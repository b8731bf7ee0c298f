#include "wd/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wd/err.h"
#include "wd/text.h"

#define ENV_PREFIX "WIREDESK_"

static int
push_arg(char ***args, size_t *n, const char *name, size_t nlen,
         const char *value, size_t vlen)
{
    char **grown = realloc(*args, (*n + 1) * sizeof **args);
    if (!grown)
        return WD_ENOMEM;
    *args = grown;
    char *a = malloc(2 + nlen + 1 + vlen + 1);
    if (!a)
        return WD_ENOMEM;
    memcpy(a, "--", 2);
    memcpy(a + 2, name, nlen);
    a[2 + nlen] = '=';
    memcpy(a + 3 + nlen, value, vlen);
    a[3 + nlen + vlen] = 0;
    (*args)[(*n)++] = a;
    return 0;
}

static int
push_copy(char ***args, size_t *n, const char *arg)
{
    char **grown = realloc(*args, (*n + 1) * sizeof **args);
    if (!grown)
        return WD_ENOMEM;
    *args = grown;
    char *a = strdup(arg);
    if (!a)
        return WD_ENOMEM;
    (*args)[(*n)++] = a;
    return 0;
}

/* The option of opts called name[0..n) that takes a value, or NULL. */
static const struct option *
find_option(const struct option *opts, const char *name, size_t n)
{
    for (const struct option *o = opts; o->name; o++)
        if (strlen(o->name) == n && memcmp(o->name, name, n) == 0)
            return o->has_arg == required_argument ? o : NULL;
    return NULL;
}

/* Where each argument of the last wd_config_argv() came from, by index:
 * "FILE:LINE", "$WIREDESK_NAME", or NULL (the command line). Recorded only
 * while wd_config_argv() runs. */
static char **origins;
static size_t n_origins;
static bool recording;

static void
note_origin(size_t i, const char *fmt, const char *a, unsigned line)
{
    if (!recording)
        return;
    if (i >= n_origins) {
        size_t n = i + 16;
        char **o = realloc(origins, n * sizeof *o);
        if (!o)
            return;
        memset(o + n_origins, 0, (n - n_origins) * sizeof *o);
        origins = o, n_origins = n;
    }
    char buf[600];
    snprintf(buf, sizeof buf, fmt, a, line);
    free(origins[i]);
    origins[i] = strdup(buf);
}

int
wd_config_parse(const char *name, const char *text, size_t len,
                const struct option *opts, char ***args, size_t *n, char *err,
                size_t err_cap)
{
    unsigned line = 0;
    size_t pos = 0;
    while (pos < len) {
        const char *s;
        size_t l = wd_text_line(text, len, &pos, &s);
        line++;
        const char *hash = memchr(s, '#', l);
        if (hash)
            l = (size_t)(hash - s);
        l = wd_text_trim(&s, l);
        if (l == 0)
            continue;
        if (memchr(s, '\0', l)) {
            snprintf(err, err_cap, "%s:%u: a NUL byte", name, line);
            return WD_EINVAL;
        }
        const char *eq = memchr(s, '=', l);
        if (!eq) {
            snprintf(err, err_cap, "%s:%u: want 'option = value'", name, line);
            return WD_EINVAL;
        }
        const char *key = s, *val = eq + 1;
        size_t klen = wd_text_trim(&key, (size_t)(eq - s));
        size_t vlen = wd_text_trim(&val, l - (size_t)(eq - s) - 1);
        if (!find_option(opts, key, klen) ||
            strncmp(key, "config", klen) == 0) {
            snprintf(err, err_cap, "%s:%u: unknown setting '%.*s'", name, line,
                     (int)(klen > 60 ? 60 : klen), key);
            return WD_EINVAL;
        }
        if (vlen >= 2 && (val[0] == '"' || val[0] == '\'') &&
            val[vlen - 1] == val[0])
            val++, vlen -= 2; /* quotes around a value are not part of it */
        int rc = push_arg(args, n, key, klen, val, vlen);
        if (rc)
            return rc;
        note_origin(*n - 1, "%s:%u", name, line);
    }
    return 0;
}

static int
read_file(const char *path, char **out, size_t *len, char *err, size_t err_cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_cap, "config %s: %s", path, strerror(errno));
        return WD_EINVAL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        if (cap >= (1u << 20)) { /* a configuration, not a data set */
            free(buf);
            fclose(f);
            snprintf(err, err_cap, "config %s: larger than 1 MiB", path);
            return WD_EINVAL;
        }
        char *g = realloc(buf, cap * 2);
        if (!g)
            free(buf);
        buf = g;
        cap *= 2;
    }
    bool bad = ferror(f);
    fclose(f);
    if (!buf)
        return WD_ENOMEM;
    if (bad) {
        free(buf);
        snprintf(err, err_cap, "config %s: read error", path);
        return WD_EINVAL;
    }
    *out = buf;
    *len = n;
    return 0;
}

/* The environment's settings: WIREDESK_MAX_PAGE_BYTES -> --max-page-bytes. */
static int
env_args(const struct option *opts, char ***args, size_t *n)
{
    for (const struct option *o = opts; o->name; o++) {
        if (o->has_arg != required_argument || strcmp(o->name, "config") == 0)
            continue;
        char var[96] = ENV_PREFIX;
        size_t k = strlen(var);
        for (const char *c = o->name; *c && k + 1 < sizeof var; c++)
            var[k++] = *c == '-' ? '_' : (char)toupper((unsigned char)*c);
        var[k] = 0;
        const char *v = getenv(var);
        if (v) {
            int rc = push_arg(args, n, o->name, strlen(o->name), v, strlen(v));
            if (rc)
                return rc;
            note_origin(*n - 1, "$%s%.0u", var, 0);
        }
    }
    return 0;
}

const char *
wd_config_origin(int i)
{
    return i >= 0 && (size_t)i < n_origins ? origins[i] : NULL;
}

void
wd_config_free(int argc, char **argv)
{
    for (size_t i = 0; i < n_origins; i++)
        free(origins[i]);
    free(origins);
    origins = NULL, n_origins = 0;
    if (!argv)
        return;
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    free(argv);
}

int
wd_config_argv(int argc, char **argv, const struct option *opts, int *out_argc,
               char ***out_argv, char *err, size_t err_cap)
{
    *out_argc = 0;
    *out_argv = NULL;
    const char *file = getenv(ENV_PREFIX "CONFIG");
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    size_t n_rest = 0;
    if (!rest)
        return WD_ENOMEM;
    /* --config FILE / --config=FILE, wherever it stands (before "--"). */
    bool dashdash = false;
    for (int i = 1; i < argc; i++) {
        if (!dashdash && strcmp(argv[i], "--") == 0)
            dashdash = true;
        if (!dashdash && strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            file = argv[++i];
            continue;
        }
        if (!dashdash && strncmp(argv[i], "--config=", 9) == 0) {
            file = argv[i] + 9;
            continue;
        }
        rest[n_rest++] = argv[i];
    }
    char **args = NULL;
    size_t n = 0;
    recording = true;
    int rc = push_copy(&args, &n, argv[0]);
    if (rc == 0 && file && *file) {
        char *text;
        size_t len;
        rc = read_file(file, &text, &len, err, err_cap);
        if (rc == 0) {
            rc =
                wd_config_parse(file, text, len, opts, &args, &n, err, err_cap);
            free(text);
        }
    }
    if (rc == 0)
        rc = env_args(opts, &args, &n);
    recording = false;
    for (size_t i = 0; rc == 0 && i < n_rest; i++)
        rc = push_copy(&args, &n, rest[i]);
    free(rest);
    if (rc == 0) { /* getopt wants argv[argc] == NULL */
        char **g = realloc(args, (n + 1) * sizeof *args);
        if (!g)
            rc = WD_ENOMEM;
        else
            args = g, args[n] = NULL;
    }
    if (rc) {
        wd_config_free((int)n, args);
        if (rc == WD_ENOMEM)
            snprintf(err, err_cap, "out of memory");
        return rc;
    }
    *out_argc = (int)n;
    *out_argv = args;
    return 0;
}
