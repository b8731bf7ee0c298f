/* The peers of one ZeroMQ socket, from a libzmq monitor read on the loop:
 * how many are connected now (on the publish socket: the subscribers), and
 * each failed handshake with the peer's address.
 *
 * libzmq's monitor events name the socket's own endpoint, never the peer
 * (the draft API that would is not in Debian's libzmq). So the address is
 * read with getpeername() on the descriptor that ACCEPTED carries, kept by
 * descriptor, and a failed handshake is said at the DISCONNECTED event
 * that follows it: libzmq's I/O thread emits the two back to back for one
 * connection. A connection closed before the loop read its ACCEPTED has no
 * address ("").
 *
 * The event bookkeeping (wd_peers_event) is pure; the monitor socket, the
 * loop watcher and getpeername() are the shell around it. Loop thread
 * only. */
#ifndef WD_PEERS_H
#define WD_PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "wd/zwatch.h"

#define WD_PEERS_SLOTS 256 /* descriptors remembered (by fd % slots) */
#define WD_PEER_ADDR 64    /* "[ipv6]:port" fits */

struct wd_peers_state {
    int64_t connected;      /* connections open now */
    bool failed_pending;    /* a failed handshake awaits its DISCONNECTED */
    int fd[WD_PEERS_SLOTS]; /* -1: free */
    char addr[WD_PEERS_SLOTS][WD_PEER_ADDR];
};

void wd_peers_state_init(struct wd_peers_state *s);

/* One monitor event (ZMQ_EVENT_*, its value) into s. peer is the address
 * of descriptor value for ACCEPTED and CONNECTED (may be "" or NULL).
 * Returns the address ("" when unknown) of a peer whose handshake failed,
 * once, at the end of its connection; else NULL. */
const char *wd_peers_event(struct wd_peers_state *s, uint16_t event,
                           uint32_t value, const char *peer);

/* A failed handshake on socket name, from address ("" when unknown). */
typedef void (*wd_peers_failed_fn)(void *ctx, const char *name,
                                   const char *address);

struct wd_peers {
    struct wd_zwatch watch;
    void *mon;  /* the PAIR end of the monitor; NULL when not started */
    void *sock; /* the monitored socket; NULL once the monitor stopped */
    const char *name;
    wd_peers_failed_fn on_failed;
    void *ctx;
    struct wd_peers_state st;
};

/* Monitors sock (any socket of zctx; one monitor per socket) on loop.
 * name labels it ("publish"); on_failed may be NULL. Returns 0, or WD_EZMQ
 * (errno says why). */
int wd_peers_start(struct wd_peers *p, uv_loop_t *loop, void *zctx, void *sock,
                   const char *name, wd_peers_failed_fn on_failed, void *ctx);

/* Connections open now; -1 when not monitored. */
int64_t wd_peers_connected(const struct wd_peers *p);

/* Bytes the kernel holds unsent on the connections open now (SIOCOUTQ),
 * in total and on the fullest one. For the publish socket this is the part
 * of a slow subscriber's backlog that can be seen: libzmq's own queue of up
 * to --pub-hwm messages per subscriber is not exposed. Returns the number
 * of connections read. */
size_t wd_peers_send_queue(const struct wd_peers *p, uint64_t *total,
                           uint64_t *max);

/* Stops the monitor (libzmq stops sending events): call while the
 * monitored socket is still open, before it or the monitor is closed. A
 * monitor left running when they close can block libzmq's I/O thread on
 * an event nobody reads, and zmq_ctx_term with it (libzmq issues 2083,
 * 3575). */
void wd_peers_stop(struct wd_peers *p);

/* Closes the loop handles (the loop can then end). */
void wd_peers_close(struct wd_peers *p);

/* Closes the monitor socket: before the monitored socket's context ends. */
void wd_peers_free(struct wd_peers *p);

#endif
