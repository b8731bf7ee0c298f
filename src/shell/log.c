#include "wd/log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <time.h>

static enum wd_log_level max_level = WD_LOG_INFO;
static enum wd_log_format log_format = WD_LOG_TEXT;

void
wd_log_set_format(enum wd_log_format format)
{
    log_format = format;
}

void
wd_log_set_level(enum wd_log_level level)
{
    max_level = level;
}

void
wd_log(enum wd_log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    if (level > max_level)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    /* One fprintf per line keeps lines whole when several threads log. */
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (log_format == WD_LOG_JSON) {
        char ts_buf[64];
        snprintf(ts_buf, sizeof ts_buf, "%s.%03ldZ", stamp,
                 ts.tv_nsec / 1000000);
        json_t *o = json_object();
        json_object_set_new(o, "ts", json_string(ts_buf));
        json_object_set_new(o, "level", json_string(names[level]));
        /* Invalid UTF-8 from a page's URL must not lose the line. */
        json_t *m = json_string(msg);
        json_object_set_new(o, "msg", m ? m : json_string("(not UTF-8)"));
        char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(o);
        if (line) {
            fprintf(stderr, "%s\n", line);
            free(line);
        }
        return;
    }
    fprintf(stderr, "%s.%03ldZ wiredesk %s: %s\n", stamp, ts.tv_nsec / 1000000,
            names[level], msg);
}

void
wd_ratelimit_init(struct wd_ratelimit *r, int per_sec, int burst)
{
    r->per_sec = per_sec;
    r->burst = burst;
    r->tokens = burst;
    r->last_ms = 0;
    r->suppressed = 0;
}

bool
wd_ratelimit_allow(struct wd_ratelimit *r, int64_t now_ms, uint64_t *suppressed)
{
    if (r->last_ms != 0 && now_ms > r->last_ms) {
        r->tokens += (double)(now_ms - r->last_ms) * r->per_sec / 1000.0;
        if (r->tokens > r->burst)
            r->tokens = r->burst;
    }
    r->last_ms = now_ms;
    if (r->tokens < 1.0) {
        r->suppressed++;
        return false;
    }
    r->tokens -= 1.0;
    if (suppressed)
        *suppressed = r->suppressed;
    r->suppressed = 0;
    return true;
}

int64_t
wd_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
wd_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
