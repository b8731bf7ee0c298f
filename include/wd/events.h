/* The worker's log events about pages and clients, each with named fields
 * (log.h's wd_log_event): with --log-format json one object a line that a
 * collector indexes by "event", "reason", "url", "source", "story_id" ...;
 * with text, "msg: key=value ..." as before. At debug level every page's
 * outcome and every dedup decision is an event too, so that an operator can
 * see why a page made no article. */
#ifndef WD_EVENTS_H
#define WD_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "wd/curve.h"
#include "wd/pipeline.h"

/* A page refused (warn, rate-limited by the caller). */
void wd_events_rejected(const struct wd_page_outcome *o, uint64_t total,
                        uint64_t suppressed);

/* A client refused at the handshake (warn, rate-limited by the caller). */
void wd_events_refused(const char *domain, enum wd_refuse why,
                       const char *address, uint64_t total,
                       uint64_t suppressed);

/* A commit that failed: the page is held (error). */
void wd_events_commit_failed(const struct wd_page_outcome *o);

/* Debug: a page done, with what became of it. */
void wd_events_page(const struct wd_page_outcome *o);

/* Debug: a story or page dropped, from its $dedup message (a
 * DedupDecision). */
void wd_events_dedup(const uint8_t *buf, size_t len);

#endif
