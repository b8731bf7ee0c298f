#include "wd/zsock.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <zmq.h>

struct open_sock {
    void *sock;
    const char *name, *of;
    struct open_sock *next;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct open_sock *open_list;

void *
wd_zsock_open(void *zctx, int type, const char *name, const char *of)
{
    struct open_sock *e = malloc(sizeof *e);
    void *sock = e ? zmq_socket(zctx, type) : NULL;
    if (!sock) {
        free(e);
        return NULL;
    }
    *e = (struct open_sock){sock, name, of, NULL};
    pthread_mutex_lock(&mu);
    e->next = open_list;
    open_list = e;
    pthread_mutex_unlock(&mu);
    return sock;
}

void
wd_zsock_close(void *sock)
{
    if (!sock)
        return;
    struct open_sock *gone = NULL;
    pthread_mutex_lock(&mu);
    for (struct open_sock **p = &open_list; *p; p = &(*p)->next)
        if ((*p)->sock == sock) {
            gone = *p;
            *p = gone->next;
            break;
        }
    pthread_mutex_unlock(&mu);
    free(gone);
    zmq_close(sock);
}

size_t
wd_zsock_open_names(char *buf, size_t cap)
{
    size_t n = 0, o = 0;
    if (cap)
        buf[0] = '\0';
    pthread_mutex_lock(&mu);
    for (const struct open_sock *e = open_list; e; e = e->next, n++) {
        if (o >= cap)
            continue;
        int k = snprintf(buf + o, cap - o, "%s%s%s%s", n ? ", " : "", e->name,
                         e->of ? " of " : "", e->of ? e->of : "");
        o += k > 0 ? (size_t)k : 0;
    }
    pthread_mutex_unlock(&mu);
    return n;
}
