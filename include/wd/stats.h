/* The worker's counters. One struct, written only on the loop thread, read
 * by the stats publisher (and later the HTTP server) on the same thread. */
#ifndef WD_STATS_H
#define WD_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Counters: enum name, metric name. */
#define WD_COUNTER_MAP(X)                                                      \
    X(PAGES_RECEIVED, "pages_received")                                        \
    X(PAGES_ACCEPTED, "pages_accepted")                                        \
    X(PAGES_REJECTED, "pages_rejected")                                        \
    X(PAGES_EMPTY, "pages_without_articles")                                   \
    X(ARTICLES_PARSED, "articles_parsed")                                      \
    X(ARTICLES_PUBLISHED, "articles_published")                                \
    X(ARTICLES_DUPLICATE, "articles_duplicate")                                \
    X(MESSAGES_PUBLISHED, "messages_published")                                \
    X(PUBLISH_DROPPED, "publish_dropped")                                      \
    X(STORE_ERRORS, "store_errors")                                            \
    X(BYTES_IN, "bytes_in")                                                    \
    X(BYTES_OUT, "bytes_out")                                                  \
    X(TAGGER_RELOADS, "tagger_reloads")                                        \
    X(TAGGER_RELOAD_FAILURES, "tagger_reload_failures")                        \
    X(CLAIM_WAITS, "claim_waits")                                              \
    X(EVENTS_CREATED, "events_created")                                        \
    X(EVENTS_JOINED, "events_joined")

/* Why a page was refused: enum name, label value. */
#define WD_REJECT_MAP(X)                                                       \
    X(MALFORMED, "malformed")                                                  \
    X(MULTIPART, "multipart")                                                  \
    X(EMPTY_BODY, "empty_body")                                                \
    X(INVALID_UTF8, "invalid_utf8")                                            \
    X(NUL_BYTE, "nul_byte")                                                    \
    X(TOO_LARGE, "too_large")                                                  \
    X(UNSUPPORTED_TYPE, "unsupported_type")                                    \
    X(INTERNAL, "internal")

/* Why an accepted page gave no story: enum name, label value. */
#define WD_EMPTY_MAP(X)                                                        \
    X(NO_TEXT, "no_text")                                                      \
    X(ERROR_PAGE, "error_page")                                                \
    X(NO_ARTICLE, "no_article")

/* Why a client's CURVE handshake was refused (--curve-secret): enum name,
 * label value. Counted per attempt: a refused client keeps reconnecting. */
#define WD_REFUSE_MAP(X)                                                       \
    X(UNKNOWN_KEY, "unknown_key")                                              \
    X(BAD_REQUEST, "bad_request")                                              \
    X(HANDSHAKE, "handshake")

/* Dedup decisions: enum name, label value. */
#define WD_DEDUP_MAP(X)                                                        \
    X(NEW, "new")                                                              \
    X(UPGRADE, "upgrade")                                                      \
    X(CORRECTION, "correction")                                                \
    X(UPDATE, "update")                                                        \
    X(EXACT, "exact")                                                          \
    X(NEAR, "near")                                                            \
    X(PAGE, "page")                                                            \
    X(REPUBLISH, "republish")

enum wd_dedup_kind {
#define WD_D_ENUM(name, str) WD_DEDUP_KIND_##name,
    WD_DEDUP_MAP(WD_D_ENUM)
#undef WD_D_ENUM
        WD_DEDUP_KIND__COUNT
};

enum wd_counter {
#define WD_C_ENUM(name, str) WD_C_##name,
    WD_COUNTER_MAP(WD_C_ENUM)
#undef WD_C_ENUM
        WD_C__COUNT
};

enum wd_reject {
#define WD_R_ENUM(name, str) WD_REJECT_##name,
    WD_REJECT_MAP(WD_R_ENUM)
#undef WD_R_ENUM
        WD_REJECT__COUNT
};

enum wd_empty {
    WD_EMPTY_NONE = 0, /* the page gave stories */
#define WD_E_ENUM(name, str) WD_EMPTY_##name,
    WD_EMPTY_MAP(WD_E_ENUM)
#undef WD_E_ENUM
        WD_EMPTY__COUNT
};

enum wd_refuse {
#define WD_F_ENUM(name, str) WD_REFUSE_##name,
    WD_REFUSE_MAP(WD_F_ENUM)
#undef WD_F_ENUM
        WD_REFUSE__COUNT
};

/* Upper bounds (seconds) of the processing-latency histogram buckets:
 * page received to its articles handed to the publisher. Millisecond steps
 * from 1 to 5 ms, where a page's own time lies and where its target p99
 * is, so that a quantile read from the buckets says which side it is. */
#define WD_LATENCY_BUCKETS                                                     \
    {                                                                          \
        0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.003, 0.004, 0.005, 0.0075,    \
            0.01, 0.025, 0.05, 0.1, 0.25, 1.0                                  \
    }
#define WD_N_LATENCY 15

/* The worker's ZeroMQ sockets, as labels of their figures. */
#define WD_SOCKET_MAP(X)                                                       \
    X(INGEST, "ingest")                                                        \
    X(INGEST_ACK, "ingest_ack")                                                \
    X(PUBLISH, "publish")                                                      \
    X(SNAPSHOT, "snapshot")

enum wd_socket {
#define WD_S_ENUM(name, str) WD_SOCKET_##name,
    WD_SOCKET_MAP(WD_S_ENUM)
#undef WD_S_ENUM
        WD_SOCKET__COUNT
};

/* Figures per source (RawPage.source): the first WD_STATS_SOURCES names
 * seen each get their own, every later one is counted as "other", so that
 * a scraper fleet with made-up names cannot grow the metrics without
 * bound. */
#define WD_STATS_SOURCES 32
struct wd_source_stats {
    char name[48]; /* "" for the empty slot; "-": pages without a source */
    uint64_t pages, rejected, articles;
};

struct wd_stats {
    uint64_t latency[WD_N_LATENCY + 1]; /* per bucket; last = +Inf */
    double latency_sum_s;
    uint64_t latency_count;
    uint64_t c[WD_C__COUNT];
    uint64_t rejected[WD_REJECT__COUNT];
    uint64_t empty[WD_EMPTY__COUNT];      /* pages without stories, by reason */
    uint64_t dedup[WD_DEDUP_KIND__COUNT]; /* decisions, by kind */
    uint64_t refused[WD_REFUSE__COUNT];   /* CURVE clients, by reason */
    int64_t started_at_ms;
    /* [0..n_sources) named, [WD_STATS_SOURCES] "other" */
    struct wd_source_stats sources[WD_STATS_SOURCES + 1];
    size_t n_sources;
};

const char *wd_counter_name(enum wd_counter c);
const char *wd_reject_name(enum wd_reject r);
/* The label of a reason for a page without stories ("no_text"); "none" for
 * WD_EMPTY_NONE. */
const char *wd_empty_name(enum wd_empty e);
const char *wd_dedup_kind_name(enum wd_dedup_kind k);
const char *wd_refuse_name(enum wd_refuse r);
const char *wd_socket_name(enum wd_socket s);

/* Records one page's processing time. */
void wd_stats_latency(struct wd_stats *s, double seconds);

/* Counts one page of source (NULL or "": "-"): received (pages), refused
 * (rejected) and the articles it published. */
void wd_stats_source(struct wd_stats *s, const char *source, uint64_t pages,
                     uint64_t rejected, uint64_t articles);

/* Counts one refused page: the total and its reason. */
void wd_stats_reject(struct wd_stats *s, enum wd_reject r);

#endif
