/* A growing buffer that a dump is written to and read back from, for the
 * tests and fuzz targets of the dumps (dump.h). */
#ifndef WD_TEST_MEMBUF_H
#define WD_TEST_MEMBUF_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wd/err.h"

struct membuf {
    uint8_t *p;
    size_t len, cap, at;
};

static inline int
membuf_write(void *io, const void *buf, size_t len)
{
    struct membuf *m = io;
    if (m->len + len > m->cap) {
        size_t cap = (m->len + len) * 2;
        uint8_t *q = realloc(m->p, cap);
        if (!q)
            return WD_ENOMEM;
        m->p = q;
        m->cap = cap;
    }
    memcpy(m->p + m->len, buf, len);
    m->len += len;
    return 0;
}

static inline int
membuf_read(void *io, void *buf, size_t len)
{
    struct membuf *m = io;
    if (m->at + len > m->len)
        return WD_EPARSE;
    memcpy(buf, m->p + m->at, len);
    m->at += len;
    return 0;
}

#endif
