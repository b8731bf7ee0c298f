/* The publishing socket: a ZeroMQ PUB socket that sends [channel, bytes]
 * messages. A PUB socket never blocks: when a subscriber's queue is at its
 * high-water mark, ZeroMQ drops that subscriber's copy, so a slow
 * subscriber cannot slow the loop. */
#ifndef WD_PUBLISH_H
#define WD_PUBLISH_H

#include <stddef.h>
#include <stdint.h>

struct wd_curve_key;

struct wd_publish {
    void *sock;
    uint64_t messages, bytes, errors;
};

/* Creates the PUB socket and binds it. sndhwm bounds each subscriber's
 * queue in messages (0 = unlimited). curve: the server's secret key to
 * make it a CURVE server (ZAP domain "publish"), or NULL. Returns 0,
 * WD_EENDPOINT (detail in *zerr) or WD_EZMQ. */
int wd_publish_open(struct wd_publish *p, void *zctx, const char *endpoint,
                    int sndhwm, const struct wd_curve_key *curve, int *zerr);

/* Sends one two-frame message without blocking. Returns 0, or WD_EZMQ when
 * ZeroMQ refused it (counted in errors). */
int wd_publish_send(struct wd_publish *p, const char *channel, const void *buf,
                    size_t len);

/* Closes the socket, letting queued messages go out for up to linger_ms. */
void wd_publish_close(struct wd_publish *p, int linger_ms);

#endif
