#include "wd/statedir.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wd/err.h"
#include "wd/log.h"

#define CLEAN_STOP_FILE "clean-stop"

int
wd_statedir_open(struct wd_statedir *sd, const char *dir)
{
    sd->dir = dir;
    sd->lock_fd = -1;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        wd_log(WD_LOG_ERROR, "cannot create state dir %s: %s", dir,
               strerror(errno));
        return -errno;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/LOCK", dir);
    sd->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (sd->lock_fd < 0) {
        wd_log(WD_LOG_ERROR, "cannot open %s: %s", path, strerror(errno));
        return -errno;
    }
    if (flock(sd->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        wd_log(WD_LOG_ERROR, "state dir %s is in use by another worker", dir);
        return WD_EBUSY;
    }
    return 0;
}

int64_t
wd_statedir_unclean_stop_ms(const struct wd_statedir *sd)
{
    char mark[4200], data[4200];
    snprintf(mark, sizeof mark, "%s/" CLEAN_STOP_FILE, sd->dir);
    snprintf(data, sizeof data, "%s/dedup.lmdb/data.mdb", sd->dir);
    struct stat st;
    bool clean = access(mark, F_OK) == 0;
    unlink(mark);
    if (clean || stat(data, &st) != 0)
        return 0;
    return (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
}

void
wd_statedir_mark_clean(const struct wd_statedir *sd)
{
    char mark[4200];
    snprintf(mark, sizeof mark, "%s/" CLEAN_STOP_FILE, sd->dir);
    int fd = open(mark, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0)
        close(fd);
}

void
wd_statedir_close(struct wd_statedir *sd)
{
    if (sd->lock_fd >= 0)
        close(sd->lock_fd);
    sd->lock_fd = -1;
}

static int
file_write(void *io, const void *buf, size_t len)
{
    return fwrite(buf, 1, len, io) == len ? 0 : -EIO;
}

static int
file_read(void *io, void *buf, size_t len)
{
    return fread(buf, 1, len, io) == len ? 0 : WD_EPARSE;
}

int
wd_statedir_save(const char *dir, const char *name,
                 int (*fill)(void *ctx, wd_dump_write_fn write, void *io),
                 void *ctx)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return -errno;
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    int rc = fill(ctx, file_write, f);
    /* On disk before the rename: after a power loss the name holds the
     * whole new file or the old one. */
    if (rc == 0 && (fflush(f) != 0 || fsync(fileno(f)) != 0))
        rc = -errno;
    if (fclose(f) != 0 && rc == 0)
        rc = -EIO;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -errno;
    if (rc)
        unlink(tmp);
    return rc;
}

static void *
close_main(void *f)
{
    fclose(f);
    return NULL;
}

/* Closes a taken file of size bytes. Its last close frees its page cache,
 * which for the look-ups' dump of 1M stories (318 MB) took 75-90 ms of the
 * start-up: a large one is closed by a thread of its own, detached, while
 * the start goes on. */
#define CLOSE_LATER_MIN ((uint64_t)16 << 20)

static void
close_later(FILE *f, uint64_t size)
{
    pthread_t th;
    if (size >= CLOSE_LATER_MIN &&
        pthread_create(&th, NULL, close_main, f) == 0)
        pthread_detach(th);
    else
        fclose(f);
}

int
wd_statedir_take(const char *dir, const char *name,
                 int (*take)(void *ctx, uint64_t size, wd_dump_read_fn read,
                             void *io),
                 void *ctx)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        int err = errno;
        if (err == ENOENT)
            return WD_ENOTFOUND;
        unlink(path); /* unreadable: not for a later run either */
        return -err;
    }
    /* Removed before it is read: a state that cannot be removed is not
     * taken, so no later start (after a crash) can find it again. */
    if (unlink(path) != 0) {
        int err = errno;
        fclose(f);
        return -err;
    }
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    struct stat st;
    int rc = fstat(fileno(f), &st) != 0
                 ? -errno
                 : take(ctx, (uint64_t)st.st_size, file_read, f);
    close_later(f, rc == 0 ? (uint64_t)st.st_size : 0);
    return rc;
}
