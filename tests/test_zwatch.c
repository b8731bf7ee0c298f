/* WD_TEST_LABEL: loop */
/* The ZeroMQ watcher on a real loop, over loopback TCP: a ROUTER answers
 * every request later, from outside its read callback (as the worker
 * answers acknowledged pages when their parse is done), while N DEALER
 * clients keep 8 requests in flight each on one connection. Every request
 * must be answered: a send that eats the ZMQ_FD edge of a request that
 * arrived meanwhile would leave it unread with the loop idle. Also: pause
 * holds requests back and resume reads them, and fini closes the handles,
 * not the socket; a read outside a wake-up (wd_zwatch_read_now) reads one
 * message, paused or not, without resuming a paused watcher, and what it
 * leaves queued is still read though it consumed the edge. */
#include "test.h"

#include <pthread.h>
#include <uv.h>
#include <zmq.h>

#include "wd/zwatch.h"

#define CLIENTS 4
#define PER_CLIENT 1500
#define IN_FLIGHT 8
#define PENDING_MAX (CLIENTS * IN_FLIGHT * 2)

struct pending {
    uint8_t id[256];
    size_t id_len;
    uint32_t seq;
};

struct server {
    uv_loop_t loop;
    uv_timer_t answer, deadline;
    uv_async_t done;
    struct wd_zwatch watch;
    void *sock;
    struct pending queue[PENDING_MAX];
    size_t n_queued;
    unsigned long received, answered;
    int clients_done;
    bool timed_out;
};

struct client {
    void *zctx;
    char endpoint[64];
    unsigned long answers;
    struct server *srv;
};

static void
on_answer(uv_timer_t *t)
{
    struct server *s = t->data;
    for (size_t i = 0; i < s->n_queued; i++) {
        struct pending *p = &s->queue[i];
        zmq_send(s->sock, p->id, p->id_len, ZMQ_SNDMORE | ZMQ_DONTWAIT);
        if (zmq_send(s->sock, &p->seq, 4, ZMQ_DONTWAIT) == 4)
            s->answered++;
        /* The send may have consumed the edge of a request that came. */
        wd_zwatch_sent(&s->watch);
    }
    s->n_queued = 0;
}

static bool
read_request(struct wd_zwatch *w)
{
    struct server *s = w->data;
    zmq_msg_t parts[3];
    size_t frames, n = wd_zwatch_recv(s->sock, parts, 3, &frames);
    if (n == 0)
        return false;
    s->received++;
    if (n == 2 && s->n_queued < PENDING_MAX &&
        zmq_msg_size(&parts[0]) <= sizeof s->queue[0].id &&
        zmq_msg_size(&parts[1]) == 4) {
        struct pending *p = &s->queue[s->n_queued++];
        p->id_len = zmq_msg_size(&parts[0]);
        memcpy(p->id, zmq_msg_data(&parts[0]), p->id_len);
        memcpy(&p->seq, zmq_msg_data(&parts[1]), 4);
    }
    for (size_t i = 0; i < n; i++)
        zmq_msg_close(&parts[i]);
    /* Answered later, from the timer: not inside this callback. */
    if (!uv_is_active((uv_handle_t *)&s->answer))
        uv_timer_start(&s->answer, on_answer, 0, 0);
    return true;
}

static void
on_done(uv_async_t *a)
{
    struct server *s = a->data;
    if (__atomic_load_n(&s->clients_done, __ATOMIC_SEQ_CST) >= CLIENTS)
        uv_stop(&s->loop);
}

static void
on_deadline(uv_timer_t *t)
{
    struct server *s = t->data;
    s->timed_out = true;
    uv_stop(&s->loop);
}

static void *
client_main(void *arg)
{
    struct client *c = arg;
    void *sock = zmq_socket(c->zctx, ZMQ_DEALER);
    int linger = 0, timeout = 20000;
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sock, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_connect(sock, c->endpoint);
    uint32_t sent = 0;
    while (c->answers < PER_CLIENT) {
        while (sent < PER_CLIENT && sent - c->answers < IN_FLIGHT) {
            if (zmq_send(sock, &sent, 4, 0) != 4)
                break;
            sent++;
        }
        uint32_t seq;
        /* A stall shows as no answer for 20 s, on this one connection. */
        if (zmq_recv(sock, &seq, 4, 0) != 4)
            break;
        c->answers++;
    }
    zmq_close(sock);
    __atomic_add_fetch(&c->srv->clients_done, 1, __ATOMIC_SEQ_CST);
    uv_async_send(&c->srv->done);
    return NULL;
}

