/* libxml2's memory, per page: while a thread parses one HTML page, every
 * allocation libxml2 makes (tree nodes, attribute strings, the dictionary,
 * input buffers) comes from one bump arena and every free is a no-op; the
 * page's tree is dropped at once at the end instead of node by node.
 *
 * Why: on real news pages libxml2's malloc/free/realloc calls and
 * xmlFreeDoc's walk were a quarter of HTML parsing's instructions
 * (callgrind on ../shared/corpora/goose3); see bench/RESULTS.md. The hook
 * is libxml2's own (xmlMemSetup), so the parser itself is unchanged.
 *
 * Outside a page (another thread, or no page being parsed) allocations go
 * to malloc. Every block carries a 16-byte header saying where it came
 * from, so a free always goes to the right place. Under AddressSanitizer
 * freed and unused arena bytes are poisoned: a use after free or an
 * overflow inside the arena is still reported. */
#ifndef WD_XMLARENA_H
#define WD_XMLARENA_H

#include <stdbool.h>

/* Installs the allocator; must run before libxml2 allocates anything
 * (wd_htmlpage_init does it before xmlInitParser). Idempotent and
 * thread-safe. Returns false (and leaves libxml2 on malloc) when another
 * allocator was set first. */
bool wd_xmlarena_install(void);

/* Starts a page on this thread: libxml2's allocations go to the thread's
 * arena until wd_xmlarena_end(). Returns false when the arena is not
 * installed (allocations then stay on malloc, and trees must be freed). */
bool wd_xmlarena_begin(void);

/* Ends the page: forgets every allocation made since begin (keeps memory
 * for the next page, at most a bounded amount) and clears libxml2's
 * per-thread last error, which may point into the arena. */
void wd_xmlarena_end(void);

#endif
