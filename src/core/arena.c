#include "wd/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wd/asan.h"

struct wd_arena_chunk {
    struct wd_arena_chunk *next;
    size_t size; /* usable bytes in data */
    size_t used;
    alignas(max_align_t) unsigned char data[];
};

void
wd_arena_init(struct wd_arena *a, size_t chunk_size)
{
    a->head = NULL;
    a->chunk_size = chunk_size ? chunk_size : 64 * 1024;
    a->last = NULL;
}

void
wd_arena_fini(struct wd_arena *a)
{
    struct wd_arena_chunk *c = a->head;
    while (c) {
        struct wd_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
}

void
wd_arena_reset(struct wd_arena *a)
{
    /* Keep the largest chunk: a steady stream of similar pages then needs
     * no allocation at all after the first few. */
    struct wd_arena_chunk *keep = NULL, *c = a->head;
    while (c) {
        struct wd_arena_chunk *next = c->next;
        if (!keep || c->size > keep->size) {
            free(keep);
            keep = c;
        } else {
            free(c);
        }
        c = next;
    }
    if (keep) {
        keep->next = NULL;
        keep->used = 0;
        /* A user may have poisoned what it freed (wd_xmlarena does). */
        WD_UNPOISON(keep->data, keep->size);
    }
    a->head = keep;
    a->last = NULL;
}

void *
wd_arena_alloc(struct wd_arena *a, size_t n)
{
    const size_t align = alignof(max_align_t);
    if (n > SIZE_MAX / 2)
        return NULL;
    n = (n + align - 1) & ~(align - 1);
    struct wd_arena_chunk *c = a->head;
    if (!c || c->size - c->used < n) {
        size_t size = a->chunk_size;
        if (size < n)
            size = n;
        struct wd_arena_chunk *nc = malloc(sizeof *nc + size);
        if (!nc)
            return NULL;
        nc->size = size;
        nc->used = 0;
        nc->next = c;
        a->head = nc;
        c = nc;
    }
    void *p = c->data + c->used;
    c->used += n;
    /* (A shrink may have poisoned this stretch.) */
    WD_UNPOISON(p, n);
    a->last = p;
    return p;
}

void
wd_arena_shrink(struct wd_arena *a, void *p, size_t n)
{
    if (!p || p != a->last)
        return;
    const size_t align = alignof(max_align_t);
    struct wd_arena_chunk *c = a->head;
    size_t start = (size_t)((unsigned char *)p - c->data);
    size_t end = start + ((n + align - 1) & ~(align - 1));
    if (end >= c->used)
        return;
    WD_POISON(c->data + end, c->used - end);
    c->used = end;
}

char *
wd_arena_strndup(struct wd_arena *a, const char *s, size_t n)
{
    char *p = wd_arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
