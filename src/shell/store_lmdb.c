/* The embedded store: LMDB, one environment under the state directory, one
 * named database per namespace.
 *
 * Why LMDB: a B+tree in a memory map with copy-on-write pages. Readers cost
 * nothing, a committed transaction is never half-applied, the file opens
 * in constant time whatever its size (no log to replay), and resident
 * memory is the kernel's page cache, not the worker's heap.
 *
 * Durability: the environment is opened with MDB_NOSYNC. A commit writes
 * its pages with write(2) before it returns, so it survives a crash of the
 * process (kill -9) at once; fsync happens in wd_store_sync(), which the
 * worker calls every second, so a crash of the machine loses at most the
 * last second of memory (and re-publishes those stories: never loses one).
 */
#include "wd/store.h"

#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wd/err.h"

static const char *const ns_names[WD_NS__COUNT] = {
    "story", "content", "url", "page", "band", "age", "lead", "journal"};

struct lmdb_store {
    MDB_env *env;
    MDB_dbi dbi[WD_NS__COUNT];
    MDB_txn *txn; /* the open batch, or NULL */
};

static int
err_of(int rc)
{
    switch (rc) {
    case MDB_SUCCESS:
        return 0;
    case MDB_NOTFOUND:
        return WD_ENOTFOUND;
    case MDB_MAP_FULL:
        return WD_EFULL;
    default:
        return rc > 0 ? -rc : WD_EINVAL;
    }
}

static int
s_begin(void *impl)
{
    struct lmdb_store *s = impl;
    if (s->txn)
        return WD_EBUSY;
    return err_of(mdb_txn_begin(s->env, NULL, 0, &s->txn));
}

static int
s_commit(void *impl)
{
    struct lmdb_store *s = impl;
    if (!s->txn)
        return WD_EINVAL;
    int rc = mdb_txn_commit(s->txn);
    s->txn = NULL;
    return err_of(rc);
}

static void
s_abort(void *impl)
{
    struct lmdb_store *s = impl;
    if (s->txn)
        mdb_txn_abort(s->txn);
    s->txn = NULL;
}

static int
s_get(void *impl, enum wd_store_ns ns, const void *key, size_t klen, void *val,
      size_t *vlen)
{
    struct lmdb_store *s = impl;
    if (!s->txn)
        return WD_EINVAL;
    MDB_val k = {klen, (void *)key}, v;
    int rc = mdb_get(s->txn, s->dbi[ns], &k, &v);
    if (rc)
        return err_of(rc);
    if (val && vlen)
        memcpy(val, v.mv_data, v.mv_size < *vlen ? v.mv_size : *vlen);
    if (vlen)
        *vlen = v.mv_size;
    return 0;
}

static int
s_put(void *impl, enum wd_store_ns ns, const void *key, size_t klen,
      const void *val, size_t vlen)
{
    struct lmdb_store *s = impl;
    if (!s->txn)
        return WD_EINVAL;
    MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};
    return err_of(mdb_put(s->txn, s->dbi[ns], &k, &v, 0));
}

static int
s_del(void *impl, enum wd_store_ns ns, const void *key, size_t klen)
{
    struct lmdb_store *s = impl;
    if (!s->txn)
        return WD_EINVAL;
    MDB_val k = {klen, (void *)key};
    int rc = mdb_del(s->txn, s->dbi[ns], &k, NULL);
    return rc == MDB_NOTFOUND ? 0 : err_of(rc);
}

static int
s_scan(void *impl, enum wd_store_ns ns, const void *prefix, size_t plen,
       wd_store_scan_fn fn, void *ctx)
{
    struct lmdb_store *s = impl;
    if (!s->txn)
        return WD_EINVAL;
    MDB_cursor *cur;
    int rc = mdb_cursor_open(s->txn, s->dbi[ns], &cur);
    if (rc)
        return err_of(rc);
    MDB_val k = {plen, (void *)prefix}, v;
    rc = plen ? mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE)
              : mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    while (rc == 0) {
        if (plen && (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0))
            break;
        if (fn(ctx, k.mv_data, k.mv_size, v.mv_data, v.mv_size))
            break;
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    return rc == 0 || rc == MDB_NOTFOUND ? 0 : err_of(rc);
}

