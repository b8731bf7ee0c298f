/* The prepare threads: N threads, fed in arrival order through a ring the
 * size of the pages in hand. Each page belongs to a parse shard (its
 * source's, wd_prepared_shard), and shard k's pages are parsed by thread
 * k mod N alone, oldest first, so that each source's pages are parsed in
 * order (the boilerplate learner needs that) while different sources'
 * pages are parsed in parallel. Fingerprints need no order: any thread
 * with no page of its own to parse fingerprints the newest parsed page,
 * and when the page at the head is parsed but nobody fingerprints it yet,
 * the loop does it itself (wd_prep_head_ready), so the threads share the
 * work whichever half is heavier, from both ends (the loop does not wait
 * for a thread busy with the head's). The threads keep going while pages
 * wait, and tell the loop through one async handle (whose sends
 * coalesce), so a busy worker pays no wake-up per page. Sequence numbers
 * count pages queued and finished (head); the ring, the slots' states and
 * the numbers are guarded by mu. */
#ifndef WD_PREP_H
#define WD_PREP_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

struct wd_pipeline;
struct wd_prepared;

/* Pages in hand at most: beyond, ingest pauses (senders wait). */
#define WD_PREP_JOBS 32
/* Threads at most. */
#define WD_PREP_THREADS_MAX 64

struct wd_prep;

struct wd_prep_thread {
    struct wd_prep *q;
    unsigned index;
    uv_thread_t thread;
};

struct wd_prep {
    struct wd_pipeline *pipeline;
    void (*on_ready)(void *ctx); /* on the loop: a page moved on */
    void *ctx;
    struct wd_prep_thread threads[WD_PREP_THREADS_MAX];
    unsigned n_threads, started;
    uv_async_t done_async;
    uv_mutex_t mu;
    uv_cond_t cv;
    struct wd_prepared *ring[WD_PREP_JOBS];
    uint8_t state[WD_PREP_JOBS];  /* queued, parsing, to fingerprint, ... */
    unsigned owner[WD_PREP_JOBS]; /* the thread that parses it */
    unsigned queued, head;        /* sequence numbers */
    unsigned idle;                /* threads waiting on cv */
    bool quit;
    bool inited, async_open;
};

/* Starts n_threads threads (1 .. WD_PREP_THREADS_MAX; caller storage,
 * zeroed). on_ready runs on the loop when pages were parsed or
 * fingerprinted. Returns 0 or -1. */
int wd_prep_start(struct wd_prep *q, uv_loop_t *loop,
                  struct wd_pipeline *pipeline, unsigned n_threads,
                  void (*on_ready)(void *ctx), void *ctx);

/* Hands the threads a page (there must be room: at most WD_PREP_JOBS in
 * hand). */
void wd_prep_push(struct wd_prep *q, struct wd_prepared *pp);

/* Whether the head page is ready to finish: parsed and fingerprinted. When
 * it is parsed and nobody fingerprints it yet, the caller does it now. */
bool wd_prep_head_ready(struct wd_prep *q);

/* The head page is done with: its slot is free. */
void wd_prep_pop(struct wd_prep *q);

/* Has on_ready run again on a next loop iteration (a caller that stopped
 * with pages ready, to let the loop's other handles run). */
void wd_prep_again(struct wd_prep *q);

/* Stops the threads once they are done with the pages in their hands (a
 * page's parse at most) and closes the async handle (loop thread). */
void wd_prep_close(struct wd_prep *q);

/* Frees the lock and condition (after close, or when start failed). */
void wd_prep_fini(struct wd_prep *q);

#endif
