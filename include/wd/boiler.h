/* Learned boilerplate: lines that repeat across the recent pages of one
 * source (its menus, footers, tickers, "follow us" lines) are boilerplate
 * on its next pages, whatever their words. Nothing here knows any site:
 * it counts.
 *
 * Per source a bounded table of line hashes with the number of recent
 * pages each stood on; every WD_BOILER_WINDOW pages all counts halve, so
 * old layouts fade. A line is boilerplate when it stood on at least half
 * of the recent pages, and on at least WD_BOILER_MIN_PAGES of them: a
 * story repeated on a few listing pages is not. Pages are counted by their
 * URL: fetching one page again adds nothing. Memory: max_sources x
 * (WD_BOILER_LINES x 12 + WD_BOILER_WINDOW x 8) bytes, fixed at creation. Read
 * by the parser, written after it: one thread.
 */
#ifndef WD_BOILER_H
#define WD_BOILER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WD_BOILER_LINES 1024
#define WD_BOILER_WINDOW 32
#define WD_BOILER_MIN_PAGES 3

struct wd_boiler;

int wd_boiler_new(struct wd_boiler **out, size_t max_sources);
void wd_boiler_free(struct wd_boiler *b);

/* The slot of a source ("name|host"), created if new, the least recently
 * used one given up when all are taken. */
uint32_t wd_boiler_source(struct wd_boiler *b, const char *key, size_t len);

/* True when line_hash is learned boilerplate of the source's pages. */
bool wd_boiler_is(const struct wd_boiler *b, uint32_t slot, uint64_t line_hash);

/* Learns one page: its distinct line hashes. page_id names the page (a
 * hash of its URL): a page learned already among the source's last
 * WD_BOILER_WINDOW pages is not learned again, so a listing fetched eight
 * times, or a page resent after a failure, is one page, not eight votes
 * for its lines (its teasers would become the site's boilerplate, and the
 * full text of their stories be read without them). */
void wd_boiler_learn(struct wd_boiler *b, uint32_t slot, uint64_t page_id,
                     const uint64_t *hashes, size_t n);

#endif
