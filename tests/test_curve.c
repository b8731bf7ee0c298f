/* WD_TEST_LABEL: e2e */
/* CurveZMQ on the real binary over loopback TCP: keys from `wiredesk keygen`;
 * a client on the allow-list pushes a page (`wiredesk push`) and a CURVE
 * subscriber on the list receives the Article (`wiredesk tail` too); a
 * client with a key not on the list and plain clients get nothing through
 * and are counted in /metrics and $stats; a secret key file others can read
 * stops `wiredesk run` (flag, environment and --config file alike). */
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wd/curve.h"
#include "wd/peers.h"
#include "wd/http.h"
#include "worker.h"

#define DEADLINE_MS 20000

struct keys {
    char dir[64];
    char server_key[128], server_pub[128]; /* the worker's pair */
    char client_key[128];                  /* on the allow-list */
    char intruder_key[128];                /* not on it */
    char allow[128];                       /* a directory of *.pub */
};

static void
keygen(const char *path)
{
    char cmd[512], out[512];
    snprintf(cmd, sizeof cmd, WD_BINARY " keygen --out %s", path);
    int rc = run_cmd(cmd, out, sizeof out);
    if (rc != 0) {
        fprintf(stderr, "keygen failed (%d): %s\n", rc, out);
        exit(2);
    }
}

static void
make_keys(struct keys *k)
{
    snprintf(k->dir, sizeof k->dir, "/tmp/wd-curve-XXXXXX");
    if (!mkdtemp(k->dir)) {
        perror("mkdtemp");
        exit(2);
    }
    char base[96], cmd[600], out[256];
    snprintf(base, sizeof base, "%s/server", k->dir);
    keygen(base);
    snprintf(k->server_key, sizeof k->server_key, "%s.key", base);
    snprintf(k->server_pub, sizeof k->server_pub, "%s.pub", base);
    snprintf(base, sizeof base, "%s/client", k->dir);
    keygen(base);
    snprintf(k->client_key, sizeof k->client_key, "%s.key", base);
    snprintf(base, sizeof base, "%s/intruder", k->dir);
    keygen(base);
    snprintf(k->intruder_key, sizeof k->intruder_key, "%s.key", base);
    snprintf(k->allow, sizeof k->allow, "%s/allow", k->dir);
    snprintf(cmd, sizeof cmd, "mkdir -m 755 %s && cp %s/client.pub %s/",
             k->allow, k->dir, k->allow);
    if (run_cmd(cmd, out, sizeof out) != 0) {
        fprintf(stderr, "%s: %s\n", cmd, out);
        exit(2);
    }
}

/* A worker with CURVE on, its keys and a ZeroMQ context for clients. */
struct secured {
    struct keys k;
    struct worker w;
    void *zctx;
};

static void
secured_start(struct secured *s)
{
    make_keys(&s->k);
    memset(&s->w, 0, sizeof s->w);
    const char *extra[] = {"--curve-secret", s->k.server_key, "--curve-allow",
                           s->k.allow, NULL};
    worker_start(&s->w, extra);
    s->zctx = zmq_ctx_new();
}

/* After the test closed its sockets: the worker stops cleanly. */
static void
secured_stop(struct secured *s)
{
    zmq_ctx_term(s->zctx);
    CHECK_INT(worker_stop(&s->w, WD_TEST_STOP_MS), ==, 0);
    worker_cleanup(&s->w);
    remove_dir(s->k.dir);
}

/* A ZeroMQ socket of the given type; a CURVE client when secret_path is
 * given (the worker's public key from k). */
static void *
client_socket(void *zctx, int type, const struct keys *k,
              const char *secret_path)
{
    void *s = zmq_socket(zctx, type);
    int linger = 0, hwm = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
    if (secret_path) {
        struct wd_curve_key server, secret;
        char err[512];
        CHECK_OK(wd_curve_read_public(k->server_pub, &server, err, sizeof err));
        CHECK_OK(wd_curve_read_secret(secret_path, &secret, err, sizeof err));
        CHECK_OK(wd_curve_client_socket(s, &server, &secret));
        wd_curve_key_wipe(&secret);
    }
    return s;
}

