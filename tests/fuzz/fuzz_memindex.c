/* libFuzzer harness for the dump of the in-memory look-ups (memindex.h),
 * which the LMDB store maps at start-up: the input, followed by its own
 * checksum (so that inputs of the right length reach the checks behind
 * it), is mapped and adopted as the store adopts its dump file; an index
 * adopted must then answer look-ups, take changes, undo them, take a bulk
 * load and dump again without a fault. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "wd/memindex.h"

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
    /* Mapped, as the store maps the dump file (the index owns it). */
    uint8_t *buf = mmap(NULL, size + 8, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED)
        return 0;
    memcpy(buf, data, size);
    uint64_t sum = XXH3_64bits(data, size);
    memcpy(buf + size, &sum, 8);
    struct wd_memindex *m;
    if (wd_memindex_new(&m) != 0) {
        munmap(buf, size + 8);
        return 0;
    }
    uint64_t dump_tag = 0; /* the one the input says (after the magic) */
    if (size >= 16)
        memcpy(&dump_tag, data + 8, 8);
    if (wd_memindex_adopt(m, dump_tag, buf, size + 8) == 0) {
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
    return 0;
}
