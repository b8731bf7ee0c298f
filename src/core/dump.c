/* See include/wd/dump.h. */
#include "wd/dump.h"

#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

#include "wd/err.h"

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
        if (parts[i].len == 0)
            continue;
        XXH3_64bits_update(&st, parts[i].p, parts[i].len);
        rc = write(io, parts[i].p, parts[i].len);
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
        if (parts[i].len == 0)
            continue;
        rc = read(io, parts[i].p, parts[i].len);
        if (rc == 0)
            XXH3_64bits_update(&st, parts[i].p, parts[i].len);
    }
    uint64_t sum = 0;
    if (rc == 0)
        rc = read(io, &sum, sizeof sum);
    if (rc == 0 && sum != XXH3_64bits_digest(&st))
        rc = WD_EPARSE;
    return rc;
}
