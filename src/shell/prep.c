#include "wd/prep.h"

#include "wd/pipeline.h"

enum { FP_TODO, FP_BUSY, FP_DONE };

/* The oldest parsed page nobody fingerprints yet, or -1. */
static int
todo_slot(const struct wd_prep *q)
{
    for (unsigned seq = q->head; seq != q->parsed; seq++)
        if (q->fp[seq % WD_PREP_JOBS] == FP_TODO)
            return (int)(seq % WD_PREP_JOBS);
    return -1;
}

static void
prep_main(void *arg)
{
    struct wd_prep *q = arg;
    uv_mutex_lock(&q->mu);
    for (;;) {
        int todo = -1;
        while (!q->quit && q->parsed == q->queued &&
               (todo = todo_slot(q)) < 0) {
            q->idle = true;
            uv_cond_wait(&q->cv, &q->mu);
            q->idle = false;
        }
        if (q->quit)
            break;
        if (q->parsed != q->queued) {
            unsigned slot = q->parsed % WD_PREP_JOBS;
            struct wd_prepared *pp = q->ring[slot];
            uv_mutex_unlock(&q->mu);
            bool fp = wd_pipeline_parse(q->pipeline, pp);
            uv_mutex_lock(&q->mu);
            q->fp[slot] = fp ? FP_TODO : FP_DONE;
            q->parsed++;
        } else {
            q->fp[todo] = FP_BUSY;
            struct wd_prepared *pp = q->ring[todo];
            uv_mutex_unlock(&q->mu);
            wd_pipeline_fingerprint(pp);
            uv_mutex_lock(&q->mu);
            q->fp[todo] = FP_DONE;
        }
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
              void (*on_ready)(void *ctx), void *ctx)
{
    q->pipeline = pipeline;
    q->on_ready = on_ready;
    q->ctx = ctx;
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
    if (uv_thread_create(&q->thread, prep_main, q) != 0)
        return -1;
    q->started = true;
    return 0;
}

void
wd_prep_push(struct wd_prep *q, struct wd_prepared *pp)
{
    uv_mutex_lock(&q->mu);
    q->ring[q->queued % WD_PREP_JOBS] = pp;
    q->queued++;
    if (q->idle)
        uv_cond_signal(&q->cv);
    uv_mutex_unlock(&q->mu);
}

bool
wd_prep_head_ready(struct wd_prep *q)
{
    unsigned slot = q->head % WD_PREP_JOBS;
    struct wd_prepared *todo = NULL;
    bool ready = false;
    uv_mutex_lock(&q->mu);
    if (q->head != q->parsed) {
        if (q->fp[slot] == FP_DONE) {
            ready = true;
        } else if (q->fp[slot] == FP_TODO) {
            q->fp[slot] = FP_BUSY;
            todo = q->ring[slot];
        }
    }
    uv_mutex_unlock(&q->mu);
    if (todo) {
        wd_pipeline_fingerprint(todo);
        uv_mutex_lock(&q->mu);
        q->fp[slot] = FP_DONE;
        uv_mutex_unlock(&q->mu);
        ready = true;
    }
    return ready;
}

void
wd_prep_pop(struct wd_prep *q)
{
    uv_mutex_lock(&q->mu);
    q->head++;
    uv_mutex_unlock(&q->mu);
}

static void
stop_thread(struct wd_prep *q)
{
    if (!q->started)
        return;
    uv_mutex_lock(&q->mu);
    q->quit = true;
    uv_cond_signal(&q->cv);
    uv_mutex_unlock(&q->mu);
    uv_thread_join(&q->thread);
    q->started = false;
}

void
wd_prep_close(struct wd_prep *q)
{
    stop_thread(q);
    if (q->async_open)
        uv_close((uv_handle_t *)&q->done_async, NULL);
    q->async_open = false;
}

void
wd_prep_fini(struct wd_prep *q)
{
    stop_thread(q);
    if (q->inited) {
        uv_cond_destroy(&q->cv);
        uv_mutex_destroy(&q->mu);
    }
    q->inited = false;
}
