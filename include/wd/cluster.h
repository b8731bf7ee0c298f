/* Events: the published articles grouped, online, by what they report.
 *
 * Dedup answers "is this the same article?"; the clusterer answers "is
 * this the same event?" (a state visit reported by four outlets in four
 * ways stays four articles, in one event). It is single-pass clustering
 * over a stream, as in Miranda et al., "Multilingual Clustering of
 * Streaming News" (EMNLP 2018), without the learned weights:
 *
 *   - an article is a sparse vector of its headline's and lead's words
 *     and of their two-word phrases
 *     (lower-cased, cut to their first WD_CLUSTER_STEM letters so that
 *     "president", "presidents" and "presidential" are one term; names also
 *     as a cross-script skeleton), weighted by rarity (log tf x idf, the
 * document frequencies counted over the stream itself), the title's and the
 *     names' words (capitalised inside a sentence) and the lead's first
 *     sentence weighted up, plus its countries as terms;
 *   - an event is the sum of its articles' vectors (its centroid, cut to
 *     its heaviest terms), its first and last time, its sources, countries
 *     and themes;
 *   - an article joins the live event whose centroid is the most similar
 *     (cosine, fading with the distance in time from the event's first
 *     article: to nothing at twice the window) when that similarity
 *     reaches the threshold and the event saw an article within the
 *     window; otherwise it founds an event. Time is the articles' own
 *     dates when the article and the event have them, their arrival
 *     otherwise; then (a listing's backlog arrives at once) the words
 *     must say more: the undated threshold is higher. The
 *     candidates are the events that share one of its heaviest terms (an
 *     inverted index of fixed size), so a decision costs the same with a
 *     thousand live events or a million stories stored.
 *
 * Memory is bounded: at most max_events live events (the least recently
 * fed leaves first when full) and fixed-size indexes. Pure and
 * deterministic: the same articles in the same order give the same events
 * (the ids derive from the founding story's id and revision).
 */
#ifndef WD_CLUSTER_H
#define WD_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wd/dump.h"
#include "wd/tag.h"

#define WD_CLUSTER_STEM 6    /* letters a term keeps */
#define WD_CLUSTER_ID_LEN 16 /* hex digits of an event id */
#define WD_CLUSTER_TOP 6     /* countries and themes an event reports */
#define WD_CLUSTER_TITLE 160 /* bytes of an event's title, NUL included */

struct wd_cluster_config {
    size_t max_events; /* live events kept (0: 16384) */
    int64_t window_ms; /* an event takes articles up to this long after its
                          last one, and at most twice this long after its
                          first (0: 36 hours) */
    double threshold;  /* similarity to join an event when the article and
                          the event both have dates (0: the default) */
    double undated_threshold; /* the same when either has none: their
                                 arrival says little of when they were
                                 written (0: the default) */
};

/* What the clusterer reads of an article. */
struct wd_cluster_article {
    const char *story_id; /* the story's stable id (NUL-terminated) */
    uint32_t revision;    /* a later revision stays in its story's event */
    const char *title;
    size_t tlen;
    const char *body;
    size_t blen;
    const char *source;   /* outlet or scraper, for the distinct sources */
    int64_t at_ms;        /* when it was received */
    int64_t published_ms; /* its own date (0: unknown) */
    const struct wd_tags *tags; /* its countries and themes, or NULL */
};

/* The decision for one article. */
struct wd_cluster_result {
    char event_id[WD_CLUSTER_ID_LEN + 1];
    bool created;     /* the article founded the event */
    uint32_t size;    /* the event's articles, this one included */
    float similarity; /* to the event it joined (1 when it founded it or
                         stayed in its story's event; the best candidate's
                         otherwise) */
    /* The best other candidate, to explain the decision ("" and 0: none;
     * for a founded event, the best candidate found too weak). */
    char runner_up[WD_CLUSTER_ID_LEN + 1];
    float runner_up_similarity;
};

/* An event's running summary. */
struct wd_cluster_event {
    char id[WD_CLUSTER_ID_LEN + 1];
    char title[WD_CLUSTER_TITLE]; /* its most representative article's */
    int64_t first_ms, last_ms;
    uint32_t articles;
    uint32_t sources; /* distinct (counted exactly up to 32) */
    char countries[WD_CLUSTER_TOP][3];
    size_t n_countries;
    char themes[WD_CLUSTER_TOP][40];
    size_t n_themes;
};

struct wd_cluster;

/* Returns 0, WD_EINVAL (a threshold outside (0, 1]) or WD_ENOMEM. */
int wd_cluster_new(struct wd_cluster **out,
                   const struct wd_cluster_config *cfg);

/* NULL is a no-op. */
void wd_cluster_free(struct wd_cluster *c);

/* Assigns one published article to an event (joining or founding it) and
 * updates the event; *ev (when not NULL) gets the event's summary after
 * it. Returns 0 (never fails: an article without words founds its own
 * event). */
int wd_cluster_assign(struct wd_cluster *c, const struct wd_cluster_article *a,
                      struct wd_cluster_result *r, struct wd_cluster_event *ev);

/* The n busiest live events (most articles, then the latest), into
 * out[0..n); returns how many. */
size_t wd_cluster_busiest(const struct wd_cluster *c,
                          struct wd_cluster_event *out, size_t n);

/* Live events, and the bytes the clusterer holds. */
void wd_cluster_usage(const struct wd_cluster *c, size_t *events,
                      size_t *bytes);

/* The clusterer's whole state (its events, the story map, the word
 * frequencies) as a byte stream, for the next run to go on where this one
 * stopped (same machine: host byte order and this build's layout; see
 * dump.h). write returns 0 or an error, which dump
 * returns. */
int wd_cluster_dump(const struct wd_cluster *c, wd_dump_write_fn write,
                    void *ctx);

/* Fills a new clusterer (one that has assigned nothing) from a dump of
 * size bytes. read fills buf with exactly len bytes or returns an error.
 * Returns 0; WD_EPARSE (not a dump, another build's layout or another
 * max_events, a size other than its header says, a checksum that does not
 * match or links out of range: the clusterer is left new); WD_EINVAL (it
 * has assigned articles already); or read's error (left new). */
int wd_cluster_restore(struct wd_cluster *c, uint64_t size,
                       wd_dump_read_fn read, void *ctx);

#endif
