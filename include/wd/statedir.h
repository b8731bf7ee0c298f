/* The worker's state directory: created if missing and locked for one
 * worker (flock on LOCK, released when the process ends), with the
 * clean-stop mark that tells the next run whether this one ended cleanly. */
#ifndef WD_STATEDIR_H
#define WD_STATEDIR_H

#include <stddef.h>
#include <stdint.h>

#include "wd/dump.h"

struct wd_statedir {
    const char *dir;
    int lock_fd; /* -1 when not locked */
};

/* Creates dir if needed and locks it (caller storage). Returns 0, WD_EBUSY
 * (another worker holds it) or a negative errno (logged). */
int wd_statedir_open(struct wd_statedir *sd, const char *dir);

/* The time of the last commit of a run that did not stop cleanly (the
 * directory holds an LMDB store but no clean-stop mark), or 0. Removes the
 * mark, which only a clean stop writes again. Call before the store opens
 * (its file's time is that of the last commit). */
int64_t wd_statedir_unclean_stop_ms(const struct wd_statedir *sd);

/* Writes the clean-stop mark (at the end of a clean stop). */
void wd_statedir_mark_clean(const struct wd_statedir *sd);

/* Writes the file name in dir through fill (which calls write with io),
 * aside first and then renamed, so that a crash leaves the old file or
 * none, never half of one. Returns 0 or fill's or the file's error (the
 * file is then not written). */
int wd_statedir_save(const char *dir, const char *name,
                     int (*fill)(void *ctx, wd_dump_write_fn write, void *io),
                     void *ctx);

/* Reads the file name of dir through take (given its size), once: the
 * file is removed first (a file that cannot be removed is not read), so
 * that a later crash cannot find a state the run has since moved past.
 * Returns take's result, WD_ENOTFOUND when there is no such file, or a
 * negative errno (an unreadable file is removed too). */
int wd_statedir_take(const char *dir, const char *name,
                     int (*take)(void *ctx, uint64_t size, wd_dump_read_fn read,
                                 void *io),
                     void *ctx);

/* Releases the lock. */
void wd_statedir_close(struct wd_statedir *sd);

#endif