static void *
curve_subscriber(void *zctx, const struct worker *w, const struct keys *k,
                 const char *secret_path)
{
    void *s = client_socket(zctx, ZMQ_SUB, k, secret_path);
    zmq_setsockopt(s, ZMQ_SUBSCRIBE, "all", 3);
    zmq_setsockopt(s, ZMQ_SUBSCRIBE, "$stats", 6);
    zmq_connect(s, w->publish);
    return s;
}

/* Waits until the worker's log holds needle. */
static bool
wait_log(const struct worker *w, const char *needle)
{
    int64_t end = mono_ms() + DEADLINE_MS;
    while (mono_ms() < end) {
        char *log = wd_test_slurp(w->log, NULL);
        bool found = strstr(log, needle) != NULL;
        free(log);
        if (found)
            return true;
        usleep(50000);
    }
    return false;
}

#define REFUSED(reason) "wiredesk_clients_refused_total{reason=\"" reason "\"}"
#define RECEIVED "wiredesk_pages_received_total"

/* True when s receives any message within ms. */
static bool
receives_anything(void *s, int ms)
{
    struct msg m;
    int64_t end = mono_ms() + ms;
    while (mono_ms() < end)
        if (recv_msg(s, 100, &m)) {
            free(m.data);
            return true;
        }
    return false;
}

/* Sends seed page i as a RawPage with the given URL, without waiting. */
static void
send_seed(void *push, const char *url, int i)
{
    size_t len;
    char *seed = read_seed(seed_files[i], &len);
    uint8_t *frame;
    size_t n = make_raw(url, "text/plain", seed, len, &frame);
    zmq_send(push, frame, n, ZMQ_DONTWAIT);
    free(frame);
    free(seed);
}

/* The monitor's bookkeeping: connections counted in and out, a failed
 * handshake said once, with the address of its own connection. */
static void
test_peers_events(void)
{
    struct wd_peers_state st;
    wd_peers_state_init(&st);
    CHECK(wd_peers_event(&st, ZMQ_EVENT_ACCEPTED, 7, "10.0.0.7:4000") == NULL);
    CHECK(wd_peers_event(&st, ZMQ_EVENT_ACCEPTED, 9, "10.0.0.9:4001") == NULL);
    CHECK_INT(st.connected, ==, 2);
    /* fd 9's handshake fails: said at its DISCONNECTED, with its address. */
    CHECK(wd_peers_event(&st, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, 0, NULL) ==
          NULL);
    const char *a = wd_peers_event(&st, ZMQ_EVENT_DISCONNECTED, 9, NULL);
    CHECK(a != NULL);
    CHECK_STR(a ? a : "(null)", "10.0.0.9:4001");
    CHECK_INT(st.connected, ==, 1);
    /* fd 7 leaves without a failure: nothing to say. */
    CHECK(wd_peers_event(&st, ZMQ_EVENT_DISCONNECTED, 7, NULL) == NULL);
    CHECK_INT(st.connected, ==, 0);
    /* A failure on a connection never seen accepted: said, address "". */
    wd_peers_event(&st, ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, 0, NULL);
    a = wd_peers_event(&st, ZMQ_EVENT_DISCONNECTED, 11, NULL);
    CHECK(a != NULL);
    CHECK_STR(a ? a : "(null)", "");
    CHECK_INT(st.connected, ==, 0); /* never below 0 */
    /* A reused descriptor has its new address. */
    wd_peers_event(&st, ZMQ_EVENT_ACCEPTED, 7, "10.0.0.70:4002");
    wd_peers_event(&st, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, 0, NULL);
    a = wd_peers_event(&st, ZMQ_EVENT_DISCONNECTED, 7, NULL);
    CHECK_STR(a ? a : "(null)", "10.0.0.70:4002");
    /* A connect-side socket counts its connections too. */
    wd_peers_event(&st, ZMQ_EVENT_CONNECTED, 5, "10.0.0.1:5559");
    CHECK_INT(st.connected, ==, 1);
}

