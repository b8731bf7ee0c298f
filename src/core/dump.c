/* See include/wd/dump.h. */
#include "wd/dump.h"

#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

#include "wd/err.h"

/* Parts are written and read in chunks of this size, each hashed while it
 * is still in the cache: one pass over memory instead of two (a dump of
 * hundreds of MB is read back at start-up). */
#define CHUNK ((size_t)256 << 10)

/* The chunk of a part of len bytes that starts at at. */
static size_t
chunk_len(size_t len, size_t at)
{
    return len - at < CHUNK ? len - at : CHUNK;
}

uint64_t
wd_dump_size(size_t hlen, const struct wd_dump_part *parts, size_t n)
{
    uint64_t size = hlen + sizeof(uint64_t);
    for (size_t i = 0; i < n; i++)
        size += parts[i].len;
    return size;
}

int
wd_dump_write(const void *head, size_t hlen, const struct wd_dump_part *parts,
              size_t n, wd_dump_write_fn write, void *io)
{
    XXH3_state_t st;
    XXH3_64bits_reset(&st);
    XXH3_64bits_update(&st, head, hlen);
    int rc = write(io, head, hlen);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const uint8_t *p = parts[i].p;
        for (size_t at = 0; rc == 0 && at < parts[i].len; at += CHUNK) {
            size_t len = chunk_len(parts[i].len, at);
            XXH3_64bits_update(&st, p + at, len);
            rc = write(io, p + at, len);
        }
    }
    uint64_t sum = XXH3_64bits_digest(&st);
    return rc ? rc : write(io, &sum, sizeof sum);
}

int
wd_dump_read(const void *head, size_t hlen, const struct wd_dump_part *parts,
             size_t n, wd_dump_read_fn read, void *io)
{
    XXH3_state_t st;
    XXH3_64bits_reset(&st);
    XXH3_64bits_update(&st, head, hlen);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        uint8_t *p = parts[i].p;
        for (size_t at = 0; rc == 0 && at < parts[i].len; at += CHUNK) {
            size_t len = chunk_len(parts[i].len, at);
            rc = read(io, p + at, len);
            if (rc == 0)
                XXH3_64bits_update(&st, p + at, len);
        }
    }
    uint64_t sum = 0;
    if (rc == 0)
        rc = read(io, &sum, sizeof sum);
    if (rc == 0 && sum != XXH3_64bits_digest(&st))
        rc = WD_EPARSE;
    return rc;
}
