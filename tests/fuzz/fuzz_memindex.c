/* libFuzzer harness for the dump of the in-memory look-ups (memindex.h),
 * which the LMDB store reads back at start-up: the input, followed by its
 * own checksum (so that inputs of the right length reach the checks behind
 * it), is restored; a dump that restores must then answer look-ups, take
 * changes, undo them, take a bulk load and dump again without a fault. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "wd/memindex.h"

struct in {
    const uint8_t *p;
    size_t len, at;
};

static int
rd(void *ctx, void *buf, size_t len)
{
    struct in *in = ctx;
    if (len > in->len - in->at)
        return -1;
    memcpy(buf, in->p + in->at, len);
    in->at += len;
    return 0;
}

static int
wr(void *ctx, const void *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    (void)len;
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *buf = malloc(size + 8);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    uint64_t sum = XXH3_64bits(data, size);
    memcpy(buf + size, &sum, 8);
    struct in in = {buf, size + 8, 0};
    struct wd_memindex *m;
    if (wd_memindex_new(&m) != 0) {
        free(buf);
        return 0;
    }
    uint64_t dump_tag = 0; /* the one the input says (after the magic) */
    if (size >= 16)
        memcpy(&dump_tag, data + 8, 8);
    if (wd_memindex_restore(m, dump_tag, size + 8, rd, &in) == 0) {
        uint8_t id[16] = {1}, got[16];
        for (uint64_t k = 0; k < 64; k++)
            wd_memindex_get(m, (unsigned)k % 8, &k, 8, got);
        for (size_t i = 0; i < wd_memindex_age_count(m) && i < 4; i++)
            (void)wd_memindex_age_at(m, i);
        wd_memindex_begin(m);
        for (uint64_t k = 0; k < 64; k++) {
            if (k % 3)
                wd_memindex_put(m, (unsigned)k % 8, &k, 8, id);
            else
                wd_memindex_del(m, (unsigned)k % 8, &k, 8);
        }
        if (wd_memindex_age_count(m)) {
            uint8_t oldest[WD_MEMINDEX_AGE_LEN];
            memcpy(oldest, wd_memindex_age_at(m, 0), sizeof oldest);
            wd_memindex_age_del(m, oldest);
        }
        wd_memindex_abort(m);
        /* A bulk load on top (the rebuild's way of putting). */
        wd_memindex_bulk_begin(m);
        for (uint64_t k = 0; k < 40; k++) {
            id[1] = (uint8_t)(k / 3);
            wd_memindex_put(m, (unsigned)k % 4, &k, 8, id);
        }
        wd_memindex_bulk_end(m);
        wd_memindex_dump(m, dump_tag, wr, NULL);
    }
    wd_memindex_free(m);
    free(buf);
    return 0;
}
