/* Starting and stopping the real wiredesk binary for end-to-end tests, on
 * loopback TCP ports, and reading what it publishes. Every wait has a
 * deadline; nothing depends on sleeping the right amount. */
#ifndef WD_TEST_WORKER_H
#define WD_TEST_WORKER_H

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "wd/http.h"

#include "ports.h"
#include "testutil.h"
#include "wd/ingest.h"

extern char **environ;

struct worker {
    pid_t pid;
    const char *binary; /* NULL: the build tree's WD_BINARY */
    char ingest[64], publish[64], http[64];
    char state[256], log[300];
};

/* The worker most recently started: waits give up at once when it died
 * (a crash is a failure to report, not a deadline to sit out). */
static struct worker *watched;

static inline int64_t
mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void worker_spawn(struct worker *w, const char *const *extra);
static inline bool log_contains(const struct worker *w, const char *needle);

/* Waits (60 s at most) until the worker says it is ready or ends; true
 * when it ended because an address it was to bind was in use. The process
 * is not reaped (WNOWAIT): the caller's wait still sees how it ended. */
static inline bool
worker_lost_a_port(struct worker *w)
{
    for (int64_t end = mono_ms() + 60000; mono_ms() < end;) {
        siginfo_t info;
        memset(&info, 0, sizeof info);
        if (waitid(P_PID, (id_t)w->pid, &info, WEXITED | WNOHANG | WNOWAIT) ==
                0 &&
            info.si_pid == w->pid)
            return log_contains(w, "already in use");
        if (log_contains(w, "wiredesk info: ready:") ||
            log_contains(w, "\"msg\":\"ready:"))
            return false;
        usleep(10000);
    }
    return false;
}

/* Starts `wiredesk run` with the given extra arguments (NULL-terminated
 * list), its stderr going to a log file in its state directory. */
static inline void
worker_start(struct worker *w, const char *const *extra)
{
    w->binary = NULL;
    snprintf(w->state, sizeof w->state, "/tmp/wd-test-XXXXXX");
    if (!mkdtemp(w->state)) {
        perror("mkdtemp");
        exit(2);
    }
    /* A port free when chosen can be taken before the worker binds it
     * (another test's connection gets it as its own ephemeral port): a
     * worker that could not bind is started again on other ports. */
    for (int attempt = 0;; attempt++) {
        int ports[3];
        free_ports(3, ports);
        snprintf(w->ingest, sizeof w->ingest, "tcp://127.0.0.1:%d", ports[0]);
        snprintf(w->publish, sizeof w->publish, "tcp://127.0.0.1:%d", ports[1]);
        snprintf(w->http, sizeof w->http, "127.0.0.1:%d", ports[2]);
        worker_spawn(w, extra);
        if (attempt == 4 || !worker_lost_a_port(w))
            break;
        int status;
        waitpid(w->pid, &status, 0);
        fprintf(stderr, "worker start %d: a port was taken meanwhile; again\n",
                attempt + 1);
        char kept[340];
        snprintf(kept, sizeof kept, "%s.lost-port-%d", w->log, attempt + 1);
        if (rename(w->log, kept) != 0)
            break;
    }
}

/* (Re)starts the worker on the endpoints and state directory already in
 * *w, appending to its log. */
static inline void
worker_spawn(struct worker *w, const char *const *extra)
{
    snprintf(w->log, sizeof w->log, "%s/worker.log", w->state);
    const char *bin = w->binary ? w->binary : WD_BINARY;
    const char *argv[72];
    int argc = 0;
    /* WD_TEST_VALGRIND=<valgrind>: the worker runs under memcheck, and any
     * error (or a definite leak) makes it exit 99 instead of 0. */
    const char *vg = getenv("WD_TEST_VALGRIND");
    if (vg && *vg) {
        argv[argc++] = vg;
        argv[argc++] = "--quiet";
        argv[argc++] = "--error-exitcode=99";
        argv[argc++] = "--leak-check=full";
        argv[argc++] = "--errors-for-leak-kinds=definite";
        argv[argc++] = "--show-leak-kinds=definite";
        argv[argc++] = "--suppressions=" WD_SOURCE "/tests/valgrind.supp";
    }
    const char *run[] = {bin,         "run",      "--ingest",         w->ingest,
                         "--publish", w->publish, "--state",          w->state,
                         "--http",    w->http,    "--stats-interval", "100"};
    for (size_t i = 0; i < sizeof run / sizeof run[0]; i++)
        argv[argc++] = run[i];
    for (int i = 0; extra && extra[i] && argc < 70; i++)
        argv[argc++] = extra[i];
    argv[argc] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, w->log,
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    watched = w;
    if (posix_spawnp(&w->pid, argv[0], &fa, NULL, (char **)argv, environ)) {
        perror("posix_spawn");
        exit(2);
    }
    posix_spawn_file_actions_destroy(&fa);
}

