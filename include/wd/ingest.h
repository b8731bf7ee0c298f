/* The ingest socket on the loop: a ZeroMQ PULL socket whose ZMQ_FD is
 * watched by a uv_poll_t.
 *
 * ZMQ_FD is edge-triggered: it signals once when the socket becomes
 * readable and not again until every queued message was read. So on each
 * wake-up the socket is drained while ZMQ_EVENTS says ZMQ_POLLIN, within a
 * per-tick budget; when the budget runs out with messages still queued, a
 * uv_idle_t keeps the draining going on the next loop iterations (no new
 * edge would come), so that one busy socket cannot starve timers and
 * signals, and a missed drain cannot stall the worker.
 */
#ifndef WD_INGEST_H
#define WD_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "wd/zwatch.h"

struct wd_ingest;
struct wd_curve_key;

/* Who to answer, on an acknowledged ingest socket: the client's routing
 * identity and its request id, copied by value so that a page held for a
 * retry can be answered later. */
#define WD_INGEST_ID_MAX 256
#define WD_INGEST_REQ_MAX 32
struct wd_ingest_ack {
    uint8_t id[WD_INGEST_ID_MAX];
    uint8_t req[WD_INGEST_REQ_MAX];
    size_t id_len, req_len;
};

/* Called for each message: data/len is its first payload frame, valid only
 * during the call; frames is how many payload frames the message had (1
 * for a well-formed page) and total the bytes of all of them. ack is NULL
 * on a PULL socket; on an acknowledged one it says whom to answer with
 * wd_ingest_reply(). */
typedef void (*wd_ingest_cb)(struct wd_ingest *in, const void *data, size_t len,
                             int frames, size_t total,
                             const struct wd_ingest_ack *ack);

struct wd_ingest {
    struct wd_zwatch watch; /* ZMQ_FD on the loop, 256 pages a wake-up */
    void *sock;
    void *data; /* the owner's */
    wd_ingest_cb on_message;
    void (*on_closed)(struct wd_ingest *in);
    bool acked; /* a ROUTER socket that answers each page */
};

/* What a RawPage frame may hold beyond its page's body (URL, source, content
 * type, times): a frame over --max-page-bytes plus this is never read. */
#define WD_INGEST_FRAME_SLACK (64 * 1024)

/* Creates a PULL socket in zctx, binds it to endpoint and starts watching
 * it on loop. rcvhwm bounds the messages ZeroMQ queues (0 = unlimited).
 * max_frame bounds a frame's size (ZMQ_MAXMSGSIZE): ZeroMQ reads a
 * frame's length first and closes the connection of a sender whose frame
 * is longer, before taking any of it in (-1: no bound).
 * curve: the server's secret key to make it a CURVE server (ZAP domain
 * "ingest"), or NULL.
 * Returns 0, or WD_EENDPOINT (with errno-style detail in *zerr) when the
 * endpoint is malformed or cannot be bound, or WD_EZMQ. */
int wd_ingest_start(struct wd_ingest *in, uv_loop_t *loop, void *zctx,
                    const char *endpoint, int rcvhwm, int64_t max_frame,
                    const struct wd_curve_key *curve, wd_ingest_cb cb,
                    int *zerr);

/* Like wd_ingest_start(), for the acknowledged ingest: a ROUTER socket.
 * A request is [identity (added by ROUTER), empty frame, request id (at
 * most WD_INGEST_REQ_MAX bytes), RawPage]; see docs/PROTOCOL.md. */
int wd_ingest_start_acked(struct wd_ingest *in, uv_loop_t *loop, void *zctx,
                          const char *endpoint, int rcvhwm, int64_t max_frame,
                          const struct wd_curve_key *curve, wd_ingest_cb cb,
                          int *zerr);

/* Answers one request of an acknowledged ingest socket: [empty frame,
 * request id, status]. Never blocks: a client gone or too slow to read
 * misses its answer (and resends). Returns 0 or WD_EZMQ. */
int wd_ingest_reply(struct wd_ingest *in, const struct wd_ingest_ack *ack,
                    const char *status);

/* Stops reading and closes the handles; the socket is closed in the last
 * close callback, then on_closed (may be NULL) runs. */
void wd_ingest_close(struct wd_ingest *in,
                     void (*on_closed)(struct wd_ingest *in));

/* Stops reading after the message being handled: what arrives queues in
 * ZeroMQ (up to the socket's high-water mark, then the senders wait). */
void wd_ingest_pause(struct wd_ingest *in);

/* Reads again, the queue first. */
void wd_ingest_resume(struct wd_ingest *in);

/* Reads one queued page now, paused or not (the caller has room for it),
 * and hands it over as a wake-up would: true when there was one. */
bool wd_ingest_read_now(struct wd_ingest *in);

/* The client half of the acknowledged ingest, on a DEALER connected to
 * --ingest-ack: one request [empty, request id, page]. Returns 0, or
 * WD_EZMQ when it could not be queued (no worker within the send time-out). */
int wd_ingest_ack_send(void *dealer, uint64_t req, const void *page,
                       size_t len);

/* Waits up to timeout_ms for the answer to request req ([empty, request
 * id, status]; answers to other requests are skipped). Returns 1 with the
 * status in answer[] ("accepted", "duplicate", "rejected:REASON"), or 0
 * (answer[] empty). */
int wd_ingest_ack_wait(void *dealer, uint64_t req, int timeout_ms, char *answer,
                       size_t cap);

#endif
