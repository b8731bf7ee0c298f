#include "wd/curve.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "wd/err.h"
#include "wd/text.h"
#include "wd/zsock.h"
#include "wd/zwatch.h"

/* A draft option in libzmq 4.3 (zmq.h hides it without
 * ZMQ_BUILD_DRAFT_API), honoured by Debian's build: a CURVE server refuses
 * every client while no ZAP handler is bound, instead of admitting all. */
#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define MAX_KEYS 100000
#define MAX_KEY_FILE (1u << 20)

static const char z85_chars[] =
    "0123456789abcdefghijklmnopqrstuvwxyz"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/* ------------------------------------------------------------------ */
/* Pure: key text, allow-lists, ZAP verdicts.                          */

/* Decodes a 40-character Z85 key; false when it is not one. */
static bool
z85_key(const char *s, size_t n, uint8_t *out)
{
    if (n != WD_CURVE_Z85_LEN)
        return false;
    char buf[WD_CURVE_Z85_LEN + 1];
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\0' || !strchr(z85_chars, s[i]))
            return false;
        buf[i] = s[i];
    }
    buf[n] = '\0';
    bool ok = zmq_z85_decode(out, buf) != NULL;
    explicit_bzero(buf, sizeof buf);
    return ok;
}

static int
allow_add(struct wd_curve_allow *a, const uint8_t *key)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 16;
        uint8_t(*k)[32] = realloc(a->keys, cap * sizeof *k);
        if (!k)
            return WD_ENOMEM;
        a->keys = k;
        a->cap = cap;
    }
    memcpy(a->keys[a->n++], key, 32);
    return 0;
}

int
wd_curve_parse_keys(const char *name, const char *text, size_t len,
                    struct wd_curve_allow *a, char *err, size_t err_cap)
{
    unsigned line = 0;
    size_t pos = 0;
    while (pos < len) {
        const char *s;
        size_t l = wd_text_line(text, len, &pos, &s);
        line++;
        l = wd_text_trim(&s, l);
        if (l == 0)
            continue;
        uint8_t key[32];
        if (z85_key(s, l, key)) { /* a key may start with '#' too */
            if (a->n >= MAX_KEYS) {
                snprintf(err, err_cap, "%s:%u: more than %d keys", name, line,
                         MAX_KEYS);
                return WD_EINVAL;
            }
            int rc = allow_add(a, key);
            explicit_bzero(key, sizeof key);
            if (rc)
                return rc;
            continue;
        }
        if (s[0] == '#')
            continue;
        snprintf(err, err_cap,
                 "%s:%u: not a key (want %d Z85 characters on the line)", name,
                 line, WD_CURVE_Z85_LEN);
        return WD_EINVAL;
    }
    return 0;
}

static int
cmp_key(const void *x, const void *y)
{
    return memcmp(x, y, 32);
}

void
wd_curve_allow_finish(struct wd_curve_allow *a)
{
    if (a->n == 0)
        return;
    qsort(a->keys, a->n, 32, cmp_key);
    size_t k = 1;
    for (size_t i = 1; i < a->n; i++)
        if (memcmp(a->keys[i], a->keys[k - 1], 32) != 0)
            memcpy(a->keys[k++], a->keys[i], 32);
    a->n = k;
}

bool
wd_curve_allowed(const struct wd_curve_allow *a, const uint8_t *key)
{
    return a->n && bsearch(key, a->keys, a->n, 32, cmp_key) != NULL;
}

void
wd_curve_allow_free(struct wd_curve_allow *a)
{
    free(a->keys);
    memset(a, 0, sizeof *a);
}

void
wd_curve_key_wipe(struct wd_curve_key *k)
{
    explicit_bzero(k, sizeof *k);
}

static bool
frame_is(const struct wd_zap_frame *f, const char *s)
{
    return f->len == strlen(s) && memcmp(f->data, s, f->len) == 0;
}

/* A frame as printable text for the log: other bytes become '?'. */
static void
printable(char *out, size_t cap, const struct wd_zap_frame *f)
{
    size_t n = f->len < cap - 1 ? f->len : cap - 1;
    const unsigned char *d = f->data;
    for (size_t i = 0; i < n; i++)
        out[i] = d[i] >= 0x20 && d[i] < 0x7f && d[i] != '"' ? (char)d[i] : '?';
    out[n] = '\0';
}

