/* libFuzzer harness for the whole functional core: an arbitrary ingest
 * frame (RawPage decoding, checks, parsing, dedup, tagging, encoding). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wd/pipeline.h"
#include "wd/store.h"

static int
discard(void *ctx, const char *channel, const uint8_t *buf, size_t len)
{
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct wd_stats stats;
    static struct wd_pipeline *p;
    static struct wd_store store;
    if (!p) {
        /* The store lives in a fresh temporary directory per process. */
        char dir[] = "/tmp/wd-fuzz-XXXXXX";
        if (!mkdtemp(dir) || wd_store_open_lmdb(&store, dir, 1024) != 0)
            abort();
        struct wd_pipeline_config cfg = {.max_page_bytes = 1 << 20,
                                         .store = &store,
                                         .dedup = {100000, 0, WD_NEAR_MINHASH}};
        if (wd_pipeline_new(&p, &cfg, &stats) != 0)
            abort();
    }
    uint8_t *frame = malloc(size ? size : 1);
    if (!frame)
        return 0;
    if (size)
        memcpy(frame, data, size);
    struct wd_page_outcome out;
    wd_pipeline_page(p, frame, size, 1764000000000LL, discard, NULL, &out);
    /* The same frame refused on its length: its URL and source read from
     * the field headers only (a limit of 16 bytes). */
    static struct wd_pipeline *small;
    if (!small) {
        struct wd_pipeline_config cfg = {.max_page_bytes = 16,
                                         .store = &store,
                                         .dedup = {100000, 0, WD_NEAR_MINHASH}};
        if (wd_pipeline_new(&small, &cfg, &stats) != 0)
            abort();
    }
    if (size > 16)
        wd_pipeline_page(small, frame, size, 1764000000000LL, discard, NULL,
                         &out);
    free(frame);
    return 0;
}
