/* Manual poisoning for allocators of our own (wd_arena, wd_xmlarena):
 * under AddressSanitizer, bytes an allocator has handed back are marked so
 * that a later read or write is reported; elsewhere these are no-ops. */
#ifndef WD_ASAN_H
#define WD_ASAN_H

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WD_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(WD_ASAN)
#define WD_ASAN 1
#endif

#ifdef WD_ASAN
#include <sanitizer/asan_interface.h>
#define WD_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define WD_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define WD_POISON(p, n) ((void)(p), (void)(n))
#define WD_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#endif
