#include "wd/endpoint.h"

#include <string.h>
#include <zmq.h>

#include "wd/err.h"

static const char *
strip(const char *ep)
{
    return (ep[0] == '@' || ep[0] == '>') ? ep + 1 : ep;
}

int
wd_endpoint_check(const char *ep)
{
    static const char *const transports[] = {"tcp://", "ipc://", "inproc://",
                                             "ws://", "wss://"};
    const char *e = strip(ep);
    if (strncmp(e, "tcp://", 6) == 0) {
        /* HOST:PORT, PORT 1..65535 or * (any free one). */
        const char *colon = strrchr(e + 6, ':');
        if (!colon || colon == e + 6)
            return WD_EINVAL;
        const char *port = colon + 1;
        if (strcmp(port, "*") == 0)
            return 0;
        long v = 0;
        for (const char *p = port; *p; p++) {
            if (*p < '0' || *p > '9' || v > 65535)
                return WD_EINVAL;
            v = v * 10 + (*p - '0');
        }
        return *port && v >= 1 && v <= 65535 ? 0 : WD_EINVAL;
    }
    for (size_t i = 0; i < sizeof transports / sizeof transports[0]; i++) {
        size_t k = strlen(transports[i]);
        if (strncmp(e, transports[i], k) == 0 && e[k] != '\0')
            return 0;
    }
    return WD_EINVAL;
}

bool
wd_endpoint_binds(const char *ep, bool bind_default)
{
    if (ep[0] == '@')
        return true;
    if (ep[0] == '>')
        return false;
    return bind_default;
}

int
wd_endpoint_attach(void *sock, const char *ep, bool bind_default)
{
    const char *e = strip(ep);
    return wd_endpoint_binds(ep, bind_default) ? zmq_bind(sock, e)
                                               : zmq_connect(sock, e);
}
