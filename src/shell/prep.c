#include "wd/prep.h"

#include "wd/pipeline.h"

/* A slot's state, from push to pop. */
enum { QUEUED, PARSING, FP_TODO, FP_BUSY, DONE };

/* The work thread me takes next: its oldest queued page (parsed in its
 * source's order, since only me parses that source), else the newest
 * parsed page nobody fingerprints yet (the loop fingerprints the oldest,
 * at the head, itself: the two work from both ends instead of the loop
 * waiting for the head's); -1 when none. *parse says which. */
static int
next_slot(const struct wd_prep *q, unsigned me, bool *parse)
{
    int fp = -1;
    for (unsigned seq = q->head; seq != q->queued; seq++) {
        unsigned s = seq % WD_PREP_JOBS;
        if (q->state[s] == QUEUED && q->owner[s] == me) {
            *parse = true;
            return (int)s;
        }
        if (q->state[s] == FP_TODO)
            fp = (int)s;
    }
    *parse = false;
    return fp;
}

static void
prep_main(void *arg)
{
    struct wd_prep_thread *t = arg;
    struct wd_prep *q = t->q;
    uv_mutex_lock(&q->mu);
    for (;;) {
        int slot = -1;
        bool parse = false;
        while (!q->quit && (slot = next_slot(q, t->index, &parse)) < 0) {
            q->idle++;
            uv_cond_wait(&q->cv, &q->mu);
            q->idle--;
        }
        if (q->quit)
            break;
        struct wd_prepared *pp = q->ring[slot];
        q->state[slot] = parse ? PARSING : FP_BUSY;
        uv_mutex_unlock(&q->mu);
        bool todo = false;
        if (parse)
            todo = wd_pipeline_parse(q->pipeline, pp);
        else
            wd_pipeline_fingerprint(pp);
        uv_mutex_lock(&q->mu);
        q->state[slot] = todo ? FP_TODO : DONE;
        /* A fingerprint to share: an idle thread may take it. */
        if (todo && q->idle)
            uv_cond_signal(&q->cv);
        uv_async_send(&q->done_async);
    }
    uv_mutex_unlock(&q->mu);
}

static void
on_done(uv_async_t *h)
{
    struct wd_prep *q = h->data;
    q->on_ready(q->ctx);
}

int
wd_prep_start(struct wd_prep *q, uv_loop_t *loop, struct wd_pipeline *pipeline,
              unsigned n_threads, void (*on_ready)(void *ctx), void *ctx)
{
    if (n_threads == 0 || n_threads > WD_PREP_THREADS_MAX)
        return -1;
    q->pipeline = pipeline;
    q->on_ready = on_ready;
    q->ctx = ctx;
    q->n_threads = n_threads;
    if (uv_mutex_init(&q->mu) != 0)
        return -1;
    if (uv_cond_init(&q->cv) != 0) {
        uv_mutex_destroy(&q->mu);
        return -1;
    }
    q->inited = true;
    if (uv_async_init(loop, &q->done_async, on_done) != 0)
        return -1;
    q->done_async.data = q;
    q->async_open = true;
    for (unsigned i = 0; i < n_threads; i++) {
        q->threads[i].q = q;
        q->threads[i].index = i;
        if (uv_thread_create(&q->threads[i].thread, prep_main,
                             &q->threads[i]) != 0)
            return -1;
        q->started++;
    }
    return 0;
}

void
wd_prep_push(struct wd_prep *q, struct wd_prepared *pp)
{
    unsigned owner = wd_prepared_shard(pp) % q->n_threads;
    uv_mutex_lock(&q->mu);
    unsigned s = q->queued % WD_PREP_JOBS;
    q->ring[s] = pp;
    q->state[s] = QUEUED;
    q->owner[s] = owner;
    q->queued++;
    /* Its owner must wake; which one waits is not known. */
    if (q->idle)
        uv_cond_broadcast(&q->cv);
    uv_mutex_unlock(&q->mu);
}

bool
wd_prep_head_ready(struct wd_prep *q)
{
    unsigned slot = q->head % WD_PREP_JOBS;
    struct wd_prepared *todo = NULL;
    bool ready = false;
    uv_mutex_lock(&q->mu);
    if (q->head != q->queued) {
        if (q->state[slot] == DONE) {
            ready = true;
        } else if (q->state[slot] == FP_TODO) {
            q->state[slot] = FP_BUSY;
            todo = q->ring[slot];
        }
    }
    uv_mutex_unlock(&q->mu);
    if (todo) {
        wd_pipeline_fingerprint(todo);
        uv_mutex_lock(&q->mu);
        q->state[slot] = DONE;
        uv_mutex_unlock(&q->mu);
        ready = true;
    }
    return ready;
}

void
wd_prep_again(struct wd_prep *q)
{
    uv_async_send(&q->done_async);
}

void
wd_prep_pop(struct wd_prep *q)
{
    uv_mutex_lock(&q->mu);
    q->head++;
    uv_mutex_unlock(&q->mu);
}

static void
stop_threads(struct wd_prep *q)
{
    if (!q->started)
        return;
    uv_mutex_lock(&q->mu);
    q->quit = true;
    uv_cond_broadcast(&q->cv);
    uv_mutex_unlock(&q->mu);
    for (unsigned i = 0; i < q->started; i++)
        uv_thread_join(&q->threads[i].thread);
    q->started = 0;
}

void
wd_prep_close(struct wd_prep *q)
{
    stop_threads(q);
    if (q->async_open)
        uv_close((uv_handle_t *)&q->done_async, NULL);
    q->async_open = false;
}

void
wd_prep_fini(struct wd_prep *q)
{
    stop_threads(q);
    if (q->inited) {
        uv_cond_destroy(&q->cv);
        uv_mutex_destroy(&q->mu);
    }
    q->inited = false;
}
