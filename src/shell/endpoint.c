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