/* Waits up to deadline_ms for process pid to exit; returns its exit
 * status, or -1 when it did not exit in time (it is then killed and
 * reaped) or died of a signal. */
static inline int
proc_wait_exit(pid_t pid, int deadline_ms)
{
    int status;
    for (int64_t end = mono_ms() + deadline_ms; mono_ms() < end;) {
        if (waitpid(pid, &status, WNOHANG) == pid) {
            if (WIFEXITED(status))
                return WEXITSTATUS(status);
            fprintf(stderr, "process %d died of signal %d\n", (int)pid,
                    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
            return -1;
        }
        usleep(10000);
    }
    fprintf(stderr, "process %d did not exit within %d ms: killed\n", (int)pid,
            deadline_ms);
    /* Where it hangs, when gdb is at hand: every thread's stack. */
    char cmd[256];
    snprintf(cmd, sizeof cmd,
             "command -v gdb >/dev/null 2>&1 && timeout 60 gdb -p %d -batch "
             "-ex 'thread apply all bt' 2>&1 | grep -E '^#|^Thread' >&2",
             (int)pid);
    if (system(cmd) == -1)
        perror("system");
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

/* The deadline most tests give a clean stop. A stop syncs the store and
 * sends the last $stats; right after a build, on a shared two-core machine
 * running the valgrind tests beside it, two stops once took over 10 s (not
 * reproduced alone), so a hang is what this deadline catches, not a slow
 * disk. */
#define WD_TEST_STOP_MS 30000

/* Sends SIGTERM and waits up to deadline_ms; returns the exit status or -1
 * when the worker had to be killed. */
static inline int
worker_stop(struct worker *w, int deadline_ms)
{
    watched = NULL;
    kill(w->pid, SIGTERM);
    const char *vg = getenv("WD_TEST_VALGRIND");
    if (vg && *vg)
        deadline_ms *= 10; /* memcheck's leak check runs at exit */
    int rc = proc_wait_exit(w->pid, deadline_ms);
    FILE *f = rc != 0 ? fopen(w->log, "rb") : NULL;
    if (f) { /* say why: the end of the worker's log */
        char tail[3001];
        fseek(f, 0, SEEK_END);
        long end = ftell(f);
        fseek(f, end > 3000 ? end - 3000 : 0, SEEK_SET);
        size_t n = fread(tail, 1, sizeof tail - 1, f);
        tail[n] = '\0';
        fclose(f);
        fprintf(stderr, "worker exit %d; the end of %s:\n%s\n", rc, w->log,
                tail);
    }
    /* A stop whose ZeroMQ context did not end (rare; the worker exits 0
     * without it) is said, with the sockets it names, for the next look;
     * not a failure, since libzmq's own end can be what hangs. */
    char *log = rc == 0 && access(w->log, R_OK) == 0
                    ? wd_test_slurp(w->log, NULL)
                    : NULL;
    const char *hang = log ? strstr(log, "context did not end") : NULL;
    if (hang) {
        const char *eol = strchr(hang, '\n');
        fprintf(stderr, "worker %s: stop: ZeroMQ's %.*s\n", w->log,
                eol ? (int)(eol - hang) : (int)strlen(hang), hang);
    }
    free(log);
    return rc;
}

/* True while the worker process runs. */
static inline bool
worker_alive(struct worker *w)
{
    int status;
    return waitpid(w->pid, &status, WNOHANG) == 0;
}

/* A field of /proc/PID/status in kB ("VmHWM:", "RssAnon:"), or -1. */
static inline long
status_kb(pid_t pid, const char *field)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, field, strlen(field)) == 0)
            kb = atol(line + strlen(field));
    if (f)
        fclose(f);
    return kb;
}

