/* A bump allocator for per-page work: everything parsed from one page is
 * allocated here and released at once with wd_arena_reset(), so the
 * pipeline does no per-token malloc and cannot leak a partial result. */
#ifndef WD_ARENA_H
#define WD_ARENA_H

#include <stddef.h>

struct wd_arena_chunk;

struct wd_arena {
    struct wd_arena_chunk *head; /* chunk being filled */
    size_t chunk_size;           /* default size of a new chunk */
    void *last;                  /* the last allocation, for shrink */
};

/* Initialises caller storage; no memory is taken until the first alloc. */
void wd_arena_init(struct wd_arena *a, size_t chunk_size);

/* Releases every chunk. */
void wd_arena_fini(struct wd_arena *a);

/* Forgets every allocation but keeps the largest chunk for reuse. */
void wd_arena_reset(struct wd_arena *a);

/* Returns n bytes aligned for any type, or NULL when out of memory. Valid
 * until the next reset or fini. */
void *wd_arena_alloc(struct wd_arena *a, size_t n);

/* Cuts the last allocation, p, to its first n bytes: what follows is the
 * next allocation's (a buffer sized for the worst case, given back once
 * filled). Nothing happens when p is not the last allocation. */
void wd_arena_shrink(struct wd_arena *a, void *p, size_t n);
/* Copies s[0..n) into the arena and NUL-terminates it; NULL on no memory. */
char *wd_arena_strndup(struct wd_arena *a, const char *s, size_t n);

#endif
