/* WD_TEST_LABEL: e2e */
/* The dedup cases of test_dedup.c on the Redis store, against a real
 * redis-server: the shared backend makes the same decisions as LMDB. Plus
 * the claims that make several workers publish a story once. */
#include "dedup_cases.h"
#include "redis.h"
#include "wd/err.h"

static struct redis server;

static void
reopen_store(void)
{
    CHECK_OK(wd_store_open_redis(&store, server.url));
}

static void
flush(void)
{
    char cmd[128], out[256];
    snprintf(cmd, sizeof cmd, "redis-cli -p %d flushall", server.port);
    CHECK_INT(run_cmd(cmd, out, sizeof out), ==, 0);
}

#define SETUP_RUN(fn)                                                          \
    do {                                                                       \
        flush();                                                               \
        reopen_store();                                                        \
        RUN(fn);                                                               \
        wd_store_close(&store);                                                \
    } while (0)

/* Two stores on one server stand for two workers: the first claim of a
 * revision wins, the holder may claim again (a retried page), the other
 * may not; another revision is another claim. */
static void
test_claims(void)
{
    struct wd_store other;
    CHECK_OK(wd_store_open_redis(&other, server.url));
    const uint8_t key[20] = {1, 2, 3}, key2[20] = {1, 2, 3, [19] = 2};
    CHECK_OK(wd_store_begin(&store));
    CHECK_OK(wd_store_begin(&other));
    CHECK_OK(wd_store_claim(&store, key, sizeof key));
    CHECK_OK(wd_store_claim(&store, key, sizeof key));
    CHECK_INT(wd_store_claim(&other, key, sizeof key), ==, WD_EBUSY);
    CHECK_OK(wd_store_claim(&other, key2, sizeof key2));
    CHECK_INT(wd_store_claim(&store, key2, sizeof key2), ==, WD_EBUSY);
    wd_store_abort(&store);
    wd_store_abort(&other);
    wd_store_close(&other);
}

/* No server: opening fails; a server that goes away fails the batch, and
 * claims with it, so that nothing is published unremembered. */
static void
test_server_gone(void)
{
    struct wd_store s;
    CHECK(wd_store_open_redis(&s, "redis://127.0.0.1:1/0") != 0);
    CHECK_INT(wd_store_open_redis(&s, "http://x"), ==, WD_EINVAL);
    const uint8_t key[20] = {9};
    redis_kill(&server);
    CHECK(wd_store_begin(&store) != 0 ||
          wd_store_claim(&store, key, sizeof key) != 0);
    wd_store_abort(&store);
    redis_start(&server); /* same files: back as it was */
    CHECK_OK(wd_store_begin(&store));
    CHECK_OK(wd_store_claim(&store, key, sizeof key));
    wd_store_abort(&store);
}

int
main(void)
{
    snprintf(server.dir, sizeof server.dir, "/tmp/wd-redis-XXXXXX");
    if (!mkdtemp(server.dir))
        return 2;
    server.port = free_port();
    redis_start(&server);
    DEDUP_CASES(SETUP_RUN);
    SETUP_RUN(test_claims);
    SETUP_RUN(test_server_gone);
    redis_kill(&server);
    remove_dir(server.dir);
    return TEST_DONE();
}
