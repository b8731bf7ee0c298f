/* WD_TEST_LABEL: unit */
/* The list of open sockets that a stop whose ZeroMQ context does not end
 * reports: real sockets of a real context, named while open and forgotten
 * when closed; the context ends once the list is empty. */
#include "test.h"

#include <string.h>
#include <zmq.h>

#include "wd/zsock.h"

static void
test_names_while_open(void)
{
    void *zctx = zmq_ctx_new();
    CHECK(zctx != NULL);
    char buf[128];
    CHECK(wd_zsock_open_names(buf, sizeof buf) == 0);
    CHECK(strcmp(buf, "") == 0);
    void *pub = wd_zsock_open(zctx, ZMQ_PUB, "publish", NULL);
    void *mon = wd_zsock_open(zctx, ZMQ_PAIR, "monitor", "ingest");
    void *zap = wd_zsock_open(zctx, ZMQ_REP, "zap", NULL);
    CHECK(pub && mon && zap);
    CHECK(wd_zsock_open_names(buf, sizeof buf) == 3);
    CHECK(strstr(buf, "publish") != NULL);
    CHECK(strstr(buf, "monitor of ingest") != NULL);
    CHECK(strstr(buf, "zap") != NULL);
    /* Cut to the buffer, still counted in full. */
    char small[8];
    CHECK(wd_zsock_open_names(small, sizeof small) == 3);
    CHECK(strlen(small) == sizeof small - 1);
    wd_zsock_close(mon);
    CHECK(wd_zsock_open_names(buf, sizeof buf) == 2);
    CHECK(strstr(buf, "monitor") == NULL);
    CHECK(strstr(buf, "publish") != NULL && strstr(buf, "zap") != NULL);
    wd_zsock_close(NULL);
    CHECK(wd_zsock_open_names(buf, sizeof buf) == 2);
    wd_zsock_close(pub);
    wd_zsock_close(zap);
    CHECK(wd_zsock_open_names(buf, sizeof buf) == 0);
    CHECK(strcmp(buf, "") == 0);
    /* Every socket closed: the context ends (it would wait otherwise). */
    CHECK(zmq_ctx_term(zctx) == 0);
}

static void
test_failed_open_not_listed(void)
{
    void *zctx = zmq_ctx_new();
    CHECK(zctx != NULL);
    /* Not a socket type: zmq_socket fails, nothing is remembered. */
    CHECK(wd_zsock_open(zctx, 12345, "bogus", NULL) == NULL);
    char buf[64];
    CHECK(wd_zsock_open_names(buf, sizeof buf) == 0);
    CHECK(zmq_ctx_term(zctx) == 0);
}

int
main(void)
{
    RUN(test_names_while_open);
    RUN(test_failed_open_not_listed);
    return TEST_DONE();
}
