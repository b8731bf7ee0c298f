/* Big random-access tables in transparent huge pages. A look-up in a table
 * of megabytes costs a TLB miss besides its cache miss when the table is
 * in 4 KiB pages, and its first touches a page fault each (on a virtual
 * machine, a trip to the hypervisor). A table of 2 MiB or more gets a
 * mapping of its own, aligned to 2 MiB and offered to the kernel for huge
 * pages (MADV_HUGEPAGE: Debian's kernels have transparent huge pages in
 * "madvise" mode). Advice only: a kernel without them gives 4 KiB pages.
 * (The memindex's tables: gets and a rebuild's puts about a fifth faster,
 * a 1M-story restore without its 11 000 page faults; bench/RESULTS.md.) */
#ifndef WD_HUGEMEM_H
#define WD_HUGEMEM_H

#include <stddef.h>

/* The huge page size of x86-64 and most ARM64 kernels. */
#define WD_HUGE_PAGE ((size_t)2 << 20)

/* An array of n elements of size bytes, zeroed, as calloc's; NULL when
 * there is no memory or n * size overflows. Below WD_HUGE_PAGE bytes, it
 * is calloc's. Free it with wd_huge_free(p, n, size). */
void *wd_huge_calloc(size_t n, size_t size);

/* Frees what wd_huge_calloc(n, size) gave (NULL: nothing). */
void wd_huge_free(void *p, size_t n, size_t size);

/* The 2 MiB-aligned inside of the bytes at p offered for huge pages (for
 * an array from malloc or realloc, which may move). Returns p. */
void *wd_huge_hint(void *p, size_t bytes);

#endif
