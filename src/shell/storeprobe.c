#include "wd/storeprobe.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wd/err.h"
#include "wd/store.h"

struct wd_storeprobe {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    int interval_ms;
    char url[256];
    struct wd_storeprobe_figures f; /* under mu */
};

static int64_t
mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *
run(void *arg)
{
    struct wd_storeprobe *p = arg;
    struct wd_store store;
    bool open = false;
    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        pthread_mutex_unlock(&p->mu);
        /* The questions go out without the lock: they wait on the store. */
        uint64_t stories = 0, bytes = 0;
        if (!open)
            open = wd_store_open_redis(&store, p->url) == 0;
        /* A connection that failed is made again by the store itself at
         * the next question. */
        bool ok = open &&
                  store.ops->count(store.impl, WD_NS_STORY, &stories) == 0 &&
                  store.ops->size(store.impl, &bytes) == 0;
        pthread_mutex_lock(&p->mu);
        p->f.answering = ok;
        if (ok) {
            p->f.stories = stories;
            p->f.bytes = bytes;
            p->f.answered_ms = mono_ms();
        }
        if (p->stop)
            break;
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += p->interval_ms / 1000;
        until.tv_nsec += (long)(p->interval_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!p->stop && pthread_cond_timedwait(&p->cv, &p->mu, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&p->mu);
    if (open)
        wd_store_close(&store);
    return NULL;
}

int
wd_storeprobe_new(struct wd_storeprobe **out, const char *url, int interval_ms)
{
    *out = NULL;
    if (!url || strlen(url) >= sizeof((struct wd_storeprobe *)0)->url)
        return WD_EINVAL;
    struct wd_storeprobe *p = calloc(1, sizeof *p);
    if (!p)
        return WD_ENOMEM;
    strcpy(p->url, url);
    p->interval_ms = interval_ms > 0 ? interval_ms : 1000;
    /* Answering until asked: the worker has just opened the store. */
    p->f.answering = true;
    p->f.answered_ms = mono_ms();
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&p->thread, NULL, run, p) != 0) {
        pthread_cond_destroy(&p->cv);
        pthread_mutex_destroy(&p->mu);
        free(p);
        return WD_ENOMEM;
    }
    *out = p;
    return 0;
}

void
wd_storeprobe_read(struct wd_storeprobe *p, struct wd_storeprobe_figures *f)
{
    pthread_mutex_lock(&p->mu);
    *f = p->f;
    pthread_mutex_unlock(&p->mu);
}

void
wd_storeprobe_free(struct wd_storeprobe *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}
