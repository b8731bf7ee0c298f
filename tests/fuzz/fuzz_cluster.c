/* libFuzzer harness for the event clusterer: the input is split on
 * newlines into articles of "title<TAB>body", each an exactly sized
 * buffer, fed one after another (a few milliseconds apart, a revision now
 * and then, dated by the title's first byte or undated, the dates out of
 * order, negative or far off) into one small clusterer, so that joins, expiry
 * and the bound on live events are all reached; the summaries are read back. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "../membuf.h"
#include "wd/cluster.h"
#include "wd/err.h"

/* The state dumped, one byte of it changed where the input says and the
 * checksum made right again (a damage the checksum misses), restored:
 * refused or taken, never a crash; taken, it goes on deciding. */
static void
restore_damaged(const struct wd_cluster *c, const struct wd_cluster_config *cfg,
                const uint8_t *data, size_t size)
{
    struct membuf m = {0};
    if (wd_cluster_dump(c, membuf_write, &m) != 0 || m.len < 16)
        abort();
    uint64_t h = XXH3_64bits(data, size);
    size_t at = (size_t)(h % (m.len - 8));
    m.p[at] ^= (uint8_t)(h >> 56) | 1;
    uint64_t sum = XXH3_64bits(m.p, m.len - 8);
    memcpy(m.p + m.len - 8, &sum, 8);
    struct wd_cluster *d;
    if (wd_cluster_new(&d, cfg) != 0)
        abort();
    int rc = wd_cluster_restore(d, m.len, membuf_read, &m);
    if (rc != 0 && rc != WD_EPARSE)
        abort();
    struct wd_cluster_article a = {.story_id = "after",
                                   .revision = 1,
                                   .title = "after the restart",
                                   .tlen = 17,
                                   .body = "",
                                   .blen = 0,
                                   .source = "a",
                                   .at_ms = 700};
    struct wd_cluster_result r;
    struct wd_cluster_event ev;
    wd_cluster_assign(d, &a, &r, &ev);
    struct wd_cluster_event top[4];
    wd_cluster_busiest(d, top, 4);
    wd_cluster_free(d);
    free(m.p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wd_cluster_config cfg = {.max_events = 8, .window_ms = 50};
    struct wd_cluster *c;
    if (wd_cluster_new(&c, &cfg) != 0)
        abort();
    size_t at = 0;
    for (unsigned k = 0; at <= size && k < 64; k++) {
        const uint8_t *nl = memchr(data + at, '\n', size - at);
        size_t end = nl ? (size_t)(nl - data) : size;
        const uint8_t *tab = memchr(data + at, '\t', end - at);
        size_t tlen = tab ? (size_t)(tab - data) - at : end - at;
        size_t blen = tab ? end - at - tlen - 1 : 0;
        char *title = malloc(tlen ? tlen : 1), *body = malloc(blen ? blen : 1);
        if (title && body) {
            memcpy(title, data + at, tlen);
            if (blen)
                memcpy(body, tab + 1, blen);
            char id[16];
            snprintf(id, sizeof id, "s%u", k % 5);
            struct wd_cluster_article a = {
                .story_id = id,
                .revision = 1 + k / 5,
                .title = title,
                .tlen = tlen,
                .body = body,
                .blen = blen,
                .source = k % 2 ? "a" : "b",
                .at_ms = (int64_t)k * 10,
                .published_ms = k % 3 == 0 || !tlen ? 0
                                : (uint8_t)title[0] == 0xff
                                    ? INT64_MAX
                                    : ((uint8_t)title[0] - 64) * 7,
            };
            struct wd_cluster_result r;
            struct wd_cluster_event ev;
            wd_cluster_assign(c, &a, &r, &ev);
            if (strlen(r.event_id) != WD_CLUSTER_ID_LEN || r.size < 1)
                abort();
        }
        free(title);
        free(body);
        at = end + 1;
    }
    /* (One input in 16: a dump is megabytes.) */
    if ((XXH3_64bits(data, size) & 15) == 0)
        restore_damaged(c, &cfg, data, size);
    struct wd_cluster_event top[4];
    size_t n = wd_cluster_busiest(c, top, 4), live, bytes;
    wd_cluster_usage(c, &live, &bytes);
    if (n > live || live > 8)
        abort();
    wd_cluster_free(c);
    return 0;
}
