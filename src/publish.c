#include "wd/publish.h"

#include <errno.h>
#include <string.h>
#include <zmq.h>

#include "wd/curve.h"
#include "wd/endpoint.h"
#include "wd/err.h"

int
wd_publish_open(struct wd_publish *p, void *zctx, const char *endpoint,
                int sndhwm, const struct wd_curve_key *curve, int *zerr)
{
    memset(p, 0, sizeof *p);
    *zerr = 0;
    p->sock = zmq_socket(zctx, ZMQ_PUB);
    if (!p->sock) {
        *zerr = errno;
        return WD_EZMQ;
    }
    zmq_setsockopt(p->sock, ZMQ_SNDHWM, &sndhwm, sizeof sndhwm);
    if ((curve && wd_curve_server_socket(p->sock, curve, "publish") != 0) ||
        wd_endpoint_attach(p->sock, endpoint, true) != 0) {
        *zerr = errno;
        zmq_close(p->sock);
        p->sock = NULL;
        return WD_EENDPOINT;
    }
    return 0;
}

int
wd_publish_send(struct wd_publish *p, const char *channel, const void *buf,
                size_t len)
{
    size_t clen = strlen(channel);
    if (zmq_send(p->sock, channel, clen, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
        p->errors++;
        return WD_EZMQ;
    }
    /* After the first frame ZeroMQ guarantees the rest of the message is
     * accepted atomically; the DONTWAIT keeps that a promise, not a wait. */
    if (zmq_send(p->sock, buf, len, ZMQ_DONTWAIT) < 0) {
        p->errors++;
        return WD_EZMQ;
    }
    p->messages++;
    p->bytes += clen + len;
    return 0;
}

void
wd_publish_close(struct wd_publish *p, int linger_ms)
{
    if (!p->sock)
        return;
    zmq_setsockopt(p->sock, ZMQ_LINGER, &linger_ms, sizeof linger_ms);
    zmq_close(p->sock);
    p->sock = NULL;
}
