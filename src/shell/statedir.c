#include "wd/statedir.h"

#include <errno.h>
#include <fcntl.h>
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