/* kill -9, and reap it. */
static inline void
worker_kill9(struct worker *w)
{
    int status;
    watched = NULL;
    kill(w->pid, SIGKILL);
    waitpid(w->pid, &status, 0);
}

static inline void
worker_cleanup(struct worker *w)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", w->state);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", w->state);
}

/* A SUB socket on the worker's publish endpoint, subscribed to the given
 * channels and to "$stats". */
static inline void *
subscriber(void *zctx, const struct worker *w, const char *const *channels)
{
    void *s = zmq_socket(zctx, ZMQ_SUB);
    int hwm = 0, linger = 0;
    zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    for (int i = 0; channels && channels[i]; i++)
        zmq_setsockopt(s, ZMQ_SUBSCRIBE, channels[i], strlen(channels[i]));
    zmq_setsockopt(s, ZMQ_SUBSCRIBE, "$stats", 6);
    zmq_connect(s, w->publish);
    return s;
}

/* One received message: channel, body, and the sequence number and epoch
 * of the third and fourth frames (0 when absent). */
struct msg {
    char channel[64];
    uint8_t *data;
    size_t len;
    uint64_t seq, epoch;
};

/* An 8-byte big-endian frame's number, or 0. */
static inline uint64_t
frame_u64(zmq_msg_t *f)
{
    uint64_t v = 0;
    const uint8_t *b = zmq_msg_data(f);
    if (zmq_msg_size(f) != 8)
        return 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | b[i];
    return v;
}

/* Receives one message within timeout_ms: [channel, body, seq, epoch]
 * (frames beyond are read and ignored). Returns 1, or 0 on time-out. */
static inline bool worker_alive(struct worker *w);

static inline int
recv_msg(void *s, int timeout_ms, struct msg *m)
{
    if (watched && !worker_alive(watched)) {
        fprintf(stderr, "the worker died; its log: %s\n", watched->log);
        watched = NULL;
        exit(1);
    }
    zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&it, 1, timeout_ms) <= 0)
        return 0;
    zmq_msg_t t, b;
    zmq_msg_init(&t);
    zmq_msg_init(&b);
    zmq_msg_recv(&t, s, 0);
    size_t tl = zmq_msg_size(&t) < 63 ? zmq_msg_size(&t) : 63;
    memcpy(m->channel, zmq_msg_data(&t), tl);
    m->channel[tl] = '\0';
    m->data = NULL;
    m->len = 0;
    m->seq = m->epoch = 0;
    if (zmq_msg_more(&t)) {
        zmq_msg_recv(&b, s, 0);
        m->len = zmq_msg_size(&b);
        m->data = malloc(m->len ? m->len : 1);
        memcpy(m->data, zmq_msg_data(&b), m->len);
    }
    int more = 0;
    size_t sz = sizeof more;
    for (int i = 0; zmq_getsockopt(s, ZMQ_RCVMORE, &more, &sz) == 0 && more;
         i++) {
        zmq_msg_t f;
        zmq_msg_init(&f);
        zmq_msg_recv(&f, s, 0);
        if (i == 0)
            m->seq = frame_u64(&f);
        else if (i == 1)
            m->epoch = frame_u64(&f);
        zmq_msg_close(&f);
        sz = sizeof more;
    }
    zmq_msg_close(&t);
    zmq_msg_close(&b);
    return 1;
}

/* The value of counter name{label} in a WorkerStats message, or -1. */
static inline long long
stat_value(const Wiredesk__V1__WorkerStats *ws, const char *name,
           const char *label)
{
    for (size_t i = 0; i < ws->n_counters; i++)
        if (strcmp(ws->counters[i]->name, name) == 0 &&
            strcmp(ws->counters[i]->label, label ? label : "") == 0)
            return (long long)ws->counters[i]->value;
    return -1;
}

