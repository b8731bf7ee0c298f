#include "wd/hugemem.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

/* a rounded up to a multiple of WD_HUGE_PAGE. */
static uintptr_t
huge_up(uintptr_t a)
{
    return (a + WD_HUGE_PAGE - 1) & ~(uintptr_t)(WD_HUGE_PAGE - 1);
}

void *
wd_huge_hint(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    uintptr_t a = huge_up((uintptr_t)p);
    uintptr_t e = ((uintptr_t)p + bytes) & ~(uintptr_t)(WD_HUGE_PAGE - 1);
    if (p && e > a)
        madvise((void *)a, e - a, MADV_HUGEPAGE); /* a hint: no error matters */
#endif
    return p;
}

void *
wd_huge_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    size_t bytes = n * size;
    if (bytes < WD_HUGE_PAGE)
        return calloc(n ? n : 1, size);
    size_t len = huge_up(bytes);
    /* One huge page more than needed, its unaligned ends unmapped. */
    uint8_t *p = mmap(NULL, len + WD_HUGE_PAGE, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    uintptr_t at = huge_up((uintptr_t)p);
    size_t head = at - (uintptr_t)p;
    if (head)
        munmap(p, head);
    munmap((uint8_t *)at + len, WD_HUGE_PAGE - head);
    return wd_huge_hint((void *)at, len);
}

void
wd_huge_free(void *p, size_t n, size_t size)
{
    if (!p)
        return;
    if (n * size < WD_HUGE_PAGE)
        free(p);
    else
        munmap(p, huge_up(n * size));
}