/* One round; a lost edge does not show on every run, so the test runs
 * several (without wd_zwatch_sent() about one round in five stalls). */
static void
one_round(void)
{
    static struct server s;
    memset(&s, 0, sizeof s);
    void *zctx = zmq_ctx_new();
    CHECK_INT(uv_loop_init(&s.loop), ==, 0);
    s.sock = zmq_socket(zctx, ZMQ_ROUTER);
    int linger = 0;
    zmq_setsockopt(s.sock, ZMQ_LINGER, &linger, sizeof linger);
    CHECK_INT(zmq_bind(s.sock, "tcp://127.0.0.1:*"), ==, 0);
    char ep[64];
    size_t eplen = sizeof ep;
    zmq_getsockopt(s.sock, ZMQ_LAST_ENDPOINT, ep, &eplen);
    s.watch.data = &s;
    CHECK_OK(wd_zwatch_start(&s.watch, &s.loop, s.sock, 256, read_request));
    uv_timer_init(&s.loop, &s.answer);
    uv_timer_init(&s.loop, &s.deadline);
    uv_async_init(&s.loop, &s.done, on_done);
    s.answer.data = s.deadline.data = s.done.data = &s;
    uv_timer_start(&s.deadline, on_deadline, 60000, 0);

    static struct client c[CLIENTS];
    pthread_t th[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        c[i] = (struct client){zctx, "", 0, &s};
        snprintf(c[i].endpoint, sizeof c[i].endpoint, "%s", ep);
        pthread_create(&th[i], NULL, client_main, &c[i]);
    }
    uv_run(&s.loop, UV_RUN_DEFAULT);
    for (int i = 0; i < CLIENTS; i++) {
        pthread_join(th[i], NULL);
        CHECK_INT(c[i].answers, ==, PER_CLIENT);
    }
    CHECK(!s.timed_out);
    CHECK_INT(s.received, ==, CLIENTS * PER_CLIENT);
    CHECK_INT(s.answered, ==, CLIENTS * PER_CLIENT);

    wd_zwatch_close(&s.watch, NULL);
    uv_close((uv_handle_t *)&s.answer, NULL);
    uv_close((uv_handle_t *)&s.deadline, NULL);
    uv_close((uv_handle_t *)&s.done, NULL);
    uv_run(&s.loop, UV_RUN_DEFAULT);
    CHECK_INT(s.watch.handles, ==, 0);
    CHECK_INT(uv_loop_close(&s.loop), ==, 0);
    /* The socket is still the owner's, open. */
    CHECK_INT(zmq_close(s.sock), ==, 0);
    zmq_ctx_term(zctx);
}

static void
test_many_in_flight_all_answered(void)
{
    for (int round = 0; round < 10 && !wd_test_failed_checks; round++)
        one_round();
}

struct paused {
    void *sock;
    unsigned long got;
};

static bool
count_one(struct wd_zwatch *w)
{
    struct paused *p = w->data;
    char buf[16];
    if (zmq_recv(p->sock, buf, sizeof buf, ZMQ_DONTWAIT) < 0)
        return false;
    p->got++;
    return true;
}

/* Drives the loop until *got reaches want or 10 s pass. */
static void
run_until(uv_loop_t *loop, const unsigned long *got, unsigned long want)
{
    for (int i = 0; i < 10000 && *got < want; i++) {
        uv_run(loop, UV_RUN_NOWAIT);
        if (*got < want)
            zmq_poll(NULL, 0, 1);
    }
}

/* A PULL socket watched on a loop of its own, and a PUSH into it. */
struct watched {
    void *zctx, *push;
    uv_loop_t loop;
    struct paused p;
    struct wd_zwatch w;
};