/* Waits until the subscriber has seen a "$stats" message: it is then
 * connected and its subscriptions are in place at the publisher. */
static inline int
wait_subscribed(void *s, int deadline_ms)
{
    int64_t end = mono_ms() + deadline_ms;
    struct msg m;
    while (mono_ms() < end) {
        if (recv_msg(s, 100, &m)) {
            int stats = strcmp(m.channel, "$stats") == 0;
            free(m.data);
            if (stats)
                return 1;
        }
    }
    return 0;
}

static inline void *
pusher(void *zctx, const struct worker *w)
{
    void *s = zmq_socket(zctx, ZMQ_PUSH);
    int linger = 5000, hwm = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_connect(s, w->ingest);
    return s;
}

/* Messages pushed so far by push_frame() and push_page(). */
static long long frames_pushed;

static inline void
push_frame(void *s, const void *data, size_t len)
{
    frames_pushed++;
    if (zmq_send(s, data, len, 0) < 0)
        fprintf(stderr, "push failed: %s\n", zmq_strerror(errno));
}

static inline void
push_page(void *s, const char *url, const char *ctype, const void *body,
          size_t len)
{
    uint8_t *frame;
    size_t n = make_raw(url, ctype, body, len, &frame);
    push_frame(s, frame, n);
    free(frame);
}

/* A SUB socket that takes little, for a subscriber that lags or stops
 * reading: a queue of rcvhwm messages in its libzmq and a kernel receive
 * buffer of 4 KB (beyond them, what the worker sends it waits in the
 * worker), subscribed to "all", and to "$stats" when stats; the caller
 * connects it. */
static inline void *
small_subscriber(void *zctx, int rcvhwm, bool stats)
{
    void *s = zmq_socket(zctx, ZMQ_SUB);
    int small = 4096, linger = 0;
    zmq_setsockopt(s, ZMQ_RCVHWM, &rcvhwm, sizeof rcvhwm);
    zmq_setsockopt(s, ZMQ_RCVBUF, &small, sizeof small);
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s, ZMQ_SUBSCRIBE, "all", 3);
    if (stats)
        zmq_setsockopt(s, ZMQ_SUBSCRIBE, "$stats", 6);
    return s;
}

/* Pushes the text pages make(i) for i = first, first + 1, ... until sub
 * has a message (it is subscribed), deadline_ms at most; returns the next
 * i, or -1 when none came. */
static inline int
push_until_read(void *push, void *sub, const char *url,
                size_t (*make)(int i, char *buf, size_t cap), int first,
                int deadline_ms)
{
    static char page[8192];
    for (int64_t end = mono_ms() + deadline_ms; mono_ms() < end;) {
        size_t n = make(first++, page, sizeof page);
        push_page(push, url, "text/plain", page, n);
        struct msg m;
        if (recv_msg(sub, 100, &m)) {
            free(m.data);
            return first;
        }
    }
    return -1;
}

/* Runs a shell command; its stdout and stderr together go to out. Returns
 * the exit status (-1 when it did not exit). */
