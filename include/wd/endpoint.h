/* ZeroMQ endpoints as every wiredesk command takes them: TRANSPORT://ADDRESS,
 * optionally prefixed as in CZMQ: "@tcp://..." binds, ">tcp://..."
 * connects; a plain endpoint does what its socket does by default (the
 * worker's ingest and publish sockets bind, push and tail connect). So a
 * worker can connect its PUB socket to a proxy: --publish '>tcp://proxy:5559'.
 */
#ifndef WD_ENDPOINT_H
#define WD_ENDPOINT_H

#include <stdbool.h>

/* 0 when ep is a well-formed endpoint (prefix optional), else WD_EINVAL. */
int wd_endpoint_check(const char *ep);

/* True when ep is to be bound: "@" or, without a prefix, bind_default. */
bool wd_endpoint_binds(const char *ep, bool bind_default);

/* Binds or connects sock to ep (prefix stripped). Returns 0, or -1 with
 * errno set by ZeroMQ. */
int wd_endpoint_attach(void *sock, const char *ep, bool bind_default);

#endif
