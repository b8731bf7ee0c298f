#include "wd/err.h"

#include <errno.h>
#include <string.h>

const char *
wd_strerror(int err)
{
    switch (err) {
#define WD_ERR_MSG(name, code, msg)                                            \
    case WD_E##name:                                                           \
        return msg;
        WD_ERRNO_MAP(WD_ERR_MSG)
#undef WD_ERR_MSG
    case 0:
        return "success";
    default:
        break;
    }
    if (err < 0 && err > -1000)
        return strerror(-err);
    return "unknown error";
}

const char *
wd_err_name(int err)
{
    switch (err) {
#define WD_ERR_NAME(name, code, msg)                                           \
    case WD_E##name:                                                           \
        return "WD_E" #name;
        WD_ERRNO_MAP(WD_ERR_NAME)
#undef WD_ERR_NAME
    case 0:
        return "OK";
    case -ENOENT:
        return "ENOENT";
    case -EINVAL:
        return "EINVAL";
    case -EAGAIN:
        return "EAGAIN";
    case -EADDRINUSE:
        return "EADDRINUSE";
    case -EACCES:
        return "EACCES";
    default:
        return "UNKNOWN";
    }
}
