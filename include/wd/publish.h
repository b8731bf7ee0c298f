/* The publishing socket: a ZeroMQ PUB socket that sends [channel, bytes,
 * seq, epoch] messages. A PUB socket never blocks: when a subscriber's
 * queue is at its high-water mark, ZeroMQ drops that subscriber's copy, so
 * a slow subscriber cannot slow the loop; the per-channel sequence numbers
 * let it see the gap.
 *
 * With wd_publish_snapshot_start(), a ROUTER socket on the loop answers
 * snapshot requests from the last messages of each channel (the Clone
 * pattern; frames in snapshot.h and docs/PROTOCOL.md). */
#ifndef WD_PUBLISH_H
#define WD_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>
#include <zmq.h>

#include "wd/zwatch.h"

struct wd_curve_key;
struct wd_snapshot_store;

/* Gives a RESUME request's messages: for each, call item(item_ctx, epoch,
 * seq, bytes, len); returns 0 (with *complete and *more set) or an error,
 * answered ERROR. */
typedef void (*wd_publish_item_fn)(void *item_ctx, uint64_t epoch, uint64_t seq,
                                   const uint8_t *bytes, size_t len);
typedef int (*wd_publish_resume_fn)(void *ctx, const char *channel,
                                    uint64_t epoch, uint64_t seq,
                                    wd_publish_item_fn item, void *item_ctx,
                                    bool *complete, bool *more);

struct wd_publish {
    void *sock;
    uint64_t messages, bytes, errors;
    uint64_t epoch; /* this run's identity: random, never 0 */
    struct wd_snapshot_store *history; /* sequence numbers, kept messages */
    /* The snapshot service (wd_publish_snapshot_start). */
    void *snap_sock;
    struct wd_zwatch snap_watch; /* the ROUTER on the loop */
    uint64_t snap_requests, snap_refused;
    wd_publish_resume_fn resume; /* RESUME requests; NULL: refused */
    void *resume_ctx;
};

/* Creates the PUB socket and binds it. sndhwm bounds each subscriber's
 * queue in messages (0 = unlimited). depth: messages kept per channel for
 * snapshots (0: none, only sequence numbers), within max_bytes in all.
 * curve: the server's secret key to make it a CURVE server (ZAP domain
 * "publish"), or NULL. Returns 0, WD_EENDPOINT (detail in *zerr), WD_EZMQ
 * or WD_ENOMEM. */
int wd_publish_open(struct wd_publish *p, void *zctx, const char *endpoint,
                    int sndhwm, size_t depth, size_t max_bytes,
                    const struct wd_curve_key *curve, int *zerr);

/* Binds the snapshot service's ROUTER socket to endpoint and watches it on
 * loop (ZMQ_FD in a uv_poll_t, drained like ingest). curve: as for
 * wd_publish_open, ZAP domain "snapshot". Returns 0, WD_EENDPOINT (detail
 * in *zerr) or WD_EZMQ. */
int wd_publish_snapshot_start(struct wd_publish *p, uv_loop_t *loop, void *zctx,
                              const char *endpoint,
                              const struct wd_curve_key *curve, int *zerr);

/* Stops answering: closes the handles, then the socket (loop thread). */
void wd_publish_snapshot_close(struct wd_publish *p);

/* Numbers the message on its channel, keeps it for snapshots and sends it
 * without blocking as [channel, bytes, seq, epoch]. A message ZeroMQ
 * refused keeps its number (subscribers see the gap); *seq (may be NULL)
 * gets the number either way. Returns 0, or WD_EZMQ when ZeroMQ refused it
 * (counted in errors). */
int wd_publish_send(struct wd_publish *p, const char *channel, const void *buf,
                    size_t len, uint64_t *seq);

/* Lets the snapshot service answer RESUME requests from a journal (NULL:
 * they are refused). */
void wd_publish_resume_with(struct wd_publish *p, wd_publish_resume_fn fn,
                            void *ctx);

/* Closes the socket, letting queued messages go out for up to linger_ms,
 * and frees the history. */
void wd_publish_close(struct wd_publish *p, int linger_ms);

#endif