static void
watched_open(struct watched *t, const char *endpoint)
{
    t->zctx = zmq_ctx_new();
    uv_loop_init(&t->loop);
    t->p = (struct paused){zmq_socket(t->zctx, ZMQ_PULL), 0};
    t->push = zmq_socket(t->zctx, ZMQ_PUSH);
    int linger = 0;
    zmq_setsockopt(t->p.sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(t->push, ZMQ_LINGER, &linger, sizeof linger);
    zmq_bind(t->p.sock, endpoint);
    zmq_connect(t->push, endpoint);
    t->w = (struct wd_zwatch){.data = &t->p};
}

static void
watched_close(struct watched *t)
{
    wd_zwatch_close(&t->w, NULL);
    uv_run(&t->loop, UV_RUN_DEFAULT);
    CHECK_INT(uv_loop_close(&t->loop), ==, 0);
    zmq_close(t->push);
    zmq_close(t->p.sock);
    zmq_ctx_term(t->zctx);
}

static void
test_pause_resume(void)
{
    struct watched t;
    watched_open(&t, "inproc://zwatch-pause");
    /* Queued before the watcher starts: no edge will announce them. */
    for (int i = 0; i < 10; i++)
        zmq_send(t.push, "x", 1, 0);
    CHECK_OK(wd_zwatch_start(&t.w, &t.loop, t.p.sock, 4, count_one));
    run_until(&t.loop, &t.p.got, 10);
    CHECK_INT(t.p.got, ==, 10);
    wd_zwatch_pause(&t.w);
    for (int i = 0; i < 5; i++)
        zmq_send(t.push, "y", 1, 0);
    for (int i = 0; i < 50; i++) {
        uv_run(&t.loop, UV_RUN_NOWAIT);
        zmq_poll(NULL, 0, 1);
    }
    CHECK_INT(t.p.got, ==, 10); /* held back while paused */
    wd_zwatch_resume(&t.w);
    run_until(&t.loop, &t.p.got, 15);
    CHECK_INT(t.p.got, ==, 15);
    watched_close(&t);
}

/* Runs a few loop iterations without waiting. */
static void
spin(uv_loop_t *loop)
{
    for (int i = 0; i < 20; i++) {
        uv_run(loop, UV_RUN_NOWAIT);
        zmq_poll(NULL, 0, 1);
    }
}

static void
test_read_now(void)
{
    struct watched t;
    watched_open(&t, "inproc://zwatch-now");
    CHECK_OK(wd_zwatch_start(&t.w, &t.loop, t.p.sock, 4, count_one));
    /* Started with nothing queued: the loop waits on ZMQ_FD alone. */
    spin(&t.loop);
    CHECK(!wd_zwatch_read_now(&t.w));
    /* Paused, the loop reads nothing; the owner still may, one at a time,
     * and the watcher stays paused. */
    wd_zwatch_pause(&t.w);
    wd_zwatch_pause(&t.w); /* twice: as once */
    zmq_send(t.push, "a", 1, 0);
    zmq_send(t.push, "a", 1, 0);
    spin(&t.loop);
    CHECK_INT(t.p.got, ==, 0);
    CHECK(wd_zwatch_read_now(&t.w));
    CHECK_INT(t.p.got, ==, 1);
    spin(&t.loop);
    CHECK_INT(t.p.got, ==, 1);
    wd_zwatch_resume(&t.w);
    run_until(&t.loop, &t.p.got, 2);
    CHECK_INT(t.p.got, ==, 2);
    spin(&t.loop);
    /* Three arrive; one is read before the loop looks, which consumes the
     * edge that announced them: the other two are read all the same. */
    for (int i = 0; i < 3; i++)
        zmq_send(t.push, "b", 1, 0);
    CHECK(wd_zwatch_read_now(&t.w));
    CHECK_INT(t.p.got, ==, 3);
    run_until(&t.loop, &t.p.got, 5);
    CHECK_INT(t.p.got, ==, 5);
    watched_close(&t);
}

int
main(void)
{
    RUN(test_many_in_flight_all_answered);
    RUN(test_pause_resume);
    RUN(test_read_now);
    return TEST_DONE();
}