static int
s_count(void *impl, enum wd_store_ns ns, uint64_t *n)
{
    struct lmdb_store *s = impl;
    MDB_stat st;
    int rc;
    if (s->txn) {
        rc = mdb_stat(s->txn, s->dbi[ns], &st);
    } else {
        MDB_txn *t;
        rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &t);
        if (rc == 0) {
            rc = mdb_stat(t, s->dbi[ns], &st);
            mdb_txn_abort(t);
        }
    }
    if (rc == 0)
        *n = st.ms_entries;
    return err_of(rc);
}

static int
s_size(void *impl, uint64_t *bytes)
{
    struct lmdb_store *s = impl;
    MDB_envinfo info;
    MDB_stat st;
    int rc = mdb_env_info(s->env, &info);
    if (rc == 0)
        rc = mdb_env_stat(s->env, &st);
    if (rc == 0)
        *bytes = (uint64_t)(info.me_last_pgno + 1) * st.ms_psize;
    return err_of(rc);
}

static int
s_sync(void *impl)
{
    struct lmdb_store *s = impl;
    return err_of(mdb_env_sync(s->env, 1));
}

static void
s_close(void *impl)
{
    struct lmdb_store *s = impl;
    if (!s)
        return;
    s_abort(s);
    if (s->env) {
        mdb_env_sync(s->env, 1);
        mdb_env_close(s->env);
    }
    free(s);
}

static const struct wd_store_ops lmdb_ops = {
    .begin = s_begin,
    .commit = s_commit,
    .abort = s_abort,
    .get = s_get,
    .put = s_put,
    .del = s_del,
    .scan = s_scan,
    .count = s_count,
    .size = s_size,
    .sync = s_sync,
    .close = s_close,
    .claim = NULL,    /* one worker: no claims */
    .get_many = NULL, /* local reads: one at a time costs nothing more */
};

int
wd_store_open_lmdb(struct wd_store *out, const char *dir, size_t map_mb)
{
    out->ops = NULL;
    out->impl = NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/dedup.lmdb", dir);
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return -errno;
    /* LMDB maps its lock file and writes to it through the map: on a full
     * file system that is a SIGBUS, not an error. The file's blocks are
     * taken here first (more than LMDB's 8 KiB for 126 readers), so a
     * full disk is ENOSPC, said and exit 1. */
    char lock[4200];
    snprintf(lock, sizeof lock, "%s/lock.mdb", path);
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    int frc = posix_fallocate(fd, 0, 64 * 1024);
    close(fd);
    if (frc != 0 && frc != EOPNOTSUPP && frc != EINVAL)
        return -frc;
    struct lmdb_store *s = calloc(1, sizeof *s);
    if (!s)
        return WD_ENOMEM;
    int rc = mdb_env_create(&s->env);
    if (rc == 0)
        rc = mdb_env_set_maxdbs(s->env, WD_NS__COUNT);
    if (rc == 0)
        rc = mdb_env_set_mapsize(s->env, (size_t)map_mb << 20);
    if (rc == 0)
        rc = mdb_env_open(s->env, path, MDB_NOSYNC | MDB_NOTLS, 0644);
    MDB_txn *txn = NULL;
    if (rc == 0)
        rc = mdb_txn_begin(s->env, NULL, 0, &txn);
    for (int i = 0; rc == 0 && i < WD_NS__COUNT; i++)
        rc = mdb_dbi_open(txn, ns_names[i], MDB_CREATE, &s->dbi[i]);
    if (txn)
        rc = rc == 0 ? mdb_txn_commit(txn) : (mdb_txn_abort(txn), rc);
    if (rc) {
        s_close(s);
        return err_of(rc);
    }
    out->ops = &lmdb_ops;
    out->impl = s;
    return 0;
}
