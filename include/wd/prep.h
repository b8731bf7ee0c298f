/* The prepare thread: one thread, fed in arrival order through a ring the
 * size of the pages in hand, that parses every page in order (the
 * boilerplate learner needs that) and then fingerprints the oldest parsed
 * pages, while the loop finishes the pages before. Fingerprints need no
 * order: when the page at the head is parsed but nobody fingerprints it
 * yet, the loop does it itself (wd_prep_head_ready), so the two threads
 * share the work whichever half is heavier. The thread keeps going while
 * pages wait, and tells the loop through one async handle (whose sends
 * coalesce), so a busy worker pays no wake-up per page. Sequence numbers
 * count pages queued, parsed and finished (head); the ring and the
 * numbers are guarded by mu. */
#ifndef WD_PREP_H
#define WD_PREP_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

struct wd_pipeline;
struct wd_prepared;

/* Pages in hand at most: beyond, ingest pauses (senders wait). */
#define WD_PREP_JOBS 32

struct wd_prep {
    struct wd_pipeline *pipeline;
    void (*on_ready)(void *ctx); /* on the loop: a page moved on */
    void *ctx;
    uv_thread_t thread;
    bool started;
    uv_async_t done_async;
    uv_mutex_t mu;
    uv_cond_t cv;
    struct wd_prepared *ring[WD_PREP_JOBS];
    uint8_t fp[WD_PREP_JOBS];      /* of the parsed pages: to do, busy, done */
    unsigned queued, parsed, head; /* sequence numbers */
    bool idle;                     /* the thread waits on cv */
    bool quit;
    bool inited, async_open;
};

/* Starts the thread (caller storage, zeroed). on_ready runs on the loop
 * when pages were parsed or fingerprinted. Returns 0 or -1. */
int wd_prep_start(struct wd_prep *q, uv_loop_t *loop,
                  struct wd_pipeline *pipeline, void (*on_ready)(void *ctx),
                  void *ctx);

/* Hands the thread a page (there must be room: at most WD_PREP_JOBS in
 * hand). */
void wd_prep_push(struct wd_prep *q, struct wd_prepared *pp);

/* Whether the head page is ready to finish: parsed and fingerprinted. When
 * it is parsed and nobody fingerprints it yet, the caller does it now. */
bool wd_prep_head_ready(struct wd_prep *q);

/* The head page is done with: its slot is free. */
void wd_prep_pop(struct wd_prep *q);

/* Stops the thread once it is done with the page in its hands (a page's
 * parse at most) and closes the async handle (loop thread). */
void wd_prep_close(struct wd_prep *q);

/* Frees the lock and condition (after close, or when start failed). */
void wd_prep_fini(struct wd_prep *q);

#endif
