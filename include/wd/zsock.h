/* The worker's ZeroMQ sockets, opened and closed through here so that the
 * process knows which are open. zmq_ctx_term waits for every socket of
 * its context to be closed: a stop whose context does not end names the
 * sockets still open (or says that every one was closed, which leaves
 * libzmq's own termination), instead of only "a socket left open".
 *
 * Any thread (a mutex guards the list). The CLI's short-lived commands and
 * the proxy keep calling libzmq directly: one socket or two, closed on
 * the next line. */
#ifndef WD_ZSOCK_H
#define WD_ZSOCK_H

#include <stddef.h>

/* zmq_socket(zctx, type), remembered as open under name (and of, the
 * socket it serves, or NULL: "monitor" of "ingest"); both strings must
 * outlive the socket. NULL with errno set as zmq_socket's. */
void *wd_zsock_open(void *zctx, int type, const char *name, const char *of);

/* zmq_close(sock), forgotten as open. NULL is ignored. */
void wd_zsock_close(void *sock);

/* How many of the sockets opened here are open; their names written to
 * buf as "snapshot, monitor of ingest" (cut to cap, "" when none). */
size_t wd_zsock_open_names(char *buf, size_t cap);

#endif