static inline int
run_cmd(const char *cmd, char *out, size_t cap)
{
    char shell[4096];
    snprintf(shell, sizeof shell, "%s 2>&1", cmd);
    FILE *p = popen(shell, "r");
    size_t n = 0;
    while (p && n + 1 < cap) {
        size_t got = fread(out + n, 1, cap - 1 - n, p);
        if (got == 0)
            break;
        n += got;
    }
    out[n] = '\0';
    int st = p ? pclose(p) : -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

struct collected {
    int n;
    struct msg m[2048];
    Wiredesk__V1__WorkerStats *last_stats;
};

/* Reads from s until a "$stats" message reports at least `pages` pages
 * received: since one PUB socket sends in order, every article of those
 * pages reached this subscriber before that message. */
static inline int
collect_until(void *s, long long pages, struct collected *c, int deadline_ms)
{
    int64_t end = mono_ms() + deadline_ms;
    struct msg m;
    while (mono_ms() < end) {
        if (!recv_msg(s, 100, &m))
            continue;
        if (strcmp(m.channel, "$stats") == 0) {
            Wiredesk__V1__WorkerStats *ws =
                wiredesk__v1__worker_stats__unpack(NULL, m.len, m.data);
            free(m.data);
            if (!ws)
                continue;
            if (c->last_stats)
                wiredesk__v1__worker_stats__free_unpacked(c->last_stats, NULL);
            c->last_stats = ws;
            if ((long long)ws->pages_received >= pages)
                return 1;
            continue;
        }
        if (c->n < 2048)
            c->m[c->n++] = m;
        else
            free(m.data);
    }
    return 0;
}

static inline void
collected_free(struct collected *c)
{
    for (int i = 0; i < c->n; i++)
        free(c->m[i].data);
    if (c->last_stats)
        wiredesk__v1__worker_stats__free_unpacked(c->last_stats, NULL);
    memset(c, 0, sizeof *c);
}

static inline bool
log_contains(const struct worker *w, const char *needle)
{
    size_t len;
    char *log = wd_test_slurp(w->log, &len);
    bool found = strstr(log, needle) != NULL;
    free(log);
    return found;
}

/* Waits up to deadline_ms until the worker's log contains needle. */
static inline bool
log_wait_for(const struct worker *w, const char *needle, int deadline_ms)
{
    for (int64_t end = mono_ms() + deadline_ms; mono_ms() < end;) {
        if (log_contains(w, needle))
            return true;
        usleep(20000);
    }
    return false;
}

/* A DEALER connected to an acknowledged ingest endpoint. */
static inline void *
acker(void *zctx, const char *endpoint)
{
    void *s = zmq_socket(zctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_connect(s, endpoint) != 0) {
        fprintf(stderr, "cannot connect to %s\n", endpoint);
        exit(2);
    }
    return s;
}

/* One request on an acknowledged ingest socket, then its answer
 * (ingest.h's client half). */
static inline int
ack_request(void *dealer, uint64_t req, const uint8_t *page, size_t len,
            int timeout_ms, char *answer, size_t cap)
{
    answer[0] = '\0';
    if (wd_ingest_ack_send(dealer, req, page, len) != 0)
        return 0;
    return wd_ingest_ack_wait(dealer, req, timeout_ms, answer, cap);
}

/* Reads one multi-frame message into f[] (at most cap frames; more stay
 * unread), each initialised; returns how many. The caller closes them. */
static inline int
recv_frames(void *s, zmq_msg_t *f, int cap)
{
    int n = 0, more = 1;
    while (more && n < cap) {
        zmq_msg_init(&f[n]);
        zmq_msg_recv(&f[n], s, 0);
        more = zmq_msg_more(&f[n]);
        n++;
    }
    return n;
}

/* The value of the line "NAME VALUE" of a /metrics body (name with its
 * labels), or -1. */
static inline long long
metric_in(const char *body, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = body; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p)
        if (strncmp(p, name, n) == 0 && p[n] == ' ')
            return atoll(p + n + 1);
    return -1;
}

/* The worker's /metrics now (malloc'd; NULL when it does not answer). */
static inline char *
worker_metrics(const struct worker *w)
{
    int status;
    char *body = NULL;
    size_t len;
    if (wd_http_get(w->http, "/metrics", 2000, &status, &body, &len) != 0)
        return NULL;
    return body;
}

/* Metric name's value in the worker's /metrics now, or -1 (also while the
 * worker is not serving yet). */
static inline long long
worker_metric(const struct worker *w, const char *name)
{
    char *body = worker_metrics(w);
    long long v = body ? metric_in(body, name) : -1;
    free(body);
    return v;
}

/* Waits (deadline_ms at most) until metric name reaches at least min;
 * returns its last value. */
static inline long long
worker_wait_metric(const struct worker *w, const char *name, long long min,
                   int deadline_ms)
{
    int64_t end = mono_ms() + deadline_ms;
    long long v = -1;
    while (mono_ms() < end) {
        v = worker_metric(w, name);
        if (v >= min)
            break;
        usleep(50000);
    }
    return v;
}

#endif
