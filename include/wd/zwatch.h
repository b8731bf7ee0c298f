/* One ZeroMQ socket on a libuv loop: the only adapter between the two, as
 * hiredis's adapters/libuv.h is for a Redis connection. Ingest (PULL and
 * the acknowledged ROUTER), the snapshot service's ROUTER, the ZAP handler
 * and the CURVE handshake monitors all read through it.
 *
 * ZMQ_FD is edge-triggered: it signals when the socket becomes readable
 * and not again until the queue was emptied, and any send or getsockopt
 * on the socket may process ZeroMQ's pending commands and consume the
 * edge. So the watcher never trusts the edge alone:
 * - a wake-up (poll or idle) reads up to `budget` messages, then asks
 *   ZMQ_EVENTS: while more is queued it keeps draining from a uv_idle_t on
 *   the next loop iterations, so a busy socket cannot starve timers;
 * - after a send outside the read callback, wd_zwatch_sent() drains once
 *   more (the send may have eaten the edge of a request that arrived);
 * - start and resume drain at once (what queued meanwhile has no edge).
 *
 * Loop thread only. The socket stays the owner's: closing the watcher
 * closes its two handles, never ZMQ_FD nor the socket. */
#ifndef WD_ZWATCH_H
#define WD_ZWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>
#include <zmq.h>

struct wd_zwatch;

/* Reads and handles one message (all its frames) with ZMQ_DONTWAIT.
 * Returns false when none was queued. It may pause or close the watcher. */
typedef bool (*wd_zwatch_read_fn)(struct wd_zwatch *w);
typedef void (*wd_zwatch_closed_fn)(struct wd_zwatch *w);

struct wd_zwatch {
    uv_poll_t poll;
    uv_idle_t idle;
    void *sock;
    void *data; /* the owner's */
    wd_zwatch_read_fn read;
    wd_zwatch_closed_fn on_closed;
    unsigned budget; /* messages per loop iteration */
    int handles;     /* open uv handles: 2 while watching */
    bool paused;
    bool closing;
};

/* Watches sock on loop (caller storage; w->data is kept). Returns 0, or
 * WD_EZMQ when ZMQ_FD cannot be read (errno says why). */
int wd_zwatch_start(struct wd_zwatch *w, uv_loop_t *loop, void *sock,
                    unsigned budget, wd_zwatch_read_fn read);

/* Stops reading (the socket's queue then fills up to its high-water mark
 * and pushes back on its senders); resume reads what queued meanwhile.
 * Pausing a paused watcher does nothing. */
void wd_zwatch_pause(struct wd_zwatch *w);
void wd_zwatch_resume(struct wd_zwatch *w);

/* Reads one message now, outside a wake-up, paused or not (the owner has
 * room for it; a paused watcher stays paused): true when one was read.
 * Since that read may consume the edge, a watcher that is not paused
 * drains again on the next loop iteration (resume always does). Nothing
 * while closing. */
bool wd_zwatch_read_now(struct wd_zwatch *w);
/* Call after a send on the socket made outside the read callback. */
void wd_zwatch_sent(struct wd_zwatch *w);

/* Closes the two handles; on_closed (may be NULL) runs when both are
 * closed, or at once when the watcher never started. Then the owner may
 * close the socket. */
void wd_zwatch_close(struct wd_zwatch *w, wd_zwatch_closed_fn on_closed);

/* Reads one message of any number of frames with ZMQ_DONTWAIT: the first
 * cap frames into parts (the caller closes them), the rest dropped.
 * Returns the frames kept (0 when none was queued); *frames counts all. */
size_t wd_zwatch_recv(void *sock, zmq_msg_t *parts, size_t cap, size_t *frames);

#endif