void
wd_curve_zap_decide(const struct wd_curve_allow *a,
                    const struct wd_zap_frame *f, size_t n,
                    struct wd_zap_verdict *v)
{
    memset(v, 0, sizeof *v);
    v->status = "400";
    v->why = WD_REFUSE_BAD_REQUEST;
    if (n > 2)
        printable(v->domain, sizeof v->domain, &f[2]);
    if (n > 3)
        printable(v->address, sizeof v->address, &f[3]);
    if (n != 7 || !frame_is(&f[0], "1.0")) {
        v->status = "500";
        v->text = "malformed ZAP request";
        return;
    }
    if (!frame_is(&f[5], "CURVE") || f[6].len != 32) {
        v->text = "only CURVE clients are admitted";
        return;
    }
    if (!wd_curve_allowed(a, f[6].data)) {
        v->why = WD_REFUSE_UNKNOWN_KEY;
        v->text = "client key not allowed";
        return;
    }
    v->status = "200";
    v->text = "OK";
}

/* ------------------------------------------------------------------ */
/* Files.                                                              */

/* Reads a whole key file from an open descriptor (at most 1 MiB). */
static int
read_fd(int fd, const char *path, char **out, size_t *len, char *err,
        size_t err_cap)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf)
            return WD_ENOMEM;
        if (n == cap) {
            if (cap >= MAX_KEY_FILE) {
                explicit_bzero(buf, n);
                free(buf);
                snprintf(err, err_cap, "%s: larger than 1 MiB", path);
                return WD_EINVAL;
            }
            char *g = malloc(cap * 2); /* not realloc: wipe the old copy */
            if (g)
                memcpy(g, buf, n);
            explicit_bzero(buf, n);
            free(buf);
            buf = g;
            cap *= 2;
            continue;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            snprintf(err, err_cap, "%s: %s", path, strerror(errno));
            explicit_bzero(buf, n);
            free(buf);
            return WD_EINVAL;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    *out = buf;
    *len = n;
    return 0;
}

/* Opens path for reading and checks it: a regular file (or a directory
 * when dir_ok) without the mode bits in `forbidden`. Returns the
 * descriptor, or -1 with err set. */
static int
open_checked(const char *path, mode_t forbidden, bool dir_ok, struct stat *st,
             char *err, size_t err_cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        snprintf(err, err_cap, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, st) != 0) {
        snprintf(err, err_cap, "%s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st->st_mode) && !(dir_ok && S_ISDIR(st->st_mode))) {
        snprintf(err, err_cap, "%s: not a regular file", path);
        close(fd);
        return -1;
    }
    if (st->st_mode & forbidden) {
        snprintf(err, err_cap,
                 "%s: permissions %04o are too open: %s (chmod %s %s)", path,
                 (unsigned)(st->st_mode & 07777),
                 forbidden == 077 ? "a secret key must be readable by its "
                                    "owner only"
                                  : "a key file others can write is refused",
                 forbidden == 077 ? "600" : "go-w", path);
        close(fd);
        return -1;
    }
    return fd;
}

/* Reads one file's keys into a (not finished). */
static int
read_keys(const char *path, mode_t forbidden, struct wd_curve_allow *a,
          char *err, size_t err_cap)
{
    struct stat st;
    int fd = open_checked(path, forbidden, false, &st, err, err_cap);
    if (fd < 0)
        return WD_EINVAL;
    char *text;
    size_t len;
    int rc = read_fd(fd, path, &text, &len, err, err_cap);
    close(fd);
    if (rc)
        return rc;
    rc = wd_curve_parse_keys(path, text, len, a, err, err_cap);
    explicit_bzero(text, len);
    free(text);
    return rc;
}

static int
read_one(const char *path, mode_t forbidden, struct wd_curve_key *k, char *err,
         size_t err_cap)
{
    struct wd_curve_allow a = {0};
    int rc = read_keys(path, forbidden, &a, err, err_cap);
    if (rc == 0 && a.n != 1) {
        snprintf(err, err_cap, "%s: want exactly one key, found %zu", path,
                 a.n);
        rc = WD_EINVAL;
    }
    if (rc == 0) {
        memcpy(k->bin, a.keys[0], 32);
        zmq_z85_encode(k->z85, k->bin, 32);
    }
    if (a.keys)
        explicit_bzero(a.keys, a.cap * 32);
    wd_curve_allow_free(&a);
    return rc;
}

