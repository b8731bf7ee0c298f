/* Helpers shared by the pipeline and end-to-end tests: RawPage frames built
 * from files or strings, and the seed pages' list. */
#ifndef WD_TESTUTIL_H
#define WD_TESTUTIL_H

#include <stdlib.h>
#include <unistd.h>

#include "test.h"
#include "wd/store.h"
#include "wiredesk.pb-c.h"

static const char *const seed_files[] = {
    "000_2965303afe5faa20.txt", "001_9060e6353d04331a.txt",
    "002_169b421efc6a4b65.txt", "003_b68fa506791f493d.txt",
    "004_5a5ebf73775bfc62.txt",
};
#define N_SEEDS 5

/* Packs a RawPage of the given scraper source; the caller frees *out. */
static inline size_t
make_raw_from(const char *url, const char *ctype, const void *body, size_t len,
              const char *source, uint8_t **out)
{
    Wiredesk__V1__RawPage raw;
    wiredesk__v1__raw_page__init(&raw);
    raw.url = (char *)url;
    raw.content_type = (char *)ctype;
    raw.body.data = (uint8_t *)body;
    raw.body.len = len;
    raw.fetched_at_ms = 1764900000000LL;
    raw.source = (char *)source;
    size_t n = wiredesk__v1__raw_page__get_packed_size(&raw);
    *out = malloc(n ? n : 1);
    wiredesk__v1__raw_page__pack(&raw, *out);
    return n;
}

/* The same, from the scraper source "test". */
static inline size_t
make_raw(const char *url, const char *ctype, const void *body, size_t len,
         uint8_t **out)
{
    return make_raw_from(url, ctype, body, len, "test", out);
}

static inline char *
read_seed(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, WD_FIXTURES "/seeds/%s", name);
    return wd_test_slurp(path, len);
}

/* A re-fetch of a page in which only the volatile ticker values changed:
 * every digit on a short line with a '=' sign ("KGS/USD = 0.01144 0%") is
 * moved on by one. */
static inline void
bump_ticker_digits(char *buf, size_t len)
{
    size_t line = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || buf[i] == '\n') {
            if (i - line < 100 && memchr(buf + line, '=', i - line))
                for (size_t j = line; j < i; j++)
                    if (buf[j] >= '0' && buf[j] <= '9')
                        buf[j] = (char)('0' + (buf[j] - '0' + 1) % 10);
            line = i + 1;
        }
    }
}

/* A fresh LMDB store in a new temporary directory (path in dir). */
static inline void
temp_store(struct wd_store *s, char dir[64])
{
    snprintf(dir, 64, "/tmp/wd-store-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(2);
    }
    int rc = wd_store_open_lmdb(s, dir, 256);
    if (rc) {
        fprintf(stderr, "cannot open store in %s: %s\n", dir, wd_strerror(rc));
        exit(2);
    }
}

static inline void
remove_dir(const char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

#endif
