#include "wd/peers.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <zmq.h>

#include "wd/err.h"
#include "wd/text.h"
#include "wd/zsock.h"

void
wd_peers_state_init(struct wd_peers_state *s)
{
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < WD_PEERS_SLOTS; i++)
        s->fd[i] = -1;
}

static size_t
slot_of(uint32_t fd)
{
    return fd % WD_PEERS_SLOTS;
}

const char *
wd_peers_event(struct wd_peers_state *s, uint16_t event, uint32_t value,
               const char *peer)
{
    size_t i = slot_of(value);
    switch (event) {
    case ZMQ_EVENT_ACCEPTED:
    case ZMQ_EVENT_CONNECTED:
        s->connected++;
        s->fd[i] = (int)value;
        wd_text_copy(s->addr[i], WD_PEER_ADDR, peer ? peer : "");
        return NULL;
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
        /* (AUTH: the ZAP handler refused it and said so, with the
         * address ZAP gave it.) */
        s->failed_pending = true;
        return NULL;
    case ZMQ_EVENT_DISCONNECTED: {
        if (s->connected > 0)
            s->connected--;
        const char *addr = s->fd[i] == (int)value ? s->addr[i] : "";
        s->fd[i] = -1;
        if (!s->failed_pending)
            return NULL;
        s->failed_pending = false;
        return addr;
    }
    default:
        return NULL;
    }
}

/* ------------------------------------------------------------------ */
/* The shell: the monitor socket on the loop.                          */

/* "IP:port", "[IPv6]:port", "ipc" or "" for descriptor fd. */
static void
peer_address(int fd, char *out, size_t cap)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char host[INET6_ADDRSTRLEN] = "";
    out[0] = '\0';
    if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
        return;
    if (ss.ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
        snprintf(out, cap, "%s:%u", host, ntohs(a->sin_port));
    } else if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
        snprintf(out, cap, "[%s]:%u", host, ntohs(a->sin6_port));
    } else if (ss.ss_family == AF_UNIX) {
        snprintf(out, cap, "ipc");
    }
}

/* Reads one event: [u16 event, u32 value] then the endpoint; false when
 * none was queued. */
static bool
read_event(struct wd_zwatch *w)
{
    struct wd_peers *p = w->data;
    zmq_msg_t parts[2];
    size_t total, n = wd_zwatch_recv(p->mon, parts, 2, &total);
    if (total == 0)
        return false;
    uint16_t event = 0;
    uint32_t value = 0;
    if (n >= 1 && zmq_msg_size(&parts[0]) == 6) {
        memcpy(&event, zmq_msg_data(&parts[0]), 2);
        memcpy(&value, (const char *)zmq_msg_data(&parts[0]) + 2, 4);
    }
    for (size_t i = 0; i < n; i++)
        zmq_msg_close(&parts[i]);
    char addr[WD_PEER_ADDR] = "";
    if (event == ZMQ_EVENT_ACCEPTED || event == ZMQ_EVENT_CONNECTED)
        peer_address((int)value, addr, sizeof addr);
    const char *failed = wd_peers_event(&p->st, event, value, addr);
    if (failed && p->on_failed)
        p->on_failed(p->ctx, p->name, failed);
    return true;
}

int
wd_peers_start(struct wd_peers *p, uv_loop_t *loop, void *zctx, void *sock,
               const char *name, wd_peers_failed_fn on_failed, void *ctx)
{
    memset(p, 0, sizeof *p);
    wd_peers_state_init(&p->st);
    p->name = name;
    p->on_failed = on_failed;
    p->ctx = ctx;
    char ep[64];
    snprintf(ep, sizeof ep, "inproc://wd-peers-%p", (void *)p);
    if (zmq_socket_monitor(sock, ep,
                           ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_CONNECTED |
                               ZMQ_EVENT_DISCONNECTED |
                               ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                               ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) != 0)
        return WD_EZMQ;
    void *mon = wd_zsock_open(zctx, ZMQ_PAIR, "monitor", name);
    int linger = 0;
    if (!mon)
        goto fail;
    zmq_setsockopt(mon, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_connect(mon, ep) != 0)
        goto fail;
    p->mon = mon;
    p->sock = sock;
    p->watch.data = p;
    if (wd_zwatch_start(&p->watch, loop, mon, 64, read_event) != 0)
        goto fail;
    return 0;
fail : {
    int e = errno;
    zmq_socket_monitor(sock, NULL, 0);
    if (mon)
        wd_zsock_close(mon);
    p->mon = NULL;
    p->sock = NULL;
    errno = e;
    return WD_EZMQ;
}
}

int64_t
wd_peers_connected(const struct wd_peers *p)
{
    return p->mon ? p->st.connected : -1;
}

size_t
wd_peers_send_queue(const struct wd_peers *p, uint64_t *total, uint64_t *max)
{
    size_t n = 0;
    *total = *max = 0;
    if (!p->mon)
        return 0;
    /* The descriptors belong to libzmq's I/O thread; the ioctl only reads
     * a figure of the kernel's. One closed since its DISCONNECTED was read
     * fails and is skipped. */
    for (size_t i = 0; i < WD_PEERS_SLOTS; i++) {
        int q = 0;
        if (p->st.fd[i] < 0 || ioctl(p->st.fd[i], SIOCOUTQ, &q) != 0 || q < 0)
            continue;
        n++;
        *total += (uint64_t)q;
        if ((uint64_t)q > *max)
            *max = (uint64_t)q;
    }
    return n;
}

void
wd_peers_stop(struct wd_peers *p)
{
    if (p->sock)
        zmq_socket_monitor(p->sock, NULL, 0);
    p->sock = NULL;
}

void
wd_peers_close(struct wd_peers *p)
{
    if (p->mon)
        wd_zwatch_close(&p->watch, NULL);
}

void
wd_peers_free(struct wd_peers *p)
{
    if (p->mon)
        wd_zsock_close(p->mon);
    p->mon = NULL;
}