static void
test_allowed_client_gets_through(void)
{
    struct secured s;
    secured_start(&s);
    void *sub = curve_subscriber(s.zctx, &s.w, &s.k, s.k.client_key);
    CHECK(wait_subscribed(sub, DEADLINE_MS));

    /* `wiredesk push` with the client's key. */
    char cmd[1024], out[4096];
    snprintf(cmd, sizeof cmd,
             WD_BINARY " push --endpoint %s --curve-server-key %s"
                       " --curve-secret %s --timeout 10000 %s/seeds/%s",
             s.w.ingest, s.k.server_pub, s.k.client_key, WD_FIXTURES,
             seed_files[1]);
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 0);
    CHECK_CONTAINS(out, "sent 1 page");

    Wiredesk__V1__Article *a = NULL;
    int64_t end = mono_ms() + DEADLINE_MS;
    struct msg m;
    while (!a && mono_ms() < end) {
        if (!recv_msg(sub, 100, &m))
            continue;
        if (strcmp(m.channel, "all") == 0)
            a = wiredesk__v1__article__unpack(NULL, m.len, m.data);
        free(m.data);
    }
    CHECK(a != NULL);
    if (a) {
        CHECK(a->title[0] != '\0');
        wiredesk__v1__article__free_unpacked(a, NULL);
    }

    /* `wiredesk tail` with the client's key reads $stats. */
    snprintf(cmd, sizeof cmd,
             "timeout 30 " WD_BINARY " tail --endpoint %s --curve-server-key"
             " %s --curve-secret %s --count 1 '$stats'",
             s.w.publish, s.k.server_pub, s.k.client_key);
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 0);
    CHECK_CONTAINS(out, "\"channel\":\"$stats\"");
    CHECK_CONTAINS(out, "\"clients_refused{reason=unknown_key}\":0");

    CHECK_INT(worker_metric(&s.w, REFUSED("unknown_key")), ==, 0);
    zmq_close(sub);
    secured_stop(&s);
}

static void
test_unknown_key_refused(void)
{
    struct secured s;
    secured_start(&s);
    CHECK_INT(worker_wait_metric(&s.w, RECEIVED, 0, DEADLINE_MS), ==, 0);

    /* The intruder: a valid CURVE client whose key is not on the list. */
    void *push = client_socket(s.zctx, ZMQ_PUSH, &s.k, s.k.intruder_key);
    zmq_connect(push, s.w.ingest);
    send_seed(push, "https://intruder.test/page", 2);
    void *sub = curve_subscriber(s.zctx, &s.w, &s.k, s.k.intruder_key);
    CHECK_INT(worker_wait_metric(&s.w, REFUSED("unknown_key"), 2, DEADLINE_MS),
              >=, 2);
    /* Logged (within limits) with the socket. */
    CHECK(wait_log(&s.w, "client refused on ingest: reason=unknown_key"));
    CHECK(wait_log(&s.w, "client refused on publish: reason=unknown_key"));

    /* Neither its page nor anything published reaches it. */
    CHECK(!receives_anything(sub, 1500));
    CHECK_INT(worker_metric(&s.w, RECEIVED), ==, 0);

    /* No key material in the log; counted in $stats too. */
    char *log = wd_test_slurp(s.w.log, NULL);
    char *keytext = wd_test_slurp(s.k.intruder_key, NULL);
    keytext[WD_CURVE_Z85_LEN] = '\0';
    CHECK_NOT_CONTAINS(log, keytext);
    free(keytext);
    free(log);
    void *ok = curve_subscriber(s.zctx, &s.w, &s.k, s.k.client_key);
    int64_t end = mono_ms() + DEADLINE_MS;
    long long in_stats = -1;
    struct msg m;
    while (in_stats < 2 && mono_ms() < end) {
        if (!recv_msg(ok, 100, &m))
            continue;
        if (strcmp(m.channel, "$stats") == 0) {
            Wiredesk__V1__WorkerStats *ws =
                wiredesk__v1__worker_stats__unpack(NULL, m.len, m.data);
            if (ws) {
                in_stats =
                    stat_value(ws, "clients_refused", "reason=unknown_key");
                wiredesk__v1__worker_stats__free_unpacked(ws, NULL);
            }
        }
        free(m.data);
    }
    CHECK_INT(in_stats, >=, 2);

    zmq_close(ok);
    zmq_close(sub);
    zmq_close(push);
    secured_stop(&s);
}