int
wd_curve_read_secret(const char *path, struct wd_curve_key *k, char *err,
                     size_t err_cap)
{
    return read_one(path, 077, k, err, err_cap);
}

int
wd_curve_read_public(const char *path, struct wd_curve_key *k, char *err,
                     size_t err_cap)
{
    return read_one(path, 022, k, err, err_cap);
}

static bool
ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcmp(s + n - m, suffix) == 0;
}

int
wd_curve_read_allow(const char *path, struct wd_curve_allow *a, char *err,
                    size_t err_cap)
{
    memset(a, 0, sizeof *a);
    struct stat st;
    int fd = open_checked(path, 022, true, &st, err, err_cap);
    if (fd < 0)
        return WD_EINVAL;
    int rc = 0;
    if (S_ISREG(st.st_mode)) {
        close(fd);
        rc = read_keys(path, 022, a, err, err_cap);
    } else {
        DIR *d = fdopendir(fd);
        if (!d) {
            close(fd);
            snprintf(err, err_cap, "%s: %s", path, strerror(errno));
            return WD_EINVAL;
        }
        struct dirent *e;
        while (rc == 0 && (e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.' || !ends_with(e->d_name, ".pub"))
                continue;
            char file[4096];
            snprintf(file, sizeof file, "%s/%s", path, e->d_name);
            rc = read_keys(file, 022, a, err, err_cap);
        }
        closedir(d);
    }
    if (rc == 0 && a->n == 0) {
        snprintf(err, err_cap, "%s: no client keys (%s)", path,
                 S_ISDIR(st.st_mode) ? "no *.pub file with a key"
                                     : "no key line");
        rc = WD_EINVAL;
    }
    if (rc) {
        wd_curve_allow_free(a);
        return rc;
    }
    wd_curve_allow_finish(a);
    return 0;
}

/* Creates path (O_EXCL) with the given mode and writes line + '\n'. */
static int
write_new(const char *path, mode_t mode, const char *line, char *err,
          size_t err_cap)
{
    int fd =
        open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0) {
        snprintf(err, err_cap, "%s: %s", path, strerror(errno));
        return WD_EINVAL;
    }
    char buf[WD_CURVE_Z85_LEN + 2];
    size_t n = strlen(line);
    memcpy(buf, line, n);
    buf[n++] = '\n';
    bool ok = write(fd, buf, n) == (ssize_t)n && fsync(fd) == 0;
    int e = errno;
    explicit_bzero(buf, sizeof buf);
    if (close(fd) != 0)
        ok = false;
    if (!ok) {
        snprintf(err, err_cap, "%s: %s", path, strerror(e));
        unlink(path);
        return WD_EINVAL;
    }
    return 0;
}

int
wd_curve_keygen(const char *base, struct wd_curve_key *pub, char *err,
                size_t err_cap)
{
    char key_path[4096], pub_path[4096];
    if (!*base || strlen(base) + 5 > sizeof key_path) {
        snprintf(err, err_cap, "--out wants a path to a file name");
        return WD_EINVAL;
    }
    snprintf(key_path, sizeof key_path, "%s.key", base);
    snprintf(pub_path, sizeof pub_path, "%s.pub", base);
    struct wd_curve_key secret;
    memset(pub, 0, sizeof *pub);
    if (zmq_curve_keypair(pub->z85, secret.z85) != 0) {
        snprintf(err, err_cap, "zmq_curve_keypair: %s", zmq_strerror(errno));
        return WD_EINVAL;
    }
    zmq_z85_decode(pub->bin, pub->z85);
    int rc = write_new(key_path, 0600, secret.z85, err, err_cap);
    wd_curve_key_wipe(&secret);
    if (rc)
        return rc;
    rc = write_new(pub_path, 0644, pub->z85, err, err_cap);
    if (rc)
        unlink(key_path);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Sockets.                                                            */

int
wd_curve_server_socket(void *sock, const struct wd_curve_key *secret,
                       const char *domain)
{
    int one = 1;
    if (zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof one) != 0 ||
        zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, secret->bin, 32) != 0 ||
        zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, domain, strlen(domain)) != 0)
        return WD_EZMQ;
    /* Refused by a libzmq without the option: then a missing handler would
     * admit everyone, which the worker avoids by binding the handler
     * first and closing it last. */
    zmq_setsockopt(sock, ZMQ_ZAP_ENFORCE_DOMAIN, &one, sizeof one);
    return 0;
}

