/* The parser of text/plain pages: text that a scraper extracted from a news
 * site, one block per line. It recognises the page kind from structure
 * (headline lines each followed by one paragraph, cut teasers, a trailing
 * byline and date), not from any site's words, and keeps boilerplate (lines
 * that repeat, tickers and counters that are mostly symbols and digits,
 * pagination, navigation words) out of titles and bodies.
 */
#ifndef WD_TEXTPAGE_H
#define WD_TEXTPAGE_H

#include "wd/arena.h"
#include "wd/item.h"

struct wd_boiler;

/* Parses s[0..n), valid UTF-8 without NUL bytes, into *out. The page's
 * URL (may be NULL) helps pick the title: sites write the headline in the
 * path. Lines that boiler (may be NULL) learned as the source's
 * boilerplate are set aside. Returns 0 or WD_ENOMEM. */
int wd_textpage_parse(const char *s, size_t n, int64_t fetched_at_ms,
                      const char *url, const struct wd_boiler *boiler,
                      uint32_t slot, struct wd_arena *arena,
                      struct wd_page *out);

#endif