static void
test_plain_client_refused(void)
{
    struct secured s;
    secured_start(&s);
    CHECK_INT(worker_wait_metric(&s.w, RECEIVED, 0, DEADLINE_MS), ==, 0);

    void *push = pusher(s.zctx, &s.w);
    send_seed(push, "https://plain.test/page", 3);
    const char *ch[] = {"all", NULL};
    void *sub = subscriber(s.zctx, &s.w, ch);
    CHECK_INT(worker_wait_metric(&s.w, REFUSED("handshake"), 2, DEADLINE_MS),
              >=, 2);
    /* Said with the client's address (read from the connection, as
     * libzmq's events do not carry it). A raw TCP client connects, waits
     * until the worker counts its connection (its address is read then),
     * and only then sends a plain ZMTP greeting, which the CURVE socket
     * refuses: the line names the client's own port. */
    int port = 0;
    sscanf(strrchr(s.w.ingest, ':') + 1, "%d", &port);
    long long before = worker_metric(&s.w, "wiredesk_peers{socket=\"ingest\"}");
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    CHECK_INT(connect(fd, (struct sockaddr *)&sa, sizeof sa), ==, 0);
    struct sockaddr_in me;
    socklen_t me_len = sizeof me;
    getsockname(fd, (struct sockaddr *)&me, &me_len);
    CHECK_INT(worker_wait_metric(&s.w, "wiredesk_peers{socket=\"ingest\"}",
                                 before + 1, DEADLINE_MS),
              >=, before + 1);
    unsigned char greeting[64] = {0xFF, 0,    0, 0, 0,   0,   0,   0,
                                  1,    0x7F, 3, 0, 'N', 'U', 'L', 'L'};
    CHECK_INT(send(fd, greeting, sizeof greeting, MSG_NOSIGNAL), ==, 64);
    char needle[128];
    snprintf(needle, sizeof needle,
             "client refused on ingest: reason=handshake address=127.0.0.1:%u "
             "socket=ingest",
             (unsigned)ntohs(me.sin_port));
    CHECK(wait_log(&s.w, needle));
    close(fd);
    CHECK(!receives_anything(sub, 1500));
    CHECK_INT(worker_metric(&s.w, RECEIVED), ==, 0);
    CHECK_INT(worker_metric(&s.w, REFUSED("unknown_key")), ==, 0);

    /* `wiredesk push` without keys gives up with an error. */
    char cmd[1024], out[4096];
    snprintf(cmd, sizeof cmd,
             WD_BINARY " push --endpoint %s --timeout 500 %s/seeds/%s",
             s.w.ingest, WD_FIXTURES, seed_files[3]);
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 1);
    CHECK_CONTAINS(out, "no worker answered in time");
    CHECK_INT(worker_metric(&s.w, RECEIVED), ==, 0);

    zmq_close(sub);
    zmq_close(push);
    secured_stop(&s);
}

/* `wiredesk run` with keys refused at start: exit 1, the file named, no
 * key in the output. pre is put before the command (environment). */
static void
check_run_refused(const struct keys *k, const char *pre, const char *args,
                  const char *named)
{
    char state[128], cmd[2048];
    static char out[8192];
    snprintf(state, sizeof state, "%s/state", k->dir);
    int p[3];
    free_ports(3, p);
    snprintf(cmd, sizeof cmd,
             "%s timeout 30 " WD_BINARY " run --state %s --ingest "
             "tcp://127.0.0.1:%d --publish tcp://127.0.0.1:%d --http "
             "127.0.0.1:%d %s",
             pre, state, p[0], p[1], p[2], args);
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 1);
    CHECK_CONTAINS(out, named);
    CHECK_CONTAINS(out, "too open");
    char *keytext = wd_test_slurp(k->server_key, NULL);
    keytext[WD_CURVE_Z85_LEN] = '\0';
    CHECK_NOT_CONTAINS(out, keytext);
    free(keytext);
}