int
wd_curve_client_socket(void *sock, const struct wd_curve_key *server_pub,
                       const struct wd_curve_key *client_secret)
{
    char pub[WD_CURVE_Z85_LEN + 1];
    if (zmq_curve_public(pub, client_secret->z85) != 0)
        return WD_EZMQ;
    int rc = zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, server_pub->bin, 32) ||
             zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, pub, WD_CURVE_Z85_LEN) ||
             zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, client_secret->bin, 32);
    return rc ? WD_EZMQ : 0;
}

/* ------------------------------------------------------------------ */
/* The ZAP handler and the monitors, on the loop.                      */

#define ZAP_FRAMES 8

/* Reads one ZAP request (whole) and answers it; false when none was
 * queued. */
static bool
zap_answer(struct wd_curve_zap *z, void *sock)
{
    zmq_msg_t parts[ZAP_FRAMES];
    struct wd_zap_frame f[ZAP_FRAMES] = {{0}};
    size_t total, n = wd_zwatch_recv(sock, parts, ZAP_FRAMES, &total);
    if (total == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        f[i] = (struct wd_zap_frame){zmq_msg_data(&parts[i]),
                                     zmq_msg_size(&parts[i])};
    struct wd_zap_verdict v;
    /* More than ZAP_FRAMES frames: n is not 7, so malformed. */
    wd_curve_zap_decide(z->allow, f, n, &v);
    /* Reply: version, request id, status code, status text, user id,
     * metadata. */
    const struct wd_zap_frame reply[6] = {
        {"1.0", 3},    n > 1 ? f[1] : (struct wd_zap_frame){"", 0},
        {v.status, 3}, {v.text, strlen(v.text)},
        {"", 0},       {"", 0},
    };
    for (int i = 0; i < 6; i++)
        zmq_send(sock, reply[i].data, reply[i].len,
                 ZMQ_DONTWAIT | (i < 5 ? ZMQ_SNDMORE : 0));
    for (size_t i = 0; i < n; i++)
        zmq_msg_close(&parts[i]);
    if (strcmp(v.status, "200") != 0 && z->on_refused)
        z->on_refused(z->ctx, v.why, v.domain, v.address);
    return true;
}

/* One ZAP request on the loop. Each costs microseconds and comes from a
 * connection attempt (a handshake costs libzmq far more). */
static bool
read_request(struct wd_zwatch *zw)
{
    struct wd_curve_zap *z = zw->data;
    return zap_answer(z, z->sock);
}

int
wd_curve_zap_start(struct wd_curve_zap *z, uv_loop_t *loop, void *zctx,
                   const struct wd_curve_allow *allow,
                   wd_curve_refused_cb on_refused, void *ctx, int *zerr)
{
    memset(z, 0, sizeof *z);
    z->allow = allow;
    z->on_refused = on_refused;
    z->ctx = ctx;
    *zerr = 0;
    void *sock = wd_zsock_open(zctx, ZMQ_REP, "zap", NULL);
    int linger = 0;
    if (!sock || zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger) ||
        zmq_bind(sock, ZAP_ENDPOINT) != 0) {
        *zerr = errno;
        if (sock)
            wd_zsock_close(sock);
        return WD_EZMQ;
    }
    z->sock = sock;
    z->watch.data = z;
    if (wd_zwatch_start(&z->watch, loop, sock, 64, read_request) != 0) {
        *zerr = errno;
        wd_zsock_close(sock);
        z->sock = NULL;
        return WD_EZMQ;
    }
    return 0;
}

void
wd_curve_zap_close(struct wd_curve_zap *z)
{
    if (z->sock)
        wd_zwatch_close(&z->watch, NULL);
}

void
wd_curve_zap_free(struct wd_curve_zap *z)
{
    /* Last: when no server socket is left that could need it. */
    if (z->sock)
        wd_zsock_close(z->sock);
    z->sock = NULL;
}
