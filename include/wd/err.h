/* Error codes shared by every wiredesk module.
 *
 * Functions return int: 0 on success, a negative WD_E* code or a negative
 * errno value on failure. The codes are generated from one X-macro so that
 * the enum, wd_strerror() and wd_err_name() cannot drift apart.
 */
#ifndef WD_ERR_H
#define WD_ERR_H

#define WD_ERRNO_MAP(X)                                                        \
    X(NOMEM, 1001, "out of memory")                                            \
    X(INVAL, 1002, "invalid argument")                                         \
    X(PARSE, 1003, "malformed input")                                          \
    X(TOOBIG, 1004, "input exceeds the size limit")                            \
    X(UTF8, 1005, "invalid UTF-8")                                             \
    X(NUL, 1006, "NUL byte in text")                                           \
    X(EMPTY, 1007, "empty input")                                              \
    X(UNSUPPORTED, 1008, "unsupported content type")                           \
    X(ENDPOINT, 1009, "malformed or unreachable endpoint")                     \
    X(ZMQ, 1010, "ZeroMQ error")                                               \
    X(TIMEOUT, 1011, "timed out")                                              \
    X(FULL, 1012, "queue full")                                                \
    X(NOTFOUND, 1013, "not found")                                             \
    X(BUSY, 1014, "resource busy")                                             \
    X(FORMAT, 1015, "stored data of an unknown format version")

enum wd_err {
#define WD_ERR_ENUM(name, code, msg) WD_E##name = -(code),
    WD_ERRNO_MAP(WD_ERR_ENUM)
#undef WD_ERR_ENUM
};

/* A human-readable message for a WD_E* code or a negative errno value.
 * Never returns NULL; the string is static. */
const char *wd_strerror(int err);

/* The symbolic name of an error ("WD_EPARSE", "ENOENT"), static. */
const char *wd_err_name(int err);

#endif