static void
test_loose_permissions_refused(void)
{
    struct keys k;
    make_keys(&k);
    CHECK_INT(chmod(k.server_key, 0644), ==, 0);
    char args[512], pre[512], conf[256];
    /* As a flag. */
    snprintf(args, sizeof args, "--curve-secret %s --curve-allow %s",
             k.server_key, k.allow);
    check_run_refused(&k, "", args, k.server_key);
    /* From the environment. */
    snprintf(pre, sizeof pre,
             "WIREDESK_CURVE_SECRET=%s WIREDESK_CURVE_ALLOW=%s", k.server_key,
             k.allow);
    check_run_refused(&k, pre, "", k.server_key);
    /* From a --config file. */
    snprintf(conf, sizeof conf, "%s/wiredesk.conf", k.dir);
    FILE *f = fopen(conf, "w");
    CHECK(f != NULL);
    if (f) {
        fprintf(f, "curve-secret = %s\ncurve-allow = %s\n", k.server_key,
                k.allow);
        fclose(f);
    }
    snprintf(args, sizeof args, "--config %s", conf);
    check_run_refused(&k, "", args, k.server_key);

    /* An allow-list others can write is refused too. */
    CHECK_INT(chmod(k.server_key, 0600), ==, 0);
    CHECK_INT(chmod(k.allow, 0777), ==, 0);
    snprintf(args, sizeof args, "--curve-secret %s --curve-allow %s",
             k.server_key, k.allow);
    check_run_refused(&k, "", args, k.allow);
    CHECK_INT(chmod(k.allow, 0755), ==, 0);

    /* One without the other is a usage error. */
    static char out[4096];
    char cmd[512];
    snprintf(cmd, sizeof cmd, WD_BINARY " run --curve-secret %s", k.server_key);
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 2);
    CHECK_CONTAINS(out, "go together");
    remove_dir(k.dir);
}

static void
test_keygen_round_trip(void)
{
    char dir[64] = "/tmp/wd-keygen-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char cmd[512], out[1024], key[128], pub[128];
    snprintf(cmd, sizeof cmd,
             "{ " WD_BINARY " keygen --out %s/node 2>/dev/null; }", dir);
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 0);
    snprintf(key, sizeof key, "%s/node.key", dir);
    snprintf(pub, sizeof pub, "%s/node.pub", dir);
    struct stat st;
    CHECK_INT(stat(key, &st), ==, 0);
    CHECK_INT(st.st_mode & 0777, ==, 0600);
    CHECK_INT(st.st_size, ==, WD_CURVE_Z85_LEN + 1);
    CHECK_INT(stat(pub, &st), ==, 0);
    CHECK_INT(st.st_mode & 022, ==, 0);
    CHECK_INT(st.st_size, ==, WD_CURVE_Z85_LEN + 1);

    struct wd_curve_key s, p;
    char err[512], derived[WD_CURVE_Z85_LEN + 1];
    CHECK_OK(wd_curve_read_secret(key, &s, err, sizeof err));
    CHECK_OK(wd_curve_read_public(pub, &p, err, sizeof err));
    CHECK_INT(zmq_curve_public(derived, s.z85), ==, 0);
    CHECK_STR(derived, p.z85);
    CHECK_STR(strtok(out, "\n"), p.z85); /* stdout: the public key */
    CHECK(strcmp(s.z85, p.z85) != 0);

    /* Never overwritten. */
    snprintf(cmd, sizeof cmd, WD_BINARY " keygen --out %s/node", dir);
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 1);
    CHECK_CONTAINS(out, "exists");
    struct wd_curve_key again;
    CHECK_OK(wd_curve_read_secret(key, &again, err, sizeof err));
    CHECK_STR(again.z85, s.z85);
    /* No --out: a usage error. */
    CHECK_INT(run_cmd(WD_BINARY " keygen", out, sizeof out), ==, 2);
    remove_dir(dir);
}

int
main(void)
{
    signal(SIGPIPE, SIG_IGN);
    RUN(test_allowed_client_gets_through);
    RUN(test_peers_events);
    RUN(test_unknown_key_refused);
    RUN(test_plain_client_refused);
    RUN(test_loose_permissions_refused);
    RUN(test_keygen_round_trip);
    return TEST_DONE();
}
