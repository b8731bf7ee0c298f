/* Date and time recognition for scraped pages: pure functions over buffers.
 *
 * Pages write their publication time in many forms. wd_date_parse() accepts
 * a whole string (a line of a page, an attribute value) and normalises it to
 * UTC milliseconds since the epoch.
 */
#ifndef WD_DATE_H
#define WD_DATE_H

#include <stddef.h>
#include <stdint.h>

/* How precise a parsed date is. */
enum wd_date_precision {
    WD_DATE_DAY = 1,    /* a calendar day, time set to 00:00 UTC */
    WD_DATE_MINUTE = 2, /* day and time of day (seconds may be present) */
};

/* Parses s[0..len) when the whole string, after trimming white space, is
 * one date or date-time in a common written form, in English:
 *   "24 Oct 2025 13:36", "05 December 2025", "December 5, 2025",
 *   "Dec 5, 2025 1:36 PM", "Friday, 24 October 2025", "2025-10-24",
 *   ISO 8601 / RFC 3339 "2025-10-24T13:36:00Z", "...+05:00", fractions,
 *   RFC 2822 "Fri, 24 Oct 2025 13:36:00 +0000", "24.10.2025", "2025/10/24",
 *   relative "2 hours ago", "5 min ago", "a day ago", "yesterday", "today",
 *   "just now" (relative to now_ms),
 * optionally preceded by a label such as "Published", "Updated:", "Posted on".
 * A time without zone is taken as UTC. Returns 0 and sets *out_ms (and
 * *precision when not NULL), or WD_EPARSE when the string is not a date
 * (including impossible dates such as 31 February), never reading outside
 * s[0..len). s need not be NUL-terminated. */
int wd_date_parse(const char *s, size_t len, int64_t now_ms, int64_t *out_ms,
                  enum wd_date_precision *precision);

/* The decimal digit s[0..n) starts with: ASCII, Persian (U+06F0..) or
 * Arabic-Indic (U+0660..). Returns its bytes (1 or 2) with its value in
 * *value, or 0 when s starts with none. */
size_t wd_date_digit(const char *s, size_t n, int *value);

/* Days since 1970-01-01 of a proleptic Gregorian date (no validation). */
int64_t wd_date_days_from_civil(int64_t y, unsigned m, unsigned d);

/* The date written in a story's URL: /2013/11/27/, /2023-11/17/,
 * /202311/17/, -2025-03-11-, /20180619/, /2019/jan/03/ (a year from 1995 on, a
 * month and a day, between separators). Returns 0 with the day at UTC midnight
 * in *ms, or -1 (also for a NULL url). */
int wd_date_from_url(const char *url, int64_t *ms);

#endif
