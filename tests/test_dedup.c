/* WD_TEST_LABEL: unit */
/* Dedup decisions on a real LMDB store in a temporary directory. */
#include "dedup_cases.h"

static char dir[64];

static void
reopen_store(void)
{
    CHECK_OK(wd_store_open_lmdb(&store, dir, 256));
}

static void
empty_store(void)
{
    wd_store_close(&store);
    remove_dir(dir);
    temp_store(&store, dir);
}

#define SETUP_RUN(fn)                                                          \
    do {                                                                       \
        temp_store(&store, dir);                                               \
        RUN(fn);                                                               \
        wd_store_close(&store);                                                \
        remove_dir(dir);                                                       \
    } while (0)

int
main(void)
{
    DEDUP_CASES(SETUP_RUN);
    return TEST_DONE();
}
