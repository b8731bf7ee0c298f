/* A state dumped to bytes for the next run: a header, arrays, and a
 * checksum (XXH3-64 of every byte before it), in host byte order (the
 * same machine reads it back). The memindex's look-ups and the
 * clusterer's events are dumped this way at a clean stop; the caller
 * checks its header's fields, this module the size and the checksum.
 */
#ifndef WD_DUMP_H
#define WD_DUMP_H

#include <stddef.h>
#include <stdint.h>

/* Move exactly len bytes or return an error (a read: WD_EPARSE at a
 * short file). */
typedef int (*wd_dump_write_fn)(void *io, const void *buf, size_t len);
typedef int (*wd_dump_read_fn)(void *io, void *buf, size_t len);

struct wd_dump_part {
    void *p;
    size_t len;
};

/* The bytes of a dump of a header of hlen bytes and parts[0..n). */
uint64_t wd_dump_size(size_t hlen, const struct wd_dump_part *parts, size_t n);

/* Writes head, the parts and the checksum. Returns 0 or write's error. */
int wd_dump_write(const void *head, size_t hlen,
                  const struct wd_dump_part *parts, size_t n,
                  wd_dump_write_fn write, void *io);

/* Reads the parts and the checksum after head (hlen bytes, read already
 * by the caller, which sized the parts from it). Returns 0, WD_EPARSE (the
 * checksum does not match) or read's error. */
int wd_dump_read(const void *head, size_t hlen,
                 const struct wd_dump_part *parts, size_t n,
                 wd_dump_read_fn read, void *io);

#endif
