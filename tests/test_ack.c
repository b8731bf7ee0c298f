/* The acknowledged ingest under pages in flight: the real worker on
 * loopback TCP, DEALER clients that each keep several requests
 * outstanding. Every request must be answered without a new connection to
 * release it: an answer sent on the ROUTER can consume the ZMQ_FD edge of a
 * request that arrived meanwhile, and the socket must be drained all the
 * same (one client with 8 in flight stalled every 16-80 pages before).
 * And beside a flood on the plain ingest, acknowledged pages are read in
 * turns with it, not after it.
 * WD_TEST_LABEL: e2e
 */
#include <pthread.h>
#include <zmq.h>

#include "gen.h"
#include "test.h"
#include "testutil.h"
#include "worker.h"

#define MAX_CLIENTS 4
#define DEADLINE_MS 60000
/* An answer later than this is a stall: an unloaded worker answers in
 * milliseconds, and a lost wake-up leaves the request unread for good. */
#define STALL_MS 10000

struct client {
    const char *endpoint;
    int id, pages, in_flight;
    int answered, stalls;
};

static void *
run_client(void *arg)
{
    struct client *c = arg;
    void *zctx = zmq_ctx_new();
    void *d = acker(zctx, c->endpoint);
    int sent = 0;
    int64_t end = mono_ms() + DEADLINE_MS, last = mono_ms();
    while (c->answered < c->pages && mono_ms() < end) {
        while (sent < c->pages && sent - c->answered < c->in_flight) {
            char page[1024];
            int n = snprintf(
                page, sizeof page,
                "Client %d files story number %d on the wire\n\n"
                "The story number %d of client %d is a paragraph long enough "
                "to be read as prose by the parser, with a full stop at the "
                "end of it and nothing that repeats another story.\n",
                c->id, sent, sent, c->id);
            uint8_t *frame;
            size_t flen = make_raw("https://ack.test/", "text/plain", page,
                                   (size_t)n, &frame);
            uint64_t req = (uint64_t)sent;
            zmq_send(d, "", 0, ZMQ_SNDMORE);
            zmq_send(d, &req, sizeof req, ZMQ_SNDMORE);
            zmq_send(d, frame, flen, 0);
            free(frame);
            sent++;
        }
        zmq_pollitem_t it = {d, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, 100) <= 0) {
            if (mono_ms() - last > STALL_MS) {
                c->stalls++;
                break;
            }
            continue;
        }
        int more = 1, frames = 0;
        size_t ms = sizeof more;
        while (more) {
            char tmp[128];
            if (zmq_recv(d, tmp, sizeof tmp, 0) < 0)
                break;
            frames++;
            zmq_getsockopt(d, ZMQ_RCVMORE, &more, &ms);
        }
        if (frames == 3) {
            c->answered++;
            last = mono_ms();
        }
    }
    zmq_close(d);
    zmq_ctx_term(zctx);
    return NULL;
}

static void
dealers(int clients, int pages, int in_flight)
{
    char ack_ep[64];
    snprintf(ack_ep, sizeof ack_ep, "tcp://127.0.0.1:%d", free_port());
    const char *extra[] = {"--ingest-ack", ack_ep, NULL};
    struct worker w;
    worker_start(&w, extra);

    struct client c[MAX_CLIENTS];
    pthread_t t[MAX_CLIENTS];
    for (int i = 0; i < clients; i++) {
        c[i] = (struct client){ack_ep, i, pages, in_flight, 0, 0};
        pthread_create(&t[i], NULL, run_client, &c[i]);
    }
    for (int i = 0; i < clients; i++) {
        pthread_join(t[i], NULL);
        CHECK_INT(c[i].stalls, ==, 0);
        CHECK_INT(c[i].answered, ==, pages);
    }
    CHECK_INT(worker_stop(&w, DEADLINE_MS), ==, 0);
    worker_cleanup(&w);
}

/* One client: nothing else wakes the socket when an edge is lost. */
static void
test_one_dealer_eight_in_flight(void)
{
    dealers(1, 1500, 8);
}

static void
test_four_dealers_in_flight(void)
{
    dealers(MAX_CLIENTS, 500, 8);
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__) ||        \
    defined(__SANITIZE_THREAD__)
#define FLOOD 10000
#else
#define FLOOD 50000
#endif

/* A flood of pages queued for the plain ingest, far more than the worker
 * holds; meanwhile a client's acknowledged pages are all answered before
 * the worker has read the flood: the two ingests are read in turns, so the
 * acknowledged one does not wait for the flood to end. */
static void
test_acked_beside_a_flood(void)
{
    char ack_ep[64];
    snprintf(ack_ep, sizeof ack_ep, "tcp://127.0.0.1:%d", free_port());
    const char *extra[] = {"--ingest-ack", ack_ep, NULL};
    struct worker w;
    worker_start(&w, extra);
    void *zctx = zmq_ctx_new();
    void *push = pusher(zctx, &w);
    char page[2048];
    for (int i = 0; i < FLOOD; i++)
        push_page(push, "https://flood.test/", "text/plain", page,
                  make_page(i, page, sizeof page));
    /* The flood under way: the worker has read some of it. */
    CHECK_INT(
        worker_wait_metric(&w, "wiredesk_pages_received_total", 2000, 60000),
        >=, 2000);
    struct client c = {ack_ep, 0, 200, 8, 0, 0};
    pthread_t ct;
    CHECK_INT(pthread_create(&ct, NULL, run_client, &c), ==, 0);
    pthread_join(ct, NULL);
    long long received = worker_metric(&w, "wiredesk_pages_received_total");
    fprintf(stderr,
            "200 acknowledged pages answered when the worker had received "
            "%lld pages of %d\n",
            received, FLOOD + 200);
    CHECK_INT(c.stalls, ==, 0);
    CHECK_INT(c.answered, ==, 200);
    CHECK_INT(received, <, FLOOD);
    CHECK_INT(worker_wait_metric(&w, "wiredesk_pages_received_total",
                                 FLOOD + 200, DEADLINE_MS),
              ==, FLOOD + 200);
    CHECK_INT(worker_stop(&w, DEADLINE_MS), ==, 0);
    zmq_close(push);
    zmq_ctx_term(zctx);
    worker_cleanup(&w);
}

int
main(void)
{
    RUN(test_one_dealer_eight_in_flight);
    RUN(test_four_dealers_in_flight);
    RUN(test_acked_beside_a_flood);
    return TEST_DONE();
}
