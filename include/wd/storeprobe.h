/* The store's figures and health, read off the loop. A thread of its own,
 * with a connection of its own, asks a shared (Redis) store every interval
 * how many stories it holds and how many bytes it takes; the loop reads the
 * last answers from memory. So /metrics, /stats, /readyz and the dashboard
 * never wait on the store, and a store that stops answering (a frozen or
 * unreachable server) shows as not ready within its timeout even when no
 * page comes to find out. */
#ifndef WD_STOREPROBE_H
#define WD_STOREPROBE_H

#include <stdbool.h>
#include <stdint.h>

struct wd_storeprobe;

/* A shared store is asked every WD_STOREPROBE_MS; with no answer for
 * WD_STOREPROBE_SILENT_MS more (its 2 s timeout and a margin) the worker
 * is not ready. */
#define WD_STOREPROBE_MS 1000
#define WD_STOREPROBE_SILENT_MS 3000

struct wd_storeprobe_figures {
    uint64_t stories, bytes; /* the last answer's */
    int64_t answered_ms;     /* when the last answer came (monotonic) */
    bool answering;          /* the last question was answered */
};

/* Starts probing the Redis store at url every interval_ms. Returns 0,
 * WD_EINVAL (a bad URL) or WD_ENOMEM. */
int wd_storeprobe_new(struct wd_storeprobe **out, const char *url,
                      int interval_ms);

/* The last figures (any thread). */
void wd_storeprobe_read(struct wd_storeprobe *p,
                        struct wd_storeprobe_figures *f);

/* Stops the thread (waits for the question in hand, at most the store's
 * timeout) and frees it; NULL is a no-op. */
void wd_storeprobe_free(struct wd_storeprobe *p);

#endif
