/* CurveZMQ for the worker's sockets: key files, the allow-list of client
 * public keys, and the ZAP handler (ZeroMQ RFC 27) that admits only the
 * clients on that list.
 *
 * Key files are Z85 text (40 characters for 32 bytes), one key on one line;
 * `wiredesk keygen` writes NAME.key (the secret key, mode 0600) and NAME.pub
 * (the public key). An allow-list is a file of public keys, one a line, or a
 * directory whose *.pub files are read. Lines that are not a key and start
 * with '#' are comments; blank lines are ignored.
 *
 * The ZAP handler is a REP socket bound to inproc://zeromq.zap.01 in the
 * worker's context. It runs on the loop thread: its ZMQ_FD sits in a
 * uv_poll_t, like the ingest socket's, so counting a refusal needs no lock.
 * Monitors on the server sockets count the clients that never got as far as
 * ZAP (plain clients, clients that use the wrong server key).
 *
 * Nothing here logs or formats key material: errors name files and lines.
 */
#ifndef WD_CURVE_H
#define WD_CURVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "wd/stats.h"
#include "wd/zwatch.h"

#define WD_CURVE_Z85_LEN 40 /* characters of one key in Z85 */

struct wd_curve_key {
    uint8_t bin[32];
    char z85[WD_CURVE_Z85_LEN + 1];
};

/* A set of public keys (binary), sorted once complete. */
struct wd_curve_allow {
    uint8_t (*keys)[32];
    size_t n, cap;
};

/* Parses the text of a key file or allow-list (pure): every key found is
 * appended to *a. Returns 0, or WD_EINVAL with "NAME:LINE: reason" in err
 * (the line's text is never quoted: it may be a secret key), or WD_ENOMEM. */
int wd_curve_parse_keys(const char *name, const char *text, size_t len,
                        struct wd_curve_allow *a, char *err, size_t err_cap);

/* Sorts and deduplicates a after parsing; wd_curve_allowed needs it. */
void wd_curve_allow_finish(struct wd_curve_allow *a);

/* True when key (32 bytes) is in the finished set a. */
bool wd_curve_allowed(const struct wd_curve_allow *a, const uint8_t *key);

void wd_curve_allow_free(struct wd_curve_allow *a);

/* Overwrites a key in memory. */
void wd_curve_key_wipe(struct wd_curve_key *k);

/* Reads a secret key file: exactly one key, a regular file that neither
 * group nor others may read or write (else refused: err names the file and
 * its mode). Returns 0 or WD_EINVAL. */
int wd_curve_read_secret(const char *path, struct wd_curve_key *k, char *err,
                         size_t err_cap);

/* Reads a public key file: exactly one key, not writable by group or
 * others. Returns 0 or WD_EINVAL. */
int wd_curve_read_public(const char *path, struct wd_curve_key *k, char *err,
                         size_t err_cap);

/* Reads an allow-list: a file of keys, or a directory whose *.pub files
 * hold them; neither writable by group or others; at least one key.
 * Returns 0, WD_EINVAL or WD_ENOMEM; *a is finished. */
int wd_curve_read_allow(const char *path, struct wd_curve_allow *a, char *err,
                        size_t err_cap);

/* Writes a new key pair: BASE.key (secret, created 0600 with O_EXCL) and
 * BASE.pub (public, 0644 less the umask, O_EXCL). Nothing is left behind on
 * failure. pub receives the public key. Returns 0 or WD_EINVAL. */
int wd_curve_keygen(const char *base, struct wd_curve_key *pub, char *err,
                    size_t err_cap);

/* Makes sock a CURVE server with secret key k whose clients are checked by
 * the ZAP handler in the given domain ("ingest", "publish"); and refused
 * when no handler is there. Call before bind/connect. Returns 0 or
 * WD_EZMQ. */
int wd_curve_server_socket(void *sock, const struct wd_curve_key *secret,
                           const char *domain);

/* Makes sock a CURVE client of the server whose public key is given, with
 * the client's secret key (its public key is derived). Returns 0 or
 * WD_EZMQ. */
int wd_curve_client_socket(void *sock, const struct wd_curve_key *server_pub,
                           const struct wd_curve_key *client_secret);

/* One frame of a ZAP request. */
struct wd_zap_frame {
    const void *data;
    size_t len;
};

/* The answer to one ZAP request (pure part of the handler). */
struct wd_zap_verdict {
    const char *status; /* "200", "400" or "500" */
    const char *text;   /* status text of the reply */
    enum wd_refuse why; /* when status is not "200" */
    char domain[32];    /* printable, for the log */
    char address[64];
};

/* Decides a ZAP request of n frames against the finished allow-list a:
 * version "1.0", request id, domain, address, routing id, mechanism
 * "CURVE" and the client's 32-byte public key. */
void wd_curve_zap_decide(const struct wd_curve_allow *a,
                         const struct wd_zap_frame *f, size_t n,
                         struct wd_zap_verdict *v);

/* Called on the loop thread for each handshake ZAP refused, with the
 * peer's address. (Handshakes that fail before ZAP are seen by the
 * sockets' monitors: wd/peers.h.) */
typedef void (*wd_curve_refused_cb)(void *ctx, enum wd_refuse why,
                                    const char *domain, const char *address);

struct wd_curve_zap {
    struct wd_zwatch watch; /* the ZAP socket on the loop */
    void *sock;             /* NULL when not started */
    const struct wd_curve_allow *allow;
    wd_curve_refused_cb on_refused;
    void *ctx;
};

/* Binds the ZAP handler in zctx and watches it on loop. Call before any
 * server socket binds. Returns 0, or WD_EZMQ (errno-style detail in
 * *zerr). */
int wd_curve_zap_start(struct wd_curve_zap *z, uv_loop_t *loop, void *zctx,
                       const struct wd_curve_allow *allow,
                       wd_curve_refused_cb on_refused, void *ctx, int *zerr);

/* Closes the loop handles (the loop can then end). */
void wd_curve_zap_close(struct wd_curve_zap *z);

/* Closes the sockets: after the server sockets, before zmq_ctx_term. */
void wd_curve_zap_free(struct wd_curve_zap *z);

#endif
