/* Articles on the wire: building the protobuf Article of a parsed story, and
 * rendering a received one as a JSON line for `wiredesk tail`. */
#ifndef WD_ARTICLE_H
#define WD_ARTICLE_H

#include <stddef.h>
#include <stdint.h>

#include "wd/arena.h"
#include "wd/cluster.h"
#include "wd/page.h"
#include "wd/tag.h"

/* What the worker knows about a story besides the parsed item. */
struct wd_article_meta {
    const char *id;         /* WD_ID_LEN hex digits */
    const char *source_url; /* the page's URL */
    const char *source;     /* the scraper's source name */
    int64_t fetched_at_ms;
    int64_t ingested_at_ms;
    uint64_t simhash;
    uint32_t revision;  /* 1 for a first publication */
    const char *change; /* a later revision's kind: "upgrade", "correction",
                           "update"; NULL or "" for none */
};

/* Packs the Article of it + tags + m into the arena. Returns 0 and the bytes
 * in *buf / *len, or WD_ENOMEM. */
int wd_article_pack(const struct wd_item *it, const struct wd_tags *tags,
                    const struct wd_article_meta *m, struct wd_arena *a,
                    uint8_t **buf, size_t *len);

/* The Article buf[0..len) with the event fields of r after it (a protobuf
 * message concatenated with another is their merge), into the arena.
 * Returns 0 or WD_ENOMEM. */
int wd_article_add_event(const uint8_t *buf, size_t len,
                         const struct wd_cluster_result *r, struct wd_arena *a,
                         uint8_t **out, size_t *out_len);

/* Packs the Event message of ev (channel "$events"): its summary after
 * the story article_id (titled article_title) founded or joined it, as r
 * says, at at_ms. Returns 0 or WD_ENOMEM. */
int wd_event_pack(const struct wd_cluster_event *ev,
                  const struct wd_cluster_result *r, const char *article_id,
                  const char *article_title, int64_t at_ms, struct wd_arena *a,
                  uint8_t **buf, size_t *len);

/* Decodes Article bytes and renders one JSON object (one line, no newline)
 * with "channel" first, then every Article field. Returns a malloc'd string
 * the caller frees, or NULL when the bytes are not an Article. */
char *wd_article_json(const uint8_t *buf, size_t len, const char *channel);

/* The same for an Event (channel "$events"). */
char *wd_event_json(const uint8_t *buf, size_t len, const char *channel);

/* The same for WorkerStats bytes (the "$stats" channel). */
char *wd_worker_stats_json(const uint8_t *buf, size_t len, const char *channel);

/* The same for a DedupDecision (channel "$dedup"): kind, reason,
 * similarity, title, story and matched ids, page URL, source, time. */
char *wd_dedup_decision_json(const uint8_t *buf, size_t len,
                             const char *channel);

#endif
