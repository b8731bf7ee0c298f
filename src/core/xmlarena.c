#include "wd/xmlarena.h"

#include <libxml/globals.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlmemory.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wd/arena.h"
#include "wd/asan.h"

#define CHUNK (1u << 20)
/* A page that made libxml2 take more than this gives its memory back. */
#define KEEP_MAX ((size_t)32 << 20)

enum { FROM_MALLOC = 0x5744534d, FROM_ARENA = 0x57444152 }; /* WDSM WDAR */

/* 16 bytes before every block: its size (for realloc) and its origin.
 * 16 keeps the blocks aligned as malloc's are. */
struct head {
    size_t size;
    uint32_t from;
    uint32_t pad;
};

struct tls {
    struct wd_arena arena;
    size_t taken; /* bytes since begin */
    bool active;
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t key;
static bool installed;
static _Thread_local struct tls *tl;

static void
tls_free(void *p)
{
    struct tls *t = p;
    wd_arena_fini(&t->arena);
    free(t);
}

static struct head *
head_of(void *p)
{
    struct head *h = (struct head *)p - 1;
    WD_UNPOISON(h, sizeof *h);
    if (h->from != FROM_MALLOC && h->from != FROM_ARENA) {
        /* Not one of ours: freeing it anyway would corrupt the heap. */
        fprintf(stderr, "wiredesk: libxml2 freed a block it did not "
                        "allocate through wd_xmlarena\n");
        abort();
    }
    return h;
}

static void *
take(size_t n)
{
    if (n > SIZE_MAX - sizeof(struct head) - 64)
        return NULL;
    struct head *h;
    uint32_t from = FROM_MALLOC;
    if (tl && tl->active) {
        h = wd_arena_alloc(&tl->arena, sizeof *h + n);
        tl->taken += sizeof *h + n;
        from = FROM_ARENA;
    } else {
        h = malloc(sizeof *h + n);
    }
    if (!h)
        return NULL;
    h->size = n;
    h->from = from;
    h->pad = 0;
    if (from == FROM_ARENA)
        WD_POISON(h, sizeof *h); /* the gap between two blocks */
    return h + 1;
}

static void
give(void *p)
{
    if (!p)
        return;
    struct head *h = head_of(p);
    if (h->from == FROM_MALLOC) {
        h->from = 0; /* a second free aborts instead of corrupting */
        free(h);
    } else {
        WD_POISON(h, sizeof *h + h->size); /* a later use is reported */
    }
}

static void *
resize(void *p, size_t n)
{
    if (!p)
        return take(n);
    struct head *h = head_of(p);
    if (h->from == FROM_MALLOC && !(tl && tl->active)) {
        if (n > SIZE_MAX - sizeof *h)
            return NULL;
        struct head *g = realloc(h, sizeof *h + n);
        if (!g)
            return NULL;
        g->size = n;
        return g + 1;
    }
    size_t old = h->size;
    if (h->from == FROM_ARENA)
        WD_POISON(h, sizeof *h);
    void *q = take(n);
    if (!q)
        return NULL; /* p stays valid, as realloc's contract says */
    memcpy(q, p, old < n ? old : n);
    give(p);
    return q;
}

static char *
dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = take(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static void
install_once(void)
{
    xmlFreeFunc f;
    xmlMallocFunc m;
    xmlReallocFunc r;
    xmlStrdupFunc s;
    /* Someone else's allocator (or libxml2's debug one) stays. */
    if (xmlMemGet(&f, &m, &r, &s) != 0 || m != malloc)
        return;
    if (pthread_key_create(&key, tls_free) != 0)
        return;
    installed = xmlMemSetup(give, take, resize, dup) == 0;
}

bool
wd_xmlarena_install(void)
{
    pthread_once(&once, install_once);
    return installed;
}

bool
wd_xmlarena_begin(void)
{
    if (!wd_xmlarena_install())
        return false;
    if (!tl) {
        struct tls *t = calloc(1, sizeof *t);
        if (!t)
            return false;
        wd_arena_init(&t->arena, CHUNK);
        if (pthread_setspecific(key, t) != 0) {
            free(t);
            return false;
        }
        tl = t;
    }
    tl->active = true;
    tl->taken = 0;
    return true;
}

void
wd_xmlarena_end(void)
{
    if (!tl || !tl->active)
        return;
    /* The last error's strings were allocated during the page. */
    xmlResetLastError();
    tl->active = false;
    if (tl->taken > KEEP_MAX)
        wd_arena_fini(&tl->arena);
    else
        wd_arena_reset(&tl->arena);
}
